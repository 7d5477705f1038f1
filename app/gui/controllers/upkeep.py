"""Looking after the database while the window runs: at start and once a day, check it and make the
day's backup (on a worker). A damaged file is said as an error; the window goes on showing what it can."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from app.core.errors import sentence
from app.core.store import backups
from app.gui.kit.tasks import run_task

DAY_MS = 24 * 3600 * 1000


class Upkeep(QObject):
    message = Signal(str, str)  # (the sentence: damaged, or the backup could not be written; "error")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self, interval=DAY_MS)
        self._timer.timeout.connect(self.run)

    def start(self) -> None:
        self.run()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def run(self) -> None:
        run_task(
            backups.maintain,
            None,
            lambda exc: self.message.emit(sentence(exc, "check and back up the database"), "error"),
            context=self,
        )
