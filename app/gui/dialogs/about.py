"""Help › About: the version, the database in use and where the log is written."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from app import __version__
from app.core import store
from app.gui.kit.dialog_slot import DialogSlot


def about_text(database: str, log_file: Path | None) -> str:
    log = html.escape(str(log_file)) if log_file is not None else "not written (no log folder)"
    return (
        f"<b>Voucher Batches {__version__}</b><p>Create, share, monitor and redeem batches of unique store "
        "vouchers.</p>"
        f"<p>Database: {html.escape(database)}</p><p>Log file: {log}</p>"
    )


class About(QObject):
    def __init__(self, window: QWidget, log_file: Path | None) -> None:
        super().__init__(window)
        self._window = window
        self._log_file = log_file
        self._slot = DialogSlot(self)

    def open(self) -> None:
        if self._slot.bring_forward():
            return
        box = QMessageBox(
            QMessageBox.Icon.NoIcon,
            "About Voucher Batches",
            about_text(store.location(), self._log_file),
            QMessageBox.StandardButton.Ok,
            self._window,
        )
        box.setObjectName("AboutBox")
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setIconPixmap(self._window.windowIcon().pixmap(64, 64))
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._slot.open(box)
