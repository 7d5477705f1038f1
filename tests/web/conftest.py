"""Fixtures for the claim site: the Flask test client, the real server on an ephemeral port (in this
process or one of its own), and browsers against it (tests/web/helpers.py holds the browser itself)."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import request
from werkzeug.security import generate_password_hash

from app.core import members, settings
from app.web import create_app
from app.web.security import LoginThrottle
from app.web.server import RunningServer, start_server
from tests.helpers.ports import free_ports

from .helpers import PASSWORD, QUICK_HASH, Browser, FakeClock, member_browser


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


@pytest.fixture(autouse=True, scope="session")
def _one_qt_application(qapp):
    """Voucher pictures are drawn with Qt on the render thread (app/render/pictures), which makes an
    application when the process has none. In the test process the one application must be
    pytest-qt's, made first on the main thread, for the window's tests that run after these."""
    return qapp


DEPLOY = Path(__file__).resolve().parents[2] / "packaging" / "deploy"


@dataclass
class CaddySite:
    """The claim site behind Caddy with HTTPS (`tls internal`), as the share-links guide's recipe (a)
    runs it: base is the public https address."""

    base: str
    data: Path  # Caddy's storage: its local CA's certificates
    site: RunningServer

    def spki_hash(self) -> str:
        """The SHA-256 of the public key of Caddy's intermediate CA, base64: what Chromium's
        --ignore-certificate-errors-spki-list takes to trust this test's certificates as real
        ones (service workers are refused on a page with a certificate error)."""
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization

        pem = (self.data / "pki" / "authorities" / "local" / "intermediate.crt").read_bytes()
        key = x509.load_pem_x509_certificate(pem).public_key()
        spki = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        return base64.b64encode(hashlib.sha256(spki).digest()).decode()


@pytest.fixture
def caddy_site(db_path, tmp_path):
    caddy = shutil.which("caddy")
    assert caddy, "Caddy is not installed: apt-get install caddy (the README's prerequisites)"
    app = create_app({"SETTINGS_MAX_AGE": 0})
    # test-only: what the site believes about the request (added here, not in the product)
    app.add_url_rule("/test/peer", "test_peer", lambda: f"{request.remote_addr} {request.scheme} {request.host}")
    site = start_server("127.0.0.1", 0, app=app)
    https_port, http_port = free_ports(2)  # different: Caddy listens on both (two picks may be one port)
    base = f"https://127.0.0.1:{https_port}"
    config = settings.load()
    config.public_base_url, config.trusted_proxy = base, "127.0.0.1"
    settings.save(config)
    data = tmp_path / "caddy-data"
    caddyfile = tmp_path / "Caddyfile"
    caddyfile.write_text(
        "{\n\tadmin off\n\tskip_install_trust\n"
        f"\thttp_port {http_port}\n\thttps_port {https_port}\n\tstorage file_system {data}\n}}\n\n"
        f"{base} {{\n\ttls internal\n\timport {DEPLOY / 'claim-site.caddy'}\n}}\n"
    )
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path),
        "VOUCHER_UPSTREAM": f"127.0.0.1:{site.port}",
    }
    log = tmp_path / "caddy.log"
    with open(log, "w") as log_file:
        process = subprocess.Popen(
            [caddy, "run", "--config", str(caddyfile), "--adapter", "caddyfile"],
            env=env,
            stdout=log_file,
            stderr=log_file,
        )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                page = member_browser(base).get("/healthz")
                if page.status == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("Caddy did not come up: " + log.read_text()[-2000:])
            time.sleep(0.1)
        yield CaddySite(base, data, site)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        site.stop()
