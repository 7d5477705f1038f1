"""Fixtures for the claim site: the Flask test client, the real server on an ephemeral port, and a
small cookie-keeping HTTP client that reads pages the way a member's browser would."""

from __future__ import annotations

import http.cookiejar
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.security import generate_password_hash

from app.core import members
from app.web import create_app
from app.web.security import LoginThrottle
from app.web.server import start_server

PASSWORD = "correct horse battery"
# Members made by fixtures get a quick hash so that hundreds of logins stay fast; the site's own
# registrations use its slow default (scrypt), and check_password_hash reads the method from the hash.
QUICK_HASH = "pbkdf2:sha256:1000"

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    found = CSRF_RE.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


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


class FakeClock:
    """Time for the login throttle that moves only when a test says so."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


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


@dataclass
class Page:
    status: int
    url: str  # where the browser ended up after redirects
    text: str
    headers: object
    body: bytes

    @property
    def path(self) -> str:
        parts = urllib.parse.urlsplit(self.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    @property
    def csrf(self) -> str:
        return csrf_from(self.text)


class Browser:
    """One member's browser: keeps cookies, follows redirects, and sends forms with the page's CSRF token."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self.last: Page | None = None

    def _open(self, request: urllib.request.Request) -> Page:
        try:
            with self.opener.open(request, timeout=30) as response:
                body = response.read()
                page = Page(response.status, response.geturl(), body.decode("utf-8", "replace"), response.headers, body)
        except urllib.error.HTTPError as error:
            body = error.read()
            page = Page(error.code, error.geturl(), body.decode("utf-8", "replace"), error.headers, body)
            error.close()
        self.last = page
        return page

    def get(self, path: str, headers: dict | None = None) -> Page:
        return self._open(urllib.request.Request(self.base_url + path, headers=headers or {}))

    def post(self, path: str, fields: dict | None = None, csrf: bool = True, headers: dict | None = None) -> Page:
        """Submit a form; with csrf=True the token comes from the last page this browser read."""
        fields = dict(fields or {})
        if csrf and "csrf_token" not in fields:
            fields["csrf_token"] = self.last.csrf
        data = urllib.parse.urlencode(fields).encode()
        return self._open(urllib.request.Request(self.base_url + path, data=data, method="POST", headers=headers or {}))

    def log_in(self, email: str, password: str = PASSWORD, next_path: str = "") -> Page:
        self.get("/en-us/login" + (f"?next={urllib.parse.quote(next_path)}" if next_path else ""))
        fields = {"email": email, "password": password}
        if next_path:
            fields["next"] = next_path
        return self.post("/en-us/login", fields)

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.cookies if c.name == name), None)


@pytest.fixture
def browser(server):
    """A new browser against the real server (call it again for another member)."""
    return lambda: Browser(server.url)


def visible(html: str) -> str:
    """The text a person reads on the page: tags dropped, entities decoded, spaces collapsed."""
    import html as html_module

    body = re.sub(r"(?s)<head>.*?</head>", " ", html)
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def claim_path(batch) -> str:
    return f"/en-us/claim/{batch.token}"
