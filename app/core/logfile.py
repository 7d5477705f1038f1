"""The log file every front end writes: what went wrong, with its traceback, for whoever looks into
it later. A rotating file in the user's log folder (1 MB, the last five kept). No Qt here: the window
and the command line's serve set it up the same way."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

import platformdirs

APP_NAME = "voucher-batches"
FILE_NAME = "voucher-batches.log"
MAX_BYTES = 1_000_000
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"


class _LogFile(logging.handlers.RotatingFileHandler):
    """Ours, so that setting up again finds it instead of adding a second one."""

    previous_level: int | None = None  # the root logger's level before we lowered it


def default_folder() -> Path:
    return Path(platformdirs.user_log_path(APP_NAME, appauthor=False))


def _installed() -> _LogFile | None:
    return next((h for h in logging.getLogger().handlers if isinstance(h, _LogFile)), None)


def setup_logging(folder: str | Path | None = None, level: int = logging.INFO) -> Path:
    """Log to FILE_NAME in folder (default: the user's log folder) and return the file's path.

    Idempotent: called again with the same folder it changes nothing; with another, it moves there."""
    path = Path(folder or default_folder()) / FILE_NAME
    handler = _installed()
    if handler is not None:
        if handler.baseFilename == os.path.abspath(path):
            return path
        close_logging()
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = _LogFile(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.setLevel(level)
    root = logging.getLogger()
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        handler.previous_level = root.level
        root.setLevel(level)
    return path


def log_path() -> Path | None:
    """The file being written, or None before setup_logging()."""
    handler = _installed()
    return Path(handler.baseFilename) if handler is not None else None


def close_logging() -> None:
    """Stop writing the file (and give the root logger back its level)."""
    handler = _installed()
    if handler is None:
        return
    root = logging.getLogger()
    root.removeHandler(handler)
    handler.close()
    if handler.previous_level is not None:
        root.setLevel(handler.previous_level)
