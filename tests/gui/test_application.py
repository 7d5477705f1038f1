"""app.gui.main: the database, the window, the claim server started and stopped, errors at start."""

from __future__ import annotations

import ast
import logging
import logging.handlers
import os
import sys
from pathlib import Path

import platformdirs
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

import app.gui
from app.core import logfile, store
from app.gui import application, instance
from app.gui.main_window import MainWindow
from app.gui.preferences import Preferences

from .helpers import FakeServerFactory


@pytest.fixture(autouse=True)
def private_settings(tmp_path, monkeypatch):
    """QSettings of the test in a temporary folder, never the user's."""
    monkeypatch.delenv(store.ENV_VAR, raising=False)
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "config"))
    yield
    store.close_database()


def run_main(qtbot, monkeypatch, servers, check, **kwargs) -> int:
    """main() with app.exec replaced by: wait for the window, run check(window), close it."""
    seen = {}

    def fake_exec():
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        assert len(windows) == 1
        window = seen["window"] = windows[0]
        check(window)
        window.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", staticmethod(fake_exec))
    code = application.main(["voucher-batches"], start_server=servers, **kwargs)
    seen["window"].deleteLater()
    return code


def test_main_opens_the_database_runs_the_server_and_stops_it(qtbot, monkeypatch, tmp_path):
    servers = FakeServerFactory()
    location = tmp_path / "shop.db"

    def check(window):
        qtbot.waitUntil(lambda: window.server.is_running())
        assert window.server_label.text().startswith("● Claim site running at http://")
        assert window.database_label.text() == f"Database: {location}"
        window.move(40, 50)

    assert run_main(qtbot, monkeypatch, servers, check, db_location=str(location)) == 0
    assert location.exists()
    assert len(servers.started) == 1 and servers.started[0].stopped
    assert (servers.started[0].host, servers.started[0].port) == ("0.0.0.0", 8080)
    assert Preferences().window_geometry() is not None  # remembered for the next start


def test_main_uses_the_database_chosen_in_settings(qtbot, monkeypatch, tmp_path):
    chosen = tmp_path / "chosen.db"
    Preferences().set_database_location(str(chosen))
    assert run_main(qtbot, monkeypatch, FakeServerFactory(), lambda window: None) == 0
    assert chosen.exists()


def test_a_busy_port_shows_in_the_status_bar(qtbot, monkeypatch, tmp_path):
    servers = FakeServerFactory(fail_with="Port 8080 is already in use by another program.")

    def check(window):
        qtbot.waitUntil(lambda: window.server_label.property("state") == "failed")
        assert window.server_label.text() == "Claim site not running: Port 8080 is already in use by another program."

    assert run_main(qtbot, monkeypatch, servers, check, db_location=str(tmp_path / "x.db")) == 0


def test_a_database_problem_at_start_is_a_message_and_exit_1(qtbot, monkeypatch, tmp_path):
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda parent, title, text: shown.append(text)))
    not_a_db = tmp_path / "notes.db"
    not_a_db.write_bytes(b"this is not a database at all" * 100)
    assert application.main(["voucher-batches"], start_server=FakeServerFactory(), db_location=str(not_a_db)) == 1
    assert len(shown) == 1
    assert f"The database {not_a_db} cannot be opened." in shown[0]
    assert "is not a Voucher Batches database, or it is damaged" in shown[0]


def test_the_gui_never_imports_the_web_package():
    for source in Path(app.gui.__file__).parent.rglob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(name == "app.web" or name.startswith("app.web.") for name in names), source


def test_window_geometry_is_restored(qtbot, db_path, prefs):
    first = MainWindow(prefs)
    qtbot.addWidget(first)
    first.setGeometry(30, 40, 740, 520)  # inside the offscreen screen (800 px)
    first.show()
    first.close()
    second = MainWindow(prefs)
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == (740, 520)


