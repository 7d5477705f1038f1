"""The desktop application: open the database, show the window, run the claim site beside it."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import shiboken6
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from app.core import logfile, store
from app.core.errors import BackupNeeded, sentence
from app.gui.kit.prompts import Prompts
from app.render import fonts

from . import instance
from .kit import style
from .main_window import MainWindow
from .preferences import APPLICATION, ORGANIZATION, Preferences

log = logging.getLogger(__name__)

DESKTOP_ID = "io.github.voucherbatches.VoucherBatches"


def configure_application(app: QApplication) -> None:
    """Names for QSettings, the icon, and a style sheet that follows the system's light or dark palette."""
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    QGuiApplication.setApplicationDisplayName("Voucher Batches")
    QGuiApplication.setDesktopFileName(DESKTOP_ID)  # the desktop matches the window to its menu entry and icon
    app.setWindowIcon(style.icon("app", style.colors()["accent"]))
    style.apply(app)
    hints = QGuiApplication.styleHints()
    if hasattr(hints, "colorSchemeChanged"):
        hints.colorSchemeChanged.connect(lambda _scheme: style.apply(app))


def start_log() -> Path | None:
    """The log file, or None when this PC gives it no folder (the window runs all the same)."""
    try:
        return logfile.setup_logging()
    except OSError:
        return None


QUIT_QUIETLY = ""  # what open_database answers when the person chose to quit: no error to show


def open_database(location: str | None, have_backup: bool = False, prompts: Prompts | None = None) -> str | None:
    """Open the database; returns None, or the sentence saying why it cannot be opened (QUIT_QUIETLY
    when the person was asked and chose to quit). A server database whose schema update no backup
    was made for is updated only once the person says they have one (prompts asks)."""
    try:
        store.open_database(location, have_backup=have_backup)
    except BackupNeeded as exc:
        if prompts is None:
            return _cannot_open(location, exc)
        if not prompts.confirm_update_unbacked(None, exc.before, exc.how):
            return QUIT_QUIETLY
        return open_database(location, have_backup=True)
    except Exception as exc:  # a DatabaseProblem says it in a sentence; anything else still must not crash
        return _cannot_open(location, exc)
    return None


def _cannot_open(location: str | None, exc: Exception) -> str:
    where = store.describe(store.resolve_location(location))  # a URL's password is never shown
    reason = sentence(exc, "open the database")
    return f"The database {where} cannot be opened.\n\n{reason}\n\nStart with --db PATH to use another database."


def main(
    argv: list[str] | None = None,
    start_server: Callable[[str, int], Any] | None = None,
    *,
    db_location: str | None = None,
    have_backup: bool = False,
) -> int:
    """Run the window until it is closed. db_location: the database the command line named; else the
    one chosen in Settings (kept in QSettings); else the core's default. have_backup: the command
    line's --i-have-a-backup (a server database may be migrated without a pg_dump first)."""
    log_file = start_log()
    fonts.point_qt_at_shipped_fonts()  # (for Qt's offscreen platform on Windows)
    # (Qt types instance() as the core application; this program only ever makes a QApplication)
    app = cast(QApplication, QApplication.instance() or QApplication(list(argv if argv is not None else sys.argv)))
    configure_application(app)
    app.setQuitOnLastWindowClosed(False)  # a closed window leaves the claim site serving
    prefs = Preferences()
    location = db_location or prefs.database_location()
    where = store.resolve_location(location)
    name = instance.socket_name(where if store.is_url(where) else os.path.realpath(where))
    if instance.ask_running(name):
        print(
            f"Voucher Batches is already running for {store.describe(where)}; showing its window.", flush=True
        )  # no password
        return 0
    lock = instance.claim(name)
    if lock is None:  # another start holds this database: it shows its window once it is up
        answered = instance.ask_running_soon(name)
        print(
            f"Voucher Batches is already {'running' if answered else 'starting'} for {store.describe(where)}; "
            "showing its window.",
            flush=True,
        )
        return 0
    problem = open_database(location, have_backup, Prompts())
    if problem is not None:
        if problem != QUIT_QUIETLY:
            QMessageBox.critical(None, "Voucher Batches", problem)
        return 1
    window = MainWindow(prefs, start_server, log_file=log_file, welcome=True)
    running = instance.InstanceServer(
        name, lambda command: window.background.bring_back() if command == "show" else None, window
    )
    window.show()
    window.start()
    if notice := store.migration_notice():
        window.message_bar.show_message(notice, "info", stays=True)
    previous_hook = sys.excepthook
    sys.excepthook = _report_to(window, log_file)
    try:
        return app.exec()
    finally:
        sys.excepthook = previous_hook
        running.close()
        lock.unlock()
        window.background.shutdown()
        store.close_database()


def _report_to(window: MainWindow, log_file: Path | None):
    """A bug in a slot must not pass silently nor end the program: log it, say it in the window."""
    where = f"Details are in the log: {log_file}." if log_file is not None else "No log file could be written."

    def hook(kind, value, traceback) -> None:
        log.error("Unexpected error", exc_info=(kind, value, traceback))
        if shiboken6.isValid(window):
            window.message_bar.show_message(
                f"Something unexpected went wrong ({kind.__name__}: {value}). {where}", "error"
            )

    return hook
