"""The vouchers of one batch as a Qt table model that knows its row count at once and reads from the
database only the pages the view shows: keyset pages found through core.vouchers.page_starts, kept
in a small least-recently-used cache, read on a worker thread. Sorted by claim or redemption time (either
way) the pages are keyset reads still: page_starts and page_from take the sort."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase

from app.core import times, vouchers, wording
from app.core.errors import sentence
from app.core.store.models import VOUCHER_STATUSES
from app.core.vouchers import AS_GENERATED, Sort, VoucherRow
from app.gui.kit.tasks import run_task

CODE, CLAIM, MEMBER, CLAIMED_AT, REDEMPTION, REDEEMED_AT = range(6)
HEADERS = ("Code", "Claim status", "Member", "Claimed at", "Redemption", "Redeemed at")
RowRole = Qt.ItemDataRole.UserRole + 1  # the VoucherRow itself (None while its page loads)
SORTABLE = {CLAIMED_AT: "claimed_at", REDEEMED_AT: "redeemed_at"}  # columns with an index of their own

_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_ROLES_SERVED = frozenset(
    int(role) for role in (Qt.ItemDataRole.DisplayRole, RowRole, Qt.ItemDataRole.FontRole, Qt.ItemDataRole.ToolTipRole)
)

FILTERS = (("All", None), *((wording.state_word(status), status) for status in VOUCHER_STATUSES))
LOADING = "Loading…"


def cell_text(row: VoucherRow, column: int) -> str:
    """What a cell shows; times in the store's zone (the column headers name it)."""
    if column == CODE:
        return row.code
    if column == CLAIM:
        return wording.state_word("unclaimed" if row.state == "unclaimed" else "claimed")
    if column == MEMBER:
        return row.member or ""
    if column == CLAIMED_AT:
        return times.local_text(row.claimed_at)
    if column == REDEMPTION:
        return wording.REDEMPTION_WORDS[row.state]
    if column == REDEEMED_AT:
        return times.local_text(row.redeemed_at)
    return ""


