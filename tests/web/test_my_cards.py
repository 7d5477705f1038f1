"""My Cards and the voucher in the member's pocket, through Flask's test client: what can be used first,
nothing to scan for a used or expired voucher, the reminders, the voucher picture, the calendar entry,
the Apple Wallet pass, and what the service worker is told to keep."""

from __future__ import annotations

import io
import json
import re
import threading
from datetime import date, timedelta

import pytest
import zxingcpp
from PIL import Image

from app.core import batches, claims, members, settings, templates, wallet
from app.core.store.models import Voucher, utcnow
from tests.helpers.ports import free_port
from tests.helpers.serving import STOPPED, start_serve, stop_serve
from tests.helpers.wallet_certificate import make_certificate

from .helpers import Browser, claim, log_in, visible

QR_IMG = re.compile(r'<img class="qr" src="([^"]+)"')


def _code(html: str) -> str:
    return html.split('<p class="code">', 1)[1].split("<", 1)[0]


def _articles(html: str) -> list[str]:
    return html.split('<article class="ticket')[1:]


@pytest.fixture
def ann(client, member_with_password):
    member = member_with_password("ann@example.com")
    log_in(client, member.email)
    return member


@pytest.fixture
def four_kinds(client, ann, make_batch):
    """Ann's vouchers: one valid for 30 days, one valid 3 more days, one redeemed, one expired."""
    soon = templates.create_template("Soon", "5", expires_on=date.today() + timedelta(days=3))
    made = {
        "month": make_batch(name="month", title="Month treat"),
        "soon": batches.create_batch("soon", soon, 5, "Email", "", title="Soon treat"),
        "used": make_batch(name="used", title="Used treat"),
        "old": make_batch(name="old", title="Old treat"),
    }
    codes = {name: _code(claim(client, batch).text) for name, batch in made.items()}
    claims.redeem(codes["used"])
    Voucher.update(expires_at=utcnow() - timedelta(hours=2)).where(Voucher.batch == made["old"].id).execute()
    return codes


def test_valid_vouchers_come_first_and_used_ones_are_collapsed_with_no_qr_code(client, four_kinds):
    page = client.get("/en-us/my-cards").text
    articles = _articles(page)
    order = [re.search(r'aria-label="Voucher ([^,]+),', a).group(1) for a in articles]
    assert order == [four_kinds[name] for name in ("soon", "month", "used", "old")]
    valid_part, done_part = page.split('<details class="done">')
    assert four_kinds["soon"] in valid_part and four_kinds["used"] not in valid_part
    assert "<details" not in valid_part and "open" not in done_part.split(">", 1)[0]  # collapsed
    assert QR_IMG.findall(page) == [f"/en-us/my-cards/qr/{four_kinds[n]}.png" for n in ("soon", "month")]
    done = visible(done_part)
    assert "Used and expired (2)" in done and "Used" in done and "Expired" in done
    for article in articles:
        assert "Corner Shop" in visible(article)  # each card names the store and the promotion


def test_no_qr_code_picture_or_calendar_entry_is_served_for_a_used_or_expired_voucher(client, four_kinds):
    for name in ("used", "old"):
        code = four_kinds[name]
        for path in (f"/en-us/my-cards/qr/{code}.png", f"/en-us/my-cards/{code}/card.png"):
            assert client.get(path).status_code == 404, path
        assert client.get(f"/en-us/my-cards/{code}/calendar.ics").status_code == 404
    answer = client.get(f"/en-us/my-cards/qr/{four_kinds['month']}.png")
    assert answer.status_code == 200 and answer.mimetype == "image/png"


def test_a_voucher_near_its_last_day_is_reminded_of(client, four_kinds):
    page = client.get("/en-us/my-cards").text
    banner = visible(page.split('class="notice notice-soon"', 1)[1].split("</p>", 1)[0])
    assert "Your voucher “Soon treat” expires in 3 days" in banner
    soon_card = visible(_articles(page)[0])
    assert "Expires in 3 days" in soon_card
    assert "Expires in" not in visible(_articles(page)[1])  # a month away: no reminder


def test_the_calendar_entry_is_the_last_day_with_a_reminder_the_day_before(client, four_kinds):
    code = four_kinds["soon"]
    page = client.get("/en-us/my-cards").text
    assert f'href="/en-us/my-cards/{code}/calendar.ics" download>Add to calendar' in page
    answer = client.get(f"/en-us/my-cards/{code}/calendar.ics")
    assert answer.status_code == 200 and answer.mimetype == "text/calendar"
    assert answer.headers["Content-Disposition"] == f'attachment; filename="voucher-{code}.ics"'
    text = answer.data.decode()
    last_day = date.today() + timedelta(days=3)
    assert f"DTSTART;VALUE=DATE:{last_day:%Y%m%d}" in text and "TRIGGER;RELATED=START:-PT15H" in text
    assert "URL:http://shop.test:8080/en-us/my-cards" in text


