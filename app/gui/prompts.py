"""What the window asks of the person and of the desktop and waits for (a confirmation, a file name, a
browser), behind one small service that tests replace instead of patching Qt."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from app.core.batches import BatchSummary

from .delete_dialog import DeleteChoice, DeleteDialog


def file_stem(name: str) -> str:
    """A file name from a batch name: 'Q1 2025 Email Campaign' -> 'q1-2025-email-campaign'."""
    stem = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return stem[:60] or "batch"


def with_suffix(path: str, suffix: str) -> str:
    """The path with its file type's suffix, added when the person typed a name without it."""
    return path if path.lower().endswith(suffix) else path + suffix


def default_folder() -> Path:
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(folder) if folder else Path.home()


class Prompts:
    """Modal questions and the desktop's browser. Each returns the answer; nothing else in the window blocks."""

    def confirm_delete(self, parent: QWidget, summary: BatchSummary, exported_to: str = "") -> DeleteChoice:
        dialog = DeleteDialog(summary, parent, exported_to)
        dialog.exec()
        choice = dialog.choice()
        dialog.deleteLater()
        return choice

    def save_file_name(self, parent: QWidget, caption: str, suggested: str, file_filter: str) -> str | None:
        """A path to write, or None when the person cancels."""
        path, _ = QFileDialog.getSaveFileName(parent, caption, str(default_folder() / suggested), file_filter)
        return path or None

    def confirm_print_anyway(self, parent: QWidget, warning: str) -> bool:
        """Before printing a link that not every member's phone opens: True to print all the same."""
        box = QMessageBox(QMessageBox.Icon.Warning, "Print this link?", warning, QMessageBox.StandardButton.Cancel, parent)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText("Posters stay up for weeks: print a link that works anywhere if you can.")
        box.addButton("Print anyway", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        answer = box.buttonRole(box.clickedButton()) == QMessageBox.ButtonRole.AcceptRole
        box.deleteLater()
        return answer

    def open_url(self, url: str) -> bool:
        """Hand the link to the desktop's web browser. False when none could be started; True only
        means one was asked to (whether it opens is the desktop's business)."""
        return QDesktopServices.openUrl(QUrl(url))
