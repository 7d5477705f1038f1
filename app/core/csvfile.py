"""Writing a CSV file whole or not at all: beside the target, renamed over it at the end."""

from __future__ import annotations

import csv
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from .errors import FileProblem


@contextmanager
def whole_csv(target: str | os.PathLike):
    """A csv.writer on a file next to target, which becomes target only once the body finishes;
    any failure leaves target as it was (a FileProblem sentence for the disk's own failures)."""
    target = Path(target)
    try:
        handle = tempfile.NamedTemporaryFile(
            "w", newline="", encoding="utf-8", dir=target.parent, prefix=f".{target.name}.", suffix=".part", delete=False
        )
    except OSError as exc:
        raise FileProblem(f"Cannot write {target}: {exc.strerror or exc}.") from None
    try:
        with handle:
            yield csv.writer(handle)
        os.replace(handle.name, target)
    except OSError as exc:
        _remove_quietly(handle.name)
        raise FileProblem(f"Cannot write {target}: {exc.strerror or exc}. Nothing was exported.") from None
    except BaseException:
        _remove_quietly(handle.name)
        raise


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
