"""The live numbers: every batch's counters read on a worker once a second (one query whose cost
grows with batches, not vouchers), handed to the dashboard, which redraws only the cards that changed."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from app.core import batches, store
from app.core.batches import BatchSummary
from app.core.errors import sentence
from app.gui.kit.tasks import run_task
from app.gui.pages.dashboard import Dashboard

REFRESH_MS = 1000


def unreachable_sentence(refresh_ms: int) -> str:
    """What the window says while the database server cannot be reached (restarting, the network down)."""
    return (
        f"The database {store.location() or ''} cannot be reached just now; the window tries again every "
        f"{refresh_ms / 1000:g} s and carries on by itself when it answers. Nothing was changed."
    ).replace("database  ", "database ")


class BatchList(QObject):
    failed = Signal(str)  # a sentence, said once however many refreshes fail
    recovered = Signal(str)  # that sentence, no longer true
    reachable = Signal(bool)  # the database server answers (True), or cannot be reached (False): on changes only
    first_read = Signal()  # the first read is done (shown, or its failure said): once

    def __init__(self, dashboard: Dashboard, refresh_ms: int = REFRESH_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._dashboard = dashboard
        self._reading = False
        self._again = False
        self._error = ""
        self._away = False
        self._refresh_ms = refresh_ms
        self._read_once = False
        self._timer = QTimer(self, interval=refresh_ms)
        self._timer.timeout.connect(self.refresh)
        dashboard.filters_changed.connect(self.refresh)

    def start(self) -> None:
        self.refresh()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def refresh(self) -> None:
        """Read now (or right after the read under way: its filter may be old)."""
        if self._reading:
            self._again = True
            return
        self._reading = True
        filters = self._dashboard.filters()
        run_task(
            lambda: batches.list_batches(*filters),
            lambda found: self._on_read(filters, found),
            self._on_failed,
            context=self,
        )

    def _done_once(self) -> None:
        if not self._read_once:
            self._read_once = True
            self.first_read.emit()

    def _on_read(self, filters, found: list[BatchSummary]) -> None:
        self._reading = False
        if self._error:  # the database is readable again: take back what was said
            self.recovered.emit(self._error)
            self._error = ""
        if self._away:
            self._away = False
            self.reachable.emit(True)
        current = self._dashboard.filters()
        if filters == current:
            self._dashboard.show_batches(found)
        self._done_once()
        if self._again or filters != current:
            self._again = False
            self.refresh()

    def _on_failed(self, exc: Exception) -> None:
        self._reading = False
        away = store.is_connection_lost(exc)
        text = unreachable_sentence(self._refresh_ms) if away else sentence(exc, "read the batches")
        if away and not self._away:
            self._away = True
            self.reachable.emit(False)
        if text != self._error:  # once, not every second
            self._error = text
            self.failed.emit(text)
        self._done_once()
