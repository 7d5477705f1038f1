"""Many programs on one database: with each of the window's file dialogs open on the database's folder,
another program (the CLI, in a process of its own) writes and exits; the window then still sees what
the other wrote, and what the window writes reaches the file that every other program reads.

Before the window's file dialogs listed files by name alone, Qt sniffed each file's type by opening
and closing vouchers.db, -wal and -shm, which drops this process's POSIX locks on them (Linux, macOS):
the other program then took itself for the last one, checkpointed and deleted the -wal and -shm, and
the window went on writing into a deleted file that no other program would ever read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QFileInfo, Qt
from PySide6.QtWidgets import QFileDialog, QFileSystemModel

from app.core import claims
from app.gui.dialogs.qr import QrDialog
from app.gui.dialogs.settings import SettingsDialog
from app.gui.kit import prompts as prompts_module
from app.gui.kit.prompts import NameOnlyIconProvider, Prompts, file_dialog
from tests.helpers import ROOT

from .helpers import card_of, dialog_of, flush_deletions, menu_action, scan, shown


@pytest.fixture
def prompts(db_path, monkeypatch):
    """The real file dialogs, opening in the database's folder (as for a database kept in Documents)."""
    monkeypatch.setattr(prompts_module, "default_folder", lambda: db_path.parent)
    return Prompts()


def other_program(qtbot, db_path: Path, *args: str) -> subprocess.CompletedProcess:
    """`voucher-batches --db PATH ARGS` in a process of its own, while the window's event loop runs."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "--db", str(db_path), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    qtbot.waitUntil(lambda: proc.poll() is not None, timeout=60_000)
    out, err = proc.communicate()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def open_database_chooser(qtbot, window, batch):
    window.settings_action.trigger()
    settings = dialog_of(qtbot, window, SettingsDialog)
    qtbot.mouseClick(settings.browse_button, Qt.MouseButton.LeftButton)
    return settings


def open_export(qtbot, window, batch):
    menu_action(card_of(qtbot, window, batch.id), "Export vouchers…").trigger()
    return None


def open_download_qr(qtbot, window, batch):
    qtbot.mouseClick(card_of(qtbot, window, batch.id).qr_button, Qt.MouseButton.LeftButton)
    share = dialog_of(qtbot, window, QrDialog)
    qtbot.mouseClick(share.download_button, Qt.MouseButton.LeftButton)
    return share


LISTED = {"vouchers.db", "last-week.csv", "poster.png"}  # what each dialog's filter shows of the folder


def file_dialog_listing(qtbot, window, folder: Path) -> QFileDialog:
    """The file dialog once it shows, and lists the database's folder (what its filter lets show)."""
    qtbot.waitUntil(lambda: len(shown(window, QFileDialog)) == 1)
    dialog = shown(window, QFileDialog)[0]
    assert Path(dialog.directory().absolutePath()) == folder
    model = dialog.findChild(QFileSystemModel)

    def names() -> set[str]:
        root = model.index(str(folder))
        return {model.index(row, 0, root).data() for row in range(model.rowCount(root))}

    qtbot.waitUntil(lambda: bool(names() & LISTED), timeout=10_000)
    return dialog


@pytest.mark.sqlite_only  # the database file's folder, its -wal and -shm files
@pytest.mark.parametrize("open_dialog", [open_database_chooser, open_export, open_download_qr])
def test_another_program_writes_while_a_file_dialog_shows_the_database_folder(
    qtbot, window, db_path, make_batch, make_member, open_dialog
):
    for name in LISTED - {"vouchers.db"}:
        (db_path.parent / name).write_bytes(b"made earlier")
    batch = make_batch(quantity=10, name="Spring Fair")
    codes = [claims.claim(batch.token, make_member().id).voucher.code for _ in range(4)]
    for round_ in range(2):
        theirs, ours = codes[2 * round_], codes[2 * round_ + 1]
        parent = open_dialog(qtbot, window, batch)
        files = file_dialog_listing(qtbot, window, db_path.parent)

        done = other_program(qtbot, db_path, "redeem", theirs)  # writes and exits while the dialog shows
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == f"Voucher {theirs} redeemed."
        files.reject()
        if parent is not None:
            parent.reject()
            qtbot.waitUntil(lambda parent=parent: not parent.isVisible())
        flush_deletions()
        window.activateWindow()  # back at the window, as a click on it would

        till = scan(qtbot, window, theirs)  # the window sees what the other program wrote
        assert till.fields["status"].text().startswith("Redeemed on"), till.notice.text()
        till.code.setText(ours)
        qtbot.keyClick(till.code, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda till=till: till.notice.text() == "This voucher can be redeemed.")
        qtbot.mouseClick(till.redeem_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda till=till, ours=ours: till.notice.text() == f"Voucher {ours} redeemed.")
        till.close()

        seen = other_program(qtbot, db_path, "lookup", ours, "--json")  # and the others see what the window wrote
        assert seen.returncode == 0, seen.stderr
        assert json.loads(seen.stdout)["state"] == "redeemed"
    assert sorted(path.name for path in db_path.parent.glob("vouchers.db*")) == [
        "vouchers.db",
        "vouchers.db-shm",
        "vouchers.db-wal",
    ]


def test_the_file_dialog_lists_files_by_name_alone_where_locks_can_be_lost(qapp, tmp_path):
    dialog = file_dialog(None, "Export vouchers", str(tmp_path / "x.csv"), "CSV file (*.csv)")
    posix_locks = sys.platform != "win32"  # Windows' native dialog may sniff: closing a file costs no lock there
    assert dialog.testOption(QFileDialog.Option.DontUseNativeDialog) is posix_locks
    assert isinstance(dialog.iconProvider(), NameOnlyIconProvider) is posix_locks
    assert dialog.acceptMode() is QFileDialog.AcceptMode.AcceptSave
    dialog.deleteLater()


def test_icons_and_types_come_from_the_name(qapp, tmp_path):
    provider = NameOnlyIconProvider()
    missing = QFileInfo(str(tmp_path / "nowhere" / "vouchers.db-wal"))  # nothing to open: the name is all there is
    assert provider.type(missing) == "DB-WAL file"
    assert provider.type(QFileInfo(str(tmp_path))) == "Folder"
    assert provider.type(QFileInfo(str(tmp_path / "README"))) == "File"
    assert not provider.icon(missing).isNull()
