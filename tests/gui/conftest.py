"""The window under test: a fresh database, preferences in a temporary file, a fake claim server."""

from __future__ import annotations

import sys

import platformdirs
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from app.core import logfile
from app.gui import application
from app.gui.kit import tasks
from app.gui.main_window import MainWindow
from app.gui.preferences import Preferences

from .helpers import FakePrompts, FakeServerFactory


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
def window(qtbot, db_path, prefs, prompts, servers, log_folder):
    """The main window, shown and started, with the batches on screen."""
    win = MainWindow(prefs, start_server=servers, prompts=prompts, refresh_ms=200, log_file=logfile.setup_logging())
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    win.start()
    qtbot.waitUntil(lambda: win.dashboard.stack.currentWidget() is not win.dashboard.loading)
    yield win
    win.close()
    win.background.shutdown()  # closing leaves the claim site serving: quit, as File → Quit does
