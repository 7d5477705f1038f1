"""A database file on another computer (Windows: a UNC path or a drive mapped to a share) is
refused: SQLite's locks, and its WAL's shared memory, do not hold over a network filesystem, so two
PCs writing the file could lose claims or damage it (SQLite's own documentation says so)."""

from __future__ import annotations

import ctypes
import ntpath
import sys
from collections.abc import Callable
from pathlib import Path

DRIVE_REMOTE = 4  # GetDriveTypeW: a network drive


def _drive_type(root: str) -> int:
    if sys.platform != "win32":
        raise OSError("GetDriveTypeW is Windows'")
    return int(ctypes.windll.kernel32.GetDriveTypeW(root))


def on_network_drive(
    path: str | Path, platform: str = sys.platform, drive_type: Callable[[str], int] | None = None
) -> bool:
    """Whether a database file would live on another computer: a UNC path (\\\\server\\share\\…) or a
    drive letter mapped to a share. SQLite's locks (and its WAL's shared memory) do not hold over a
    network filesystem: two PCs writing the file could lose claims or damage it."""
    if platform != "win32":
        return False  # (on Linux and macOS a network mount is a folder like any other: not decided here)
    text = str(path).replace("/", "\\")
    if text.upper().startswith("\\\\?\\UNC\\"):
        return True
    if text.startswith("\\\\?\\") or text.startswith("\\\\.\\"):
        text = text[4:]
    elif text.startswith("\\\\"):
        return True
    drive = ntpath.splitdrive(text)[0]
    if not drive:
        return False
    return (drive_type or _drive_type)(drive + "\\") == DRIVE_REMOTE


def network_drive_sentence(path: str | Path) -> str:
    return (
        f"The database {path} is on a network drive: SQLite's locks do not work over a network, so claims "
        "written from two PCs could be lost or the file damaged. Keep the database on this PC's own disk, "
        "or, for several PCs, move the store to a PostgreSQL server (voucher-batches copy-to postgresql://…)."
    )
