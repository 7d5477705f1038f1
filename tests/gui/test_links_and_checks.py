"""A link that reaches members, and that the manager can trust: the QR modal and Settings say when it
does not; the guide; asking before the links' address changes; the setup checks; the login entry; the
database looked after at start (backups), each through the window, each twice."""

from __future__ import annotations

import shlex
import subprocess
import sys

import pytest
from PySide6.QtCore import Qt

from app.core import autostart, links, settings
from app.core.errors import DatabaseProblem
from app.core.store import backups
from app.gui.dialogs.checks import ChecksDialog
from app.gui.dialogs.guide import GuideDialog
from app.gui.dialogs.qr import QrDialog
from app.gui.dialogs.settings import SettingsDialog

from .helpers import card_of, dialog_of, escape, open_settings, save, shown


@pytest.fixture(autouse=True)
def own_folders(tmp_path, monkeypatch):
    """This test's backups and login entries, in its own folders."""
    monkeypatch.setattr(backups, "default_folder", lambda: tmp_path / "backups")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def test_the_qr_modal_says_the_link_is_plain_http_and_what_to_do(qtbot, make_batch, window):
    batch = make_batch()
    verdict = links.judge(batch.claim_url)
    for _ in range(2):
        qtbot.mouseClick(card_of(qtbot, window, batch.id).qr_button, Qt.MouseButton.LeftButton)
        dialog = dialog_of(qtbot, window, QrDialog)
        qtbot.waitUntil(dialog.reach.isVisible)
        assert (
            dialog.reach.text()
            == f"The claim link {batch.claim_url} is plain http: members' passwords travel unencrypted. {links.FIX}"
        )
        assert dialog.reach.property("kind") == "warning" and verdict.status == "warning"
        escape(qtbot, dialog)


def test_a_public_https_link_needs_no_warning(qtbot, db_path, make_batch, window):
    settings.save(settings.Settings(store_name="Corner Shop", public_base_url="https://vouchers.example.com"))
    batch = make_batch()
    qtbot.mouseClick(card_of(qtbot, window, batch.id).qr_button, Qt.MouseButton.LeftButton)
    dialog = dialog_of(qtbot, window, QrDialog)
    qtbot.waitUntil(lambda: not dialog.image.pixmap().isNull())
    qtbot.waitUntil(lambda: dialog.reach.text() == "" or not dialog.reach.isVisible())
    assert not dialog.reach.isVisible()


def test_settings_say_where_the_link_works_and_show_the_guide(qtbot, db_path, window):
    settings.save(settings.Settings(store_name="Corner Shop", public_base_url="http://shop-pc.lan:8080"))
    for _ in range(2):
        dialog = open_settings(qtbot, window)
        assert dialog.link_notice.isVisible()
        assert dialog.link_notice.text().startswith(
            "The claim link http://shop-pc.lan:8080 can only be opened on this store's network"
        )
        assert dialog.link_notice.text().endswith(links.FIX)
        assert dialog.guide_button.text() == "Share links that work anywhere"
        qtbot.mouseClick(dialog.guide_button, Qt.MouseButton.LeftButton)
        guide = dialog_of(qtbot, window, GuideDialog)
        assert guide.windowTitle() == "Share links that work anywhere"
        shown_text = guide.text.toPlainText()
        assert (
            shown_text.startswith("Share links that work anywhere") and "Caddy" in shown_text and "##" not in shown_text
        )
        escape(qtbot, guide)
        escape(qtbot, dialog)


def test_a_new_public_url_asks_first_and_says_what_stops_working(qtbot, make_batch, window, prompts):
    make_batch()
    prompts.base_change_answers += [False, True]
    dialog = open_settings(qtbot, window)
    dialog.base_url.setText("https://vouchers.example.com")
    save(dialog)
    qtbot.waitUntil(lambda: dialog.notice.isVisible() and dialog.buttons.isEnabled())
    assert dialog.notice.text() == "Not saved: claim links keep their address."
    assert prompts.asked_base_change == [
        "1 batch has claim links starting http://shop.test:8080. Posters already printed and emails and messages "
        "already sent point there: after the change they stop working, and only new links "
        "(https://vouchers.example.com/…) work."
    ]
    assert settings.load().public_base_url == "http://shop.test:8080"
    save(dialog)
    qtbot.waitUntil(lambda: not shown(window, SettingsDialog))
    assert settings.load().public_base_url == "https://vouchers.example.com" and len(prompts.asked_base_change) == 2


def test_start_when_i_log_in_writes_and_removes_the_login_entry(qtbot, db_path, window, tmp_path):
    entry = tmp_path / "config" / "autostart" / f"{autostart.APP_ID}.desktop"
    for wanted in (True, False, True):
        dialog = open_settings(qtbot, window)
        assert dialog.start_at_login.text() == "Start when I log in"
        assert dialog.start_at_login.isChecked() is autostart.is_enabled()
        dialog.start_at_login.setChecked(wanted)
        save(dialog)
        qtbot.waitUntil(lambda: not shown(window, SettingsDialog))
        assert autostart.is_enabled() is wanted
    if sys.platform == "win32":  # the Run key's value (this test's key: tests/conftest.py)
        assert autostart._run_value().endswith(subprocess.list2cmdline(["--db", str(db_path)]))
        return
    assert entry.exists()
    exec_line = next(line for line in entry.read_text().splitlines() if line.startswith("Exec="))
    assert shlex.split(exec_line.removeprefix("Exec="))[-2:] == ["--db", str(db_path)]


@pytest.mark.sqlite_only  # copies of the SQLite file (a server database: pg_dump)
def test_the_window_backs_the_database_up_at_start_and_settings_say_when(qtbot, window):
    qtbot.waitUntil(lambda: backups.latest() is not None, timeout=10_000)
    for _ in range(2):
        dialog = open_settings(qtbot, window)
        assert dialog.last_backup.text() == backups.latest().describe()
        escape(qtbot, dialog)


def test_settings_say_when_there_is_no_backup_yet(qtbot, monkeypatch, window):
    monkeypatch.setattr(backups, "latest", lambda: None)
    dialog = open_settings(qtbot, window)
    assert dialog.last_backup.text() == "No backup yet"


def test_a_damaged_database_is_said_at_start(qtbot, monkeypatch, db_path, make_window):
    damaged = (
        f"The database {db_path} is damaged (page 3: btree corrupt); it was left as it is and nothing was written."
    )

    def maintain():
        raise DatabaseProblem(damaged)

    monkeypatch.setattr(backups, "maintain", maintain)
    window = make_window(wait_for_batches=False)
    qtbot.waitUntil(lambda: window.message_bar.text() == damaged)
    assert window.message_bar.property("kind") == "error"
    qtbot.waitUntil(
        lambda: window.dashboard.stack.currentWidget() is not window.dashboard.loading
    )  # still shows what it can


def test_check_setup_lists_the_doctors_checks(qtbot, window):
    button = window.setup_checks.button
    qtbot.waitUntil(lambda: button.text() == "⚠ Claim link is plain http — details")
    for _ in range(2):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        checks = dialog_of(qtbot, window, ChecksDialog)
        lines = [line.text() for line in checks.lines]
        assert [line.split(":")[0] for line in lines] == ["✓ Database", "⚠ Claim link", "⚠ Claim site", "✓ Port"]
        assert lines[1].startswith("⚠ Claim link: The claim link http://shop.test:8080 is plain http")
        escape(qtbot, checks)
