"""The claim's answer is a page rendered once with holes and filled per claim (app/web/prerendered.py):
it must read exactly as the page Jinja renders for the same voucher, text a manager or member typed
escaped the same way."""

from __future__ import annotations

from dataclasses import replace

import pytest
from flask import g
from werkzeug.security import generate_password_hash

from app.core import batches, members, schedule, settings, templates, vouchers
from app.core.store.models import utcnow
from app.web import pages

from .helpers import PASSWORD, QUICK_HASH, claim, claim_path, csrf_from, log_in

MARKUP = '<b>Tom & Jerry\'s</b> "deal"'


def _jinja_page(token: str, member_id: int, state: str) -> str:
    """The same answer rendered by Jinja alone, in the claim's own request (its session and member)."""
    promotion = pages._promotions()[token]
    mine = vouchers.voucher_of(member_id, promotion.id)
    standing = schedule.state(mine.batch_status, promotion.starts_at, promotion.ends_at, promotion.template, utcnow())
    return pages._claim_page(promotion, state, mine, standing)[0]


@pytest.mark.parametrize(
    ("offer", "https"),
    [
        ({"valid_days": 30}, False),  # valid a month: its last day said
        ({"valid_days": 2}, False),  # expiring soon: the reminder said too
        ({}, False),  # no expiry at all
        ({"valid_days": 30}, True),  # over https: the pages' script and manifest
    ],
)
def test_a_claimed_page_reads_as_jinja_renders_it(app, db_path, offer, https):
    base = "https://shop.test" if https else "http://localhost"
    store = settings.Settings(store_name=f"Corner {MARKUP}", public_base_url=base if https else "http://shop.test:8080")
    settings.save(store)
    offer_template = templates.create_template("Half off", "50%", min_purchase="20", terms=f"Terms {MARKUP}", **offer)
    batch = batches.create_batch("Batch", offer_template, 5, "Email", f"About {MARKUP}", title=MARKUP)
    pages_seen = []
    for n in range(4):  # the first renders the page with holes, the others fill it
        if n == 3:  # the store's currency changes: the offer's amounts are said in the new one
            settings.save(replace(store, currency="€"))
        email = f"o'neil&co{n}@example.com"
        member = members.create_member(email, generate_password_hash(PASSWORD, QUICK_HASH), "")
        client = app.test_client()
        with client:
            token = csrf_from(client.get("/en-us/login", base_url=base).text)
            fields = {"email": member.email, "password": PASSWORD, "csrf_token": token}
            assert client.post("/en-us/login", data=fields, base_url=base).status_code == 303
            # a member who comes from the claim page, as most do; the last one from My Cards, with the page
            # of the promotion read before the currency changed (the voucher's offer says the new one)
            token = csrf_from(client.get("/en-us/my-cards" if n == 3 else claim_path(batch), base_url=base).text)
            page = client.post(claim_path(batch), data={"csrf_token": token}, base_url=base)
            assert page.status_code == 200 and g.member.id == member.id
            assert page.text == _jinja_page(batch.token, member.id, "claimed")
        pages_seen.append(page.text)
        with client:  # the same member again: "Your voucher", from the same promotion's pages
            again = client.post(claim_path(batch), data={"csrf_token": token}, base_url=base)
            assert again.text == _jinja_page(batch.token, member.id, "already_claimed")
    assert "Voucher claimed!" in pages_seen[2] and "&lt;b&gt;Tom &amp; Jerry&#39;s&lt;/b&gt;" in pages_seen[2]
    assert "o&#39;neil&amp;co2@example.com" in pages_seen[2]
    assert "Minimum purchase $20.00" in pages_seen[2] and "Minimum purchase €20.00" in pages_seen[3]
    assert ("pocket.js" in pages_seen[2]) is https


def test_a_claimed_page_after_the_promotion_changes_says_the_change(client, make_batch, member_with_password):
    """A paused promotion's voucher page is a page of its own, not the active one's filled in."""
    member = member_with_password()
    log_in(client, member.email)
    batch = make_batch()
    assert "Voucher claimed!" in claim(client, batch).text
    batches.pause_batch(batch.id)
    with client:
        page = client.post(claim_path(batch), data={"csrf_token": csrf_from(client.get(claim_path(batch)).text)})
        assert "The promotion is paused, but your voucher stays valid." in page.text
        assert page.text == _jinja_page(batch.token, member.id, "already_claimed")
