"""A card's Edit…, Schedule… and End campaign: opens their dialog (one at a time), calls the core on a
worker, and says how it went; the card shows the batch as it is now."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QWidget

from app.core import batches, schedule, wording
from app.core.activity import Actor
from app.core.batches import BatchSummary
from app.core.errors import sentence
from app.gui.kit.dialog_slot import DialogSlot
from app.gui.kit.prompts import Prompts
from app.gui.kit.tasks import run_task
from app.gui.pages import cards

if TYPE_CHECKING:
    from app.gui.dialogs.campaign import NameField


def check_names(field: NameField, context: QObject, except_batch: int | None = None) -> None:
    """Ask the core, on a worker, whether each name the field reports is taken; the field says so."""

    def check(typed: str) -> None:
        run_task(
            lambda: batches.name_taken(typed, except_batch),
            lambda said: field.show_check(typed, said),
            lambda _exc: None,  # a name the check could not ask about is still checked on Save
            context=context,
        )

    field.name_edited.connect(check)


class CampaignActions(QObject):
    message = Signal(str, str)  # (sentence, kind)
    batch_changed = Signal(object)  # the BatchSummary as it is now

    def __init__(self, window: QWidget, prompts: Prompts, who: Callable[[], Actor] = Actor) -> None:
        super().__init__(window)
        self._window = window
        self.prompts = prompts
        self._who = who
        self._slot = DialogSlot(self)

    def on_card_requested(self, action: str, summary: BatchSummary) -> None:
        handler = {cards.EDIT: self.edit, cards.SCHEDULE: self.plan, cards.END: self.end}.get(action)
        if handler is not None:
            handler(summary)

    def _done(self, dialog: QDialog, said: Callable[[BatchSummary], str]) -> Callable[[BatchSummary], None]:
        def done(changed: BatchSummary) -> None:
            self.batch_changed.emit(changed)
            self.message.emit(said(changed), "success")
            if self._slot.dialog is dialog:
                dialog.accept()

        return done

    # Edit… ------------------------------------------------------------------------------------
    def edit(self, summary: BatchSummary) -> None:
        from app.gui.dialogs.campaign import EditBatchDialog

        if self._slot.bring_forward():
            return
        dialog = EditBatchDialog(summary, self._window)
        check_names(dialog.name, dialog, summary.id)
        actor = self._who()
        dialog.save_requested.connect(
            lambda changes: run_task(
                lambda: batches.edit_batch(summary.id, **changes, actor=actor),
                self._done(dialog, lambda changed: f"Saved “{changed.name}”."),
                lambda exc: dialog.show_refused(sentence(exc, "save the batch")),
                context=dialog,
            )
        )
        self._slot.open(dialog)

    # Schedule… --------------------------------------------------------------------------------
    def plan(self, summary: BatchSummary) -> None:
        from app.gui.dialogs.campaign import ScheduleDialog

        if self._slot.bring_forward():
            return
        dialog = ScheduleDialog(summary, self._window)
        actor = self._who()

        def work(starts: str | None, ends: str | None) -> BatchSummary:
            schedule.set_schedule(
                summary.id,
                schedule.parse_moment(starts) if starts else None,
                schedule.parse_moment(ends) if ends else None,
                actor,
            )
            return batches.get_batch(summary.id)

        def said(changed: BatchSummary) -> str:
            window = wording.schedule_line(changed.status, changed.starts_at, changed.ends_at)
            return f"“{changed.name}”: {window[:1].lower()}{window[1:]}." if window else f"“{changed.name}” opens now."

        dialog.schedule_requested.connect(
            lambda starts, ends: run_task(
                lambda: work(starts, ends),
                self._done(dialog, said),
                lambda exc: dialog.show_refused(sentence(exc, "schedule the batch")),
                context=dialog,
            )
        )
        self._slot.open(dialog)

    # End campaign ---------------------------------------------------------------------------
    def end(self, summary: BatchSummary) -> None:
        question = schedule.end_confirmation(summary.name, summary.claimed - summary.redeemed)
        if not self.prompts.confirm_end(self._window, question):
            return
        actor = self._who()

        def work() -> BatchSummary:
            schedule.end_campaign(summary.id, actor)
            return batches.get_batch(summary.id)

        def done(changed: BatchSummary) -> None:
            self.batch_changed.emit(changed)
            self.message.emit(
                f"“{changed.name}” has ended: no new claims. Vouchers members hold stay valid until they expire.",
                "success",
            )

        run_task(work, done, lambda exc: self.message.emit(sentence(exc, "end the campaign"), "error"), context=self)
