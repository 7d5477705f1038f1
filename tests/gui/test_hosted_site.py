"""Settings → "Claim site: on this PC / hosted at <URL>" and Settings → Database with a server's URL and
its password, driven through the window's own Settings action, twice in a row. Hosted, the window
starts no claim site of its own and its status bar says whether the hosted one answers."""

from __future__ import annotations

import stat
import sys
from types import SimpleNamespace

import peewee
import pytest

from app.core import settings, store
from app.core.errors import DatabaseProblem
from app.core.store import credentials
from app.gui.controllers import hosted_site
from app.gui.dialogs.settings import SettingsDialog
from app.web.server import start_server
from tests.helpers.database import TEST_DB

from .helpers import names_here, open_settings, save, shown


@pytest.fixture
def fast_polls(monkeypatch):
    monkeypatch.setattr(hosted_site, "POLL_MS", 300)


@pytest.fixture
def hosted(db_path):
    """The claim site on "a server of its own": a real one, on this database, on a port of its own, at
    a name of its own (shop.test, resolved to this PC)."""
    with names_here("shop.test"):
        running = start_server("127.0.0.1", 0)
        yield SimpleNamespace(url=f"http://shop.test:{running.port}", stop=running.stop)
        running.stop()


@pytest.fixture
def passwords_file(tmp_path, monkeypatch):
    path = tmp_path / "config" / "database-passwords.json"
    monkeypatch.setattr(credentials, "passwords_file", lambda: path)
    monkeypatch.setitem(sys.modules, "keyring", None)  # no keyring on this PC: the file it is
    return path


def saved(qtbot, window) -> str:
    qtbot.waitUntil(lambda: not shown(window, SettingsDialog), timeout=10_000)
    return window.message_bar.text()


def test_hosted_the_window_serves_nothing_and_says_whether_the_hosted_site_answers(
    qtbot, fast_polls, window, servers, hosted, prompts
):
    qtbot.waitUntil(lambda: window.server.serves_here())
    local = servers.started[-1]
    url = hosted.url
    for round_ in range(2):  # twice in a row: hosted, back on this PC, hosted again
        dialog = open_settings(qtbot, window)
        assert dialog.on_this_pc.text() == "on this PC" and dialog.on_this_pc.isChecked()
        dialog.base_url.setText(url)
        assert dialog.hosted.text() == f"hosted at {url}"
        dialog.hosted.click()
        assert not dialog.port.isEnabled() and not dialog.host.isEnabled()
        prompts.base_change_answers += [True, True]
        prompts.hosted_answers += [False, True]  # asked first, as Quit asks: Keep serving, then Switch
        where = window.server.where()
        save(dialog)
        qtbot.waitUntil(lambda d=dialog: d.notice.isVisible() and d.buttons.isEnabled(), timeout=5_000)
        assert dialog.notice.text() == "Not saved: the claim site keeps serving on this PC."
        assert not local.stopped and window.server.serves_here() and settings.load().claim_site == settings.LOCAL
        save(dialog)
        assert saved(qtbot, window).startswith("Settings saved.")
        assert prompts.asked_hosted[-2:] == [(where, url)] * 2 and where.startswith("http://")
        assert settings.load().claim_site == settings.HOSTED
        qtbot.waitUntil(lambda: window.server_label.text() == f"● Claim site hosted at {url}: answering", timeout=5_000)
        assert local.stopped and not window.server.serves_here()  # this PC serves nothing now
        assert window.server_label.property("state") == "running"

        dialog = open_settings(qtbot, window)
        assert dialog.hosted.isChecked() and dialog.hosted.text() == f"hosted at {url}"
        dialog.on_this_pc.click()
        save(dialog)
        assert saved(qtbot, window).startswith("Settings saved.")
        qtbot.waitUntil(lambda: window.server.serves_here())
        local = servers.started[-1]
        assert not local.stopped and window.server.hosted.url == ""
        assert window.server_label.text() == f"● Claim site running at {url}"
        assert len(servers.started) == 2 + round_


@pytest.fixture
def hosted_already(db_path, hosted):
    """Another back office said so before this window started: the claim site is hosted."""
    config = settings.load()
    config.public_base_url, config.claim_site = hosted.url, settings.HOSTED
    settings.save(config)


def test_the_status_bar_follows_the_hosted_site_and_its_database(
    qtbot, fast_polls, hosted, hosted_already, window, servers, monkeypatch
):
    answering = f"● Claim site hosted at {hosted.url}: answering"
    qtbot.waitUntil(lambda: window.server_label.text() == answering, timeout=5_000)
    assert servers.started == []  # hosted from the start: no local claim site at all

    def away():
        raise DatabaseProblem("The database server of postgresql://db/vouchers does not answer.") from (
            peewee.OperationalError("could not connect to server: Connection refused")
        )

    monkeypatch.setattr(store, "check_reachable", away)  # the hosted site's own database goes away
    qtbot.waitUntil(
        lambda: (
            window.server_label.text()
            == f"Claim site hosted at {hosted.url}: answering, but its database is unavailable (unreachable)"
        ),
        timeout=5_000,
    )
    monkeypatch.undo()
    qtbot.waitUntil(lambda: window.server_label.text() == answering, timeout=5_000)
    hosted.stop()
    said = f"Claim site hosted at {hosted.url}: not answering (Connection refused)"
    qtbot.waitUntil(lambda: window.server_label.text() == said, timeout=5_000)
    assert window.server_label.property("state") == "failed"
    assert window.server_label.toolTip().startswith(f"{said}\n{hosted.url}/healthz asked at ")
    assert window.server_label.toolTip().endswith("; asked again every 0.3 s")


def test_a_database_server_that_does_not_answer_is_refused_and_nothing_is_kept(qtbot, window, prefs, passwords_file):
    before = prefs.database_location()
    for _ in range(2):
        dialog = open_settings(qtbot, window)
        dialog.database.setText("postgresql://shop@127.0.0.1:1/vouchers")
        assert dialog.db_password.isEnabled()
        assert dialog.db_password.echoMode() is dialog.db_password.EchoMode.Password
        dialog.db_password.setText("s3cret")
        save(dialog)
        # within store.CONNECT_TIMEOUT, off the GUI thread
        qtbot.waitUntil(dialog.notice.isVisible, timeout=10_000)
        assert dialog.notice.text() == (
            "The database server of postgresql://127.0.0.1:1/vouchers does not answer: check that it runs, "
            "and that its firewall lets this PC in."
        )
        assert prefs.database_location() == before and not passwords_file.exists()
        dialog.reject()
        qtbot.waitUntil(lambda: not shown(window, SettingsDialog))


@pytest.mark.postgres_only
def test_a_database_server_url_is_saved_without_its_password_which_is_kept_apart(
    qtbot, window, prefs, passwords_file, tmp_path
):
    url = TEST_DB  # postgresql://user@host:port/name, no password in it
    for password in ("first-password", "second-password"):
        dialog = open_settings(qtbot, window)
        dialog.database.setText(url)
        dialog.db_password.setText(password)
        save(dialog)
        said = saved(qtbot, window)
        assert f"Its password is kept in {passwords_file} (readable only by you)." in said and password not in said
        assert prefs.database_location() == url
        assert credentials.lookup(url) == password
        assert stat.S_IMODE(passwords_file.stat().st_mode) == 0o600
    settings_file = (tmp_path / "prefs.ini").read_text()
    assert url in settings_file and "first-password" not in settings_file and "second-password" not in settings_file
    dialog = open_settings(qtbot, window)
    assert dialog.db_password.text() == "" and str(passwords_file) in dialog.db_password.placeholderText()
    dialog.reject()
