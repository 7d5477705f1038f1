"""New batch, from the window's action (or a card's "New batch like this…") to the new card: read the
offers on a worker, open the dialog, check the name as it is typed, create the templates and generate
the batch it asks for (with progress and Stop), report the batch."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from app.core import batches, schedule, templates
from app.core.activity import Actor
from app.core.batches import BatchSummary
from app.core.errors import GenerationCancelled, sentence
from app.core.store.models import Template
from app.gui.kit.dialog_slot import DialogSlot
from app.gui.kit.tasks import Task, run_task
from app.gui.pages import cards

from .campaign import check_names

if TYPE_CHECKING:
    from app.gui.dialogs.new_batch import LikeThis, NewBatchDialog


def offer_text(template: Template) -> str:
    """A template as the offer list names it (on a worker: it reads the store's currency)."""
    offer = templates.describe_offer(template)
    return f"{template.title}  —  {offer['discount']}, {offer['min_purchase'].lower()}, {offer['expiry'].lower()}"


def read_offers() -> list[tuple[int, str]]:
    """Every offer New batch lists: the templates not archived."""
    return [(template.id, offer_text(template)) for template in templates.list_templates()]


def read_like(batch_id: int) -> LikeThis:
    """A batch as "New batch like this…" fills the dialog in, read afresh (on a worker)."""
    from app.gui.dialogs.new_batch import LikeThis

    batch = batches.batch_row(batch_id)
    current = batches.get_batch(batch_id)
    template = templates.find_template(current.template_id)
    return LikeThis(
        batch_id=current.id,
        batch_name=current.name,
        name=batches.free_name(current.name),
        template_id=template.id,
        offer=offer_text(template),
        channel=current.channel,
        title=current.custom_title,
        description=current.description,
        prefix=batch.code_prefix,
        quantity=current.total,
    )


def create(values: dict, **more) -> BatchSummary:
    """What the dialog asked for, its claim window read in the store's zone (on a worker)."""
    values = dict(values)
    starts, ends = values.pop("starts", None), values.pop("ends", None)
    return batches.create_batch(
        **values,
        starts_at=schedule.parse_moment(starts) if starts else None,
        ends_at=schedule.parse_moment(ends) if ends else None,
        **more,
    )


class NewBatchFlow(QObject):
    created = Signal(object)  # BatchSummary
    message = Signal(str, str)  # (sentence, kind) for the window

    def __init__(self, window: QWidget, who: Callable[[], Actor] = Actor) -> None:
        super().__init__(window)
        self._window = window
        self._who = who  # the till and staff member each change is recorded with
        self._slot = DialogSlot(self)
        self._opening = False
        self._generation: Task | None = None

    def open(self) -> None:
        """Open the dialog (or bring the open one forward) once the offers are read."""
        if self._slot.bring_forward() or self._opening:
            return
        self._opening = True
        run_task(lambda: (read_offers(), None), self._on_offers_read, self._on_offers_failed, context=self)

    def open_like(self, batch_id: int) -> None:
        """New batch like this one: the dialog filled in from it, under a free name."""
        if self._slot.bring_forward() or self._opening:
            return
        self._opening = True
        run_task(
            lambda: (read_offers(), read_like(batch_id)), self._on_offers_read, self._on_offers_failed, context=self
        )

    def on_card_requested(self, action: str, summary: BatchSummary) -> None:
        if action == cards.LIKE:
            self.open_like(summary.id)

    def _on_offers_read(self, read: tuple[list[tuple[int, str]], LikeThis | None]) -> None:
        from app.gui.dialogs.new_batch import NewBatchDialog

        self._opening = False
        offers, like = read
        dialog = NewBatchDialog(offers, self._window, like)
        check_names(dialog.name_field, dialog)
        dialog.template_requested.connect(lambda values: self._create_template(dialog, values))
        dialog.create_requested.connect(lambda values: self._generate(dialog, values))
        dialog.stop_requested.connect(self._stop)
        dialog.finished.connect(self._stop)  # Escape while generating: nothing is written
        self._slot.open(dialog)

    def _on_offers_failed(self, exc: Exception) -> None:
        self._opening = False
        self.message.emit(sentence(exc, "read the templates"), "error")

    def _create_template(self, dialog: NewBatchDialog, values: dict) -> None:
        actor = self._who()

        def work():
            template = templates.create_template(**values, actor=actor)
            return template, offer_text(template)

        run_task(
            work,
            lambda made: dialog.add_template(made[0].id, made[1], made[0].title),
            lambda exc: dialog.show_template_refused(sentence(exc, "create the template")),
            context=dialog,
        )

    def _generate(self, dialog: NewBatchDialog, values: dict) -> None:
        if self._generation is not None:
            return
        dialog.show_generating()

        def done(summary) -> None:
            self._generation = None
            self.message.emit(f"Created “{summary.name}” with {summary.total:,} vouchers.", "success")
            self.created.emit(summary)
            if self._slot.dialog is dialog:
                dialog.accept()

        def failed(exc: Exception) -> None:
            self._generation = None
            if self._slot.dialog is dialog:
                kind = "warning" if isinstance(exc, GenerationCancelled) else "error"
                dialog.show_refused(sentence(exc, "create the batch"), kind)

        actor = self._who()
        self._generation = run_task(
            lambda task: create(values, progress=task.report, should_stop=task.is_cancelled, actor=actor),
            done,
            failed,
            on_progress=lambda done_count, total: (
                dialog.show_progress(done_count, total) if self._slot.dialog is dialog else None
            ),
            context=self,
        )

    def _stop(self) -> None:
        if self._generation is not None:
            self._generation.cancel()
