"""The whole member flow over real HTTP, against the server on 127.0.0.1 and an ephemeral port."""

from __future__ import annotations

import html
import http.client
import io
import re

import zxingcpp
from PIL import Image

from app.core import batches, members, vouchers

from .helpers import PASSWORD, claim_path, visible

CODE_RE = re.compile(r'<p class="code">([^<]+)</p>')


def shown_code(html: str) -> str:
    found = CODE_RE.findall(html)
    assert len(found) == 1, f"expected one voucher code on the page, found {found}"
    return found[0]


def test_register_claim_my_cards_and_claim_again(browser, make_batch):
    batch = make_batch(
        quantity=5,
        name="Summer 2025 - Email List",
        title="10% off your next visit",
        description="A summer treat for members",
    )
    member = browser()

    page = member.get(claim_path(batch))
    text = visible(page.text)
    assert page.status == 200
    assert "10% off your next visit" in text and "A summer treat for members" in text
    assert "Summer 2025 - Email List" not in text  # the manager's internal name stays in the window
    assert "10% off" in text and "Minimum purchase $20.00" in text and "Valid for 30 days after you claim it" in text
    assert "One per visit" in text
    assert "Log in to claim" in text and "Create account" in text
    assert "Claim voucher" not in text

    # Create account from the claim page: the link carries the way back.
    register_link = re.search(r'href="(/en-us/register\?next=[^"]+)"', page.text).group(1)
    form = member.get(register_link.replace("&amp;", "&"))
    way_back = html.unescape(re.search(r'name="next" value="([^"]*)"', form.text).group(1))
    assert way_back == claim_path(batch)
    page = member.post(
        "/en-us/register", {"email": "Ann@Example.com", "password": "sunflower-7", "name": "Ann", "next": way_back}
    )
    assert page.status == 200 and page.path == claim_path(batch)
    assert form.csrf != page.csrf, "the session (and its CSRF token) must change on login"
    assert "Claim voucher" in visible(page.text) and "Log out" in visible(page.text)

    page = member.post(claim_path(batch))
    assert page.status == 200
    assert "Voucher claimed!" in visible(page.text)
    code = shown_code(page.text)
    ann = members.find_member("ann@example.com")
    assert ann.name == "Ann"
    assert [v.code for v in vouchers.for_member(ann.id)] == [code]
    # The desktop window and `batch list` read the same database: the claim is there at once.
    assert batches.get_batch(batch.id).claimed == 1

    # Its QR code decodes to the code, for the till's scanner.
    qr_url = re.search(r'<img class="qr" src="([^"]+)"', page.text).group(1)
    image = member.get(qr_url)
    assert image.status == 200 and image.headers["Content-Type"] == "image/png"
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.body)))
    assert [d.text for d in decoded] == [code]

    cards = member.get("/en-us/my-cards")
    text = visible(cards.text)
    assert cards.status == 200 and "My Cards" in text
    assert (
        "10% off your next visit" in text
        and "Summer 2025 - Email List" not in text
        and code in text
        and "Valid" in text
    )
    assert "10% off" in text and "One per visit" in text and "Valid until" in text

    # Claiming again gives the same voucher, not a second one.
    again = member.post(claim_path(batch))
    assert again.status == 200 and shown_code(again.text) == code
    assert "already" in visible(again.text)
    assert shown_code(member.get(claim_path(batch)).text) == code
    assert batches.get_batch(batch.id).claimed == 1

    # Log out, then log in again by the form and come back to the promotion.
    page = member.post("/en-us/logout")
    assert page.path == "/en-us/" and "Log in" in visible(page.text)
    assert "Log in to claim" in visible(member.get(claim_path(batch)).text)
    page = member.log_in("ann@example.com", "sunflower-7", next_path=claim_path(batch))
    assert page.path == claim_path(batch) and shown_code(page.text) == code


