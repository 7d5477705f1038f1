"""axe-core, the accessibility checker (the npm package, injected into headless Chromium), on every page
a member sees and in every state, in the phone's light and dark colours: no violation of WCAG 2.2 A/AA
or of axe's best practices (contrast at least 4.5:1 included), and nothing to press less than 44 px
tall."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright import sync_api as playwright_api

from app.core import batches, claims, members, templates
from app.core.errors import DatabaseProblem
from app.core.store.models import Voucher, utcnow
from app.web import create_app
from app.web.server import start_server

from .chromium import ARGS, AXE, CHROMIUM, PHONE, axe_source, axe_violations, small_targets
from .helpers import PASSWORD, claim_path

pytestmark = pytest.mark.browser
expect = playwright_api.expect


@pytest.fixture
def site(db_path):
    """The claim site, with a page that fails as a busy database does (the 503 page)."""
    app = create_app({"SETTINGS_MAX_AGE": 0})

    def busy():
        raise DatabaseProblem("The database is busy.")

    app.add_url_rule("/en-us/test/busy", "test_busy", busy)  # test-only, not in the product
    running = start_server("127.0.0.1", 0, app=app)
    yield running.url
    running.stop()


class Checked:
    """axe on each page as the member reaches it; what it finds, by page, for one assertion at the end."""

    def __init__(self, page) -> None:
        self.page = page
        self.found: dict[str, list[str]] = {}
        self.seen: list[str] = []

    def __call__(self, state: str) -> None:
        self.page.wait_for_load_state("load")
        self.seen.append(state)
        violations = axe_violations(self.page) + [f"too small to press: {t}" for t in small_targets(self.page)]
        if violations:
            self.found[state] = violations


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_member_page_in_every_state_passes_axe(site, scheme, make_batch, template, member_with_password):
    assert Path(CHROMIUM).exists(), "the browser tests need Debian's chromium (apt-get install chromium)"
    axe_source()  # installed (npm ci --prefix tests/web), or said so
    member = member_with_password("ann@example.com", name="Ann")
    ready = make_batch(name="Ready", title="10% off your summer basket", description="Treat yourself.")
    paused = make_batch(name="Paused", title="Spring sale")
    batches.pause_batch(paused.id)
    sold = make_batch(name="Sold", quantity=1, title="Golden ticket")
    claims.claim(sold.token, member_with_password("bob@example.com").id)
    gone = templates.create_template("Gone", "5", expires_on=date.today() - timedelta(days=1))
    ended = batches.create_batch("Ended", gone, 3, "Email", "Over", title="Last summer")
    soon = templates.create_template(
        "Soon", "5", expires_on=date.today() + timedelta(days=2), terms="While stocks last"
    )
    for name, offer in (("Used", template), ("Old", template), ("Soon", soon)):
        batch = batches.create_batch(name, offer, 3, "Email", "", title=f"{name} treat")
        code = claims.claim(batch.token, member.id).voucher.code
        if name == "Used":
            claims.redeem(code)
        elif name == "Old":
            Voucher.update(expires_at=utcnow() - timedelta(days=1)).where(Voucher.batch == batch.id).execute()
    reset_code, _ = members.issue_reset_code("bob@example.com")

    with playwright_api.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = chromium.new_context(
            viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, color_scheme=scheme
        )
        context.add_init_script(path=str(AXE))  # by the browser, not the page: its CSP stays as it is
        page = context.new_page()
        check = Checked(page)

        # a visitor
        for state, path in (
            ("home", "/"),
            ("claim, logged out", claim_path(ready)),
            ("claim, paused", claim_path(paused)),
            ("claim, sold out", claim_path(sold)),
            ("claim, ended", claim_path(ended)),
            ("not found", "/en-us/claim/no-such-link"),
            ("busy", "/en-us/test/busy"),
            ("log in", "/en-us/login"),
            ("register", "/en-us/register"),
            ("forgot password", "/en-us/forgot-password"),
            ("reset", f"/en-us/reset/{reset_code}"),
            ("reset, refused", "/en-us/reset/not-a-code"),
            ("offline", "/en-us/offline"),
        ):
            page.goto(site + path)
            check(state)
            if state == "busy":  # its two ways on stand apart
                again, home = (
                    page.get_by_role("link", name=name).bounding_box() for name in ("Try again", "Back to Home")
                )
                assert home["y"] - (again["y"] + again["height"]) >= 8
        page.goto(site + f"/en-us/reset/{reset_code}")
        page.get_by_label("New password").fill("short")
        page.get_by_role("button", name="Save the new password").click()
        check("reset, refused password")
        page.goto(site + "/en-us/register")
        page.get_by_label("Email").fill("bob@example.com")
        page.get_by_label("Password").fill("password")
        page.get_by_role("button", name="Create account").click()
        check("register, errors")
        page.get_by_label("Password").fill("a long enough phrase")
        page.get_by_role("button", name="Create account").click()
        check("register, email taken")
        page.goto(site + "/en-us/login")
        context.clear_cookies()
        page.get_by_label("Email").fill(member.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        check("form expired")
        page.goto(site + "/en-us/login")
        page.get_by_label("Email").fill(member.email)
        page.get_by_label("Password").fill("wrong password")
        page.get_by_role("button", name="Log in").click()
        check("log in, failed")

        # the member
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="My Cards")).to_be_visible()
        check("my cards: to use, soon, used and expired")
        page.locator("details.done summary").click()
        check("my cards: used and expired open")
        for state, path in (("home, logged in", "/"), ("claim, paused, logged in", claim_path(paused))):
            page.goto(site + path)
            check(state)
        page.goto(site + claim_path(ready))
        check("claim, ready")
        page.get_by_role("button", name="Claim voucher").click()
        expect(page.get_by_role("heading", name="Voucher claimed!")).to_be_visible()
        check("claimed")
        page.goto(site + claim_path(ready))
        check("claimed already")
        batches.pause_batch(ready.id)
        page.reload()
        check("claimed, paused")
        page.goto(site + "/en-us/password")
        check("change password")
        page.get_by_label("Current password").fill("not it")
        page.get_by_label("New password").fill("another long phrase")
        page.get_by_role("button", name="Change password").click()
        check("change password, wrong")
        page.get_by_label("Current password").fill(PASSWORD)
        page.get_by_label("New password").fill("another long phrase")
        page.get_by_role("button", name="Change password").click()
        expect(page.get_by_text("Your password has been changed.")).to_be_visible()
        check("my cards, password changed")
        for voucher in (v for v in members.export_member(member.id)["vouchers"] if v["state"] == "claimed"):
            claims.redeem(voucher["code"])
        page.goto(site + "/en-us/my-cards")
        check("my cards: nothing to use")
        page.goto(site + "/en-us/account/delete")
        check("delete account")
        keep, delete = (
            page.get_by_role(role, name=name).bounding_box()
            for role, name in (("link", "Keep my account"), ("button", "Delete my account"))
        )
        assert (keep["width"], keep["height"]) == (delete["width"], delete["height"])  # the safe choice as large
        assert keep["y"] < delete["y"]  # and first
        page.get_by_role("button", name="Delete my account").click()
        check("account deleted")
        page.goto(site + "/en-us/my-cards")
        context.close()
        chromium.close()
    assert check.found == {}, "\n".join(f"{state}: {line}" for state, lines in check.found.items() for line in lines)
    assert len(check.seen) == 32


def test_a_new_member_with_no_vouchers_passes_axe(site, member_with_password):
    """The empty My Cards, in both colour schemes at once (one browser, two contexts)."""
    member = member_with_password("new@example.com")
    with playwright_api.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        for scheme in ("light", "dark"):
            context = chromium.new_context(viewport=PHONE, color_scheme=scheme)
            context.add_init_script(path=str(AXE))
            page = context.new_page()
            page.goto(site + "/en-us/login?next=/en-us/my-cards")
            page.get_by_label("Email").fill(member.email)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            expect(page.get_by_role("heading", name="No vouchers yet")).to_be_visible()
            assert axe_violations(page) == [], scheme
            context.close()
        chromium.close()
