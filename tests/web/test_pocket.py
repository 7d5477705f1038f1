"""The voucher in the member's pocket, on a phone in headless Chromium.

Over https through the Caddy recipe: claim, open My Cards, lose the signal, reload and go back: the
valid voucher's code and QR code are still there and scan; back online after the till redeemed it,
it has left the valid list (and the phone's kept copy). On a 390×844 phone My Cards shows a valid
voucher's QR code first and never draws one of a used or expired voucher; at 320×568 the claim
button is on the first screen."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright import sync_api as playwright_api

from app.core import claims, members, vouchers
from app.core.store.models import Voucher, utcnow

from .chromium import ARGS, AXE, CHROMIUM, PHONE, SMALL_PHONE, axe_violations, qr_codes_on, snap
from .helpers import PASSWORD, claim_path

pytestmark = pytest.mark.browser
expect = playwright_api.expect
KEPT = """async () => {
    const cache = await caches.open("my-cards-v1");
    return (await cache.keys()).map(request => new URL(request.url).pathname);
}"""


@pytest.fixture
def driver():
    assert Path(CHROMIUM).exists(), "the browser tests need Debian's chromium (apt-get install chromium)"
    with playwright_api.sync_playwright() as running:
        yield running


def _phone_context(driver, viewport=PHONE, extra_args=()):
    chromium = driver.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, *extra_args], headless=True)
    context = chromium.new_context(viewport=viewport, device_scale_factor=2, is_mobile=True, has_touch=True)
    return chromium, context


def _watch(page) -> list[str]:
    """What must not happen on these pages, with or without signal: a Content-Security-Policy refusal,
    a script error, or a style sheet, picture or script that does not arrive."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "requestfailed",
        lambda request: (
            problems.append(f"{request.url} failed")
            if request.resource_type in ("stylesheet", "image", "script")
            else None
        ),
    )
    return problems