def test_pause_resume_sell_out_and_delete(browser, make_batch, member_with_password):
    batch = make_batch(quantity=2, name="Store Signage", description="In-store only")
    first, second, third = (member_with_password() for _ in range(3))
    ann, bob, cat = browser(), browser(), browser()
    ann.log_in(first.email)
    bob.log_in(second.email)
    cat.log_in(third.email)

    ann.get(claim_path(batch))
    ann_code = shown_code(ann.post(claim_path(batch)).text)

    batches.pause_batch(batch.id)
    page = bob.get(claim_path(batch))
    text = visible(page.text)
    assert page.status == 200
    assert "Promotion Temporarily Paused" in text
    assert batch.title in text and "In-store only" in text
    assert "Back to Home" in text and "Claim voucher" not in text
    refused = bob.post(claim_path(batch), {"csrf_token": page.csrf})
    assert refused.status == 409 and "Promotion Temporarily Paused" in visible(refused.text)
    assert batches.get_batch(batch.id).claimed == 1
    # Who claimed before the pause still has the voucher.
    assert shown_code(ann.get(claim_path(batch)).text) == ann_code
    assert ann_code in visible(ann.get("/en-us/my-cards").text)

    batches.resume_batch(batch.id)
    page = bob.get(claim_path(batch))
    assert "Claim voucher" in visible(page.text) and "Paused" not in visible(page.text)
    assert bob.post(claim_path(batch)).status == 200
    assert batches.get_batch(batch.id).claimed == 2

    page = cat.get(claim_path(batch))
    assert "No vouchers available" in visible(page.text) and "Claim voucher" not in visible(page.text)
    assert "Back to Home" in visible(page.text)
    sold_out = cat.post(claim_path(batch), {"csrf_token": page.csrf})
    assert sold_out.status == 409 and "No vouchers available" in visible(sold_out.text)
    assert batches.get_batch(batch.id).claimed == 2

    batches.delete_batch(batch.id)
    gone = ann.get(claim_path(batch))
    assert gone.status == 404 and "Back to Home" in visible(gone.text)
    assert ann_code not in visible(ann.get("/en-us/my-cards").text)
    assert "No vouchers yet" in visible(ann.get("/en-us/my-cards").text)
    unknown = ann.get("/en-us/claim/no-such-token")
    assert unknown.status == 404 and "Back to Home" in visible(unknown.text)


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(browser, make_batch, member_with_password):
    batch = make_batch(quantity=3)
    ann = browser()
    ann.log_in(member_with_password().email)
    ann.get(claim_path(batch))

    for fields in ({}, {"csrf_token": "forged"}, {"csrf_token": ""}):
        page = ann.post(claim_path(batch), fields, csrf=False)
        assert page.status == 400
        assert "Form expired" in visible(page.text) and "nothing was changed" in visible(page.text)
    assert batches.get_batch(batch.id).claimed == 0

    # Logging out needs the token too (no cross-site log-out), and so does logging in.
    assert ann.post("/en-us/logout", csrf=False).status == 400
    assert "Log out" in visible(ann.get("/en-us/").text)
    stranger = browser()
    assert stranger.post("/en-us/login", {"email": "x@example.com", "password": PASSWORD}, csrf=False).status == 400


def test_what_a_manager_typed_is_shown_as_text(browser, make_batch):
    batch = make_batch(title="<script>alert('name')</script>", description='<img src=x onerror="alert(1)">')
    page = browser().get(claim_path(batch))
    assert page.status == 200
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;" in page.text
    assert "<script>alert('name')</script>" in visible(page.text)


def test_failed_logins_slow_down_without_telling_whether_the_email_has_an_account(browser, member_with_password, clock):
    member = member_with_password()
    ann = browser()

    def attempt(email, password):
        ann.get("/en-us/login")
        page = ann.post("/en-us/login", {"email": email, "password": password})
        return page.status, visible(page.text)

    known = [attempt(member.email, "wrong password") for _ in range(3)]
    unknown = [attempt("nobody@example.com", "wrong password") for _ in range(3)]
    assert known == unknown
    assert all(status == 401 and "The email or password is not right" in text for status, text in known)

    # The fourth attempt so soon is refused even with the right password, and says to wait.
    status, text = attempt(member.email, PASSWORD)
    assert status == 429 and "Too many failed attempts" in text and "Wait 1 second" in text
    assert "Log out" not in text
    assert attempt("nobody@example.com", PASSWORD)[0] == 429

    clock.advance(1.5)  # the wait is over: the right password works again
    status, text = attempt(member.email, PASSWORD)
    assert status == 200 and "Log out" in text


def test_return_after_login_only_goes_to_this_site(browser, member_with_password):
    member = member_with_password()
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        ann = browser()
        page = ann.log_in(member.email, next_path=target)
        assert page.status == 200 and page.url.startswith(ann.base_url + "/")
        assert page.path == "/en-us/my-cards", target


def test_pages_carry_the_security_headers(browser, make_batch):
    batch = make_batch()
    ann = browser()
    for path in ("/", "/en-us/", claim_path(batch), "/en-us/login", "/static/site.css", "/en-us/claim/nope"):
        page = ann.get(path)
        csp = page.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "style-src 'self'" in csp
        assert "http" not in csp  # no other site is allowed
        assert page.headers["X-Content-Type-Options"] == "nosniff"
        assert page.headers["X-Frame-Options"] == "DENY"
    assert "no-store" in ann.get(claim_path(batch)).headers["Cache-Control"]


def test_large_request_bodies_are_refused(browser, server):
    ann = browser()
    token = ann.get("/en-us/login").csrf
    page = ann.post("/en-us/login", {"email": "a@example.com", "password": "x" * 30_000, "csrf_token": token})
    assert page.status == 413 and "Too much data" in visible(page.text)
    # Far too large never reaches the application: the server itself refuses it.
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    connection.putrequest("POST", "/en-us/login")
    connection.putheader("Content-Type", "application/x-www-form-urlencoded")
    connection.putheader("Content-Length", str(10_000_000))
    connection.endheaders(b"email=a%40example.com&password=")
    response = connection.getresponse()
    assert response.status == 413 and b"Traceback" not in response.read()
    connection.close()
