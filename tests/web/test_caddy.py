"""The "Share links that work anywhere" recipe (a): Caddy from Debian in front of the real claim
site, with HTTPS (`tls internal` here, automatic certificates in the store), importing the same
claim-site.caddy as packaging/deploy/Caddyfile. A member registers and claims over https through
it, and the site sees the member's own address, not the proxy's."""

from __future__ import annotations

import pytest

from .helpers import MEMBER_ADDRESS, claim_path, member_browser, visible


@pytest.fixture
def behind_caddy(caddy_site):
    return caddy_site.base


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
