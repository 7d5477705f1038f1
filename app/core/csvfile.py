"""Writing a CSV file whole or not at all (files.written_whole, with a csv.writer on it)."""

from __future__ import annotations

import csv
import os
from contextlib import contextmanager
from pathlib import Path

from .files import written_whole


@contextmanager
def whole_csv(target: str | os.PathLike):
    """A csv.writer on a file that becomes target only once the body finishes; any failure
    leaves target as it was (a FileProblem sentence for the disk's own failures)."""
    with written_whole(Path(target), " Nothing was exported.") as handle:
        yield csv.writer(handle)
