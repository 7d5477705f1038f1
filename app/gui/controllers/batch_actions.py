"""What a card's buttons and menu do: share (QR), pause, resume, export, open the claim page, delete.
Every core call runs on a worker; every refusal becomes a sentence in the window's message bar."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.core import batches, doctor, links, vouchers
from app.core.activity import Actor
from app.core.batches import BatchSummary
from app.core.errors import sentence
from app.gui.kit.dialog_slot import DialogSlot
from app.gui.kit.prompts import Prompts, file_stem, with_suffix
from app.gui.kit.tasks import run_task
from app.gui.kit.widgets import plain_label
from app.gui.pages import cards

if TYPE_CHECKING:
    from app.gui.dialogs.qr import QrDialog

log = logging.getLogger(__name__)


class ExportCancelled(Exception):
    """Raised from the export's progress callback when the manager presses Cancel."""


class BatchActions(QObject):
    message = Signal(str, str)  # (sentence, kind: error / success / info)
    link_message = Signal(str, str, str)  # (sentence, kind, a link the message offers to copy)
    batch_changed = Signal(object)  # a BatchSummary after pause or resume
    batch_deleted = Signal(int)  # its id
    busy_changed = Signal(int, bool)  # (batch id, working)

    def __init__(self, window: QWidget, prompts: Prompts, who: Callable[[], Actor] = Actor) -> None:
        super().__init__(window)
        self._window = window
        self.prompts = prompts
        self._who = who  # the till and staff member each change is recorded with
        self._share = DialogSlot(self)
        self._progress = DialogSlot(self)
        self._busy: set[int] = set()

    def handle(self, action: str, summary: BatchSummary) -> None:
        """A card's request (see cards.QR ... cards.DELETE); the vouchers view is the window's."""
        handlers = {
            cards.QR: self.share,
            cards.PAUSE: self.pause,
            cards.RESUME: self.resume,
            cards.EXPORT: self.export,
            cards.OPEN_PAGE: self.open_claim_page,
            cards.DELETE: self.delete,
            cards.TITLE: self.edit_title,
        }
        handler = handlers.get(action)
        if handler is not None:
            handler(summary)

    # Share ------------------------------------------------------------------------------------
    def share(self, summary: BatchSummary) -> None:
        """The QR modal; its code is drawn on a worker for the screen it opens on."""
        from app.core import qr
        from app.gui.dialogs.print_studio import PrintStudio
        from app.gui.dialogs.qr import QrDialog

        dialog = QrDialog(summary, self._window)
        dialog.download_requested.connect(lambda: self._save_qr(dialog))
        dialog.visit_requested.connect(lambda: dialog.show_visit(self.prompts.open_url(dialog.url)))
        studio = PrintStudio(dialog, self.prompts)
        dialog.print_requested.connect(studio.print_signage)
        dialog.save_pdf_requested.connect(studio.save_pdf)
        self._share.open(dialog)
        url, size = summary.claim_url, dialog.image_pixels()
        self._answer(
            dialog, lambda: qr.qr_png_bytes(url, size), dialog.show_image, dialog.show_image_failed, "draw the QR code"
        )
        self._answer(
            dialog, lambda: links.judge(url), dialog.show_reach, dialog.show_image_failed, "judge the claim link"
        )
        dialog.show_checking_site()  # its /healthz asked, within doctor.TIMEOUT
        self._answer(
            dialog, lambda: doctor.link_reaches(url), dialog.show_site_reach, dialog.show_site_reach, "check the link"
        )

    def edit_title(self, summary: BatchSummary) -> None:
        """The public title members read (claim page, My Cards, prints); the card shows it at once."""
        from app.gui.dialogs.print_studio import TitleDialog

        if self._share.bring_forward():
            return
        dialog = TitleDialog(summary, self._window)
        dialog.title_chosen.connect(
            lambda title: self._run_busy(
                summary, lambda: batches.set_title(summary.id, title), self._on_title_set, "retitle"
            )
        )
        self._share.open(dialog)

    def _on_title_set(self, changed: BatchSummary) -> None:
        self.batch_changed.emit(changed)
        self.message.emit(f"Members now read “{changed.title}” for “{changed.name}”.", "success")

    def _save_qr(self, dialog: QrDialog) -> None:
        from app.gui.dialogs.print_studio import QR_FILE_FILTER, save_qr_file

        def save(path: str) -> None:
            if not shiboken6.isValid(dialog):
                return
            dialog.show_saving()
            url = dialog.url
            self._answer(
                dialog, lambda: save_qr_file(url, path), dialog.show_saved, dialog.show_save_failed, "save the QR code"
            )

        self.prompts.save_file_name(
            dialog, "Save the QR code", f"{file_stem(dialog.summary.name)}-qr.png", QR_FILE_FILTER, save
        )

    @staticmethod
    def _answer(
        dialog: QrDialog, work: Callable, show: Callable, show_failure: Callable[[str], None], doing: str
    ) -> None:
        """Work for the dialog on a worker; its answer, or the sentence why not (nothing once it closed)."""
        run_task(work, show, lambda exc: show_failure(sentence(exc, doing)), context=dialog)

    def open_claim_page(self, summary: BatchSummary) -> None:
        """Ask the browser; either way the message offers the link, as no browser may come up."""
        url = summary.claim_url
        if self.prompts.open_url(url):
            self.link_message.emit(f"Opening {url} in your web browser. If none opens, copy the link.", "info", url)
        else:
            self.link_message.emit(f"No web browser could be opened for {url}.", "error", url)

    # Pause and resume -------------------------------------------------------------------------
    def pause(self, summary: BatchSummary) -> None:
        self._set_status(summary, batches.pause_batch, "pause")

    def resume(self, summary: BatchSummary) -> None:
        """Claims are allowed again, silently: nobody is notified."""
        self._set_status(summary, batches.resume_batch, "resume")

    def _set_status(
        self, summary: BatchSummary, change: Callable[[int, Actor | None], BatchSummary], verb: str
    ) -> None:
        if summary.id in self._busy:
            return
        actor = self._who()
        self._run_busy(summary, lambda: change(summary.id, actor), self.batch_changed.emit, verb)

    def _run_busy(self, summary: BatchSummary, work: Callable, then: Callable, verb: str) -> None:
        """Work on one batch with its card's spinner turning; a refusal is said in the message bar."""
        self._set_busy(summary.id, True)

        def done(result) -> None:
            self._set_busy(summary.id, False)
            then(result)

        def failed(exc: Exception) -> None:
            self._set_busy(summary.id, False)
            self.message.emit(sentence(exc, f"{verb} “{summary.name}”"), "error")

        run_task(work, done, failed, context=self)

    def _set_busy(self, batch_id: int, busy: bool) -> None:
        (self._busy.add if busy else self._busy.discard)(batch_id)
        self.busy_changed.emit(batch_id, busy)

    # Export -----------------------------------------------------------------------------------
    def export(
        self,
        summary: BatchSummary,
        status: str | None = None,
        search: str = "",
        then: Callable[[str], None] | None = None,
    ) -> None:
        """Ask where, then write the CSV with a progress dialog and Cancel; then(path) once written."""
        suffix = f"-{status}" if status else ""
        self.prompts.save_file_name(
            self._window,
            "Export vouchers",
            f"{file_stem(summary.name)}-vouchers{suffix}.csv",
            "CSV file (*.csv)",
            lambda chosen: self._export_to(with_suffix(chosen, ".csv"), summary, status, search, then),
        )

    def _export_to(self, path: str, summary: BatchSummary, status: str | None, search: str, then) -> None:
        progress = self._progress_dialog(f"Exporting the vouchers of “{summary.name}”…")

        def work(task):
            def report(done: int, total: int) -> None:
                if task.is_cancelled():
                    raise ExportCancelled
                task.report(done, total)

            return vouchers.export_csv(summary.id, path, status, search, progress=report)

        def on_progress(done: int, total: int) -> None:
            if self._progress.dialog is progress:
                progress.setMaximum(max(1, total))
                progress.setValue(done)
                progress.setLabelText(f"Exporting the vouchers of “{summary.name}”… {done:,} of {total:,}")

        def finish() -> None:
            if self._progress.dialog is progress:
                progress.close()

        def done(written: int) -> None:
            finish()
            self.message.emit(f"Exported {written:,} vouchers to {path}.", "success")
            if then is not None:
                then(path)

        def failed(exc: Exception) -> None:
            finish()
            if isinstance(exc, ExportCancelled):
                self.message.emit("Export cancelled; no file was written.", "info")
            else:
                self.message.emit(sentence(exc, "export the vouchers"), "error")

        task = run_task(work, done, failed, on_progress=on_progress, context=self)
        progress.canceled.connect(task.cancel)

    def _progress_dialog(self, text: str) -> QProgressDialog:
        progress = QProgressDialog(self._window)
        progress.setObjectName("ExportProgress")
        progress.setLabel(plain_label())  # it names the batch
        progress.setLabelText(text)
        progress.setCancelButtonText("Cancel")
        progress.setRange(0, 0)
        progress.setWindowTitle("Export vouchers")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(0)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.setMinimumWidth(420)
        self._progress.open(progress, modal=False)  # window-modal all the same
        return progress

    # Delete -----------------------------------------------------------------------------------
    def delete(self, summary: BatchSummary, exported_to: str = "") -> None:
        """Confirm (Cancel is the default), optionally export first, then delete for good."""
        from app.gui.dialogs.delete_batch import DeleteChoice

        choice = self.prompts.confirm_delete(self._window, summary, exported_to)
        if choice is DeleteChoice.EXPORT_FIRST:
            self.export(summary, then=lambda path: self.delete(summary, exported_to=path))
            return
        if choice is not DeleteChoice.CONFIRM:
            return

        def deleted(count: int) -> None:
            self.batch_deleted.emit(summary.id)
            self.message.emit(f"Deleted “{summary.name}” and its {count:,} vouchers.", "success")
            # the batch is gone from every view already; its vouchers go now, a chunk at a time
            run_task(batches.purge_deleted, None, _purge_failed, context=self)

        actor = self._who()
        self._run_busy(summary, lambda: batches.delete_batch(summary.id, actor, purge_now=False), deleted, "delete")


def _purge_failed(exc: Exception) -> None:
    """The vouchers of a deleted batch are unseen and go at the next purge (the window's next start,
    or its daily upkeep): nothing for the manager to do, so it is logged, not said."""
    log.warning("The vouchers of a deleted batch were not all purged yet: %s", exc)
