"""Activity: who did what, newest first, with filters (batch, kind of action, staff, date range),
a search and an export to CSV; sorted by time or action, either way (a click on its column). Read on a
worker, a page at a time; entries are never edited here."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core import activity, times
from app.core.activity import KIND_TEXT, NEWEST_FIRST, Entry, Filter, Sort
from app.core.errors import sentence
from app.gui.kit import style
from app.gui.kit.tasks import run_task
from app.gui.kit.widgets import Notice, SearchField, plain_label, plain_tip, size_columns

_ROOT = QModelIndex()  # the table has rows only under its invisible root
PAGE = 200
COLUMNS = ("Time", "Action", "Batch", "Code", "Till", "Staff", "Details")
SORTABLE = {0: "at", 1: "kind"}  # the columns the log has an index to sort by


def cells(entry: Entry) -> tuple[str, ...]:
    return (
        times.local_text(entry.at),
        entry.kind_text,
        entry.batch_name,
        entry.code or "",
        entry.till,
        entry.staff,
        entry.summary,
    )


class ActivityModel(QAbstractTableModel):
    """The entries read so far, newest first; read-only."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.entries: list[Entry] = []

    def rowCount(self, parent=_ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent=_ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole and section in SORTABLE:
            return "Click to sort by it (again: the other way)"
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return cells(self.entries[index.row()])[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:  # a long reason or name, whole; shown as typed
            return plain_tip(cells(self.entries[index.row()])[index.column()])
        return None

    def replace(self, entries: list[Entry]) -> None:
        self.beginResetModel()
        self.entries = list(entries)
        self.endResetModel()

    def extend(self, entries: list[Entry]) -> None:
        if entries:
            self.beginInsertRows(QModelIndex(), len(self.entries), len(self.entries) + len(entries) - 1)
            self.entries.extend(entries)
            self.endInsertRows()


def _date_edit(caption: str) -> QDateEdit:
    """A day, or none: the earliest date reads as "any"."""
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMinimumDate(QDate(2000, 1, 1))
    edit.setSpecialValueText(caption)
    edit.setDate(edit.minimumDate())
    return edit


def _day(edit: QDateEdit):
    return None if edit.date() == edit.minimumDate() else edit.date().toPython()


class ActivityDialog(QDialog):
    """The log. Reports an export through export_requested(Filter); the controller writes it."""

    export_requested = Signal(object)

    def __init__(self, batch_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ActivityDialog")
        self.setWindowTitle("Activity")
        self.model = ActivityModel(self)
        self._wanted_batch = batch_id
        self._reads = 0  # a newer read replaces an older one still on its way
        self.sort: Sort = NEWEST_FIRST

        self.batch = QComboBox()
        self.batch.setAccessibleName("Batch")
        self.batch.addItem("All batches", None)
        if batch_id is not None:
            self.batch.addItem(f"Batch {batch_id}", batch_id)
            self.batch.setCurrentIndex(1)
        self.kind = QComboBox()
        self.kind.setAccessibleName("Action")
        self.kind.addItem("All actions", None)
        for kind, text in KIND_TEXT.items():
            self.kind.addItem(text, kind)
        self.staff = QComboBox()
        self.staff.setAccessibleName("Staff")
        self.staff.addItem("All staff", None)
        self.since = _date_edit("From any day")
        self.until = _date_edit("To any day")
        self.search = SearchField("Search a batch, code, name or reason")
        for combo in (self.batch, self.kind, self.staff):
            combo.activated.connect(lambda _index: self.reload())
        for edit in (self.since, self.until):
            edit.dateChanged.connect(lambda _date: self.reload())
        self.search.search_changed.connect(lambda _text: self.reload())

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        titles = self.table.horizontalHeader()
        titles.setSectionsClickable(True)
        titles.setSortIndicatorShown(True)
        titles.setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        titles.sectionClicked.connect(self._on_header_clicked)
        samples = ("2026-12-31 23:59", "Redemption undone", "Summer 2025 - Email List", "SUMMER-XXXX-XXXX-XX")
        size_columns(self.table, tuple(f"{sample}  " for sample in (*samples, "Front till", "Someone")))

        self.count_label = plain_label()
        self.count_label.setObjectName("Muted")
        self.notice = Notice()
        self.notice.hide()
        self.more_button = QPushButton("Show more")
        self.more_button.clicked.connect(self._on_more_clicked)
        self.more_button.hide()
        self.export_button = QPushButton(style.icon("export"), "Export to CSV…")
        self.export_button.clicked.connect(lambda: self.export_requested.emit(self.current_filter()))
        close = QPushButton("Close")
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)

        filters = QHBoxLayout()
        for widget in (self.batch, self.kind, self.staff, self.since, QLabel("–"), self.until):
            filters.addWidget(widget)
        filters.addSpacing(8)
        filters.addWidget(self.search, 1)
        footer = QHBoxLayout()
        footer.addWidget(self.count_label)
        footer.addWidget(self.more_button)
        footer.addStretch(1)
        footer.addWidget(self.export_button)
        footer.addWidget(close)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(filters)
        layout.addWidget(self.notice)
        layout.addWidget(self.table, 1)
        layout.addLayout(footer)
        self.resize(1000, 600)

    def current_filter(self) -> Filter:
        return Filter(
            batch_id=self.batch.currentData(),
            kind=self.kind.currentData(),
            staff=self.staff.currentData(),
            since=_day(self.since),
            until=_day(self.until),
            search=self.search.text(),
        )

    def start(self) -> None:
        """Fill the batch and staff pickers, then read the newest entries."""
        run_task(
            lambda: (activity.batches_named(), activity.staff_names()),
            lambda found: self._fill_pickers(*found),
            lambda exc: self.show_message(sentence(exc, "read the activity"), "error"),
            context=self,
        )
        self.reload()

    def _fill_pickers(self, named: list[tuple[int, str]], staff: list[str]) -> None:
        chosen = self.batch.currentData()
        while self.batch.count() > 1:
            self.batch.removeItem(1)
        for batch_id, name in named:
            self.batch.addItem(f"{name} ({batch_id})", batch_id)
        if chosen is not None and self.batch.findData(chosen) < 0:
            self.batch.addItem(f"Batch {chosen}", chosen)
        self.batch.setCurrentIndex(max(0, self.batch.findData(chosen)))
        for name in staff:
            self.staff.addItem(name, name)

    def reload(self) -> None:
        self._read(None)

    def _on_header_clicked(self, column: int) -> None:
        """Time and Action sort (a second click: the other way); the other columns keep the order."""
        if column in SORTABLE:
            wanted = SORTABLE[column]
            self.sort = (
                Sort(wanted, descending=not self.sort.descending)
                if self.sort.column == wanted
                else Sort(wanted, descending=wanted == "at")  # newest first; actions A to Z
            )
            self.reload()
        columns = {name: position for position, name in SORTABLE.items()}
        order = Qt.SortOrder.DescendingOrder if self.sort.descending else Qt.SortOrder.AscendingOrder
        self.table.horizontalHeader().setSortIndicator(columns[self.sort.column], order)

    def _on_more_clicked(self) -> None:
        self._read(self.model.entries[-1])

    def _read(self, after: Entry | None) -> None:
        wanted = self.current_filter()
        sort = self.sort
        self._reads += 1
        read = self._reads

        def done(found: list[Entry]) -> None:
            if read != self._reads:
                return
            (self.model.extend if after else self.model.replace)(found)
            self.more_button.setVisible(len(found) == PAGE)
            rows = self.model.rowCount()
            self.count_label.setText(
                f"{rows:,} entr{'y' if rows == 1 else 'ies'}" + ("" if len(found) < PAGE else " so far")
            )
            self.notice.hide()

        run_task(
            lambda: activity.entries(wanted, PAGE, sort=sort, following=after),
            done,
            lambda exc: self.show_message(sentence(exc, "read the activity"), "error"),
            context=self,
        )

    def show_message(self, text: str, kind: str) -> None:
        self.notice.say(text, kind)
