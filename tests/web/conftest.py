"""Fixtures for the claim site: the Flask test client, the real server on an ephemeral port (in this
process or one of its own), and browsers against it (tests/web/helpers.py holds the browser itself)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from werkzeug.security import generate_password_hash

from app.core import members
from app.web import create_app
from app.web.security import LoginThrottle
from app.web.server import start_server

from .helpers import PASSWORD, QUICK_HASH, Browser, FakeClock


@pytest.fixture
def member_with_password(db_path):
    """A member who can log in with PASSWORD (or the password given)."""
    counter = iter(range(1, 10**9))

    def make(email=None, password=PASSWORD, name=""):
        return members.create_member(
            email or f"shopper{next(counter)}@example.com", generate_password_hash(password, QUICK_HASH), name
        )

    return make


@pytest.fixture
def app(db_path):
    return create_app({"SETTINGS_MAX_AGE": 0})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def server(db_path, clock):
    config = {"SETTINGS_MAX_AGE": 0, "LOGIN_THROTTLE": LoginThrottle(clock=clock)}
    running = start_server("127.0.0.1", 0, app=create_app(config))
    yield running
    running.stop()


SERVER_PROCESS = """
import sys
from app.core import store
from app.web.server import start_server
store.open_database(sys.argv[1])
running = start_server("127.0.0.1", 0)
print(running.port, flush=True)
sys.stdin.read()  # serve until the test closes our stdin
running.stop()
"""


@pytest.fixture
def server_process(db_path):
    """The claim site in a process of its own on the same database file, as `voucher-batches serve`
    runs it: a load test's clients then do not share the server's interpreter lock."""
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(
        [sys.executable, "-c", SERVER_PROCESS, str(db_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    try:
        port = int(process.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()


@pytest.fixture
def browser(server):
    """A new browser against the real server (call it again for another member)."""
    return lambda: Browser(server.url)
