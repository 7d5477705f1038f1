"""How a controller owns its dialog: at most one open at a time, deleted when it closes, forgotten
when it finishes or is destroyed, so nothing ever touches a dialog Qt has already deleted."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDialog


class DialogSlot(QObject):
    """The dialog a controller has open, or None."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._dialog: QDialog | None = None

    @property
    def dialog(self) -> QDialog | None:
        return self._dialog

    def open(self, dialog: QDialog, modal: bool = True) -> QDialog:
        """Show the dialog (window-modal, or beside the window) and hold it until it is done."""
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _result: self._forget(dialog))
        dialog.destroyed.connect(lambda _object=None: self._forget(dialog))
        self._dialog = dialog
        if modal:
            dialog.open()
        else:
            dialog.show()
        return dialog

    def bring_forward(self) -> bool:
        """Raise the open dialog; False when there is none."""
        if self._dialog is None:
            return False
        self._dialog.show()
        self._dialog.raise_()
        self._dialog.activateWindow()
        return True

    def _forget(self, dialog: QDialog) -> None:
        if self._dialog is dialog:
            self._dialog = None
