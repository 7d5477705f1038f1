"""What the window asks of the person and of the desktop and waits for (a confirmation, a file name, a
browser), behind one small service that tests replace instead of patching Qt."""

from __future__ import annotations

import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDir, QFileInfo, QStandardPaths, Qt
from PySide6.QtGui import QAbstractFileIconProvider, QIcon
from PySide6.QtWidgets import QApplication, QWidget

from app.core.batches import BatchSummary
from app.gui.preferences import Preferences

# QFileDialog, QMessageBox, QStyle and QDesktopServices are imported where they are used: PySide makes
# a Qt class's Python type when it is first imported, QStyle's alone ~5 ms of the window's start.
if TYPE_CHECKING:
    from PySide6.QtWidgets import QFileDialog

    from app.gui.dialogs.delete_batch import DeleteChoice


def file_stem(name: str) -> str:
    """A file name from a batch name: 'Q1 2025 Email Campaign' -> 'q1-2025-email-campaign'."""
    stem = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return stem[:60] or "batch"


def with_suffix(path: str, suffix: str) -> str:
    """The path with its file type's suffix, added when the person typed a name without it."""
    return path if path.lower().endswith(suffix) else path + suffix


def default_folder() -> Path | None:
    """The account's Documents folder, else its home folder: the first of them that exists (an
    account may have no Documents folder: Qt names one all the same); None when neither does."""
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    for folder in (documents, QDir.homePath()):
        if folder and Path(folder).is_dir():
            return Path(folder)
    return None


def quit_question(where: str) -> str:
    return (
        f"Quit Voucher Batches? Claim links ({where}) go offline: members who scan a poster or open a link "
        "cannot claim until Voucher Batches runs again.\n\nClose the window instead to keep serving them."
    )


def hosted_question(where: str, url: str) -> str:
    return (
        f"Switch to the claim site hosted at {url}? The claim site on this PC ({where}) stops now: members who "
        f"scan a poster or open a link reach a claim site only where {url} answers them.\n\n"
        "Keep serving here until the hosted site answers, if you are not sure."
    )


class NameOnlyIconProvider(QAbstractFileIconProvider):
    """A file's icon and type name from its name alone: it never opens a file to sniff what it holds
    (Qt's own providers ask QMimeDatabase, which opens and reads each file the dialog lists)."""

    def __init__(self) -> None:
        from PySide6.QtWidgets import QStyle

        super().__init__()
        style = QApplication.style()
        self._folder = style.standardIcon(QStyle.StandardPixmap.SP_DirIcon)
        self._file = style.standardIcon(QStyle.StandardPixmap.SP_FileIcon)

    def icon(self, what) -> QIcon:  # a QFileInfo, or an IconType
        if isinstance(what, QFileInfo):
            return self._folder if what.isDir() else self._file
        return (
            self._folder if what in (self.IconType.Folder, self.IconType.Drive, self.IconType.Computer) else self._file
        )

    def type(self, info: QFileInfo) -> str:
        if info.isDir():
            return "Folder"
        return f"{info.suffix().upper()} file" if info.suffix() else "File"


# Native dialogs only where opening a file cannot cost a lock (see file_dialog).
NATIVE_FILE_DIALOGS = sys.platform == "win32"


def file_dialog(
    parent: QWidget | None,
    caption: str,
    start: str,
    file_filter: str,
    *,
    confirm_overwrite: bool = True,
    existing: bool = False,
) -> QFileDialog:
    """The one way this window makes a file dialog: one that never opens the files it lists. start
    names a folder, or a file to suggest in its folder.

    Why: on Linux and macOS a process's POSIX locks on a file (SQLite's locks on vouchers.db and its
    -wal and -shm) are dropped when the process closes ANY descriptor of that file. Qt's file dialogs
    sniff each listed file's type by opening and closing it (and again whenever another program writes
    it); GTK's and macOS's in-process choosers do the same. Shown on the database's folder, such a
    dialog silently drops the window's locks: the next other program (`serve`, the CLI) believes it is
    alone, checkpoints and deletes the -wal and -shm under the window, and from then on the window
    reads and writes a deleted file ("a disk error"). So there, always Qt's own dialog with icons and
    types from the names alone, given before the dialog lists anything. Windows has no such lock
    semantics: its native dialog is fine."""
    from PySide6.QtWidgets import QFileDialog

    if NATIVE_FILE_DIALOGS:
        dialog = QFileDialog(parent, caption, start, file_filter)
    else:
        # Qt lists the folder it is made with at once, with its own provider: make it on an empty one.
        dialog = QFileDialog(parent, caption, _empty_folder(), file_filter)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        provider = NameOnlyIconProvider()
        dialog.setIconProvider(provider)
        dialog._icon_provider = provider  # type: ignore[attr-defined]  # the dialog does not own it: alive as long as the dialog
        target = Path(start)
        if target.is_dir():
            dialog.setDirectory(str(target))
        else:
            dialog.setDirectory(str(target.parent))
            dialog.selectFile(target.name)
    if existing:  # a file to read
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    else:
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.setOption(QFileDialog.Option.DontConfirmOverwrite, not confirm_overwrite)
    return dialog


_empty: tempfile.TemporaryDirectory | None = None


def _empty_folder() -> str:
    """A folder that holds nothing, ever (removed when the program ends)."""
    global _empty
    if _empty is None:
        _empty = tempfile.TemporaryDirectory(prefix="voucher-batches-dialogs-")
    return _empty.name


