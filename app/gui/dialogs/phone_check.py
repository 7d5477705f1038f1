""" "Scan this QR with your phone": the check's link as a QR code, and a line that turns green when a
phone (any device but this PC) opens it through the claim site."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from app.core import qr
from app.core.reach import Seen
from app.gui.kit.widgets import Notice

TITLE = "Check with a phone"
WAITING = "Waiting for a phone to open the link…"
SIDE = 240


class PhoneCheckDialog(QDialog):
    def __init__(self, url: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PhoneCheckDialog")
        self.setWindowTitle(TITLE)
        self.url = url
        intro = QLabel(
            "Scan this QR code with a phone on the shop's Wi-Fi (not on mobile data). "
            "When the phone opens the page, this check turns green: members' phones reach the claim site too."
        )
        intro.setWordWrap(True)
        self.image = QLabel()
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        pixmap = QPixmap()
        pixmap.loadFromData(qr.qr_png_bytes(url, SIDE), "PNG")
        self.image.setPixmap(pixmap)
        self.link = QLabel(url)
        self.link.setTextFormat(Qt.TextFormat.PlainText)
        self.link.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.link.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status = Notice()
        self.status.say(WAITING, "info")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (intro, self.image, self.link, self.status, buttons):
            layout.addWidget(widget)
        self.resize(460, 520)

    def show_seen(self, seen: Seen | None) -> None:
        """A phone reached the link (green), or still waiting."""
        if seen is None:
            return
        self.status.say(
            f"✓ A phone at {seen.address} reached the claim site: phones on this network can claim.", "success"
        )

    def show_error(self, text: str) -> None:
        self.status.say(text, "error")
