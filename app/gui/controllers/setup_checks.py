"""The status bar's link to `voucher-batches doctor`: "Check setup…" runs the same checks on a worker
and lists them; after start the worst one shows in the status bar for a while."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QToolButton,
    QWidget,
)

from app.core import doctor
from app.core.errors import sentence
from app.gui.dialogs.checks import CHECK, SHOWN_MS, ChecksDialog, headline
from app.gui.kit.dialog_slot import DialogSlot
from app.gui.kit.tasks import run_task


class SetupChecks(QObject):
    """Owns the status bar's "Check setup…" button and the checks dialog it opens."""

    message = Signal(str, str)  # (sentence, kind): the checks could not run

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._slot = DialogSlot(self)
        self.button = QToolButton()
        self.button.setObjectName("CheckSetup")
        self.button.setAutoRaise(True)
        self.button.setText(CHECK)
        self.button.setToolTip("Run the setup checks (as voucher-batches doctor does)")
        self.button.clicked.connect(self.open)
        self._reset = QTimer(self, singleShot=True, interval=SHOWN_MS)
        self._reset.timeout.connect(lambda: self.button.setText(CHECK))
        self._running = False

    def start(self) -> None:
        """Check once at start; the worst shows in the status bar for a while."""
        run_task(doctor.run_checks, self._on_first_checks, lambda exc: None, context=self)

    def _on_first_checks(self, checks) -> None:
        self.button.setText(headline(checks))
        self._reset.start()

    def open(self) -> None:
        if self._slot.bring_forward() or self._running:
            return
        self._running = True
        self.button.setText("Checking…")
        run_task(doctor.run_checks, self._on_checked, self._on_failed, context=self)

    def _on_checked(self, checks) -> None:
        self._running = False
        self.button.setText(headline(checks))
        self._reset.start()
        self._slot.open(ChecksDialog(checks, self._window))

    def _on_failed(self, exc: Exception) -> None:
        self._running = False
        self.button.setText(CHECK)
        self.message.emit(sentence(exc, "check the setup"), "error")