def test_the_voucher_picture_is_a_phone_screen_with_a_qr_code_that_reads(client, four_kinds):
    code = four_kinds["month"]
    assert f'href="/en-us/my-cards/{code}/card.png" download>Save voucher image' in client.get("/en-us/my-cards").text
    answer = client.get(f"/en-us/my-cards/{code}/card.png")
    assert answer.status_code == 200 and answer.mimetype == "image/png"
    assert answer.headers["Content-Disposition"] == f'attachment; filename="voucher-{code}.png"'
    picture = Image.open(io.BytesIO(answer.data))
    assert picture.width >= 1080 and picture.height / picture.width == pytest.approx(16 / 9, rel=0.01)
    assert [found.text for found in zxingcpp.read_barcodes(picture)] == [code]


def test_the_vouchers_files_are_only_for_the_member_who_holds_it(app, four_kinds, member_with_password):
    code = four_kinds["month"]
    other, stranger = app.test_client(), app.test_client()
    log_in(other, member_with_password().email)
    for path in (f"/en-us/my-cards/{code}/card.png", f"/en-us/my-cards/{code}/calendar.ics"):
        assert other.get(path).status_code == 404
        answer = stranger.get(path)
        assert answer.status_code == 303 and answer.location.startswith("/en-us/login?next=")
    assert stranger.get(f"/en-us/my-cards/qr/{code}.png").status_code == 404


def test_apple_wallet_is_offered_only_once_the_store_has_set_its_certificate(client, four_kinds):
    code = four_kinds["month"]
    assert "Add to Apple Wallet" not in client.get("/en-us/my-cards").text
    assert client.get(f"/en-us/my-cards/{code}/voucher.pkpass").status_code == 404
    made = make_certificate()
    _, pass_type_id, team_id = wallet.check_certificate(made.p12, made.password, "", "")
    config = settings.load()
    config.wallet_pass_type_id, config.wallet_team_id = pass_type_id, team_id
    settings.save(config)
    wallet.keep_certificate(made.p12, made.password)
    client.application.extensions.pop("wallet_ready", None)  # (remembered for two seconds)
    page = client.get("/en-us/my-cards").text
    assert f'href="/en-us/my-cards/{code}/voucher.pkpass">Add to Apple Wallet' in page
    assert page.count("Add to Apple Wallet") == 2  # the two valid vouchers, not the used ones
    answer = client.get(f"/en-us/my-cards/{code}/voucher.pkpass")
    assert answer.status_code == 200 and answer.mimetype == "application/vnd.apple.pkpass"
    import zipfile

    with zipfile.ZipFile(io.BytesIO(answer.data)) as archive:
        card = json.loads(archive.read("pass.json"))
    assert card["barcodes"][0]["message"] == code and card["voided"] is False
    claims.redeem(code)
    with zipfile.ZipFile(io.BytesIO(client.get(f"/en-us/my-cards/{code}/voucher.pkpass").data)) as archive:
        voided = json.loads(archive.read("pass.json"))
    assert voided["voided"] is True and "barcodes" not in voided


def test_the_worker_is_told_to_keep_my_cards_and_the_valid_vouchers_qr_codes_only(client, four_kinds, app):
    answer = client.get("/en-us/my-cards/pocket.json")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    kept = answer.get_json()
    assert kept["page"] == "/en-us/my-cards"
    assert [v["code"] for v in kept["vouchers"]] == [four_kinds["soon"], four_kinds["month"]]
    assert kept["vouchers"][1]["qr"] == f"/en-us/my-cards/qr/{four_kinds['month']}.png"
    assert kept["vouchers"][1]["until"].endswith(("+00:00", "Z")) or re.search(
        r"[+-]\d\d:\d\d$", kept["vouchers"][1]["until"]
    )
    logged_out = app.test_client().get("/en-us/my-cards/pocket.json")
    assert logged_out.status_code == 401 and logged_out.get_json()["vouchers"] == []


def test_over_https_a_members_pages_register_the_worker_and_allow_that_script_alone(client, ann, app):
    page = client.get("/en-us/my-cards", base_url="https://localhost")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src https://localhost/static/pocket.js;" in csp
    assert "worker-src https://localhost/sw.js;" in csp and "manifest-src 'self'" in csp
    assert "'unsafe-inline'" not in csp and "script-src 'self'" not in csp and "default-src 'none'" in csp
    scripts = re.findall(r"<script[^>]*>", page.text)
    assert scripts == ['<script src="/static/pocket.js" data-worker="/sw.js" data-scope="/" defer>']
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page.text
    assert "Save voucher image</strong> now" not in page.text  # (no hint: the worker keeps them)
    # over plain http: no script at all, none allowed, and the page says how to keep a voucher
    plain = client.get("/en-us/my-cards")
    assert "<script" not in plain.text and "script-src" not in plain.headers["Content-Security-Policy"]
    # a visitor who is not logged in gets no script over https either
    visitor = app.test_client().get("/", base_url="https://localhost")
    assert "<script" not in visitor.text


