"""The QR modal: a large QR code of the claim link, the link itself, and Copy Link / Download QR /
Visit Page. It shows what it is given and reports the buttons; its controller draws, saves and opens."""

from __future__ import annotations

import math
from typing import cast

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.batches import BatchSummary
from app.core.links import OK, PROBLEM, Verdict
from app.core.qr import SavedImage
from app.gui.kit import style
from app.gui.kit.widgets import Notice, plain_label

PREVIEW = 280  # logical pixels of the QR on screen
CHECKING_SITE = "Checking that the link reaches this store's claim site…"


class QrDialog(QDialog):
    """Copy acts at once; Download and Visit are asked of the controller."""

    download_requested = Signal()
    visit_requested = Signal()
    print_requested = Signal()
    save_pdf_requested = Signal()

    def __init__(self, summary: BatchSummary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("QrDialog")
        self.summary = summary
        self.url = summary.claim_url
        self.setWindowTitle(f"Share “{summary.name}”")
        self.image = QLabel("Drawing the QR code…")
        self.image.setObjectName("QrImage")
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setFixedSize(PREVIEW + 20, PREVIEW + 20)
        self.image.setAccessibleName("QR code of the claim link")
        heading = plain_label(summary.name)
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
        self.download_button.clicked.connect(self.download_requested)
        self.visit_button = QPushButton(style.icon("external"), "Visit Page")
        self.visit_button.clicked.connect(self.visit_requested)
        self.print_button = QPushButton("Print…")
        self.print_button.clicked.connect(self.print_requested)
        self.pdf_button = QPushButton("Save as PDF…")
        self.pdf_button.clicked.connect(self.save_pdf_requested)
        self.copy_button.setDefault(True)
        self.reach = Notice()  # whether members can open the link: said once judged
        self.reach.hide()
        self.site_reach = Notice()  # whether the link's address reaches this store's claim site: asked
        self.site_reach.hide()
        self.status = Notice(" ")
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)

        buttons = QHBoxLayout()
        for button in (self.copy_button, self.download_button, self.visit_button):
            button.setIconSize(QSize(18, 18))
            buttons.addWidget(button)
        signage_buttons = QHBoxLayout()
        signage_buttons.addWidget(self.print_button)
        signage_buttons.addWidget(self.pdf_button)
        layout = QVBoxLayout(self)
        # never smaller than what it holds: a notice that appears later grows the dialog, never covers the code
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(heading)
        layout.addWidget(hint)
        layout.addSpacing(8)
        layout.addWidget(self.image, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(8)
        layout.addWidget(self.link)
        layout.addWidget(self.reach)
        layout.addWidget(self.site_reach)
        layout.addLayout(buttons)
        layout.addLayout(signage_buttons)
        layout.addWidget(self.status)
        self._reset_timer = QTimer(self, singleShot=True, interval=2500)
        self._reset_timer.timeout.connect(lambda: self.copy_button.setText("Copy Link"))
        # Drawn for this screen's pixel ratio with whole pixels per module, so never rescaled: sharp at 100 % and 200 %.
        self._ratio = max(1.0, self.devicePixelRatioF())

    def image_pixels(self) -> int:
        """How many device pixels a side the QR code on screen should have."""
        return round(PREVIEW * self._ratio)

    def show_image(self, png: bytes) -> None:
        pixmap = QPixmap()
        pixmap.loadFromData(png, "PNG")
        pixmap.setDevicePixelRatio(self._ratio)
        side = math.ceil(pixmap.width() / self._ratio) + 20
        self.image.setFixedSize(side, side)
        self.image.setPixmap(pixmap)
        self.lay_out_again()

    def show_reach(self, verdict: Verdict) -> None:
        """Say plainly when members cannot open the link from anywhere, and what to do."""
        if verdict.status == OK:
            self.reach.hide()
        else:
            self.reach.say(f"{verdict.message} {verdict.fix}", "error" if verdict.status == PROBLEM else "warning")
        self.lay_out_again()

    def lay_out_again(self) -> None:
        """Grow to hold what was added once shown (the link's warning, the drawn code): a wrapped
        sentence needs more height at this width than Qt's first sizing gave it, and the code on screen
        must stay whole to be scanned."""
        layout = cast(QLayout, self.layout())
        layout.activate()
        needed = max(layout.totalHeightForWidth(self.width()), layout.totalMinimumSize().height())
        if needed > self.height():
            self.resize(self.width(), needed)

    def show_checking_site(self) -> None:
        self.site_reach.say(CHECKING_SITE, "info")
        self.lay_out_again()

    def show_site_reach(self, unreached: str | None) -> None:
        """Say when the link's address does not reach this store's claim site (None: it does)."""
        if unreached is None:
            self.site_reach.hide()
        else:
            self.site_reach.say(unreached, "error")
        self.lay_out_again()

    def show_image_failed(self, reason: str) -> None:
        self.image.setText("The QR code could not be drawn.")
        self.status.say(reason, "error")

    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.url)
        self.copy_button.setText("Copied!")
        self.status.say("The claim link is on the clipboard.", "success")
        self._reset_timer.start()

    def show_visit(self, opened: bool) -> None:
        """The browser was asked to open the page, or none could be: then Copy Link is the way."""
        if opened:
            self.status.say("Opening the claim page in your web browser. If none opens, copy the link.", "info")
        else:
            self.status.say("No web browser could be opened for the link. Copy it instead.", "error")
        self.copy_button.setDefault(True)
        self.copy_button.setFocus()

    def show_saving(self) -> None:
        self.download_button.setEnabled(False)

    def show_saved(self, saved: SavedImage) -> None:
        self.download_button.setEnabled(True)
        self.status.say(f"Saved a print-ready QR code ({saved.describe()}) to {saved.path}.", "success")

    def show_save_failed(self, sentence: str) -> None:
        self.download_button.setEnabled(True)
        self.status.say(sentence, "error")