class Prompts:
    """Questions to the person and the desktop's browser. File names are asked without blocking: the
    answer comes to a callback; nothing else in the window blocks but the delete confirmation.
    prefs: where this PC remembers the last folder a file was saved in (by default, this PC's own)."""

    def __init__(self, prefs: Preferences | None = None) -> None:
        self._prefs = prefs

    def _preferences(self) -> Preferences:
        if self._prefs is None:
            self._prefs = Preferences()
        return self._prefs

    def start_folder(self) -> Path:
        """Where a save dialog starts: Documents, else the home folder, else the last folder a file
        was saved in on this PC. Never the dialog's own empty folder: a temporary one, deleted when
        the program quits, with anything saved into it."""
        last = self._preferences().last_save_folder()
        return default_folder() or (Path(last) if last and Path(last).is_dir() else None) or Path.cwd()

    def confirm_delete(self, parent: QWidget, summary: BatchSummary, exported_to: str = "") -> DeleteChoice:
        from app.gui.dialogs.delete_batch import DeleteDialog

        dialog = DeleteDialog(summary, parent, exported_to)
        dialog.exec()
        choice = dialog.choice()
        dialog.deleteLater()
        return choice

    def confirm_quit(self, parent: QWidget, where: str) -> bool:
        """Quit, though the claim links go offline? No is the default."""
        return _ask(parent, "Quit Voucher Batches", quit_question(where), "Quit", "Keep serving")

    def confirm_hosted(self, parent: QWidget, where: str, url: str) -> bool:
        """Stop this PC's claim site for the hosted one? No is the default, as for Quit."""
        return _ask(parent, "Switch to the hosted claim site", hosted_question(where, url), "Switch", "Keep serving")

    def confirm_base_change(self, parent: QWidget, warning: str) -> bool:
        """Change the claim links' address, though the links already out stop working? No is the default."""
        return _ask(parent, "Change the claim links' address", warning, "Change it", "Keep the address")

    def save_file_name(
        self,
        parent: QWidget,
        caption: str,
        suggested: str,
        file_filter: str,
        then: Callable[[str], None],
        *,
        confirm_overwrite: bool = True,
    ) -> None:
        """Ask for a path to write; then(path) once chosen, nothing when the person cancels. A bare
        name starts in start_folder(); a path starts where it names, if its folder exists."""
        wanted = Path(suggested)
        start = wanted if wanted.is_absolute() and wanted.parent.is_dir() else self.start_folder() / wanted.name
        dialog = file_dialog(parent, caption, str(start), file_filter, confirm_overwrite=confirm_overwrite)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda path: self._chosen(path, start.parent, then))
        dialog.open()

    def _chosen(self, path: str, start: Path, then: Callable[[str], None]) -> None:
        if not path:
            return
        chosen = Path(path)
        if _empty is not None and chosen.parent == Path(_empty.name):  # (never where it would vanish)
            chosen = start / chosen.name
        self._preferences().set_last_save_folder(str(chosen.parent))
        then(str(chosen))

    def open_file_name(
        self, parent: QWidget, caption: str, start: str, file_filter: str, then: Callable[[str], None]
    ) -> None:
        """Ask for a file to read (that exists); then(path) once chosen, nothing when the person cancels."""
        dialog = file_dialog(parent, caption, start or str(self.start_folder()), file_filter, existing=True)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda path: then(path) if path else None)
        dialog.open()

    def confirm_update_unbacked(self, parent: QWidget | None, before: str, how: str) -> bool:
        """Update a server database's schema though no backup could be made first (what the command
        line's --i-have-a-backup says)? No (quit, nothing changed) is the default."""
        text = (
            f"{before}\n\nMake a backup first, for example with this command (select it to copy "
            f"it):\n\n{how}\n\nThen update it now?"
        )
        return _ask(parent, "Update the database?", text, "I have a backup: update it", "Quit", wide=True)

    def confirm_erase(self, parent: QWidget, question: str) -> bool:
        """Erase a member for good (question from members.erase_confirmation)? No is the default."""
        return _ask(parent, "Erase the member", question, "Erase", "Keep the member")

    def confirm_end(self, parent: QWidget, question: str) -> bool:
        """End a campaign now, for good (question from schedule.end_confirmation)? No is the default."""
        return _ask(parent, "End the campaign", question, "End campaign", "Keep it running")

    def confirm_template_delete(self, parent: QWidget, question: str) -> bool:
        """Delete an unused template for good? No is the default."""
        return _ask(parent, "Delete the template", question, "Delete", "Keep it")

    def confirm_print_anyway(self, parent: QWidget, warning: str) -> bool:
        """Before printing a link that not every member's phone opens: True to print all the same."""
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(
            QMessageBox.Icon.Warning, "Print this link?", warning, QMessageBox.StandardButton.Cancel, parent
        )
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
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        return QDesktopServices.openUrl(QUrl(url))


def _ask(parent: QWidget | None, title: str, text: str, yes: str, no: str, wide: bool = False) -> bool:
    """A warning that must be answered: True for `yes`; `no` is the default (a stray Enter keeps
    things as they are). The text may quote a member's email or an address: shown as plain text,
    which may be selected and copied. wide: room for a command line on one line."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if wide:
        box.setStyleSheet("QLabel#qt_msgbox_label { min-width: 640px; }")
    chosen = box.addButton(yes, QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(box.addButton(no, QMessageBox.ButtonRole.RejectRole))
    box.exec()
    box.deleteLater()
    return box.clickedButton() is chosen
