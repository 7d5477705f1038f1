"""Settings: the store's name, the public base URL of claim links, the claim site's host and port
(kept in the database, shared with the claim site) and the database location (kept on this PC)."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import InvalidInput
from app.core.settings import Settings, validate_base_url

from . import style
from .widgets import restyle


class SettingsDialog(QDialog):
    """Reports the edited settings through `saved`; the window writes them."""

    saved = Signal(object, str)  # (core Settings, database location for the next start)

    def __init__(self, current: Settings, db_location: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self._current = current
        self._db_location = db_location
        self.store_name = QLineEdit(current.store_name)
        self.base_url = QLineEdit(current.public_base_url)
        self.base_url.setPlaceholderText(f"empty: {Settings(port=current.port).base_url}")
        base_hint = QLabel("The address printed in claim links and QR codes, e.g. https://yoursite.com")
        base_hint.setObjectName("Hint")
        base_hint.setWordWrap(True)
        self.host = QLineEdit(current.host)
        self.host.setPlaceholderText("0.0.0.0 (every network of this PC)")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(int(current.port))
        self.database = QLineEdit(db_location)
        browse = QPushButton("Choose…")
        browse.setAutoDefault(False)
        browse.clicked.connect(self._on_browse_clicked)
        db_hint = QLabel("A new database location is used from the next start.")
        db_hint.setObjectName("Hint")
        db_hint.setWordWrap(True)
        self.notice = QLabel()
        self.notice.setObjectName("Notice")
        self.notice.setProperty("kind", "error")
        self.notice.setWordWrap(True)
        self.notice.hide()

        database_row = QHBoxLayout()
        database_row.addWidget(self.database, 1)
        database_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Store name", self.store_name)
        form.addRow("Public base URL", self.base_url)
        form.addRow("", base_hint)
        form.addRow("Claim site host", self.host)
        form.addRow("Claim site port", self.port)
        form.addRow("Database", database_row)
        form.addRow("", db_hint)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._on_save_clicked)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addLayout(form)
        layout.addWidget(self.notice)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)
        self.setWindowIcon(style.icon("settings"))

    def _on_browse_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Database file", self.database.text(), "Voucher Batches database (*.db);;All files (*)",
            options=QFileDialog.Option.DontConfirmOverwrite,
        )  # fmt: skip
        if path:
            self.database.setText(path)

    def edited(self) -> Settings:
        """The settings as typed, checked by the core's own rules (raises InvalidInput)."""
        name = self.store_name.text().strip()
        if not name:
            raise InvalidInput("The store needs a name.")
        return dataclasses.replace(
            self._current,
            store_name=name,
            public_base_url=validate_base_url(self.base_url.text()),
            host=self.host.text().strip() or "0.0.0.0",
            port=self.port.value(),
        )

    def _on_save_clicked(self) -> None:
        try:
            settings = self.edited()
        except InvalidInput as exc:
            self.notice.setText(str(exc))
            restyle(self.notice)
            self.notice.show()
            return
        self.saved.emit(settings, self.database.text().strip())
        self.accept()
