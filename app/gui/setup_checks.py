"""The status bar's link to `voucher-batches doctor`: "Check setup…" runs the same checks on a worker
and lists them; after start the worst one shows in the status bar for a while."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QToolButton, QVBoxLayout, QWidget

from app.core import doctor
from app.core.errors import sentence
from app.core.links import OK, PROBLEM, WARNING

from .dialogs import DialogSlot
from .tasks import run_task
from .widgets import Notice

CHECK = "Check setup…"
SHOWN_MS = 30_000  # how long the worst check stays in the status bar after start
NAMES = {"database": "Database", "claim_link": "Claim link", "claim_site": "Claim site", "port": "Port"}
BADGE = {OK: "✓", WARNING: "⚠", PROBLEM: "✕"}


def headline(checks: list[doctor.Check]) -> str:
    """The worst check in a few words ("Claim link works only on this network — details"), or CHECK when all are ok."""
    worst = next((c for status in (PROBLEM, WARNING) for c in checks if c.status == status), None)
    if worst is None:
        return CHECK
    text = worst.message
    if worst.name == "claim_link" and "only be opened on this store's network" in text:
        short = "Claim link works only on this network"
    elif worst.name == "claim_link" and "only be opened on this PC" in text:
        short = "Claim link works only on this PC"
    elif worst.name == "claim_link" and "plain http" in text:
        short = "Claim link is plain http"
    elif worst.name == "claim_link" and "not this PC's address" in text:
        short = "Claim link points to an address this PC no longer has"
    else:
        short = f"{NAMES.get(worst.name, worst.name)}: {'a problem' if worst.status == PROBLEM else 'check it'}"
    return f"{BADGE[worst.status]} {short} — details"


class ChecksDialog(QDialog):
    def __init__(self, checks: list[doctor.Check], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ChecksDialog")
        self.setWindowTitle("Check setup")
        layout = QVBoxLayout(self)
        heading = QLabel("The same checks as `voucher-batches doctor`:")
        layout.addWidget(heading)
        self.lines: list[Notice] = []
        for check in checks:
            line = Notice()
            line.say(f"{BADGE[check.status]} {NAMES.get(check.name, check.name)}: {check.message}",
                     {OK: "success", WARNING: "warning", PROBLEM: "error"}[check.status])  # fmt: skip
            self.lines.append(line)
            layout.addWidget(line)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(620)


class SetupChecks(QObject):
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
        self._window.message_bar.show_message(sentence(exc, "check the setup"), "error")
