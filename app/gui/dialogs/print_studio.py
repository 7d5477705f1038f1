"""Print studio: the QR modal's Print… (a print preview with the layout and paper chosen, then the
system's print dialog) and Save as PDF… (written on a worker, so the window never freezes).

Both draw the one layout description (app/core/signage) with the one renderer (app.render.painting)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import cast

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QPageLayout
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog, QPrintPreviewWidget
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.core import doctor, links, qr, signage
from app.core.errors import sentence
from app.gui.dialogs.qr import CHECKING_SITE
from app.gui.kit.dialog_slot import DialogSlot
from app.gui.kit.prompts import Prompts, file_stem, with_suffix
from app.gui.kit.tasks import run_task
from app.gui.kit.widgets import plain_label
from app.render import painting

PAPER_NAMES = {"a4": "A4", "letter": "Letter"}
QR_FILE_FILTER = "PNG image (*.png);;SVG image, vector (*.svg);;PDF document, vector (*.pdf)"


class SignageChoice(QWidget):
    """The layout and the paper (the paper only for the tent and the cards: a poster's is its layout)."""

    changed = Signal()

    def __init__(self, layout: str = "a4", paper: str = "a4", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layout_box = QComboBox()
        self.layout_box.setAccessibleName("Layout")
        for name in signage.LAYOUTS:
            self.layout_box.addItem(signage.LAYOUT_NAMES[name], name)
        self.paper_box = QComboBox()
        self.paper_box.setAccessibleName("Paper")
        for name, text in PAPER_NAMES.items():
            self.paper_box.addItem(text, name)
        self.layout_box.setCurrentIndex(signage.LAYOUTS.index(layout))
        self.paper_box.setCurrentIndex(list(PAPER_NAMES).index(paper))
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 0, 6, 0)
        row.addWidget(QLabel("Layout:"))
        row.addWidget(self.layout_box)
        row.addSpacing(8)
        row.addWidget(QLabel("Paper:"))
        row.addWidget(self.paper_box)
        row.addStretch(1)
        self.layout_box.currentIndexChanged.connect(self._on_changed)
        self.paper_box.currentIndexChanged.connect(self._on_changed)
        self._on_changed()

    def layout_name(self) -> str:
        return self.layout_box.currentData()

    def paper(self) -> str:
        return self.paper_box.currentData()

    def choose(self, layout: str, paper: str = "a4") -> None:
        self.paper_box.setCurrentIndex(list(PAPER_NAMES).index(paper))
        self.layout_box.setCurrentIndex(signage.LAYOUTS.index(layout))

    def _on_changed(self, _index: int = 0) -> None:
        self.paper_box.setEnabled(self.layout_name() not in signage.POSTERS)
        self.changed.emit()


class SignagePreview(QPrintPreviewDialog):
    """Qt's print preview with the layout and paper in its toolbar; it redraws as they change, and its
    Print button opens the system's print dialog."""

    def __init__(self, content: signage.SignContent, printer: QPrinter, parent: QWidget | None = None) -> None:
        super().__init__(printer, parent)
        self.setObjectName("SignagePreview")
        self.setWindowTitle("Print signage")
        self.content = content
        self._printer = printer  # kept: the preview does not own it
        self.choice = SignageChoice()
        self.choice.setObjectName("SignageChoice")
        layout = cast(QBoxLayout, self.layout())  # Qt's preview dialog lays itself out in a box
        layout.insertWidget(0, self.choice)  # beside Qt's toolbar, not in it: its overflow would hide the choice
        self._preview = cast(QPrintPreviewWidget, self.findChild(QPrintPreviewWidget))  # Qt's dialog has one
        self.choice.changed.connect(self._on_choice_changed)
        self.paintRequested.connect(self._on_paint_requested)
        self._apply_paper()
        self.resize(900, 760)

    def current_page(self) -> signage.Page:
        return signage.layout(self.content, self.choice.layout_name(), self.choice.paper())

    def _apply_paper(self) -> None:
        self._printer.setPageSize(painting.page_size(self.current_page()))
        self._printer.setPageOrientation(QPageLayout.Orientation.Portrait)

    def _on_choice_changed(self) -> None:
        self._apply_paper()
        self._preview.updatePreview()

    def _on_paint_requested(self, printer: QPrinter) -> None:
        painting.print_page(printer, self.current_page())


class SavePdfDialog(QDialog):
    """Which signage to save as a PDF: the layout and the paper."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SavePdfDialog")
        self.setWindowTitle("Save signage as PDF")
        self.choice = SignageChoice()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.addButton("Save as PDF…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Signage of", plain_label(title))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.choice)
        layout.addWidget(buttons)


class TitleDialog(QDialog):
    """A batch's public title; empty gives the offer back. Reports the title typed."""

    title_chosen = Signal(str)

    def __init__(self, summary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TitleDialog")
        self.setWindowTitle("Public title")
        self.field = QLineEdit(summary.custom_title)
        self.field.setMaxLength(120)
        self.field.setPlaceholderText(summary.title if not summary.custom_title else "")
        self.field.setAccessibleName("Public title")
        hint = QLabel("What members read on the claim page, in My Cards and on every print. Empty: the offer.")
        hint.setObjectName("Muted")
        hint.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._on_save)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Batch", plain_label(summary.name))
        form.addRow("Public title", self.field)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    def _on_save(self) -> None:
        self.title_chosen.emit(self.field.text())
        self.accept()


@dataclass(frozen=True)
class SavedVector:
    """An SVG or PDF QR code written (said as the PNG's SavedImage is)."""

    path: Path
    kind: str

    def describe(self) -> str:
        return f"{self.kind}, vector"


def save_qr_file(url: str, path: str):
    """The QR code in the format the file's name asks for: .svg, .pdf, else PNG (worker thread)."""
    lowered = path.lower()
    if lowered.endswith(".svg"):
        return SavedVector(qr.save_qr_svg(url, path), "SVG")
    if lowered.endswith(".pdf"):
        return SavedVector(painting.save_qr_pdf(url, path), "PDF")
    return qr.save_qr_png(url, with_suffix(path, ".png"))


class PrintStudio(QObject):
    """Print… and Save as PDF… for one QR modal; what happens is said in the modal's status line."""

    def __init__(self, dialog, prompts: Prompts) -> None:
        super().__init__(dialog)
        self._dialog = dialog
        self.prompts = prompts
        self._preview = DialogSlot(self)
        self._options = DialogSlot(self)
        self._checking = False  # one question about the link at a time

    def _when_link_ok(self, then) -> None:
        """then() once the link is fit to print, or the manager chose to print it all the same: a link
        only this network (or this PC) opens, or whose address does not reach this store's claim site
        (its /healthz asked on a worker, within doctor.TIMEOUT; said meanwhile), is said first."""
        if self._checking:
            return
        self._checking = True
        url = self._dialog.url
        self._dialog.status.say(CHECKING_SITE, "info")

        def answer(found: tuple[links.Verdict, str | None]) -> None:
            self._checking = False
            verdict, unreached = found
            self._dialog.show_site_reach(unreached)
            self._dialog.status.say(" ", "info")
            said = [f"{verdict.message} {verdict.fix}"] if verdict.local_only else []
            said += [unreached] if unreached else []
            if said and not self.prompts.confirm_print_anyway(self._dialog, "\n\n".join(said)):
                return
            then()

        def failed(exc: Exception) -> None:
            self._checking = False
            self._dialog.status.say(sentence(exc, "check the link"), "error")

        run_task(lambda: (links.judge(url), doctor.link_reaches(url)), answer, failed, context=self._dialog)

    def _with_content(self, then, doing: str) -> None:
        batch_id = self._dialog.summary.id
        run_task(
            lambda: signage.content_for(batch_id),
            then,
            lambda exc: self._dialog.status.say(sentence(exc, doing), "error"),
            context=self._dialog,
        )

    # Print… -----------------------------------------------------------------------------------
    def print_signage(self) -> None:
        if self._preview.bring_forward():
            return
        self._when_link_ok(lambda: self._with_content(self._open_preview, "prepare the print"))

    def _open_preview(self, content: signage.SignContent) -> None:
        if self._preview.dialog is not None:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(content.title)
        self._preview.open(SignagePreview(content, printer, self._dialog))

    # Save as PDF… -----------------------------------------------------------------------------
    def save_pdf(self) -> None:
        if self._options.bring_forward():
            return
        self._when_link_ok(self._choose_pdf)

    def _choose_pdf(self) -> None:
        if self._options.bring_forward():
            return
        options = SavePdfDialog(self._dialog.summary.title, self._dialog)
        options.accepted.connect(lambda: self._ask_where(options.choice.layout_name(), options.choice.paper()))
        self._options.open(options)

    def _ask_where(self, layout: str, paper: str) -> None:
        suffix = layout if layout in signage.POSTERS else f"{layout}-{paper}"
        self.prompts.save_file_name(
            self._dialog,
            "Save signage as PDF",
            f"{file_stem(self._dialog.summary.name)}-{suffix}.pdf",
            "PDF document (*.pdf)",
            lambda path: self._save(layout, paper, path),
        )

    def _save(self, layout: str, paper: str, path: str) -> None:
        if not shiboken6.isValid(self._dialog):
            return
        path = with_suffix(path, ".pdf")
        self._dialog.status.say("Saving the PDF…", "info")
        batch_id = self._dialog.summary.id

        def work() -> Path:
            content = signage.content_for(batch_id)
            return painting.save_pdf(signage.layout(content, layout, paper), path, content.title)

        run_task(
            work,
            lambda saved: self._dialog.status.say(
                f"Saved the {signage.LAYOUT_NAMES[layout]} as a print-ready PDF to {saved}.", "success"
            ),
            lambda exc: self._dialog.status.say(sentence(exc, "save the PDF"), "error"),
            context=self._dialog,
        )
