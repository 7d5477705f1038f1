"""Check setup…: the doctor's checks listed, one sentence each, and the headline the status bar shows."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.core import doctor
from app.core.links import OK, PROBLEM, WARNING
from app.gui.kit.widgets import Notice

CHECK = "Check setup…"
NAMES = {"database": "Database", "claim_link": "Claim link", "claim_site": "Claim site", "port": "Port"}
BADGE = {OK: "✓", WARNING: "⚠", PROBLEM: "✕"}


def worst(checks: list[doctor.Check]) -> doctor.Check | None:
    """The first problem, else the first warning, else None (all ok)."""
    return next((c for status in (PROBLEM, WARNING) for c in checks if c.status == status), None)


def headline(checks: list[doctor.Check]) -> str:
    """The worst check in a few words ("Claim link works only on this network — details"), or CHECK when all are ok."""
    worst_check = worst(checks)
    if worst_check is None:
        return CHECK
    return _short(worst_check)


def _short(worst: doctor.Check) -> str:
    text = worst.message
    if worst.name == "claim_link" and "only be opened on this store's network" in text:
        short = "Claim link works only on this network"
    elif worst.name == "claim_link" and "only be opened on this PC" in text:
        short = "Claim link works only on this PC"
    elif worst.name == "claim_link" and "plain http" in text:
        short = "Claim link is plain http"
    elif worst.name == "claim_link" and "not this PC's address" in text:
        short = "Claim link points to an address this PC no longer has"
    elif worst.name == "claim_site" and "does not reach it" in text:
        short = "Claim link does not reach this claim site"
    elif worst.name == "claim_site" and ": not answering (" in text:
        short = "Hosted claim site not answering"
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
            line.say(
                f"{BADGE[check.status]} {NAMES.get(check.name, check.name)}: {check.message}",
                {OK: "success", WARNING: "warning", PROBLEM: "error"}[check.status],
            )
            self.lines.append(line)
            layout.addWidget(line)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(620)
