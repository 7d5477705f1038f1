"""A member on a 390x844 phone in headless Chromium: log in by the labelled fields, claim by the
button's name, see the code. Each page state is saved as claim-<state>.png (tests/web/chromium.py
says where)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright import sync_api as playwright_api

from app.core import batches

from .chromium import ARGS, CHROMIUM, PHONE, SHOTS, snap
from .helpers import PASSWORD, claim_path

pytestmark = pytest.mark.browser


@pytest.fixture
def phone():
    assert Path(CHROMIUM).exists(), "the browser tests need Debian's chromium (apt-get install chromium)"
    SHOTS.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = chromium.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
        page = context.new_page()
        problems = []
        # A page's own status (401 for a wrong password, 404 ...) is expected; a refused style sheet,
        # a missing image or a Content-Security-Policy violation is not.
        page.on(
            "console",
            lambda message: problems.append(message.text) if "Content Security Policy" in message.text else None,
        )
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on(
            "response",
            lambda response: (
                problems.append(f"{response.status} {response.url}")
                if response.request.resource_type != "document" and response.status >= 400
                else None
            ),
        )
        page.problems = problems
        yield page
        context.close()
        chromium.close()


def test_a_member_logs_in_claims_and_sees_the_code_on_a_phone(server, phone, make_batch, member_with_password):
    expect = playwright_api.expect
    member = member_with_password("maya@example.com", name="Maya")
    batch = make_batch(
        quantity=50,
        name="Summer 2025 - Store Signage",
        title="10% off your summer basket",
        description="Treat yourself this summer: 10% off your basket.",
    )
    page = phone

    page.goto(server.url + "/")
    expect(page.get_by_role("heading", name="Corner Shop")).to_be_visible()
    snap(page, "home")

    page.goto(server.url + claim_path(batch))
    expect(page.get_by_role("heading", name="10% off your summer basket")).to_be_visible()
    expect(page.get_by_text("10% off", exact=True)).to_have_count(0)  # the title says it: never twice
    snap(page, "logged-out")

    page.get_by_role("link", name="Log in to claim").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("The email or password is not right")
    snap(page, "login-failed")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    claim_button = page.get_by_role("button", name="Claim voucher")
    expect(claim_button).to_be_visible()
    assert page.url == server.url + claim_path(batch)
    snap(page, "ready")

    claim_button.click()
    expect(page.get_by_role("heading", name="Voucher claimed!")).to_be_visible()
    code = page.locator(".code").inner_text()
    assert re.fullmatch(r"[A-Z0-9-]{6,}", code), code
    qr = page.get_by_role("img", name=f"QR code of voucher {code}")
    expect(qr).to_be_visible()
    # the picture is a request of its own: wait for it to arrive (a busy machine), and for it to be one
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr.element_handle(), timeout=10_000)
    snap(page, "claimed")

    page.get_by_role("link", name="My Cards").first.click()
    expect(page.get_by_role("heading", name="My Cards")).to_be_visible()
    expect(page.get_by_text(code, exact=True)).to_be_visible()
    snap(page, "my-cards")

    batches.pause_batch(batch.id)
    other = make_batch(quantity=5, name="Spring Flash Sale", description="Flash sale for members")
    batches.pause_batch(other.id)
    page.goto(server.url + claim_path(other))
    expect(page.get_by_role("heading", name="Promotion Temporarily Paused")).to_be_visible()
    expect(page.get_by_role("button", name="Claim voucher")).to_have_count(0)
    expect(page.get_by_role("link", name="Back to Home")).to_be_visible()
    snap(page, "paused")

    page.goto(server.url + claim_path(batch))  # paused, but Maya's voucher is still hers
    expect(page.get_by_text(code, exact=True)).to_be_visible()
    snap(page, "paused-with-voucher")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in").first).to_be_visible()

    sold = make_batch(quantity=1, name="Golden Ticket", description="Only one!")
    from app.core import claims, members

    claims.claim(sold.token, members.find_member("maya@example.com").id)
    page.goto(server.url + claim_path(sold))
    expect(page.get_by_role("heading", name="No vouchers available")).to_be_visible()
    snap(page, "sold-out")

    page.goto(server.url + "/en-us/claim/this-link-is-wrong")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.get_by_role("link", name="Back to Home")).to_be_visible()
    snap(page, "not-found")

    page.goto(server.url + "/en-us/register")
    page.get_by_label("Email").fill("new@example")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Use at least 8 characters.")).to_be_visible()
    snap(page, "register-errors")

    assert page.problems == [], page.problems  # no CSP violation, no missing file, no script error


def test_the_claimed_voucher_on_a_desktop_browser(server, make_batch, member_with_password):
    member = member_with_password("dev@example.com")
    batch = make_batch(quantity=5, name="Website Welcome Offer", description="For new members who found us online.")
    with playwright_api.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = chromium.new_page(viewport={"width": 1280, "height": 900})
        page.goto(server.url + claim_path(batch))
        page.get_by_role("link", name="Log in to claim").click()
        page.get_by_label("Email").fill(member.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("button", name="Claim voucher").click()
        playwright_api.expect(page.get_by_role("heading", name="Voucher claimed!")).to_be_visible()
        snap(page, "desktop")
        chromium.close()


def test_the_claimed_voucher_in_a_phones_dark_mode(server, make_batch, member_with_password):
    member = member_with_password("night@example.com")
    batch = make_batch(quantity=5, name="Late Night Snacks", description="After 9 pm only.")
    with playwright_api.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = chromium.new_page(viewport=PHONE, device_scale_factor=2, color_scheme="dark")
        page.goto(server.url + "/en-us/login?next=" + claim_path(batch))
        page.get_by_label("Email").fill(member.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("button", name="Claim voucher").click()
        playwright_api.expect(page.get_by_role("heading", name="Voucher claimed!")).to_be_visible()
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background != "rgb(244, 241, 236)", "the dark colours did not apply"
        snap(page, "claimed-dark")
        chromium.close()


def test_a_scheduled_and_an_ended_campaign_on_a_phone(server, phone, make_batch, member_with_password):
    """Before its start the page says when claims open, with no claim button; after its end, that it
    has ended; a member's voucher claimed before the end stays on show, valid."""
    from datetime import timedelta, timezone
    from zoneinfo import ZoneInfo

    from app.core import claims, members, schedule, settings
    from app.core.store import models

    expect = playwright_api.expect
    member_with_password("maya@example.com", name="Maya")
    settings.save(settings.Settings(store_name="Corner Shop", time_zone="Europe/Paris"))
    opening = schedule.parse_moment("2031-06-01 09:00")
    later = make_batch(
        quantity=50,
        name="Summer 2031 - Posters",
        title="Free tote bag with any basket",
        description="Posters are up: claims open on Monday.",
        starts_at=opening,
    )
    page = phone
    page.goto(server.url + claim_path(later))
    expect(page.get_by_role("heading", name="Claims Open Soon")).to_be_visible()
    expect(page.get_by_text("Claims open on 1 Jun 2031, 09:00. Come back then to claim your voucher.")).to_be_visible()
    expect(page.get_by_role("heading", name="Free tote bag with any basket")).to_be_visible()
    expect(page.get_by_role("button", name="Claim voucher")).to_have_count(0)
    snap(page, "scheduled")

    ending = make_batch(quantity=50, name="Spring 2026 - Email", description="Spring treat for our list.")
    maya = members.find_member("maya@example.com")
    code = claims.claim(ending.token, maya.id).voucher.code
    ended_at = (models.utcnow() - timedelta(hours=2)).replace(second=0)
    models.set_clock(ended_at)  # End campaign, two hours ago
    try:
        schedule.end_campaign(ending.id)
    finally:
        models.set_clock(None)
    in_paris = ended_at.replace(tzinfo=timezone.utc).astimezone(ZoneInfo("Europe/Paris"))
    page.goto(server.url + claim_path(ending))
    expect(page.get_by_role("heading", name="This Promotion Has Ended")).to_be_visible()
    expect(page.get_by_text(f"It ended on {in_paris.day} {in_paris:%b %Y, %H:%M}.", exact=False)).to_be_visible()
    expect(page.get_by_role("button", name="Claim voucher")).to_have_count(0)
    snap(page, "ended")

    page.goto(server.url + "/en-us/login?next=" + claim_path(ending))
    page.get_by_label("Email").fill("maya@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text(code, exact=True)).to_be_visible()
    expect(page.get_by_text("The promotion has ended, but your voucher stays valid until it expires.")).to_be_visible()
    assert claims.redeem(code).outcome is claims.RedeemOutcome.REDEEMED  # and the till takes it
    assert page.problems == [], page.problems
