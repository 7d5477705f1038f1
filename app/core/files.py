"""Files the user asked for (exports, CSV), written whole or not at all, and readable by the user
alone (app.core.store.private: they may hold emails and names)."""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

from .errors import FileProblem
from .store.private import create_private

if TYPE_CHECKING:
    from _csv import Writer


@contextmanager
def written_whole(target: Path, on_failure: str = "", encoding: str = "utf-8") -> Iterator[IO[str]]:
    """A text file to write into that appears at `target` only once it is complete: it is written
    beside the target and renamed at the end. Failing to write is a FileProblem naming the file
    (`on_failure` adds a sentence, such as " Nothing was exported."), and leaves nothing behind."""
    try:
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, after the failure that matters is known
            "w",
            newline="",
            encoding=encoding,
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
    leaves target as it was (a FileProblem sentence for the disk's own failures).

    UTF-8 with a byte order mark: without one, Excel (on Windows, where a double-click opens a CSV)
    reads the file in the ANSI code page and garbles every name beyond it ("ÅÃ³dÅº" for "Łódź")."""
    with written_whole(Path(target), " Nothing was exported.", encoding="utf-8-sig") as handle:
        yield csv.writer(handle)


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
