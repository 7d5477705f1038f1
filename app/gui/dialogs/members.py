"""Members: find a member by email or name, see their vouchers, and do what the store owes them or is
asked for at the counter: a one-time password reset link, signing out everywhere, their data as JSON,
erasing them. Every read and change runs on a worker; emails and names are shown as typed."""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core import members, times, vouchers, wording
from app.core.errors import NotFound, sentence
from app.core.members import MemberRow
from app.gui.kit.tasks import run_task
from app.gui.kit.widgets import Notice, SearchField, plain_label, plain_tip

MEMBER_COLUMNS = ("Email", "Name", "Vouchers", "Joined")
SORTABLE = {0: "email", 3: "created_at"}  # the columns members have an index to sort by
RESET_QR_PIXELS = 220  # the reset link's QR code, for the member's phone to scan across the counter
VOUCHER_COLUMNS = ("Batch", "Code", "Status", "When")
LIMIT = 50


def _table(columns: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(list(columns))
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return table


def _fill(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
    """Rows of text, shown as typed (a table item never reads its text as markup)."""
    table.setRowCount(len(rows))
    for row, cells in enumerate(rows):
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setToolTip(plain_tip(text))
            table.setItem(row, column, item)


def voucher_cells(voucher) -> tuple[str, ...]:
    when = voucher.redeemed_at if voucher.state == "redeemed" else voucher.claimed_at
    return (voucher.batch_name, voucher.code, wording.state_word(voucher.state), times.local_text(when, zone=True))


def _erase_question(member_id: int) -> str:
    member = members.get_member(member_id)
    if member is None:
        raise NotFound(f"There is no member with id {member_id} (any more).")
    return members.erase_confirmation(member)


class MembersDialog(QDialog):
    """The page. Reports what the person asks for (reset, sign out, export, erase) with the member's
    row; the controller does it and tells the page through show_message, show_reset and reload."""

    reset_requested = Signal(object)
    sign_out_requested = Signal(object)
    export_requested = Signal(object)
    erase_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MembersDialog")
        self.setWindowTitle("Members")
        self.rows: list[MemberRow] = []
        self._reads = 0  # a newer read replaces an older one still on its way
        self.sort = ("email", False)  # (column, descending)

        self.search = SearchField("Find a member by email or name")
        self.search.search_changed.connect(lambda _text: self.reload())
        self.table = _table(MEMBER_COLUMNS)
        self.table.itemSelectionChanged.connect(self._on_selection)
        titles = self.table.horizontalHeader()
        titles.setSectionsClickable(True)
        titles.setSortIndicatorShown(True)
        titles.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        titles.sectionClicked.connect(self._on_header_clicked)
        for column in SORTABLE:
            cast(QTableWidgetItem, self.table.horizontalHeaderItem(column)).setToolTip(
                "Click to sort by it (again: the other way)"
            )
        self.count_label = plain_label()
        self.count_label.setObjectName("Muted")
        self.notice = Notice()
        self.notice.hide()

        self.member_label = plain_label()  # the member's email and name, as typed
        self.member_label.setObjectName("SectionTitle")
        self.member_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.vouchers_table = _table(VOUCHER_COLUMNS)
        self.reset_button = QPushButton("Reset password…")
        self.sign_out_button = QPushButton("Sign out everywhere")
        self.export_button = QPushButton("Export data…")
        self.erase_button = QPushButton("Erase member…")
        self.erase_button.setObjectName("DangerButton")
        for button, signal in (
            (self.reset_button, self.reset_requested),
            (self.sign_out_button, self.sign_out_requested),
            (self.export_button, self.export_requested),
            (self.erase_button, self.erase_requested),
        ):
            button.setAutoDefault(False)
            button.clicked.connect(lambda _checked=False, signal=signal: self._ask(signal))

        self.reset_link = QLineEdit()
        self.reset_link.setReadOnly(True)
        self.reset_link.setAccessibleName("One-time reset link")
        self.copy_button = QPushButton("Copy")
        self.copy_button.setAutoDefault(False)
        self.copy_button.clicked.connect(self._on_copy_clicked)
        self.reset_note = plain_label()
        self.reset_note.setWordWrap(True)
        self.reset_qr = QLabel()  # the same link as a QR code: the member scans it instead of typing 60 characters
        self.reset_qr.setObjectName("QrImage")
        self.reset_qr.setFixedSize(RESET_QR_PIXELS, RESET_QR_PIXELS)
        self.reset_qr.setScaledContents(True)
        self.reset_qr.setAccessibleName("QR code of the reset link, for the member's phone")
        self.reset_box = QWidget()
        reset_layout = QHBoxLayout(self.reset_box)
        reset_layout.setContentsMargins(0, 0, 0, 0)
        link_side = QVBoxLayout()
        link_row = QHBoxLayout()
        link_row.addWidget(self.reset_link, 1)
        link_row.addWidget(self.copy_button)
        link_side.addLayout(link_row)
        link_side.addWidget(self.reset_note)
        link_side.addStretch(1)
        reset_layout.addLayout(link_side, 1)
        reset_layout.addWidget(self.reset_qr)
        self.reset_box.hide()

        close = QPushButton("Close")
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        actions = QHBoxLayout()
        for button in (self.reset_button, self.sign_out_button, self.export_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.erase_button)
        footer = QHBoxLayout()
        footer.addWidget(self.count_label)
        footer.addStretch(1)
        footer.addWidget(close)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(self.search)
        layout.addWidget(self.notice)
        layout.addWidget(self.table, 3)
        layout.addWidget(self.member_label)
        layout.addWidget(self.vouchers_table, 2)
        layout.addLayout(actions)
        layout.addWidget(self.reset_box)
        layout.addLayout(footer)
        self._show_member(None)
        self.resize(900, 640)

    # Reading --------------------------------------------------------------------------------
    def _on_header_clicked(self, column: int) -> None:
        """Email and Joined sort (again: the other way); the other columns keep the order."""
        if column in SORTABLE:
            wanted = SORTABLE[column]
            column_now, descending = self.sort
            self.sort = (wanted, not descending) if column_now == wanted else (wanted, wanted == "created_at")
            self.reload()
        positions = {name: position for position, name in SORTABLE.items()}
        order = Qt.SortOrder.DescendingOrder if self.sort[1] else Qt.SortOrder.AscendingOrder
        self.table.horizontalHeader().setSortIndicator(positions[self.sort[0]], order)

    def reload(self) -> None:
        wanted = self.search.text().strip()
        sort, descending = self.sort
        self._reads += 1
        read = self._reads

        def done(answer: tuple[list[MemberRow], int]) -> None:
            if read != self._reads:
                return
            found, total = answer
            chosen = self.selected()
            self.rows = list(found)
            self.table.blockSignals(True)
            _fill(self.table, [(r.email, r.name, f"{r.vouchers:,}", times.local_text(r.created_at)) for r in self.rows])
            self.table.blockSignals(False)
            again = [n for n, r in enumerate(self.rows) if chosen and r.id == chosen.id]
            if again:
                self.table.selectRow(again[0])
            else:
                self.table.clearSelection()
                self._show_member(None)
            shown = len(self.rows)
            noun = "member" if total == 1 else "members"
            more = f", the first {shown:,} shown: type more to narrow it" if total > shown else ""
            self.count_label.setText(f"{total:,} {noun}{more}")

        run_task(
            lambda: (members.find_members(wanted, LIMIT, sort, descending), members.count_members(wanted)),
            done,
            lambda exc: self.show_message(sentence(exc, "find the members"), "error"),
            context=self,
        )

    def selected(self) -> MemberRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows and rows[0].row() < len(self.rows) else None

    def _on_selection(self) -> None:
        self._show_member(self.selected())

    def _show_member(self, row: MemberRow | None) -> None:
        self.reset_box.hide()
        self.reset_link.clear()
        self.reset_qr.clear()
        self.vouchers_table.setRowCount(0)
        for button in (self.reset_button, self.sign_out_button, self.export_button, self.erase_button):
            button.setEnabled(row is not None)
        if row is None:
            self.member_label.setText("Choose a member to see their vouchers.")
            return
        self.member_label.setText(f"{row.email} — {row.name}" if row.name else row.email)

        def done(found) -> None:
            if self.selected() == row:
                _fill(self.vouchers_table, [voucher_cells(v) for v in found])

        run_task(
            lambda: vouchers.for_member(row.id),
            done,
            lambda exc: self.show_message(sentence(exc, "read the member's vouchers"), "error"),
            context=self,
        )

    # Telling --------------------------------------------------------------------------------
    def _ask(self, signal) -> None:
        row = self.selected()
        if row is not None:
            signal.emit(row)

    def show_reset(self, row: MemberRow, url: str, expires_at, qr_png: bytes = b"") -> None:
        """The link (to copy) and its QR code (PNG bytes, drawn on a worker), for the member to scan."""
        if self.selected() != row:
            return
        self.reset_link.setText(url)
        self.reset_link.setCursorPosition(0)
        self.copy_button.setText("Copy")
        self.reset_note.setText(
            f"Let {row.email} scan the QR code with their phone's camera, or hand them the link. It works once, "
            f"within 24 hours: until {times.local_text(expires_at, zone=True)}. A newer link replaces it."
        )
        picture = QPixmap()
        self.reset_qr.setVisible(bool(qr_png) and picture.loadFromData(qr_png, "PNG"))
        self.reset_qr.setPixmap(picture)
        self.reset_box.show()

    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.reset_link.text())
        self.copy_button.setText("Copied!")

    def show_message(self, text: str, kind: str) -> None:
        self.notice.say(text, kind)
