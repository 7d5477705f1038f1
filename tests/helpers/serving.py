"""`voucher-batches serve` in a process of its own, as a store runs it, for the tests that restart
its database or run several worker processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from . import ROOT


def start_serve(database: str, port: int, *extra: str) -> subprocess.Popen:
    """Started and listening (it has said "Press Ctrl+C to stop.")."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app.cli",
            "serve",
            "--db",
            database,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",  # what the command line writes, whatever the console (app/cli/main.py)
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    for line in process.stdout:
        if "Press Ctrl+C to stop." in line:
            return process
    raise AssertionError(f"the claim site did not start: {process.stderr.read()}")


# What stop_serve's stop leaves as the exit code of a serve that stopped cleanly: 0 after SIGTERM. Windows
# has no SIGTERM: terminate() is TerminateProcess, whose exit code is 1 (a clean stop there is Ctrl+C in
# serve's own console, which the tests cannot send)
STOPPED = 1 if sys.platform == "win32" else 0


def stop_serve(process: subprocess.Popen) -> tuple[int, str, str]:
    """SIGTERM, as a service manager stops it: (exit code, rest of stdout, stderr)."""
    process.terminate()
    try:
        out, err = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
    return process.returncode, out, err


def children(pid: int) -> list[int]:
    """The processes `pid` started that still run (Linux)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def until(check, seconds: float):
    """check() until it answers something true, for at most `seconds`; its last answer."""
    deadline = time.monotonic() + seconds
    while True:
        answer = check()
        if answer or time.monotonic() > deadline:
            return answer
        time.sleep(0.2)
