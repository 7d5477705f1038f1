"""The log files: one per kind of process, and no line lost when a file cannot be rotated."""

from __future__ import annotations

import logging
import sys

import pytest

from app.core import logfile


@pytest.fixture(autouse=True)
def _closed_afterwards():
    yield
    logfile.close_logging()


def test_the_window_and_serve_write_files_of_their_own(tmp_path):
    """Both rotating one file, on Windows, lost lines (WinError 32: the other process holds it open)."""
    window = logfile.setup_logging(tmp_path, kind="window")
    logfile.close_logging()
    serve = logfile.setup_logging(tmp_path, kind="serve")
    assert window == tmp_path / "voucher-batches.log" and serve == tmp_path / "voucher-batches-serve.log"


def test_a_full_log_that_cannot_be_renamed_keeps_every_line(tmp_path, monkeypatch, capsys):
    """On Windows a file another program holds open cannot be renamed: rotation failed with
    PermissionError and the line being written was lost. Elsewhere the refusal is made here."""
    path = logfile.setup_logging(tmp_path, kind="serve")
    handler = logfile._installed()
    handler.maxBytes = 2_000
    held = open(path, "a", encoding="utf-8")  # noqa: SIM115 (another program's handle, held across the writes)
    try:
        if sys.platform != "win32":

            def refuse(source, dest):
                raise PermissionError(13, "The process cannot access the file because it is being used")

            handler.rotator = refuse
        log = logging.getLogger("tests.logfile")
        for n in range(100):
            log.warning("line %03d of a day's serving, long enough to fill the file soon", n)
    finally:
        held.close()
    text = path.read_text(encoding="utf-8")
    assert all(f"line {n:03d} of" in text for n in range(100))
    assert "Logging error" not in capsys.readouterr().err