def test_a_bug_in_a_slot_is_said_in_the_window_and_logged_where_it_says(qtbot, monkeypatch, tmp_path, log_folder):
    log_file = log_folder / "voucher-batches.log"

    def check(window):
        for _ in range(2):
            try:
                raise ZeroDivisionError("division by zero")
            except ZeroDivisionError:
                sys.excepthook(*sys.exc_info())
            assert window.message_bar.text() == (
                "Something unexpected went wrong (ZeroDivisionError: division by zero). Details are in the log: "
                f"{log_file}."
            )

    assert run_main(qtbot, monkeypatch, FakeServerFactory(), check, db_location=str(tmp_path / "x.db")) == 0
    written = log_file.read_text(encoding="utf-8")
    assert written.count("ERROR app.gui.application [MainThread] Unexpected error") == 2
    assert 'raise ZeroDivisionError("division by zero")' in written  # with its traceback


def test_the_log_is_set_up_once_and_rotates(tmp_path):
    first = logfile.setup_logging(tmp_path / "a")
    try:
        assert logfile.setup_logging(tmp_path / "a") == first == tmp_path / "a" / "voucher-batches.log"
        ours = [h for h in logging.getLogger().handlers if isinstance(h, logging.handlers.RotatingFileHandler)]
        assert len(ours) == 1 and (ours[0].maxBytes, ours[0].backupCount) == (1_000_000, 5)
        logging.getLogger("app.test").warning("written once")
        assert first.read_text(encoding="utf-8").count("written once") == 1
        moved = logfile.setup_logging(tmp_path / "b")
        assert logfile.log_path() == moved == tmp_path / "b" / "voucher-batches.log"
        assert (
            len([h for h in logging.getLogger().handlers if isinstance(h, logging.handlers.RotatingFileHandler)]) == 1
        )
    finally:
        logfile.close_logging()
    assert logfile.log_path() is None


def test_the_log_goes_to_the_users_log_folder(monkeypatch, tmp_path):
    asked = []
    monkeypatch.setattr(platformdirs, "user_log_path", lambda *args, **kwargs: asked.append((args, kwargs)) or tmp_path)
    try:
        assert logfile.setup_logging() == tmp_path / "voucher-batches.log"
    finally:
        logfile.close_logging()
    assert asked == [(("voucher-batches",), {"appauthor": False})]


def test_a_log_folder_that_cannot_be_made_does_not_stop_the_window(qtbot, monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setattr(platformdirs, "user_log_path", lambda *args, **kwargs: blocker / "log")

    def check(window):
        sys.excepthook(ValueError, ValueError("boom"), None)
        assert window.message_bar.text().endswith("(ValueError: boom). No log file could be written.")

    assert run_main(qtbot, monkeypatch, FakeServerFactory(), check, db_location=str(tmp_path / "x.db")) == 0


def test_a_database_server_refusing_at_start_is_a_message_without_its_password(qtbot, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda parent, title, text: shown.append(text)))
    monkeypatch.setenv("VOUCHER_BATCHES_DB", "postgresql://shop:s3cret@127.0.0.1:1/vouchers")
    assert application.main(["voucher-batches"], start_server=FakeServerFactory()) == 1
    assert len(shown) == 1 and "s3cret" not in shown[0]
    assert shown[0].startswith(
        "The database postgresql://127.0.0.1:1/vouchers cannot be opened.\n\n"
        "The database server of postgresql://127.0.0.1:1/vouchers does not answer"
    )


def test_a_start_while_another_holds_the_lock_opens_no_second_window(qtbot, monkeypatch, tmp_path, capsys):
    """On Windows a QLocalServer is a named pipe and two can listen on one name, so two starts at
    once (a double-click) opened two windows and two claim sites (read from Qt's and Windows'
    documentation; Wine does not show it). The lock file taken before the pipe decides."""
    location = tmp_path / "shop.db"
    name = instance.socket_name(os.path.realpath(location))
    held = instance.claim(name)  # the first start, still coming up: its pipe does not answer yet
    assert held is not None and instance.claim(name) is None
    monkeypatch.setattr(instance, "ask_running_soon", lambda name, seconds=10.0: False)
    servers = FakeServerFactory()
    try:
        assert application.main(["voucher-batches"], start_server=servers, db_location=str(location)) == 0
    finally:
        held.unlock()
    assert servers.started == [] and not location.exists()
    assert "Voucher Batches is already starting for" in capsys.readouterr().out
    again = instance.claim(name)
    assert again is not None  # given back: the next start is the one instance
    again.unlock()
