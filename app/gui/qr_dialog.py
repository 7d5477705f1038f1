"""The QR modal: a large QR code of the claim link, the link itself, and Copy Link / Download QR /
Visit Page."""

from __future__ import annotations

import math

from PySide6.QtCore import QSize, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication, QPixmap
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.core import qr
from app.core.batches import BatchSummary

from . import style
from .prompts import Prompts, file_stem
from .tasks import run_task

PREVIEW = 280  # logical pixels of the QR on screen


class QrDialog(QDialog):
    """Copy and Visit act at once; Download asks where through the prompts service."""

    def __init__(self, summary: BatchSummary, prompts: Prompts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = summary
        self.url = summary.claim_url
        self._prompts = prompts
        self.setWindowTitle(f"Share “{summary.name}”")
        self.image = QLabel("Drawing the QR code…")
        self.image.setObjectName("QrImage")
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setFixedSize(PREVIEW + 20, PREVIEW + 20)
        self.image.setAccessibleName("QR code of the claim link")
        heading = QLabel(summary.name)
        heading.setObjectName("PageTitle")
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        heading.setWordWrap(True)
        hint = QLabel("Members scan this code or open the link to claim a voucher.")
        hint.setObjectName("Muted")
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setWordWrap(True)
        self.link = QLineEdit(self.url)
        self.link.setReadOnly(True)
        self.link.setAccessibleName("Claim URL")
        self.link.setCursorPosition(0)
        self.link.setMinimumWidth(min(self.link.fontMetrics().horizontalAdvance(self.url) + 24, 760))

        self.copy_button = QPushButton(style.icon("copy"), "Copy Link")
        self.copy_button.clicked.connect(self._on_copy_clicked)
        self.download_button = QPushButton(style.icon("download"), "Download QR")
        self.download_button.clicked.connect(self._on_download_clicked)
        self.visit_button = QPushButton(style.icon("external"), "Visit Page")
        self.visit_button.clicked.connect(self._on_visit_clicked)
        self.copy_button.setDefault(True)
        self.status = QLabel(" ")
        self.status.setObjectName("Notice")
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status.setWordWrap(True)

        buttons = QHBoxLayout()
        for button in (self.copy_button, self.download_button, self.visit_button):
            button.setIconSize(QSize(18, 18))
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(heading)
        layout.addWidget(hint)
        layout.addSpacing(8)
        layout.addWidget(self.image, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(8)
        layout.addWidget(self.link)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self._reset_timer = QTimer(self, singleShot=True, interval=2500)
        self._reset_timer.timeout.connect(lambda: self.copy_button.setText("Copy Link"))

        # Drawn for this screen's pixel ratio with whole pixels per module, so never rescaled: sharp at 100 % and 200 %.
        self._ratio = max(1.0, self.devicePixelRatioF())
        size, url = round(PREVIEW * self._ratio), self.url
        run_task(lambda: qr.qr_png_bytes(url, size), self._on_image_ready, self._on_image_failed, context=self)

    def _on_image_ready(self, png: bytes) -> None:
        pixmap = QPixmap()
        pixmap.loadFromData(png, "PNG")
        pixmap.setDevicePixelRatio(self._ratio)
        side = math.ceil(pixmap.width() / self._ratio) + 20
        self.image.setFixedSize(side, side)
        self.image.setPixmap(pixmap)

    def _on_image_failed(self, exc: Exception) -> None:
        self.image.setText("The QR code could not be drawn.")
        self._show_status(str(exc), "error")

    def has_image(self) -> bool:
        pixmap = self.image.pixmap()
        return pixmap is not None and not pixmap.isNull()

    def _show_status(self, text: str, kind: str) -> None:
        self.status.setText(text)
        self.status.setProperty("kind", kind)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)

    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.url)
        self.copy_button.setText("Copied!")
        self._show_status("The claim link is on the clipboard.", "success")
        self._reset_timer.start()

    def _on_visit_clicked(self) -> None:
        if not QDesktopServices.openUrl(QUrl(self.url)):
            self._show_status("No web browser could be opened for the link. Copy it instead.", "error")

    def _on_download_clicked(self) -> None:
        path = self._prompts.save_file_name(self, "Save the QR code", f"{file_stem(self.summary.name)}-qr.png", "PNG image (*.png)")
        if not path:
            return
        if not path.lower().endswith(".png"):
            path += ".png"
        self.download_button.setEnabled(False)
        url = self.url
        run_task(lambda: qr.save_qr_png(url, path), self._on_saved, self._on_save_failed, context=self)

    def _on_saved(self, saved: qr.SavedImage) -> None:
        self.download_button.setEnabled(True)
        self._show_status(f"Saved a print-ready QR code ({saved.describe()}) to {saved.path}.", "success")

    def _on_save_failed(self, exc: Exception) -> None:
        self.download_button.setEnabled(True)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        self._show_status(f"The QR code was not saved: {reason}.", "error")
