"""Starting and stopping the embedded server, and `serve` in the foreground until Ctrl+C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from app.core.errors import ServerProblem
from app.web.server import start_server
from tests.helpers import ROOT


def test_port_zero_picks_a_port_and_stop_is_clean_and_repeatable(db_path):
    running = start_server("127.0.0.1", 0)
    assert running.port > 0 and running.url == f"http://127.0.0.1:{running.port}"
    with urllib.request.urlopen(running.url + "/", timeout=10) as response:
        assert response.status == 200 and b"Corner Shop" in response.read()
    running.stop()
    running.stop()
    assert not running.running
    with pytest.raises(OSError):
        urllib.request.urlopen(running.url + "/", timeout=5)
    # The port is free again at once.
    again = start_server("127.0.0.1", running.port)
    again.stop()


def test_a_busy_port_is_a_sentence_naming_it(db_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ServerProblem, match=f"^Port {port} is already in use"):
            start_server("127.0.0.1", port)


def test_an_address_that_is_not_this_pcs_is_a_sentence(db_path):
    with pytest.raises(ServerProblem, match="not one of this PC's addresses"):
        start_server("192.0.2.1", 0)  # TEST-NET-1: never assigned to a machine here; nothing is sent
    with pytest.raises(ServerProblem, match="from 1 to 65535"):
        start_server("127.0.0.1", 70000)


def test_the_wildcard_address_listens_on_loopback_too(db_path):
    running = start_server("0.0.0.0", 0)
    try:
        assert running.host == "0.0.0.0" and running.url == f"http://127.0.0.1:{running.port}"
        with urllib.request.urlopen(running.url + "/en-us/", timeout=10) as response:
            assert response.status == 200
    finally:
        running.stop()


SERVE = """
import sys
from app.core import store
from app.web.supervisor import serve
store.open_database(sys.argv[1])
serve("127.0.0.1", 0)
"""


@pytest.mark.posix_only(
    "sends SIGINT or SIGTERM to another process: a Windows program gets Ctrl+C only from its own console"
)
@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_serve_prints_where_it_listens_and_stops_on_ctrl_c(db_path, stop_signal):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE, str(db_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        first = process.stdout.readline()
        assert first.startswith("Claim site listening on 127.0.0.1:"), first + process.stderr.read()
        port = int(first.split("127.0.0.1:", 1)[1].split()[0])
        assert (
            process.stdout.readline().strip() == "Public base URL (in claim links and QR codes): http://shop.test:8080"
        )
        note = process.stdout.readline().strip()  # the manager is told what the link cannot do
        assert (
            note.startswith("Note: The claim link http://shop.test:8080 is plain http")
            and "Share links that work anywhere" in note
        )
        assert process.stdout.readline().strip() == "Press Ctrl+C to stop."
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            assert b"Corner Shop" in response.read()
        process.send_signal(stop_signal)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert out.strip() == "Claim site stopped."
    assert "Traceback" not in err


def test_starting_before_the_database_is_open_is_a_sentence(monkeypatch):
    from app.core import store

    monkeypatch.setattr(store.database, "obj", None)
    with pytest.raises(ServerProblem, match="Open the database"):
        start_server("127.0.0.1", 0)


@pytest.mark.posix_only(
    "sends SIGINT or SIGTERM to another process: a Windows program gets Ctrl+C only from its own console"
)
def test_serve_on_every_address_also_names_the_address_phones_use(db_path):
    script = SERVE.replace('serve("127.0.0.1", 0)', 'serve("0.0.0.0", 0)')
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(db_path)], stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT
    )
    try:
        assert process.stdout.readline().startswith("Claim site listening on 0.0.0.0:")
        assert process.stdout.readline().startswith("Phones on this network reach it at http://")
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0 and out.strip().endswith("Claim site stopped.")


@pytest.mark.sqlite_only  # the day's copy of the SQLite file
def test_serve_makes_the_days_backup_as_it_starts(db_path, tmp_path):
    # no backup made yet today: a data folder of its own (XDG on Linux, platformdirs' override on Windows)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_DATA_HOME": str(tmp_path / "data")}
    env["WIN_PD_OVERRIDE_LOCAL_APPDATA"] = env["XDG_DATA_HOME"]
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE, str(db_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        line = process.stderr.readline()  # (a serve that printed nothing ends with the timeout below)
        assert line.startswith("Backed up the database to "), line
        made = line.removeprefix("Backed up the database to ").strip()
        assert made.startswith(env["XDG_DATA_HOME"]) and os.path.isfile(made)  # in the data folder's backups/
    finally:
        process.kill() if sys.platform == "win32" else process.send_signal(signal.SIGINT)  # (Ctrl+C: a console's)
        process.communicate(timeout=20)
