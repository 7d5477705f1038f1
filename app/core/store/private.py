"""Files only their user may read: the database with its -wal and -shm, its backups and copies, and
the exports (they hold emails, password hashes and the claim site's session secret).

User-only means mode 0600 on Linux and macOS, given when the file is created (never a moment in
which it is readable by others). On Windows a file takes the access list of its folder: under the
user's profile (the data folder, Documents) only that user and the administrators may read it, and
nothing here changes that list."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

PRIVATE = 0o600  # read and write for the user alone


def make_private(path: str | os.PathLike[str]) -> None:
    """Make an existing file readable by its user alone (nothing on Windows: see the module)."""
    if sys.platform != "win32":
        os.chmod(path, PRIVATE)


def create_private(path: str | os.PathLike[str]) -> bool:
    """Create an empty file readable by its user alone, unless one is there already; True if made.
    (SQLite then makes the database's -wal and -shm with the same mode as the file.)"""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE)
    except FileExistsError:
        return False
    os.close(descriptor)
    return True


def copy_private(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
    """Copy a file's bytes into a new file readable by its user alone (any file at target replaced)."""
    Path(target).unlink(missing_ok=True)
    create_private(target)
    with open(source, "rb") as reading, open(target, "r+b") as writing:
        shutil.copyfileobj(reading, writing)
