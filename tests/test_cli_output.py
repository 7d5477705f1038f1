"""The command line's output, whatever console or pipe it goes to."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.core import store

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.sqlite_only  # a second process reads the same database file
def test_a_batch_name_beyond_the_ansi_code_page_goes_through_a_pipe_as_utf8(db_path, make_batch):
    """On Windows a redirected stdout is in the ANSI code page (cp1252): `batch list` of a batch
    named "Łódź – Email" died with UnicodeEncodeError (seen on Windows CPython). Elsewhere the test
    sets that code page itself."""
    make_batch(quantity=3, name="Łódź – Email")
    store.close_database()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONUTF8", None)
    if sys.platform == "win32":
        env.pop("PYTHONIOENCODING", None)  # the console's own code page, as a store's PC has it
    else:
        env["PYTHONIOENCODING"] = "cp1252"
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "batch", "list", "--db", str(db_path)],
        capture_output=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert "Łódź – Email" in done.stdout.decode("utf-8")
