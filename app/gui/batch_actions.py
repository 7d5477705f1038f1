"""What a card's buttons and menu do: share (QR), pause, resume, export, open the claim page, delete.
Every core call runs on a worker; every refusal becomes a sentence in the window's message bar."""

from __future__ import annotations

import logging
from typing import Callable

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.core import batches, vouchers
from app.core.batches import BatchSummary
from app.core.errors import VoucherError

from . import cards
from .delete_dialog import DeleteChoice
from .prompts import Prompts, file_stem
from .qr_dialog import QrDialog
from .tasks import run_task

log = logging.getLogger(__name__)


class ExportCancelled(Exception):
    """Raised from the export's progress callback when the manager presses Cancel."""


def sentence(exc: Exception, doing: str) -> str:
    """What to tell the manager: the core's own sentence, or a plain one for anything unexpected
    (which is a bug: its traceback goes to the log)."""
    if isinstance(exc, VoucherError):
        return str(exc)
    log.error("Could not %s", doing, exc_info=exc)
    if isinstance(exc, OSError) and exc.strerror:
        return f"Could not {doing}: {exc.strerror}."
    return f"Could not {doing}: {exc}"


class BatchActions(QObject):
    message = Signal(str, str)  # (sentence, kind: error / success / info)
    batch_changed = Signal(object)  # a BatchSummary after pause or resume
    batch_deleted = Signal(int)  # its id
    busy_changed = Signal(int, bool)  # (batch id, working)

    def __init__(self, window: QWidget, prompts: Prompts) -> None:
        super().__init__(window)
        self._window = window
        self.prompts = prompts
        self.qr_dialog: QrDialog | None = None
        self.progress_dialog: QProgressDialog | None = None
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
        }
        handler = handlers.get(action)
        if handler is not None:
            handler(summary)

    # Share ------------------------------------------------------------------------------------
    def share(self, summary: BatchSummary) -> QrDialog:
        dialog = QrDialog(summary, self.prompts, self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.qr_dialog = dialog
        return dialog

    def open_claim_page(self, summary: BatchSummary) -> None:
        if not QDesktopServices.openUrl(QUrl(summary.claim_url)):
            self.message.emit(f"No web browser could be opened for {summary.claim_url}.", "error")

    # Pause and resume -------------------------------------------------------------------------
    def pause(self, summary: BatchSummary) -> None:
        self._set_status(summary, batches.pause_batch, "pause")

    def resume(self, summary: BatchSummary) -> None:
        """Claims are allowed again, silently: nobody is notified."""
        self._set_status(summary, batches.resume_batch, "resume")

    def _set_status(self, summary: BatchSummary, change: Callable[[int], BatchSummary], verb: str) -> None:
        if summary.id in self._busy:
            return
        self._set_busy(summary.id, True)

        def done(changed: BatchSummary) -> None:
            self._set_busy(summary.id, False)
            self.batch_changed.emit(changed)

        def failed(exc: Exception) -> None:
            self._set_busy(summary.id, False)
            self.message.emit(sentence(exc, f"{verb} “{summary.name}”"), "error")

        run_task(lambda: change(summary.id), done, failed, context=self)

    def _set_busy(self, batch_id: int, busy: bool) -> None:
        (self._busy.add if busy else self._busy.discard)(batch_id)
        self.busy_changed.emit(batch_id, busy)

    def is_busy(self, batch_id: int) -> bool:
        return batch_id in self._busy

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
        path = self.prompts.save_file_name(
            self._window, "Export vouchers", f"{file_stem(summary.name)}-vouchers{suffix}.csv", "CSV file (*.csv)"
        )
        if not path:
            return
        if not path.lower().endswith(".csv"):
            path += ".csv"
        progress = QProgressDialog(f"Exporting the vouchers of “{summary.name}”…", "Cancel", 0, 0, self._window)
        progress.setWindowTitle("Export vouchers")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(0)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.setMinimumWidth(420)
        self.progress_dialog = progress

        def work(task):
            def report(done: int, total: int) -> None:
                if task.is_cancelled():
                    raise ExportCancelled
                task.report(done, total)

            return vouchers.export_csv(summary.id, path, status, search, progress=report)

        def on_progress(done: int, total: int) -> None:
            progress.setMaximum(max(1, total))
            progress.setValue(done)
            progress.setLabelText(f"Exporting the vouchers of “{summary.name}”… {done:,} of {total:,}")

        def finish() -> None:
            progress.close()
            progress.deleteLater()
            self.progress_dialog = None

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
        progress.show()

    # Delete -----------------------------------------------------------------------------------
    def delete(self, summary: BatchSummary, exported_to: str = "") -> None:
        """Confirm (Cancel is the default), optionally export first, then delete for good."""
        choice = self.prompts.confirm_delete(self._window, summary, exported_to)
        if choice is DeleteChoice.EXPORT_FIRST:
            self.export(summary, then=lambda path: self.delete(summary, exported_to=path))
            return
        if choice is not DeleteChoice.CONFIRM:
            return
        self._set_busy(summary.id, True)

        def done(deleted: int) -> None:
            self._set_busy(summary.id, False)
            self.batch_deleted.emit(summary.id)
            self.message.emit(f"Deleted “{summary.name}” and its {deleted:,} vouchers.", "success")

        def failed(exc: Exception) -> None:
            self._set_busy(summary.id, False)
            self.message.emit(sentence(exc, f"delete “{summary.name}”"), "error")

        run_task(lambda: batches.delete_batch(summary.id), done, failed, context=self)
