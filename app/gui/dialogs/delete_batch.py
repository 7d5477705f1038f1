"""The confirmation before a batch is deleted for good, with a way to export its vouchers first."""

from __future__ import annotations

import enum

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.batches import BatchSummary, delete_confirmation
from app.gui.kit import style
from app.gui.kit.widgets import Notice, plain_label


class DeleteChoice(enum.Enum):
    CANCEL = "cancel"
    CONFIRM = "confirm"
    EXPORT_FIRST = "export_first"


class DeleteDialog(QDialog):
    """Cancel is the default button and Escape cancels: a stray Enter never deletes anything."""

    EXPORT_FIRST = 2  # result code next to Accepted (Confirm) and Rejected (Cancel)

    def __init__(self, summary: BatchSummary, parent: QWidget | None = None, exported_to: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("DeleteDialog")
        self.summary = summary
        self.setWindowTitle("Delete Batch")
        self.setModal(True)
        icon = QLabel()
        icon.setPixmap(style.icon("alert", style.colors()["danger"]).pixmap(QSize(40, 40)))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        heading = plain_label(f"Delete “{summary.name}”?")
        heading.setObjectName("PageTitle")
        heading.setWordWrap(True)
        self.question = QLabel(delete_confirmation(summary))
        self.question.setWordWrap(True)
        details = QLabel(
            "Claimed vouchers go too: members who claimed one lose it, and this batch's numbers are lost. "
            "This cannot be undone. To stop new claims but keep the data, pause the batch instead."
        )
        details.setObjectName("Muted")
        details.setWordWrap(True)
        self.exported = Notice()
        if exported_to:
            self.exported.say(f"Vouchers exported to {exported_to}.", "success")
        else:
            self.exported.hide()

        self.export_button = QPushButton(style.icon("export"), "Export vouchers first…")
        self.export_button.setAutoDefault(False)
        self.export_button.clicked.connect(lambda: self.done(self.EXPORT_FIRST))
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setDefault(True)
        self.cancel_button.setAutoDefault(True)
        self.cancel_button.clicked.connect(self.reject)
        self.confirm_button = QPushButton("Confirm")
        self.confirm_button.setObjectName("DangerButton")
        self.confirm_button.setAutoDefault(False)
        self.confirm_button.clicked.connect(self.accept)

        text = QVBoxLayout()
        text.addWidget(heading)
        text.addWidget(self.question)
        text.addWidget(details)
        text.addWidget(self.exported)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addSpacing(8)
        top.addLayout(text, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.confirm_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 16)
        layout.addLayout(top)
        layout.addSpacing(12)
        layout.addLayout(buttons)
        self.setMinimumWidth(480)
        self.cancel_button.setFocus()

    def choice(self) -> DeleteChoice:
        result = self.result()
        if result == QDialog.DialogCode.Accepted:
            return DeleteChoice.CONFIRM
        if result == self.EXPORT_FIRST:
            return DeleteChoice.EXPORT_FIRST
        return DeleteChoice.CANCEL
