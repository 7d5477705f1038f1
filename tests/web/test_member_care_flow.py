"""A member's account from start to end against the real server, with the manager at the command
line beside it: a forgotten password reset from the store, an old cookie refused afterwards, their
data exported, a password changed, and the account deleted from My Cards with the numbers unchanged."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from app.core import batches, claims, members, vouchers
from tests.core.helpers import raw_rows_holding
from tests.helpers import ROOT

from .helpers import PASSWORD, Browser, claim_path, replay, visible

NEW_PASSWORD = "blue harbour lantern"


def manager(db_path, *args: str) -> subprocess.CompletedProcess:
    """`voucher-batches ARGS` as the manager runs it at the store's PC, on the site's database."""
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", *args, "--db", str(db_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done


def test_reset_then_export_then_delete_from_my_cards(server, db_path, make_batch, member_with_password, tmp_path):
    spring, summer = make_batch(quantity=5, name="Spring"), make_batch(quantity=5, name="Summer")
    ann = member_with_password("ann.lee@example.com", name="Annabel <i>Lee</i>")
    other = member_with_password("bob@example.com")
    claims.claim(spring.token, other.id)

    phone = Browser(server.url)
    phone.log_in(ann.email, next_path=claim_path(spring))
    assert phone.post(claim_path(spring)).status == 200
    claims.redeem(vouchers.for_member(ann.id)[0].code)  # at the till
    old_cookie = phone.cookie("voucher_session")

    # She forgets her password: the login page says how to get a new one.
    laptop = Browser(server.url)
    forgot = laptop.get("/en-us/login")
    assert 'href="/en-us/forgot-password"' in forgot.text
    assert "Ask at Corner Shop's till" in visible(laptop.get("/en-us/forgot-password").text)

    # The manager makes a one-time link and hands it over.
    link = manager(db_path, "member", "reset-password", ann.email).stdout.strip()
    assert link.startswith("http://shop.test:8080/en-us/reset/")
    path = link[len("http://shop.test:8080") :]
    page = laptop.get(path)
    assert page.status == 200 and "For ann.lee@example.com" in visible(page.text)
    refused = laptop.post(path, {"password": "password1"})
    assert refused.status == 400 and "first that anyone would guess" in visible(refused.text)
    no_token = laptop.post(path, {"password": NEW_PASSWORD}, csrf=False)
    assert no_token.status == 400 and members.reset_code_email(path.rsplit("/", 1)[1]) is not None
    laptop.get(path)
    done = laptop.post(path, {"password": NEW_PASSWORD})
    assert done.path == "/en-us/my-cards" and "10% off" in visible(
        done.text
    )  # logged in with the new password (a card shows the public title)
    again = Browser(server.url).get(path)
    assert again.status == 404 and "used already" in visible(again.text)  # one use

    # Every earlier session is over: the phone, and any copy of its cookie.
    assert replay(server, old_cookie).status == 303
    assert phone.get("/en-us/my-cards").path.startswith("/en-us/login")
    assert Browser(server.url).log_in(ann.email, PASSWORD).status == 401
    assert Browser(server.url).log_in(ann.email, NEW_PASSWORD).path == "/en-us/my-cards"

    # What the store holds about her, on request.
    export = tmp_path / "ann.json"
    manager(db_path, "member", "export", ann.email, "--output", str(export))
    data = json.loads(export.read_text(encoding="utf-8"))
    assert data["member"]["name"] == "Annabel <i>Lee</i>"
    assert [(v["batch_name"], v["status"]) for v in data["vouchers"]] == [("Spring", "redeemed")]

    # She changes her password on the laptop: she stays logged in there, and nowhere else.
    other_browser = Browser(server.url)
    other_browser.log_in(ann.email, NEW_PASSWORD)
    laptop.get("/en-us/password")
    wrong = laptop.post("/en-us/password", {"current_password": "not it", "password": "green meadow river"})
    assert wrong.status == 400 and "That is not your current password." in visible(wrong.text)
    laptop.get("/en-us/password")
    changed = laptop.post("/en-us/password", {"current_password": NEW_PASSWORD, "password": "green meadow river"})
    assert changed.path == "/en-us/my-cards"
    assert other_browser.get("/en-us/my-cards").path.startswith("/en-us/login")

    # She deletes her account from My Cards, after a confirmation page.
    before = [(b.claimed, b.redeemed) for b in (batches.get_batch(spring.id), batches.get_batch(summer.id))]
    cards = laptop.get("/en-us/my-cards")
    assert 'href="/en-us/account/delete"' in cards.text
    confirm = laptop.get("/en-us/account/delete")
    assert "Delete your account?" in visible(confirm.text) and "ann.lee@example.com" in visible(confirm.text)
    gone = laptop.post("/en-us/account/delete")
    assert gone.status == 200 and "Your account is deleted" in visible(gone.text) and "Log out" not in gone.text
    after = [(b.claimed, b.redeemed) for b in (batches.get_batch(spring.id), batches.get_batch(summer.id))]
    assert after == before == [(2, 1), (0, 0)]
    assert raw_rows_holding(db_path, "ann.lee", "Annabel") == []
    assert laptop.get("/en-us/my-cards").path.startswith("/en-us/login")
    assert Browser(server.url).log_in(ann.email, "green meadow river").status == 401
    assert "bob@example.com" in manager(db_path, "member", "find", "example.com").stdout  # the others stay


def test_what_a_member_typed_is_shown_as_text_on_their_pages(server, member_with_password):
    member = member_with_password("ann@example.com", name='<script>alert("name")</script>')
    ann = Browser(server.url)
    ann.log_in(member.email)
    for path in ("/", "/en-us/account/delete", "/en-us/password"):
        page = ann.get(path)
        assert "<script>alert" not in page.text, path
    home = ann.get("/")
    assert "&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt;" in home.text
    code, _ = members.issue_reset_code(member.email)
    assert "<script>" not in Browser(server.url).get(f"/en-us/reset/{code}").text
