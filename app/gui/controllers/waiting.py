"""The one place the window says that an action waits for the database another program holds: the
message bar, from the first wait until the last waiting action is done (the till says it itself)."""

from __future__ import annotations

from PySide6.QtCore import QObject

from app.core.store import WAITING
from app.gui.kit import tasks
from app.gui.kit.widgets import MessageBar


class WaitingSaid(QObject):
    def __init__(self, bar: MessageBar, parent: QObject) -> None:
        super().__init__(parent)
        self._bar = bar
        self._waiting: set[tasks.Task] = set()
        tasks.waits.started.connect(self._on_started)
        tasks.waits.ended.connect(self._on_ended)

    def _on_started(self, task: tasks.Task) -> None:
        self._waiting.add(task)
        self._bar.show_message(WAITING, "info", stays=True)

    def _on_ended(self, task: tasks.Task) -> None:
        if task in self._waiting:
            self._waiting.discard(task)
            if not self._waiting:  # its own answer (done, or why not) has replaced it, or it goes now
                self._bar.retract(WAITING)