def test_over_plain_http_my_cards_says_how_to_keep_a_voucher(client, four_kinds):
    text = visible(client.get("/en-us/my-cards").text)
    assert "No signal at the till? Tap Save voucher image now" in text


def test_the_worker_the_registration_and_the_manifest_are_served_as_such(client, ann):
    with client.get("/sw.js") as worker:
        assert worker.status_code == 200 and worker.mimetype == "text/javascript"
        assert worker.headers["Content-Security-Policy"] == "default-src 'none'; connect-src 'self'"
        assert "no-cache" in worker.headers["Cache-Control"] and b"pocket.json" in worker.data
    with client.get("/static/pocket.js") as script:
        assert script.status_code == 200 and b"serviceWorker" in script.data
    manifest = client.get("/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    data = manifest.get_json()
    assert data["name"] == "Corner Shop vouchers" and data["theme_color"] == "#0f766e"
    assert data["start_url"] == "/en-us/my-cards" and data["display"] == "standalone"
    for icon in data["icons"]:
        with client.get(icon["src"]) as answer:
            picture = Image.open(io.BytesIO(answer.data))
        assert f"{picture.width}x{picture.height}" == icon["sizes"]
    offline = client.get("/en-us/offline")
    assert offline.status_code == 200 and "ann@example.com" not in offline.text  # kept for any member
    assert "Open My Cards" in visible(offline.text)


def test_no_page_has_an_inline_script_or_style(client, four_kinds, make_batch):
    batch = make_batch(name="plain")
    for path in ("/", "/en-us/my-cards", f"/en-us/claim/{batch.token}", "/en-us/password", "/en-us/account/delete"):
        html = client.get(path, base_url="https://localhost").text
        assert all('src="' in tag for tag in re.findall(r"<script[^>]*>", html)), path
        assert "<style" not in html and " style=" not in html and "onclick" not in html


def test_a_password_change_is_said_on_my_cards(client, ann):
    page = client.get("/en-us/password")
    assert members.PASSWORD_RULE in visible(page.text)  # the rule before choosing
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    answer = client.post(
        "/en-us/password",
        data={"csrf_token": token, "current_password": "correct horse battery", "password": "a new long phrase"},
        follow_redirects=True,
    )
    assert answer.request.path == "/en-us/my-cards"
    assert "Your password has been changed." in visible(answer.text)
    assert "Your password has been changed." not in visible(client.get("/en-us/my-cards").text)  # said once


def test_the_password_rule_is_said_before_registering(client):
    text = visible(client.get("/en-us/register").text)
    assert members.PASSWORD_RULE in text and "Common passwords" in text


def test_a_rush_of_pictures_is_told_to_try_again_rather_than_take_every_server_thread(client, four_kinds, monkeypatch):
    from app.web import pocket

    full = threading.BoundedSemaphore(1)
    full.acquire()  # every waiting place taken by pictures being drawn
    monkeypatch.setattr(pocket, "_waiting", full)
    answer = client.get(f"/en-us/my-cards/{four_kinds['soon']}/card.png")
    assert answer.status_code == 503 and "busy" in visible(answer.text)


def test_the_picture_is_drawn_by_serve_which_has_no_window_and_still_stops_cleanly(
    db_path, make_batch, member_with_password
):
    """`voucher-batches serve` has no Qt application of its own: the render thread makes one, and the
    process still ends cleanly and quietly when the site stops."""
    member = member_with_password("zoe@example.com")
    code = claims.claim(make_batch().token, member.id).voucher.code
    port = free_port()
    process = start_serve(str(db_path), port)
    try:
        zoe = Browser(f"http://127.0.0.1:{port}")
        assert zoe.log_in(member.email).path == "/en-us/my-cards"
        answer = zoe.get(f"/en-us/my-cards/{code}/card.png")
    finally:
        exit_code, _, errors = stop_serve(process)
    assert answer.status == 200 and answer.headers["Content-Type"] == "image/png"
    assert [found.text for found in zxingcpp.read_barcodes(Image.open(io.BytesIO(answer.body)))] == [code]
    assert exit_code == STOPPED and "CRITICAL" not in errors and "Fatal" not in errors and "Traceback" not in errors
