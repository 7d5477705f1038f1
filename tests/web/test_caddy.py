"""The "Share links that work anywhere" recipe (a): Caddy from Debian in front of the real claim
site, with HTTPS (`tls internal` here, automatic certificates in the store), importing the same
claim-site.caddy as packaging/deploy/Caddyfile. A member registers and claims over https through
it, and the site sees the member's own address, not the proxy's."""

from __future__ import annotations

import functools
import http.client
import os
import shutil
import ssl
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from flask import request

from app.core import settings
from app.web import create_app
from app.web.server import start_server
from tests.helpers.ports import free_port

from .helpers import Browser, claim_path, visible

DEPLOY = Path(__file__).resolve().parents[2] / "packaging" / "deploy"
MEMBER_ADDRESS = "127.0.0.7"  # the phone, as its connection reaches Caddy


class _FromAddress(urllib.request.HTTPSHandler):
    """HTTPS that trusts Caddy's internal CA blindly (the test checks the headers instead) and
    connects from the member's own address."""

    def __init__(self, source: str):
        self._ctx = ssl.create_default_context()
        self._ctx.check_hostname = False
        self._ctx.verify_mode = ssl.CERT_NONE
        super().__init__(context=self._ctx)
        self._source = source

    def https_open(self, req):
        return self.do_open(
            functools.partial(http.client.HTTPSConnection, source_address=(self._source, 0)), req, context=self._ctx
        )


def member_browser(base_url: str) -> Browser:
    browser = Browser(base_url)
    browser.opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(browser.cookies), _FromAddress(MEMBER_ADDRESS)
    )
    return browser


@pytest.fixture
def behind_caddy(db_path, tmp_path):
    caddy = shutil.which("caddy")
    assert caddy, "Caddy is not installed: apt-get install caddy (the README's prerequisites)"
    app = create_app({"SETTINGS_MAX_AGE": 0})
    # test-only: what the site believes about the request (added here, not in the product)
    app.add_url_rule("/test/peer", "test_peer", lambda: f"{request.remote_addr} {request.scheme} {request.host}")
    site = start_server("127.0.0.1", 0, app=app)
    https_port, http_port = free_port(), free_port()
    base = f"https://127.0.0.1:{https_port}"
    config = settings.load()
    config.public_base_url, config.trusted_proxy = base, "127.0.0.1"
    settings.save(config)
    caddyfile = tmp_path / "Caddyfile"
    caddyfile.write_text(
        "{\n\tadmin off\n\tskip_install_trust\n"
        f"\thttp_port {http_port}\n\thttps_port {https_port}\n\tstorage file_system {tmp_path / 'caddy-data'}\n}}\n\n"
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
        yield base
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        site.stop()


def test_a_member_registers_and_claims_over_https_through_caddy(behind_caddy, make_batch):
    batch = make_batch(quantity=5)
    assert batch.claim_url.startswith(behind_caddy + "/en-us/claim/")
    member = member_browser(behind_caddy)
    page = member.get(claim_path(batch))
    assert page.status == 200 and "Log in to claim" in visible(page.text)
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    assert page.headers["Content-Security-Policy"] and page.headers["X-Frame-Options"] == "DENY"
    member.get(f"/en-us/register?next={claim_path(batch)}")
    page = member.post(
        "/en-us/register", {"email": "ann@example.com", "password": "sunflower-7", "next": claim_path(batch)}
    )
    assert page.status == 200 and page.path == claim_path(batch)
    session = next(c for c in member.cookies if c.name == "voucher_session")
    assert session.secure  # over https the session cookie never travels in clear
    page = member.post(claim_path(batch))
    assert page.status == 200 and "Voucher claimed!" in visible(page.text)


def test_the_site_sees_the_members_address_and_https_not_the_proxys(behind_caddy):
    page = member_browser(behind_caddy).get("/test/peer")
    peer, scheme, host = page.text.split()
    assert (peer, scheme) == (MEMBER_ADDRESS, "https")
    assert host == behind_caddy.removeprefix("https://")


def test_a_forged_forwarded_header_from_a_member_is_not_believed(behind_caddy):
    page = member_browser(behind_caddy).get("/test/peer", headers={"X-Forwarded-For": "6.6.6.6"})
    assert page.text.split()[0] == MEMBER_ADDRESS
