"""Files the user asked for (exports, CSV), written whole or not at all; and files only their user
may read (the database, its log files, backups, exports: they hold emails, password hashes and the
claim site's session secret).

User-only means mode 0600 on Linux and macOS, given when the file is created (never a window in
which it is readable by others). On Windows a file takes the access list of its folder: under the
user's profile (the data folder, Documents) only that user and the administrators may read it, and
nothing here changes that list."""

from __future__ import annotations

import csv
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

from .errors import FileProblem

if TYPE_CHECKING:
    from _csv import Writer


@contextmanager
def written_whole(target: Path, on_failure: str = "") -> Iterator[IO[str]]:
    """A text file to write into that appears at `target` only once it is complete: it is written
    beside the target and renamed at the end. Failing to write is a FileProblem naming the file
    (`on_failure` adds a sentence, such as " Nothing was exported."), and leaves nothing behind."""
    try:
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, after the failure that matters is known
            "w",
            newline="",
            encoding="utf-8",
            dir=target.parent,
            prefix=f".{target.name}.",
            suffix=".part",
            delete=False,
        )
    except OSError as exc:
        raise FileProblem(f"Cannot write {target}: {exc.strerror or exc}.") from None
    try:
        with handle:
            yield handle
        os.replace(handle.name, target)
    except OSError as exc:
        _remove_quietly(handle.name)
        raise FileProblem(f"Cannot write {target}: {exc.strerror or exc}.{on_failure}") from None
    except BaseException:
        _remove_quietly(handle.name)
        raise


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


@contextmanager
def whole_csv(target: str | os.PathLike[str]) -> Iterator[Writer]:
    """A csv.writer on a file that becomes target only once the body finishes; any failure
    leaves target as it was (a FileProblem sentence for the disk's own failures)."""
    with written_whole(Path(target), " Nothing was exported.") as handle:
        yield csv.writer(handle)


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


def write_whole(target: str | os.PathLike[str], data: bytes) -> None:
    """Write bytes to a file readable by its user alone, whole or not at all (written aside, then
    renamed); an OSError leaves nothing behind."""
    target = Path(target)
    part = target.with_name(f".{target.name}.part")
    try:
        part.unlink(missing_ok=True)
        create_private(part)
        part.write_bytes(data)
        os.replace(part, target)
    except OSError:
        part.unlink(missing_ok=True)
        raise
