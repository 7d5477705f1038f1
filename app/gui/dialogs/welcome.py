"""The first start: the store's name, its currency and its time zone, and what the claim links will
carry, in one short dialog that can be skipped. It reports what was typed; its controller saves it."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.links import GUIDE
from app.core.settings import Settings
from app.gui.kit.widgets import Notice

from .settings import PC_ZONE

LINKS_TEXT = (
    "Members claim by a link or its QR code. Until the claim site has an address of its own, links carry this "
    "PC's address on the store's network ({base}): they open only on the store's Wi-Fi, and only while this "
    "window or its claim site runs. Before you print posters or send links by email or SMS, give it a public "
    "address (Settings → Public base URL): the guide “{guide}” shows how. The address printed first is kept, "
    "so that posters already up keep working."
)


class WelcomeDialog(QDialog):
    save_requested = Signal(object)  # the Settings as typed
    guide_requested = Signal()
    skipped = Signal()

    def __init__(self, current: Settings, zones: list[str], base_url: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("WelcomeDialog")
        self.setWindowTitle("Welcome to Voucher Batches")
        self._current = current
        intro = QLabel("A few things about your store, used on the claim pages, the prints and every time shown.")
        intro.setWordWrap(True)
        self.store_name = QLineEdit("" if current.store_name == Settings.store_name else current.store_name)
        self.store_name.setPlaceholderText("e.g. Corner Shop")
        self.store_name.setMaxLength(120)
        self.currency = QLineEdit(current.currency)
        self.currency.setMaxLength(4)
        self.currency.setMaximumWidth(self.fontMetrics().horizontalAdvance("W") * 6)
        self.currency.setToolTip("Written before amounts: $5.00 off, minimum purchase €20.00")
        self.time_zone = QComboBox()
        self.time_zone.setAccessibleName("Time zone")
        self.time_zone.setEditable(True)
        self.time_zone.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.time_zone.addItem(PC_ZONE)
        self.time_zone.addItems(zones)
        completer = QCompleter(self.time_zone.model(), self.time_zone)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.time_zone.setCompleter(completer)
        self.time_zone.setCurrentText(current.time_zone or PC_ZONE)
        self._zones = {name.casefold(): name for name in (PC_ZONE, *zones)}
        self.links = QLabel(LINKS_TEXT.format(base=base_url, guide=GUIDE))
        self.links.setObjectName("Hint")
        self.links.setWordWrap(True)
        self.links.setTextFormat(Qt.TextFormat.PlainText)
        self.guide_button = QPushButton(GUIDE)
        self.guide_button.setAutoDefault(False)
        self.guide_button.clicked.connect(self.guide_requested)
        self.notice = Notice()
        self.notice.hide()
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.skip_button = self.buttons.addButton("Skip for now", QDialogButtonBox.ButtonRole.RejectRole)
        self.skip_button.setToolTip("Everything here can be set later in Settings; this is not asked again")
        self.save_button.clicked.connect(self._on_save)
        self.skip_button.clicked.connect(self._on_skip)
        form = QFormLayout()
        form.addRow("Store name", self.store_name)
        form.addRow("Currency", self.currency)
        form.addRow("Time zone", self.time_zone)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.links)
        layout.addWidget(self.guide_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.notice)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)

    def reject(self) -> None:  # Escape skips, as Skip for now does
        self._on_skip()

    def _on_skip(self) -> None:
        self.skipped.emit()
        super().reject()

    def _on_save(self) -> None:
        zone = self._zones.get(self.time_zone.currentText().strip().casefold())
        if zone is None:
            self.show_refused(
                f"“{self.time_zone.currentText().strip()}” is not a time zone from the list: choose one "
                f"(type part of its name, such as Paris, to find it), or “{PC_ZONE}”."
            )
            return
        self.buttons.setEnabled(False)
        self.notice.hide()
        self.save_requested.emit(
            dataclasses.replace(
                self._current,
                store_name=self.store_name.text(),
                currency=self.currency.text().strip() or self._current.currency,
                time_zone="" if zone == PC_ZONE else zone,
            )
        )

    def show_refused(self, sentence: str) -> None:
        self.buttons.setEnabled(True)
        self.notice.say(sentence, "error")
