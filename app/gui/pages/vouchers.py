"""A batch's vouchers: filter, search, copy a code, export to CSV. Opens at once on a million rows."""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.batches import BatchSummary
from app.core.vouchers import AS_GENERATED, Sort
from app.gui.kit import style
from app.gui.kit.widgets import SearchField, plain_label, size_columns

from .voucher_model import FILTERS, SORTABLE, VoucherTableModel


class VouchersView(QWidget):
    """The vouchers of one batch. Reports what it cannot do itself: going back and exporting."""

    back_requested = Signal()
    export_requested = Signal(object, object, str)  # (BatchSummary, status or None, search)
    message = Signal(str, str)  # (sentence, kind)
    undo_requested = Signal(str)  # a redeemed voucher's code: Undo redemption…
    activity_requested = Signal(object)  # the BatchSummary: its entries in the activity log

    def __init__(self, summary: BatchSummary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = summary
        self.model = VoucherTableModel(summary.id, parent=self)
        self.model.loaded.connect(self._on_loaded)
        self.model.failed.connect(lambda text: self.message.emit(text, "error"))
        self.model.busy_changed.connect(self._on_busy_changed)

        back = QToolButton()
        back.setIcon(style.icon("back"))
        back.setText("Batches")
        back.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        back.setAutoRaise(True)
        back.setToolTip("Back to the batches (Esc)")
        back.clicked.connect(self.back_requested)
        self.title = plain_label(f"{summary.name} — Vouchers")
        self.title.setObjectName("PageTitle")
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        self.title.setFont(font)
        self.count_label = plain_label()  # it quotes the search
        self.count_label.setObjectName("Muted")

        self.filter_buttons = QButtonGroup(self)
        filters = QHBoxLayout()
        filters.setSpacing(4)
        for position, (text, status) in enumerate(FILTERS):
            button = QPushButton(text)
            button.setObjectName("FilterButton")
            button.setCheckable(True)
            button.setChecked(position == 0)
            button.setProperty("status", status)
            self.filter_buttons.addButton(button, position)
            filters.addWidget(button)
        self.filter_buttons.idClicked.connect(lambda _id: self._apply_filter())
        self.search = SearchField("Search a code or a member's email")
        self.search.setMinimumWidth(280)
        self.search.search_changed.connect(lambda _text: self._apply_filter())
        self.export_button = QPushButton(style.icon("export"), "Export to CSV…")
        self.export_button.clicked.connect(self._on_export_clicked)
        self.activity_button = QPushButton("Activity")
        self.activity_button.setToolTip("Who did what with this batch")
        self.activity_button.clicked.connect(lambda: self.activity_requested.emit(self.summary))

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setCornerButtonEnabled(False)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._on_context_menu)
        titles = self.table.horizontalHeader()
        titles.setSectionsClickable(True)
        titles.setSortIndicatorShown(True)
        titles.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # as generated: no column's order
        titles.sectionClicked.connect(self._on_header_clicked)
        vertical = self.table.verticalHeader()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # uniform rows: no per-row sizing on a million
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 10)
        vertical.setDefaultAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        samples = (
            "SUMMER-XXXX-XXXX-XX",
            "Claim status",
            "someone.long@example.com",
            "2025-12-31 23:59",
            "Not redeemed",
        )
        size_columns(self.table, tuple(f"{sample}  " for sample in samples), padding=16)

        self.busy_label = QLabel()
        self.busy_label.setObjectName("Muted")

        header = QHBoxLayout()
        header.addWidget(back)
        header.addSpacing(8)
        header.addWidget(self.title)
        header.addSpacing(8)
        header.addWidget(self.count_label)
        header.addStretch(1)
        tools = QHBoxLayout()
        tools.addLayout(filters)
        tools.addSpacing(12)
        tools.addWidget(self.search)
        tools.addStretch(1)
        tools.addWidget(self.activity_button)
        tools.addWidget(self.export_button)
        footer = QHBoxLayout()
        footer.addWidget(self.busy_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 8, 16, 8)
        layout.addLayout(header)
        layout.addLayout(tools)
        layout.addWidget(self.table, 1)
        layout.addLayout(footer)

        self.model.set_filter(None, "")

    # Filter -----------------------------------------------------------------------------------
    def status_filter(self) -> str | None:
        return cast(QAbstractButton, self.filter_buttons.checkedButton()).property("status")  # one is always checked

    def _apply_filter(self) -> None:
        self.model.set_filter(self.status_filter(), self.search.text())

    # Sort -------------------------------------------------------------------------------------
    def _on_header_clicked(self, column: int) -> None:
        """Claimed at and Redeemed at sort (oldest first, then newest first, then as generated again);
        the other columns have no index to sort a million vouchers by, and keep the order."""
        current = self.model.sort_order()
        if column not in SORTABLE:
            self._show_sort(current)
            return
        wanted = SORTABLE[column]
        if current.column != wanted:
            sort = Sort(wanted)
        elif not current.descending:
            sort = Sort(wanted, descending=True)
        else:
            sort = AS_GENERATED
        self._show_sort(sort)
        self.model.set_sort(sort)

    def _show_sort(self, sort: Sort) -> None:
        columns = {name: column for column, name in SORTABLE.items()}
        order = Qt.SortOrder.DescendingOrder if sort.descending else Qt.SortOrder.AscendingOrder
        self.table.horizontalHeader().setSortIndicator(columns.get(sort.column, -1), order)

    def _on_loaded(self) -> None:
        rows = self.model.rowCount()
        status, search = self.model.filter()
        noun = "voucher" if rows == 1 else "vouchers"
        text = f"{rows:,} {noun}" if status is None else f"{rows:,} {status} {noun}"
        if search:
            text += f" matching “{search}”"
        self.count_label.setText(text)
        self.table.scrollToTop()

    def _on_busy_changed(self, busy: bool) -> None:
        self.busy_label.setText("Reading vouchers…" if busy else "")

    # Copy -------------------------------------------------------------------------------------
    def selected_codes(self) -> list[str]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        found = (self.model.row_at(row) for row in rows)
        return [voucher.code for voucher in found if voucher is not None]

    def copy_selected_codes(self) -> None:
        codes = self.selected_codes()
        if codes:
            QGuiApplication.clipboard().setText("\n".join(codes))
            noun = "code" if len(codes) == 1 else "codes"
            self.message.emit(f"Copied {len(codes):,} {noun} to the clipboard.", "success")

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selected_codes()
        elif event.key() == Qt.Key.Key_Escape:
            self.back_requested.emit()
        else:
            super().keyPressEvent(event)

    def _on_context_menu(self, position) -> None:
        index = self.table.indexAt(position)
        if index.isValid():
            self.menu_for(index.row()).popup(self.table.viewport().mapToGlobal(position))

    def menu_for(self, row: int) -> QMenu:
        """The row's context menu: copy its code; undo its redemption when it is redeemed."""
        menu = QMenu(self)
        menu.addAction(style.icon("copy"), "Copy code", self.copy_selected_codes)
        voucher = self.model.row_at(row)
        if voucher is not None and voucher.status == "redeemed":
            menu.addAction("Undo redemption…", lambda: self.undo_requested.emit(voucher.code))
        return menu

    # Export -----------------------------------------------------------------------------------
    def _on_export_clicked(self) -> None:
        status, search = self.model.filter()
        self.export_requested.emit(self.summary, status, search)
