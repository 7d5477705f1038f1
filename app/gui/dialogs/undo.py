"""Undo redemption…: asks why (required: a common reason or free text), then puts the voucher back
to claimed on a worker. A refusal (too late, already undone at another till) is said in the dialog."""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.claims import COMMON_REASONS, MAX_REASON
from app.gui.kit import style
from app.gui.kit.widgets import Notice, button_row, plain_label


class UndoDialog(QDialog):
    """Reports the reason chosen through undo_requested; the controller answers with show_refused."""

    undo_requested = Signal(str, str)  # (code, reason)

    def __init__(self, code: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("UndoDialog")
        self.setWindowTitle("Undo redemption")
        self.code = code
        question = plain_label(
            f"Undo the redemption of voucher {code}? It goes back to claimed: still the member's, "
            "and it can be redeemed again."
        )
        question.setWordWrap(True)
        self.reason = QComboBox()
        self.reason.setEditable(True)
        self.reason.addItems(COMMON_REASONS)
        self.reason.setCurrentIndex(-1)
        reason_line = cast(QLineEdit, self.reason.lineEdit())  # editable: it has one
        reason_line.setPlaceholderText("Why? Pick a reason or type one (required)")
        reason_line.setMaxLength(MAX_REASON)
        self.reason.setAccessibleName("Reason")
        self.reason.currentTextChanged.connect(self._on_reason_changed)
        self.notice = Notice()
        self.notice.hide()
        self.undo_button = QPushButton(style.icon("check"), "&Undo redemption")
        self.undo_button.setEnabled(False)
        self.undo_button.clicked.connect(self._on_undo_clicked)
        cancel = QPushButton("Cancel")
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addWidget(question)
        layout.addSpacing(6)
        layout.addWidget(QLabel("Reason:"))
        layout.addWidget(self.reason)
        layout.addWidget(self.notice)
        layout.addStretch(1)
        layout.addLayout(button_row(self.undo_button, cancel))
        self.setMinimumWidth(460)
        self.reason.setFocus(Qt.FocusReason.OtherFocusReason)

    def chosen_reason(self) -> str:
        return " ".join(self.reason.currentText().split())

    def show_busy(self) -> None:
        self.undo_button.setEnabled(False)
        self.notice.say("Undoing…", "info")

    def show_refused(self, message: str) -> None:
        """Why not (too late, not redeemed any more, or the database's sentence)."""
        self.notice.say(message, "error")
        self._on_reason_changed()

    def _on_reason_changed(self, _text: str = "") -> None:
        self.undo_button.setEnabled(bool(self.chosen_reason()))

    def _on_undo_clicked(self) -> None:
        if self.chosen_reason():
            self.undo_requested.emit(self.code, self.chosen_reason())
