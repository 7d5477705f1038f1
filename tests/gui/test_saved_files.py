"""Files a manager saves land where they chose, never in a temporary folder: on an account without a
Documents folder every save dialog starts in the home folder, and what was saved there is still
there after the window quits (the dialogs' own empty folder is deleted then, with anything in it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QFileDialog, QLineEdit

from app.gui.dialogs.activity import ActivityDialog
from app.gui.dialogs.qr import QrDialog
from app.gui.kit import prompts as prompts_module
from app.gui.kit.prompts import Prompts
from app.gui.preferences import Preferences

from .helpers import card_of, dialog_of, escape, flush_deletions, shown


class RealFileDialogs(Prompts):
    """The window's own file dialogs; the questions that would block the test answered no."""

    def confirm_quit(self, parent, where: str) -> bool:
        return True


@pytest.fixture
def no_documents(tmp_path, monkeypatch):
    """An account whose home folder has no Documents folder."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DOCUMENTS_DIR", raising=False)
    return home


@pytest.fixture
def prompts(tmp_path):
    return RealFileDialogs(Preferences(QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat)))


def save_in_the_dialog(qtbot, window, name: str) -> Path:
    """The save dialog once it shows: where it starts, then the name typed and Save pressed."""
    qtbot.waitUntil(lambda: len(shown(window, QFileDialog)) == 1)
    dialog = shown(window, QFileDialog)[0]
    started = Path(dialog.directory().absolutePath())
    field = dialog.findChild(QLineEdit, "fileNameEdit")
    field.setText(name)
    qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    return started


@pytest.mark.posix_only("a home without XDG's documents folder; Windows' Documents is a known folder of the profile")
def test_files_saved_without_a_documents_folder_outlive_the_window(qtbot, no_documents, make_batch, make_window):
    batch = make_batch(quantity=3, name="Spring Fair")
    window = make_window()
    for round_ in range(2):
        qtbot.mouseClick(card_of(qtbot, window, batch.id).qr_button, Qt.MouseButton.LeftButton)
        share = dialog_of(qtbot, window, QrDialog)
        qtbot.mouseClick(share.download_button, Qt.MouseButton.LeftButton)
        assert save_in_the_dialog(qtbot, window, f"poster-{round_}") == no_documents
        qtbot.waitUntil(lambda round_=round_: (no_documents / f"poster-{round_}.png").exists())
        escape(qtbot, share)

        window.activity_action.trigger()
        log = dialog_of(qtbot, window, ActivityDialog)
        qtbot.waitUntil(lambda log=log: log.model.entries != [])
        qtbot.mouseClick(log.export_button, Qt.MouseButton.LeftButton)
        assert save_in_the_dialog(qtbot, window, f"activity-{round_}") == no_documents
        qtbot.waitUntil(lambda round_=round_: (no_documents / f"activity-{round_}.csv").exists())
        escape(qtbot, log)
        flush_deletions()
        window.activateWindow()

    window.quit_action.trigger()  # File → Quit: the site stops, the program ends (no event loop runs here)
    assert not window.server.is_running()
    window.close()
    if prompts_module._empty is not None:
        prompts_module._empty.cleanup()  # what the end of the program does to the dialogs' own folder
    assert sorted(p.name for p in no_documents.iterdir()) == [
        "activity-0.csv",
        "activity-1.csv",
        "poster-0.png",
        "poster-1.png",
    ]


def test_with_neither_documents_nor_home_the_last_folder_used_is_where_it_starts(qapp, tmp_path, monkeypatch):
    monkeypatch.setattr(prompts_module, "default_folder", lambda: None)
    chosen = tmp_path / "exports"
    chosen.mkdir()
    prefs = Preferences(QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat))
    prefs.set_last_save_folder(str(chosen))
    assert RealFileDialogs(prefs).start_folder() == chosen
