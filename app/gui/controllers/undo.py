"""Undo redemption…: opens the reason dialog for a redemption and puts the voucher back to claimed on a
worker; a refusal is said in the dialog."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QWidget,
)

from app.core.errors import sentence
from app.gui.kit.dialog_slot import DialogSlot
from app.gui.kit.tasks import run_task

from .till_identity import TillIdentity

if TYPE_CHECKING:
    from app.gui.dialogs.undo import UndoDialog


class UndoController(QObject):
    """Owns the one Undo redemption dialog; tells the window when a redemption was undone."""

    undone = Signal(object)  # the UndoResult: the numbers changed
    message = Signal(str, str)  # (sentence, kind)

    def __init__(self, window: QWidget, identity: TillIdentity) -> None:
        super().__init__(window)
        self._window = window
        self._identity = identity
        self._slot = DialogSlot(self)

    def open(self, code: str, parent: QWidget | None = None) -> UndoDialog:
        from app.gui.dialogs.undo import UndoDialog

        if self._slot.dialog is not None:
            self._slot.dialog.reject()
        dialog = UndoDialog(code, parent or self._window)
        dialog.undo_requested.connect(lambda typed, reason: self._undo(dialog, typed, reason))
        self._slot.open(dialog)
        return dialog

    def _undo(self, dialog: UndoDialog, code: str, reason: str) -> None:
        from app.core import claims
        from app.core.claims import UndoOutcome

        dialog.show_busy()
        actor = self._identity.actor()

        def done(result) -> None:
            if result.outcome is UndoOutcome.UNDONE:
                dialog.accept()
                self.message.emit(result.message, "success")
                self.undone.emit(result)
            else:
                dialog.show_refused(result.message)

        run_task(
            lambda: claims.undo_redemption(code, reason, actor),
            done,
            lambda exc: dialog.show_refused(sentence(exc, "undo the redemption")),
            context=dialog,
        )
