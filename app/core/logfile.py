"""The log file every front end writes: what went wrong, with its traceback, for whoever looks into
it later. A rotating file in the user's log folder (1 MB, the last five kept), one per kind of
process (the window's, serve's): two processes rotating one file fight over it on Windows, where a
file another process holds open cannot be renamed (WinError 32), and the lines were lost. No Qt
here: the window and the command line's serve set it up the same way."""

from __future__ import annotations

import logging
import logging.handlers
import os
import time
from pathlib import Path

import platformdirs

APP_NAME = "voucher-batches"
FILE_NAME = "voucher-batches.log"  # the window's
FILE_NAMES = {"window": FILE_NAME, "serve": "voucher-batches-serve.log"}
RETRY_ROTATION = 60.0  # seconds before a rotation that failed is tried again
MAX_BYTES = 1_000_000
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"


class _LogFile(logging.handlers.RotatingFileHandler):
    """Ours, so that setting up again finds it instead of adding a second one."""

    previous_level: int | None = None  # the root logger's level before we lowered it
    _retry_at = 0.0

    def shouldRollover(self, record: logging.LogRecord) -> bool:  # noqa: N802 (logging's name)
        return time.monotonic() >= self._retry_at and bool(super().shouldRollover(record))

    def doRollover(self) -> None:  # noqa: N802 (logging's name)
        """Rotate; when a file cannot be renamed (another program holds it open: an editor, an
        antivirus, on Windows), keep writing the same file and try again later: no line is lost."""
        try:
            super().doRollover()
        except OSError:
            self._retry_at = time.monotonic() + RETRY_ROTATION
            if self.stream is None:
                self.stream = self._open()


def default_folder() -> Path:
    return Path(platformdirs.user_log_path(APP_NAME, appauthor=False))


def _installed() -> _LogFile | None:
    return next((h for h in logging.getLogger().handlers if isinstance(h, _LogFile)), None)


def setup_logging(folder: str | Path | None = None, level: int = logging.INFO, kind: str = "window") -> Path:
    """Log to this kind of process's file (FILE_NAMES) in folder (default: the user's log folder) and
    return the file's path.

    Idempotent: called again with the same folder it changes nothing; with another, it moves there."""
    path = Path(folder or default_folder()) / FILE_NAMES[kind]
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
