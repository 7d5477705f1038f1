"""The live numbers: every batch's counters read on a worker once a second (one query whose cost
grows with batches, not vouchers), handed to the dashboard, which redraws only the cards that changed."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from app.core import batches
from app.core.batches import BatchSummary
from app.core.errors import sentence

from .dashboard import Dashboard
from .tasks import run_task

REFRESH_MS = 1000


class BatchList(QObject):
    failed = Signal(str)  # a sentence, said once however many refreshes fail
    recovered = Signal(str)  # that sentence, no longer true

    def __init__(self, dashboard: Dashboard, refresh_ms: int = REFRESH_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._dashboard = dashboard
        self._reading = False
        self._again = False
        self._error = ""
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
        run_task(lambda: batches.list_batches(*filters), lambda found: self._on_read(filters, found), self._on_failed, context=self)

    def _on_read(self, filters, found: list[BatchSummary]) -> None:
        self._reading = False
        if self._error:  # the database is readable again: take back what was said
            self.recovered.emit(self._error)
            self._error = ""
        current = self._dashboard.filters()
        if filters == current:
            self._dashboard.show_batches(found)
        if self._again or filters != current:
            self._again = False
            self.refresh()

    def _on_failed(self, exc: Exception) -> None:
        self._reading = False
        text = sentence(exc, "read the batches")
        if text != self._error:  # once, not every second
            self._error = text
            self.failed.emit(text)
