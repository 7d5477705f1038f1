"""Help › Activity: opens the activity log dialog (one at a time), reads its pages on a worker and
saves its export, on the dialog's signals."""

from __future__ import annotations

from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QWidget,
)

from app.core import activity
from app.core.activity import Filter
from app.core.errors import sentence
from app.gui.kit.dialog_slot import DialogSlot
from app.gui.kit.prompts import Prompts, with_suffix
from app.gui.kit.tasks import run_task

if TYPE_CHECKING:
    from app.gui.dialogs.activity import ActivityDialog


class ActivityController(QObject):
    """Owns the one Activity window (beside the main window, so the till stays usable)."""

    message = Signal(str, str)

    def __init__(self, window: QWidget, prompts: Prompts) -> None:
        super().__init__(window)
        self._window = window
        self._prompts = prompts
        self._slot = DialogSlot(self)

    def open(self, batch_id: int | None = None) -> ActivityDialog:
        from app.gui.dialogs.activity import ActivityDialog

        if self._slot.dialog is not None:
            self._slot.dialog.close()
        dialog = ActivityDialog(batch_id, self._window)
        dialog.export_requested.connect(lambda wanted: self._export(dialog, wanted))
        self._slot.open(dialog, modal=False)
        dialog.start()
        return dialog

    def _export(self, dialog: ActivityDialog, wanted: Filter) -> None:
        self._prompts.save_file_name(
            dialog,
            "Export the activity",
            "activity.csv",
            "CSV files (*.csv)",
            lambda path: self._write(dialog, wanted, path),
        )

    def _write(self, dialog: ActivityDialog, wanted: Filter, path: str) -> None:
        if not shiboken6.isValid(dialog):
            return
        path = with_suffix(path, ".csv")
        dialog.export_button.setEnabled(False)

        def done(written: int) -> None:
            dialog.export_button.setEnabled(True)
            dialog.show_message(f"Exported {written:,} entr{'y' if written == 1 else 'ies'} to {path}.", "success")

        def failed(exc) -> None:
            dialog.export_button.setEnabled(True)
            dialog.show_message(sentence(exc, "export the activity"), "error")

        run_task(lambda: activity.export_csv(path, wanted), done, failed, context=dialog)