def _log_in(page, base: str, email: str, next_path: str) -> None:
    page.goto(f"{base}/en-us/login?next={next_path}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _valid_qr_codes(page) -> list[str]:
    """The QR codes the valid vouchers' list shows, read off the screen as a till's scanner would."""
    page.wait_for_function("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
    return qr_codes_on(page.locator("ul.cards").first.screenshot())


def test_my_cards_work_with_no_signal_over_https_and_a_redeemed_voucher_leaves(
    caddy_site, driver, make_batch, member_with_password
):
    base = caddy_site.base
    member = member_with_password("maya@example.com", name="Maya")
    batch = make_batch(name="Basement sale", title="20% off in the basement")
    chromium, context = _phone_context(
        driver, extra_args=[f"--ignore-certificate-errors-spki-list={caddy_site.spki_hash()}"]
    )
    context.add_init_script(path=str(AXE))  # the https pages (with their one script) pass axe too
    page = context.new_page()
    problems = _watch(page)

    _log_in(page, base, member.email, claim_path(batch))
    page.get_by_role("button", name="Claim voucher").click()
    expect(page.get_by_role("heading", name="Voucher claimed!")).to_be_visible()
    code = page.locator(".code").inner_text()
    qr_path = f"/en-us/my-cards/qr/{code}.png"
    # kept at once, from the claim's own page: the member may never open My Cards before the basement
    page.wait_for_function(f"""async () => (await ({KEPT})()).includes("{qr_path}")""", timeout=20_000)

    page.get_by_role("link", name="My Cards").first.click()
    expect(page.get_by_role("heading", name="My Cards")).to_be_visible()
    page.wait_for_function(
        f"""async () => {{
            const cache = await caches.open("my-cards-v1");
            const kept = (await cache.keys()).map(r => new URL(r.url).pathname);
            return kept.includes("/en-us/my-cards") && kept.includes("{qr_path}");
        }}""",
        timeout=20_000,
    )
    assert page.locator('link[rel="manifest"]').count() == 1
    assert axe_violations(page) == []

    context.set_offline(True)  # the shop's basement
    page.reload()
    expect(page.get_by_text(code, exact=True)).to_be_visible()
    assert _valid_qr_codes(page) == [code]
    assert axe_violations(page) == []
    snap(page, "my-cards-offline")
    page.goto(base + "/")  # a page it did not keep: said plainly, with the way back to the vouchers
    expect(page.get_by_role("heading", name="No connection")).to_be_visible()
    page.go_back()
    expect(page.get_by_role("heading", name="My Cards")).to_be_visible()
    expect(page.get_by_text(code, exact=True)).to_be_visible()
    assert _valid_qr_codes(page) == [code]

    claims.redeem(code)  # at the till, with the signal the till has
    context.set_offline(False)
    page.reload()
    expect(page.get_by_role("heading", name="My Cards")).to_be_visible()
    expect(page.get_by_role("heading", name="No vouchers to use")).to_be_visible()
    card = page.locator(f'article[aria-label^="Voucher {code},"]')
    assert card.count() == 1 and page.locator(f'details.done article[aria-label^="Voucher {code},"]').count() == 1
    assert page.locator("img.qr").count() == 0
    page.wait_for_function(f"""async () => !(await ({KEPT})()).includes("{qr_path}")""", timeout=20_000)
    assert page.evaluate(KEPT).count("/en-us/my-cards") == 1

    page.get_by_role("button", name="Log out").click()  # and nothing of the member stays on the phone
    page.wait_for_function(f"""async () => !(await ({KEPT})()).includes("/en-us/my-cards")""", timeout=20_000)
    assert problems == [], problems
    context.close()
    chromium.close()


def test_my_cards_shows_a_valid_qr_code_first_and_never_a_used_or_expired_ones(
    server, driver, make_batch, member_with_password
):
    member = member_with_password("leo@example.com")
    made = {name: make_batch(name=name, title=title) for name, title in (
        ("valid", "Weekend treat"), ("old", "Spring offer"), ("used", "Coffee on us"),
    )}  # fmt: skip
    codes = {name: claims.claim(batch.token, member.id).voucher.code for name, batch in made.items()}
    claims.redeem(codes["used"])  # the newest claim, and redeemed: it used to be shown first
    Voucher.update(expires_at=utcnow() - timedelta(days=1)).where(Voucher.batch == made["old"].id).execute()

    chromium, context = _phone_context(driver)
    page = context.new_page()
    _log_in(page, server.url, member.email, "/en-us/my-cards")
    expect(page.get_by_role("heading", name="My Cards")).to_be_visible()
    first_qr = page.locator("img.qr").first
    assert first_qr.get_attribute("alt") == f"QR code of voucher {codes['valid']}"
    box = first_qr.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"]  # on the first screen, without scrolling
    assert page.locator("img.qr").count() == 1
    page.locator("details.done summary").click()  # open Used and expired: still nothing to scan there
    expect(page.get_by_text(codes["used"], exact=True)).to_be_visible()
    assert qr_codes_on(page.screenshot(full_page=True)) == [codes["valid"]]
    snap(page, "my-cards-used")
    for name in ("used", "old"):
        answer = page.request.get(f"{server.url}/en-us/my-cards/qr/{codes[name]}.png")
        assert answer.status == 404, name
    assert page.request.get(f"{server.url}/en-us/my-cards/qr/{codes['valid']}.png").status == 200
    context.close()
    chromium.close()


def test_the_claim_button_is_on_the_first_screen_of_a_small_phone(server, driver, make_batch, member_with_password):
    member = member_with_password("kim@example.com")
    batch = make_batch(
        name="Small phone",
        title="A long promotion title that takes two or three lines on a small phone",
        description="Treat yourself: 10% off everything in the store this weekend, bakery included.",
    )
    chromium, context = _phone_context(driver, viewport=SMALL_PHONE)
    page = context.new_page()
    _log_in(page, server.url, member.email, claim_path(batch))
    button = page.get_by_role("button", name="Claim voucher")
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box["y"] + box["height"] <= SMALL_PHONE["height"], box
    page.goto(server.url + claim_path(batch) + "?")  # and logged out, the way in is there too
    context.clear_cookies()
    page.reload()
    login = page.get_by_role("link", name="Log in to claim")
    box = login.bounding_box()
    assert box["y"] + box["height"] <= SMALL_PHONE["height"], box
    context.close()
    chromium.close()
    assert members.find_member(member.email) is not None and vouchers.for_member(member.id) == []
