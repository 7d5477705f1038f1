"""Templates: View → Templates… opens the templates dialog (one at a time) and does on a worker what it
asks: edit, archive, restore, delete; then reads the list again."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from app.core import templates
from app.core.activity import Actor
from app.core.errors import sentence
from app.gui.kit.dialog_slot import DialogSlot
from app.gui.kit.prompts import Prompts
from app.gui.kit.tasks import run_task

from .new_batch import offer_text

if TYPE_CHECKING:
    from app.gui.dialogs.templates import TemplateRow, TemplatesDialog


def read_rows() -> list[TemplateRow]:
    """Every template, archived ones too, with its offer in words and its use (on a worker)."""
    from app.gui.dialogs.templates import TemplateRow

    return [
        TemplateRow(template, offer_text(template), templates.template_use(template.id))
        for template in templates.list_templates(archived=True)
    ]


class TemplatesController(QObject):
    def __init__(self, window: QWidget, prompts: Prompts, who: Callable[[], Actor] = Actor) -> None:
        super().__init__(window)
        self._window = window
        self._prompts = prompts
        self._who = who
        self._slot = DialogSlot(self)

    def action(self) -> QAction:
        """View → Templates… (Ctrl+Shift+T)."""
        action = QAction("Templates…", self._window)
        action.setShortcut(QKeySequence("Ctrl+Shift+T"))
        action.setToolTip("The offers: edit, archive or delete a template (Ctrl+Shift+T)")
        action.triggered.connect(lambda: self.open())
        self._window.addAction(action)
        return action

    def open(self) -> TemplatesDialog:
        from app.gui.dialogs.templates import TemplatesDialog

        if self._slot.bring_forward():
            return self._slot.dialog  # type: ignore[return-value]  # (the one it opened)
        dialog = TemplatesDialog(self._window)
        dialog.edit_requested.connect(lambda template_id, values: self._edit(dialog, template_id, values))
        dialog.archive_requested.connect(lambda template_id, restore: self._archive(dialog, template_id, restore))
        dialog.delete_requested.connect(lambda template_id, title: self._delete(dialog, template_id, title))
        self._slot.open(dialog)
        self._reload(dialog)
        return dialog

    def _reload(self, dialog: TemplatesDialog) -> None:
        run_task(read_rows, dialog.show_rows, self._failed(dialog, "read the templates"), context=dialog)

    def _failed(self, dialog: TemplatesDialog, doing: str):
        return lambda exc: dialog.show_message(sentence(exc, doing), "error")

    def _done(self, dialog: TemplatesDialog, said: str):
        def done(_result) -> None:
            dialog.show_saved(said)
            self._reload(dialog)

        return done

    def _edit(self, dialog: TemplatesDialog, template_id: int, values: dict) -> None:
        actor = self._who()
        run_task(
            lambda: templates.edit_template(template_id, **values, actor=actor),
            lambda edited: self._done(dialog, f"Saved the template “{edited.title}”.")(edited),
            self._failed(dialog, "save the template"),
            context=dialog,
        )

    def _archive(self, dialog: TemplatesDialog, template_id: int, restore: bool) -> None:
        actor = self._who()

        def said(template) -> str:
            if restore:
                return f"“{template.title}” is offered in New batch again."
            return f"“{template.title}” is archived: New batch no longer offers it; its batches go on as they were."

        run_task(
            lambda: templates.archive_template(template_id, restore, actor),
            lambda template: self._done(dialog, said(template))(template),
            self._failed(dialog, "archive the template"),
            context=dialog,
        )

    def _delete(self, dialog: TemplatesDialog, template_id: int, title: str) -> None:
        if not self._prompts.confirm_template_delete(dialog, f"Delete the template “{title}” for good?"):
            return
        if not shiboken6.isValid(dialog):
            return
        actor = self._who()
        run_task(
            lambda: templates.delete_template(template_id, actor),
            lambda deleted: self._done(dialog, f"Deleted the template “{deleted}”.")(deleted),
            self._failed(dialog, "delete the template"),
            context=dialog,
        )