class VoucherTableModel(QAbstractTableModel):
    """A batch's vouchers under a filter (status, search). rowCount is known from the start; rows
    arrive page by page as the view asks for them."""

    MAX_IN_FLIGHT = 2
    loaded = Signal()  # the row count and the first page are in
    failed = Signal(str)  # a sentence to show
    busy_changed = Signal(bool)

    def __init__(
        self,
        batch_id: int,
        page_size: int = 100,
        cache_pages: int = 12,
        parent: QObject | None = None,
        runner: Callable = run_task,
    ) -> None:
        super().__init__(parent)
        self.batch_id = batch_id
        self.page_size = page_size
        self.cache_pages = cache_pages
        self._run = runner
        self._status: str | None = None
        self._search = ""
        self._sort: Sort = AS_GENERATED
        self._rows = 0
        self._epoch = 0  # bumped by every reload: answers to an older filter are dropped
        self._starts: list[int] | None = None
        self._cache: OrderedDict[int, list[VoucherRow]] = OrderedDict()
        self._wanted: OrderedDict[int, None] = OrderedDict()
        self._in_flight: set[int] = set()  # pages being read; two at once, as a view often straddles two
        self._loading_count = False
        self._mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self._pump_timer = QTimer(self, singleShot=True, interval=0)
        self._pump_timer.timeout.connect(self._pump)

    # Filter -----------------------------------------------------------------------------------
    def set_filter(self, status: str | None = None, search: str = "") -> None:
        """Show the vouchers with this status (None: all) whose code or member matches search."""
        self._status, self._search = status, (search or "").strip()
        self.reload()

    def filter(self) -> tuple[str | None, str]:
        return self._status, self._search

    def set_sort(self, sort: Sort) -> None:
        """Show the vouchers in this order (AS_GENERATED: by id, as they were made)."""
        self._sort = sort
        self.reload()

    def sort_order(self) -> Sort:
        return self._sort

    def reload(self) -> None:
        self._epoch += 1
        epoch = self._epoch
        self.beginResetModel()
        self._rows = 0
        self._starts = None
        self._cache.clear()
        self._wanted.clear()
        self._in_flight.clear()
        self.endResetModel()
        self._loading_count = True
        self.busy_changed.emit(True)
        batch_id, status, search, size, sort = self.batch_id, self._status, self._search, self.page_size, self._sort

        def first_page():
            total = vouchers.count(batch_id, status, search)
            if sort == AS_GENERATED:
                return total, vouchers.page(batch_id, status, search, 0, size), None
            # another order: the page starts first (one index read), then the first page from them
            starts = vouchers.page_starts(batch_id, size, status, search, sort=sort)
            rows = vouchers.page_from(batch_id, starts[0], size, status, search, sort=sort) if starts else []
            return total, rows, starts

        self._run(first_page, lambda result: self._on_first_page(epoch, result), lambda exc: self._on_error(epoch, exc))

    def _on_first_page(self, epoch: int, result) -> None:
        if epoch != self._epoch:
            return
        total, rows, starts = result
        self._loading_count = False
        self.beginResetModel()
        self._rows = total
        if rows:
            self._cache[0] = rows
        self.endResetModel()
        self.loaded.emit()
        if starts is not None:
            self._starts = starts
            self._pump()
        elif total > len(rows):
            batch_id, status, search, size = self.batch_id, self._status, self._search, self.page_size
            self._run(
                lambda: vouchers.page_starts(batch_id, size, status, search),
                lambda starts: self._on_starts(epoch, starts),
                lambda exc: self._on_error(epoch, exc),
            )
        else:
            self._starts = [rows[0].id] if rows else []
        self._emit_busy()

    def _on_starts(self, epoch: int, starts: list[int]) -> None:
        if epoch != self._epoch:
            return
        self._starts = starts
        self._pump()

    def _on_error(self, epoch: int, exc: Exception) -> None:
        if epoch != self._epoch:
            return
        self._loading_count = False
        self._in_flight.clear()
        self._wanted.clear()
        self._emit_busy()
        self.failed.emit(sentence(exc, "read the vouchers"))

    # Pages ------------------------------------------------------------------------------------
    def is_loading(self) -> bool:
        return (
            self._loading_count
            or bool(self._in_flight)
            or bool(self._wanted)
            or (self._starts is None and self._rows > 0)
        )

    def _emit_busy(self) -> None:
        self.busy_changed.emit(self.is_loading())

    def _row_object(self, row: int) -> VoucherRow | None:
        page_no, offset = divmod(row, self.page_size)
        rows = self._cache.get(page_no)
        if rows is None:
            if self._starts is None or page_no < len(self._starts):
                self._want(page_no)
            return None
        self._cache.move_to_end(page_no)
        return rows[offset] if offset < len(rows) else None

    def _want(self, page_no: int) -> None:
        if page_no in self._in_flight:
            return
        self._wanted[page_no] = None
        self._wanted.move_to_end(page_no)
        while len(self._wanted) > 3:  # pages scrolled past are not worth reading; a repaint asks again
            self._wanted.popitem(last=False)
        self._pump_timer.start()

    def _pump(self) -> None:
        """Start reading the most recently wanted pages, at most MAX_IN_FLIGHT at a time."""
        if self._starts is None:
            return
        while self._wanted and len(self._in_flight) < self.MAX_IN_FLIGHT:
            page_no, _ = self._wanted.popitem(last=True)
            if page_no in self._cache or page_no in self._in_flight or page_no >= len(self._starts):
                continue
            self._in_flight.add(page_no)
            first = self._starts[page_no]
            self._run(
                partial(
                    vouchers.page_from, self.batch_id, first, self.page_size, self._status, self._search, self._sort
                ),
                partial(self._on_page, self._epoch, page_no),
                partial(self._on_error, self._epoch),
            )
        self._emit_busy()

    def _on_page(self, epoch: int, page_no: int, rows: list[VoucherRow]) -> None:
        if epoch != self._epoch:
            return
        self._in_flight.discard(page_no)
        self._cache[page_no] = rows
        self._cache.move_to_end(page_no)
        while len(self._cache) > self.cache_pages:
            self._cache.popitem(last=False)
        first = page_no * self.page_size
        last = min(self._rows, first + self.page_size) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(HEADERS) - 1))
        self._pump()
        self._emit_busy()

    def _may_come(self, row: int) -> bool:
        """False for a row past the last page (vouchers that went between the count and the page
        starts, when a filter's rows change under it): it stays empty instead of loading for ever."""
        page_no, offset = divmod(row, self.page_size)
        if self._starts is not None and page_no >= len(self._starts):
            return False
        rows = self._cache.get(page_no)
        return rows is None or offset < len(rows)

    def row_at(self, row: int) -> VoucherRow | None:
        """The voucher on that row if its page is in memory (it is when the row is on screen)."""
        if not 0 <= row < self._rows:
            return None
        page_no, offset = divmod(row, self.page_size)
        rows = self._cache.get(page_no)
        return rows[offset] if rows is not None and offset < len(rows) else None

    # Qt's model interface ---------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.ToolTipRole
            and section in (CLAIMED_AT, REDEEMED_AT)
        ):
            return (
                f"In the store's time zone: {times.zone_label()}. Click to sort by it: oldest first, newest "
                "first, then as generated again."
            )
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return f"{section + 1:,}"
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if role not in _ROLES_SERVED or not index.isValid() or not 0 <= index.row() < self._rows:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            row = self._row_object(index.row())
            if row is None:
                return LOADING if index.column() == CODE and self._may_come(index.row()) else ""
            return cell_text(row, index.column())
        if role == RowRole:
            return self._row_object(index.row())
        if role == Qt.ItemDataRole.FontRole and index.column() == CODE:
            return self._mono
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == CODE:
            row = self.row_at(index.row())
            return f"{row.code} — right-click or Ctrl+C to copy" if row else None
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex):
        return _FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags
