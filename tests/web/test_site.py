"""The claim site through Flask's test client: pages, accounts, My Cards, and the error pages."""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, timedelta, timezone

import pytest

from app.core import batches, claims, members, schedule, settings, templates, times
from app.core.errors import DatabaseProblem
from app.core.store.models import Voucher, utcnow
from app.web import create_app
from app.web.security import LoginThrottle, Policy

from .helpers import PASSWORD, FakeClock, claim, claim_path, csrf_from, log_in, visible


def test_home_shows_the_store_and_the_way_in(client, member_with_password):
    text = visible(client.get("/").text)
    assert "Corner Shop" in text and "My Cards" in text and "Log in" in text and "Create account" in text
    assert client.get("/en-us/").status_code == 200
    log_in(client, member_with_password(name="Ann").email)
    page = client.get("/en-us/")
    assert "Welcome back, Ann" in visible(page.text) and "Log out" in visible(page.text)
    assert ">Log in</a>" not in page.text


def test_a_new_store_name_shows_on_the_next_page(client):
    settings.save(settings.Settings(store_name="Harbour Deli", public_base_url="http://shop.test:8080"))
    page = client.get("/")
    assert "Harbour Deli" in visible(page.text) and "Corner Shop" not in page.text


def test_a_logged_in_member_opening_log_in_or_create_account_goes_on(client, make_batch, member_with_password):
    batch = make_batch()
    log_in(client, member_with_password().email)
    for form in ("login", "register"):
        page = client.get(f"/en-us/{form}?next={claim_path(batch)}")
        assert page.status_code == 303 and page.location == claim_path(batch)


def test_my_cards_and_claiming_need_a_login_and_come_back(client, make_batch):
    page = client.get("/en-us/my-cards")
    assert page.status_code == 303 and page.location == "/en-us/login?next=/en-us/my-cards"
    batch = make_batch()
    token = csrf_from(client.get("/en-us/login").text)  # a logged-out visitor's claim page has no form
    page = client.post(claim_path(batch), data={"csrf_token": token})
    assert page.status_code == 303 and page.location == f"/en-us/login?next=/en-us/claim/{batch.token}"
    assert batches.get_batch(batch.id).claimed == 0


def test_my_cards_shows_valid_redeemed_and_expired_vouchers(client, make_batch, member_with_password):
    member = member_with_password()
    log_in(client, member.email)
    assert "No vouchers yet" in visible(client.get("/en-us/my-cards").text)

    fresh = make_batch(name="Fresh batch", title="Fresh one")
    used = make_batch(name="Used batch", title="Used one")
    ending = templates.create_template("Ended offer", "5", expires_on=date.today() + timedelta(days=2), terms="Gone")
    old = batches.create_batch("Old batch", ending, 3, "Email", "Last week", title="Old one")
    codes = {b.title: _code(claim(client, b).text) for b in (fresh, used, old)}
    claims.redeem(codes["Used one"])
    # the old offer's last day passes after the claim
    Voucher.update(expires_at=utcnow() - timedelta(days=1)).where(Voucher.batch == old.id).execute()

    page = client.get("/en-us/my-cards")
    cards = {name: visible(chunk) for name, chunk in _cards(page.text).items()}
    assert set(cards) == {"Fresh one", "Used one", "Old one"}
    assert (
        "Valid" in cards["Fresh one"]
        and codes["Fresh one"] in cards["Fresh one"]
        and "Valid until" in cards["Fresh one"]
    )
    assert "Redeemed" in cards["Used one"] and "Used" in cards["Used one"]
    assert "Expired" in cards["Old one"] and "$5.00 off" in cards["Old one"] and codes["Old one"] in cards["Old one"]
    assert "1 voucher to use" in visible(page.text) and "Used and expired (2)" in visible(page.text)


def _code(html: str) -> str:
    return html.split('<p class="code">', 1)[1].split("<", 1)[0]


def _cards(html: str) -> dict[str, str]:
    chunks = html.split('<article class="ticket')[1:]
    return {chunk.split('class="ticket-batch">', 1)[1].split("<", 1)[0]: chunk for chunk in chunks}


def test_a_paused_batch_still_shows_a_members_voucher(client, make_batch, member_with_password):
    batch = make_batch()
    log_in(client, member_with_password().email)
    code = _code(claim(client, batch).text)
    batches.pause_batch(batch.id)
    text = visible(client.get(claim_path(batch)).text)
    assert code in text and "paused, but your voucher stays valid" in text
    assert "Claim voucher" not in text


def test_a_voucher_qr_code_is_only_for_its_owner(app, make_batch, member_with_password):
    batch = make_batch()
    owner, other, stranger = app.test_client(), app.test_client(), app.test_client()
    log_in(owner, member_with_password().email)
    log_in(other, member_with_password().email)
    code = _code(claim(owner, batch).text)
    url = f"/en-us/my-cards/qr/{code}.png"
    mine = owner.get(url)
    assert mine.status_code == 200 and mine.mimetype == "image/png" and mine.data.startswith(b"\x89PNG")
    assert "private" in mine.headers["Cache-Control"]
    assert other.get(url).status_code == 404
    assert stranger.get(url).status_code == 404
    assert owner.get("/en-us/my-cards/qr/NOSUCHCODE.png").status_code == 404


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"email": "not-an-email", "password": "long enough"}, "Enter a valid email address"),
        ({"email": "ann@example.com", "password": "short"}, "Use at least 8 characters."),
        (
            {"email": "ann@example.com", "password": "long enough", "name": "x" * 121},
            "A name is at most 120 characters.",
        ),
        ({"email": "taken@example.com", "password": "long enough"}, "An account with this email already exists"),
        (
            {"email": "ann@example.com", "password": "Password123"},
            "This password is one of the first that anyone would guess",
        ),
    ],
)
def test_create_account_explains_what_to_fix(client, member_with_password, fields, message):
    member_with_password("taken@example.com")
    token = csrf_from(client.get("/en-us/register").text)
    page = client.post("/en-us/register", data={**fields, "csrf_token": token})
    assert page.status_code == 400
    text = visible(page.text)
    assert message in text and "Log out" not in text
    assert 'aria-invalid="true"' in page.text
    assert fields["password"] not in page.text  # a password is never sent back


def test_account_creation_per_address_is_limited(db_path):
    app = create_app(
        {"SETTINGS_MAX_AGE": 0, "REGISTRATIONS_PER_ADDRESS": (1, 3600), "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
    )
    for n, expected in ((1, 303), (2, 429)):
        client = app.test_client()  # another visitor from the same address
        token = csrf_from(client.get("/en-us/register").text)
        page = client.post(
            "/en-us/register", data={"email": f"a{n}@example.com", "password": "long enough", "csrf_token": token}
        )
        assert page.status_code == expected
    assert "Too many accounts" in visible(page.text)


def test_the_session_cookie_is_httponly_lax_and_secure_behind_https(app, client, member_with_password):
    email = member_with_password().email
    before = client.get("/en-us/login").headers["Set-Cookie"]
    page = log_in(client, email)
    cookie = page.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert cookie.split(";")[0] != before.split(";")[0]
    assert page.location == "/en-us/my-cards"

    settings.save(settings.Settings(store_name="Corner Shop", public_base_url="https://yoursite.com"))
    assert "Secure" in log_in(app.test_client(), email).headers["Set-Cookie"]


def test_forwarded_addresses_are_believed_only_from_the_trusted_proxy(db_path, member_with_password):
    one_try = LoginThrottle(per_address=Policy(free=1, lock_after=1), clock=FakeClock())
    client = create_app({"SETTINGS_MAX_AGE": 0, "LOGIN_THROTTLE": one_try}).test_client()
    email = member_with_password().email
    proxy = {"REMOTE_ADDR": "10.0.0.7"}

    def attempt(forwarded_for, password="wrong"):
        token = csrf_from(client.get("/en-us/login").text)
        return client.post(
            "/en-us/login",
            data={"email": email, "password": password, "csrf_token": token},
            headers={"X-Forwarded-For": forwarded_for},
            environ_base=proxy,
        ).status_code

    # Untrusted: the header is ignored, so a made-up address does not escape the lock on the peer.
    assert attempt("203.0.113.1") == 401
    assert attempt("203.0.113.2") == 429

    settings.save(
        settings.Settings(store_name="Corner Shop", public_base_url="http://shop.test:8080", trusted_proxy="10.0.0.7")
    )
    # Trusted: each member behind the proxy is told apart by the address it forwards.
    assert attempt("203.0.113.3") == 401
    assert attempt("203.0.113.3") == 429
    assert attempt("203.0.113.4", PASSWORD) == 303


@pytest.mark.parametrize("prefix", ["//evil.example", "/elsewhere", "https://evil.example"])
def test_a_forwarded_prefix_never_moves_the_links_even_from_the_trusted_proxy(db_path, make_batch, prefix):
    """Issue 21: the proxy's X-Forwarded-Prefix was believed, and every link of the page then
    started with it ("//evil.example/en-us/login" leads to another site)."""
    settings.save(
        settings.Settings(store_name="Corner Shop", public_base_url="https://shop.test", trusted_proxy="10.0.0.7")
    )
    batch = make_batch()
    client = create_app({"SETTINGS_MAX_AGE": 0}).test_client()
    for path in ("/en-us/", f"/en-us/claim/{batch.token}", "/en-us/login"):
        page = client.get(path, headers={"X-Forwarded-Prefix": prefix}, environ_base={"REMOTE_ADDR": "10.0.0.7"})
        assert page.status_code == 200
        links = [link for link in re.findall(r'(?:href|action|src)="([^"]*)"', page.text) if not link.startswith("#")]
        assert links and all(link.startswith("/") and not link.startswith("//") for link in links), links
        assert "evil.example" not in page.text and "/elsewhere" not in page.text
    redirect = client.get(
        "/en-us/my-cards", headers={"X-Forwarded-Prefix": prefix}, environ_base={"REMOTE_ADDR": "10.0.0.7"}
    )
    assert redirect.status_code == 303 and redirect.location.startswith("/en-us/login")


def test_an_unexpected_error_is_logged_and_answers_a_plain_page(db_path, caplog):
    app = create_app({"SETTINGS_MAX_AGE": 0})

    @app.get("/en-us/boom")
    def boom():
        raise RuntimeError("secret internals")

    with caplog.at_level(logging.ERROR):
        page = app.test_client().get("/en-us/boom")
    assert page.status_code == 500
    assert "Something went wrong" in visible(page.text) and "Back to Home" in visible(page.text)
    assert "Traceback" not in page.text and "secret internals" not in page.text
    assert any("secret internals" in (r.exc_text or str(r.exc_info)) for r in caplog.records)


def test_a_database_failure_answers_busy_without_details(app, monkeypatch, make_batch):
    batch = make_batch()

    def broken(token):
        raise DatabaseProblem("The database /secret/path/vouchers.db is locked by another program.")

    monkeypatch.setattr(batches, "find_by_token", broken)
    page = app.test_client().get(claim_path(batch))
    assert page.status_code == 503 and "busy" in visible(page.text) and "/secret/path" not in page.text


@pytest.mark.parametrize(
    "method, path, status", [("get", "/en-us/logout", 405), ("get", "/nope", 404), ("get", "/en-us/claim/", 404)]
)
def test_other_pages_answer_with_a_way_home(client, method, path, status):
    page = getattr(client, method)(path)
    assert page.status_code == status and "Back to Home" in visible(page.text)


def test_expiry_reads_as_local_time_and_a_last_day_reads_as_its_end():
    local_midnight = datetime(2026, 12, 25).astimezone().astimezone(timezone.utc).replace(tzinfo=None)
    assert times.spoken(local_midnight) == "the end of 24 Dec 2026"
    afternoon = datetime(2026, 12, 25, 15, 30).astimezone().astimezone(timezone.utc).replace(tzinfo=None)
    assert times.spoken(afternoon) == "25 Dec 2026, 15:30"
    assert times.spoken(None) == ""


def test_my_cards_read_in_the_stores_time_zone(client, member_with_password, make_batch):
    """A store in New York shows 14:06 for 19:06 UTC, whatever the PC's own zone is."""
    config = settings.load()
    config.time_zone = "America/New_York"
    settings.save(config)
    batch = make_batch()
    member = member_with_password()
    log_in(client, member.email)
    claim(client, batch)
    Voucher.update(expires_at=datetime(2026, 12, 1, 19, 6)).where(Voucher.member == member.id).execute()
    page = client.get("/en-us/my-cards")
    assert "1 Dec 2026, 14:06" in visible(page.text)


def test_an_offer_whose_last_day_has_passed_cannot_be_claimed(client, member_with_password):
    ended = templates.create_template("Last week's offer", "5", expires_on=date.today() - timedelta(days=2))
    batch = batches.create_batch("Last week", ended, 3, "Email", "It was good while it lasted")
    log_in(client, member_with_password().email)
    page = client.get(claim_path(batch))
    text = visible(page.text)
    assert "This Promotion Has Ended" in text and "It was good while it lasted" in text and "Back to Home" in text
    assert "Claim voucher" not in text
    refused = claim(client, batch)
    assert refused.status_code == 409 and "This Promotion Has Ended" in visible(refused.text)
    assert batches.get_batch(batch.id).claimed == 0


def test_a_reset_link_that_cannot_be_used_says_so(client):
    page = client.get("/en-us/reset/not-a-code")
    assert page.status_code == 404
    assert "This password reset link cannot be used" in visible(page.text) and 'name="password"' not in page.text


def test_changing_or_deleting_needs_a_login_and_a_form_of_this_site(client, member_with_password):
    for path in ("/en-us/password", "/en-us/account/delete"):
        page = client.get(path)
        assert page.status_code == 303 and page.location.startswith("/en-us/login?next=")
    member = member_with_password()
    log_in(client, member.email)
    assert client.post("/en-us/account/delete", data={}).status_code == 400  # no CSRF token: nothing happens
    assert members.get_member(member.id) is not None


def test_a_new_password_keeps_the_rule_and_wrong_current_ones_are_throttled(db_path, member_with_password):
    app = create_app(
        {
            "SETTINGS_MAX_AGE": 0,
            "LOGIN_THROTTLE": LoginThrottle(clock=FakeClock()),
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    client = app.test_client()
    member = member_with_password()
    log_in(client, member.email)

    def change(current, new):
        token = csrf_from(client.get("/en-us/password").text)
        page = client.post("/en-us/password", data={"current_password": current, "password": new, "csrf_token": token})
        return page.status_code, visible(page.text)

    status, text = change(PASSWORD, "qwerty123")
    assert status == 400 and "first that anyone would guess" in text
    assert [change("wrong", "green meadow river")[0] for _ in range(4)] == [400, 400, 400, 429]


def test_a_scheduled_promotion_says_when_claims_open_and_takes_none_before(client, make_batch, member_with_password):
    from app.core import schedule

    settings.save(settings.Settings(store_name="Corner Shop", time_zone="America/New_York"))
    batch = make_batch(name="Monday posters", title="Free coffee", starts_at=schedule.parse_moment("2031-03-03 08:30"))
    log_in(client, member_with_password().email)
    text = visible(client.get(claim_path(batch)).text)
    assert "Claims Open Soon" in text and "Claims open on 3 Mar 2031, 08:30." in text
    assert "Free coffee" in text and "Minimum purchase $20.00" in text  # what is coming is on show
    assert "Claim voucher" not in text
    refused = claim(client, batch)  # a form kept from before: the claim itself refuses
    assert refused.status_code == 409 and "Claims Open Soon" in visible(refused.text)
    assert batches.get_batch(batch.id).claimed == 0


def test_an_ended_campaign_says_so_and_a_members_voucher_stays_on_show(app, client, make_batch, member_with_password):
    from app.core import schedule

    member = member_with_password()
    batch = make_batch(name="Spring - Email", description="Spring treat")
    log_in(client, member.email)
    claim(client, batch)
    schedule.end_campaign(batch.id)
    mine = visible(client.get(claim_path(batch)).text)
    assert "The promotion has ended, but your voucher stays valid until it expires." in mine
    late = app.test_client()
    log_in(late, member_with_password("late@example.com").email)
    text = visible(late.get(claim_path(batch)).text)
    assert "This Promotion Has Ended" in text and "It ended on " in text and "Spring treat" in text
    assert "Claim voucher" not in text
    token = csrf_from(late.get("/en-us/my-cards").text)  # a form of this site, kept from before the end
    assert late.post(claim_path(batch), data={"csrf_token": token}).status_code == 409
    assert batches.get_batch(batch.id).claimed == 1


def test_members_read_the_offers_name_and_the_discount_once(client, member_with_password):
    tote = templates.create_template("Free tote bag", "5", min_purchase="30", terms="While stocks last")
    forever = templates.create_template("10% off", "10%")  # named by its discount, and never expiring
    gift = batches.create_batch("Autumn - Signage", tote, 5, "In-store QR")
    plain = batches.create_batch("Autumn - Email", forever, 5, "Email")
    log_in(client, member_with_password().email)
    page = visible(client.get(claim_path(gift)).text)
    assert "Free tote bag" in page and "$5.00 off" in page  # the headline is the offer's name, then what it is
    page = visible(client.get(claim_path(plain)).text)
    assert page.count("10% off") == 1  # its headline; no "10% off" under "10% off"
    claim(client, gift)
    claim(client, plain)
    cards = visible(client.get("/en-us/my-cards").text)
    assert "Free tote bag" in cards and "$5.00 off" in cards  # each card names its promotion
    assert "No expiry" in cards and "Valid until No expiry date" not in cards
    assert cards.count("10% off") == 1


def test_every_page_that_cannot_be_claimed_says_why_first_in_the_specs_words(client, make_batch, member_with_password):
    paused = make_batch(name="paused")
    batches.pause_batch(paused.id)
    sold = make_batch(name="sold", quantity=1)
    claims.claim(sold.token, member_with_password().id)
    gone = templates.create_template("Gone", "5", expires_on=date.today() - timedelta(days=1))
    ended = batches.create_batch("ended", gone, 2, "Email", "")
    scheduled = make_batch(name="scheduled", starts_at=schedule.parse_moment("2031-03-03 08:30"))
    finished = make_batch(name="campaign ended")
    schedule.end_campaign(finished.id)
    for batch, notice in (
        (paused, "Promotion Temporarily Paused"),
        (sold, "No vouchers available."),
        (ended, "This Promotion Has Ended"),
        (scheduled, "Claims Open Soon"),
        (finished, "This Promotion Has Ended"),
    ):
        page = client.get(claim_path(batch)).text
        main = page.split('<main id="main" class="page">', 1)[1]
        first_heading = main.split("<h1", 1)[1].split(">", 1)[1].split("</h1>", 1)[0]
        assert first_heading == notice
        assert main.index(notice) < main.index('class="card promo"')  # before the promotion itself
        assert "Back to Home" in visible(main) and "Claim voucher" not in visible(main)


def test_every_page_describes_itself_to_search_and_link_previews(client, make_batch):
    for path in ("/", claim_path(make_batch()), "/en-us/login", "/en-us/register", "/en-us/claim/nope"):
        page = client.get(path).text
        assert (
            '<meta name="description" content="' in page and "Corner Shop" in page.split('name="description"')[1][:200]
        )
