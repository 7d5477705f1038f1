"""The status bar's link to `voucher-batches doctor`: "Check setup…" runs the same checks on a worker
and lists them. The worst current check stays in the status bar until it is fixed: the checks run at
start (once the claim site is up), again soon after any change of the settings or of the claim
site's state, and every few minutes; each run is reported (checked), so that the claim site's label
is never green beside a problem."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QToolButton,
    QWidget,
)

from app.core import doctor
from app.core.errors import sentence
from app.gui.dialogs.checks import CHECK, ChecksDialog, headline
from app.gui.kit.dialog_slot import DialogSlot
from app.gui.kit.tasks import run_task

RECHECK_MS = 3 * 60_000  # every few minutes: an address that changed, a port another program took
SOON_MS = 500  # after a change: several arrive together (a save moves the settings and the site)
# The first checks wait for the claim site to be up (or to have failed): asked while it starts, the
# port looks taken by "another program". Should it never say, they run this long after start anyway.
FIRST_MS = 5_000


class SetupChecks(QObject):
    """Owns the status bar's "Check setup…" button and the checks dialog it opens."""

    message = Signal(str, str)  # (sentence, kind): the checks could not run
    checked = Signal(object)  # the doctor's checks, each time they have run

    def __init__(self, window: QWidget, recheck_ms: int | None = None) -> None:
        super().__init__(window)
        self._window = window
        self._slot = DialogSlot(self)
        self.button = QToolButton()
        self.button.setObjectName("CheckSetup")
        self.button.setAutoRaise(True)
        self.button.setText(CHECK)
        self.button.setToolTip("Run the setup checks (as voucher-batches doctor does)")
        self.button.clicked.connect(self.open)
        self._every = QTimer(self, interval=recheck_ms or RECHECK_MS)
        self._every.timeout.connect(self.check)
        self._soon = QTimer(self, singleShot=True, interval=SOON_MS)
        self._soon.timeout.connect(self.check)
        self._checking = False
        self._again = False  # a change came while the checks ran: run them once more
        self._show_when_done = False  # "Check setup…" was pressed: list them once they are in
        self.latest: list[doctor.Check] = []

    def start(self) -> None:
        """Check once the claim site is up (check_soon), or FIRST_MS after start, and every few minutes."""
        QTimer.singleShot(FIRST_MS, self, lambda: None if self.latest or self._checking else self.check())
        self._every.start()

    def check_soon(self) -> None:
        """Something the checks look at changed (a setting, the claim site): check again shortly."""
        self._soon.start()

    def check(self) -> None:
        if self._checking:
            self._again = True
            return
        self._checking = True
        run_task(doctor.run_checks, self._on_checks, self._on_failed, context=self)

    def _on_checks(self, checks: list[doctor.Check]) -> None:
        self._checking = False
        self.latest = checks
        self.button.setText(headline(checks))
        self.checked.emit(checks)
        if self._show_when_done:
            self._show_when_done = False
            self._slot.open(ChecksDialog(checks, self._window))
        if self._again:
            self._again = False
            self.check()

    def open(self) -> None:
        """Check setup…: the checks run now and are listed."""
        if self._slot.bring_forward() or self._show_when_done:
            return
        self._show_when_done = True
        self.button.setText("Checking…")
        self.check()

    def _on_failed(self, exc: Exception) -> None:
        self._checking = False
        self.button.setText(headline(self.latest) if self.latest else CHECK)
        if self._show_when_done:  # asked for: say why not (a check in the background says nothing)
            self._show_when_done = False
            self.message.emit(sentence(exc, "check the setup"), "error")
        if self._again:
            self._again = False
            self.check()
