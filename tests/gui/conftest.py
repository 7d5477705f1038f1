"""The window under test: a fresh database, preferences in a temporary file, a fake claim server."""

from __future__ import annotations

import sys

import platformdirs
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from app.core import claims, logfile
from app.gui import application
from app.gui.kit import tasks
from app.gui.main_window import MainWindow
from app.gui.preferences import Preferences

from .helpers import FakePrompts, FakeServerFactory, names_here


@pytest.fixture
def prefs(tmp_path):
    return Preferences(QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def prompts():
    return FakePrompts()


@pytest.fixture
def servers():
    return FakeServerFactory()


@pytest.fixture(autouse=True)
def _settings_of_the_test(tmp_path, monkeypatch):
    """QSettings' files in the test's folder. On Windows the app's NativeFormat is the registry,
    which QSettings.setPath cannot move: there the tests' Preferences() use the INI format instead,
    so no test reads or writes the user's own (a remembered database made one test open another's)."""
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    if sys.platform == "win32":
        from app.gui import preferences

        real_init = Preferences.__init__

        def in_a_file(self, store=None):
            real_init(
                self,
                store
                if store is not None
                else QSettings(
                    QSettings.Format.IniFormat,
                    QSettings.Scope.UserScope,
                    preferences.ORGANIZATION,
                    preferences.APPLICATION,
                ),
            )

        monkeypatch.setattr(Preferences, "__init__", in_a_file)


@pytest.fixture(autouse=True)
def log_folder(tmp_path, monkeypatch):
    """The user's log folder, for this test: a temporary one (the window writes its log there)."""
    folder = tmp_path / "logs"
    monkeypatch.setattr(platformdirs, "user_log_path", lambda *args, **kwargs: folder)
    yield folder
    logfile.close_logging()


@pytest.fixture(autouse=True)
def _no_stray_tasks(qapp):
    """Every test leaves the pool idle, with the results delivered, before its database closes."""
    application.configure_application(qapp)
    yield
    tasks.cancel_all()
    tasks.wait_for_all(30_000)
    QApplication.processEvents()


@pytest.fixture
def make_window(qtbot, prefs, prompts, servers, log_folder):
    """make_window(refresh_ms=200, wait_for_batches=True): the main window on the database open now,
    shown and started (and, by default, past "Loading…"); closed and its claim site quit afterwards."""
    made = []

    def make(refresh_ms: int = 200, wait_for_batches: bool = True) -> MainWindow:
        win = MainWindow(
            prefs, start_server=servers, prompts=prompts, refresh_ms=refresh_ms, log_file=logfile.setup_logging()
        )
        qtbot.addWidget(win)
        made.append(win)
        win.resize(1200, 800)
        win.show()
        win.start()
        if wait_for_batches:
            qtbot.waitUntil(lambda: win.dashboard.stack.currentWidget() is not win.dashboard.loading)
        return win

    yield make
    for win in made:
        win.close()
        win.background.shutdown()  # closing leaves the claim site serving: quit, as File → Quit does


@pytest.fixture
def window(db_path, make_window):
    """The main window, shown and started, with the batches on screen."""
    return make_window()


@pytest.fixture
def reachable_links(db_path):
    """Claim links whose address reaches this store's claim site: a real one on this database,
    at http://shop.test:<its port> (the name resolved to this PC). Yields the running site."""
    from app.core import settings
    from app.web.server import start_server

    with names_here("shop.test"):
        running = start_server("127.0.0.1", 0)
        config = settings.load()
        config.public_base_url = f"http://shop.test:{running.port}"
        settings.save(config)
        try:
            yield running
        finally:
            running.stop()


@pytest.fixture
def claimed(make_batch, make_member):
    batch = make_batch(quantity=20, name="Spring Fair")
    return batch, claims.claim(batch.token, make_member("carol@example.com").id).voucher
