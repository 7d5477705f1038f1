"""Looking after the database while the window runs: at start and once a day, check it and make the
day's backup (on a worker). A damaged file is said as an error; the window goes on showing what it can."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from app.core import batches
from app.core.errors import sentence
from app.core.store import backups
from app.gui.kit.tasks import run_task

DAY_MS = 24 * 3600 * 1000
AFTER_PAINT_MS = 300  # the first run waits this long after the batches are shown: they paint first


class Upkeep(QObject):
    message = Signal(str, str)  # (the sentence: damaged, or the backup could not be written; "error")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self, interval=DAY_MS)
        self._timer.timeout.connect(self.run)
        self.running = False  # a check and backup under way

    def start(self) -> None:
        self.run()
        self._timer.start()

    def start_after_paint(self) -> None:
        """Start once the window has painted what it shows first (the check and the day's backup read
        the whole file: on a large database they would compete with the start for the processor)."""
        QTimer.singleShot(AFTER_PAINT_MS, self, self.start)

    def stop(self) -> None:
        self._timer.stop()

    def run(self) -> None:
        self.running = True
        run_task(_look_after, self._done, self._failed, context=self)

    def _done(self, _made) -> None:
        self.running = False

    def _failed(self, exc: Exception) -> None:
        self.running = False
        self.message.emit(sentence(exc, "check and back up the database"), "error")


def _look_after() -> None:
    """The check and the day's backup, then the vouchers deleted batches left (a delete cut short)."""
    backups.maintain()
    batches.purge_deleted()
