"""Moving a store onto PostgreSQL (`voucher-batches copy-to URL`): the copy is the same store, and
it goes on working there (new ids after the copied ones); a database holding a store is never
written into. The target is a PostgreSQL cluster of the test's own; the source is the suite's
database (a SQLite file, or on the PostgreSQL pass the shared test database)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from werkzeug.security import check_password_hash, generate_password_hash

from app.core import (
    activity,
    analytics,
    batches,
    claims,
    members,
    settings,
    store,
    templates,
    transfer,
    vouchers,
)
from app.core.claims import ClaimOutcome
from app.core.errors import InvalidInput
from app.core.store.models import set_clock, utcnow


def the_store(now) -> dict:
    """What a manager and a member would look at, read from the open database, as of now."""
    listed = batches.list_batches()
    return {
        "settings": settings.load(),
        "batches": [
            (b.id, b.name, b.title, b.channel, b.status, b.total, b.claimed, b.redeemed, b.claim_url) for b in listed
        ],
        "stats": [analytics.batch_stats(b.id, now=now).to_json() for b in listed],
        "channels": [c.to_json() for c in analytics.channel_stats(now=now)],
        "vouchers": [[(v.code, v.state) for v in vouchers.page(b.id, limit=1000)] for b in listed],
        "log": [(e.at, e.kind, e.batch_name, e.code, e.till, e.staff) for e in activity.entries(limit=1000)],
        "templates": [(t.id, t.title) for t in templates.list_templates()],
    }


@pytest.fixture
def shop(db_path, template, make_batch):
    """Two batches on a clock set back two days: claims, redemptions, an undo, a pause, a member
    with a real password and a reset code in hand."""
    start = utcnow() - timedelta(days=2)
    set_clock(start)
    try:
        email = make_batch(quantity=30, name="Summer - Email", prefix="SUM")
        flyer = make_batch(quantity=5, name="Summer - Flyer", channel="In-store QR")
        ann = members.create_member("ann@example.com", generate_password_hash("sunflower-7"), "Ann")
        held = []
        for n in range(8):
            set_clock(start + timedelta(hours=3 * n))
            member = ann if n == 0 else members.create_member(f"m{n}@example.com", "x")
            held.append(claims.claim(email.token, member.id).voucher)
        set_clock(start + timedelta(hours=30))
        claims.redeem(held[0].code)
        claims.redeem(held[1].code)
        claims.undo_redemption(held[1].code, "Rang up by mistake")
        claims.claim(flyer.token, ann.id)
        batches.pause_batch(flyer.id)
        members.issue_reset_code("m2@example.com")
    finally:
        set_clock(None)
    return {"email": email, "flyer": flyer, "held": held}


def test_a_store_copied_to_postgresql_is_the_same_store_there_and_goes_on_working(shop, cluster):
    now = utcnow()
    before = the_store(now)
    source_id = settings.database_id()
    said = []
    copied = transfer.copy_to(cluster.url, progress=lambda done, total: said.append((done, total)))
    assert (copied.rows["batch"], copied.rows["voucher"], copied.rows["member"], copied.rows["template"]) == (
        2,
        35,
        8,
        1,
    )
    assert said[0][0] == 0 and said[-1][0] == said[-1][1] and said == sorted(said)  # progress, to the end
    assert "2 batches with 35 vouchers, 8 members" in copied.summary()

    store.open_database(cluster.url)
    assert the_store(now) == before  # batches, counters, links, series, verdicts, vouchers, log
    assert settings.database_id() != source_id  # another database: never taken for the source's claim site
    ann = members.find_member("ann@example.com")
    assert ann.name == "Ann" and check_password_hash(ann.password_hash, "sunflower-7")  # she logs in as before
    assert vouchers.lookup(shop["held"][0].code).state == "redeemed"
    assert vouchers.lookup(shop["held"][1].code).state == "claimed"  # the undo came along

    # new rows there come after the copied ones: a new member, template and batch, a claim, a redemption
    newcomer = members.create_member("new@example.com", "x")
    assert newcomer.id == 9
    claimed = claims.claim(shop["email"].token, newcomer.id)
    assert claimed.outcome is ClaimOutcome.CLAIMED
    claims.redeem(claimed.voucher.code)
    later = batches.create_batch("Autumn", templates.create_template("5% off", "5%"), 3, "Events")
    assert later.id == 3 and batches.get_batch(shop["email"].id).claimed == 9


def test_a_database_holding_a_store_is_never_written_into(shop, cluster):
    transfer.copy_to(cluster.url)
    with pytest.raises(InvalidInput, match="already holds a store's data .*Nothing was copied"):
        transfer.copy_to(cluster.url)
    store.open_database(cluster.url)
    assert [b.total for b in batches.list_batches()] == [5, 30]  # once, not twice


def test_settings_made_on_the_server_before_the_copy_are_kept(shop, db_path, cluster):
    store.open_database(cluster.url)  # as the hosted guide has it: the server's address set first
    settings.save(settings.Settings(store_name="Corner Shop", public_base_url="https://vouchers.shop.test"))
    store.open_database(db_path)
    copied = transfer.copy_to(cluster.url)
    assert (
        "The server's own claim-site settings were kept: " in copied.summary() and "public_base_url" in copied.summary()
    )
    assert (copied.links_before, copied.links_now) == ("http://shop.test:8080", "https://vouchers.shop.test")
    store.open_database(cluster.url)
    assert settings.load().public_base_url == "https://vouchers.shop.test"
    assert batches.get_batch(shop["email"].id).claim_url.startswith("https://vouchers.shop.test/")


def test_the_copy_names_what_it_cannot_copy_into(shop, db_path, tmp_path):
    with pytest.raises(InvalidInput, match="is not a PostgreSQL address"):
        transfer.copy_to(str(tmp_path / "elsewhere.db"))
    if store.is_url(str(db_path)):  # (the PostgreSQL pass: the suite's database is a server's)
        with pytest.raises(InvalidInput, match="is the database open now"):
            transfer.copy_to(str(db_path))


def test_text_with_tabs_line_breaks_and_backslashes_arrives_as_it_was(db_path, cluster):
    """The rows go over in COPY's text format, where a tab, a line break and a backslash mean something."""
    terms = "One per visit.\nNot with other offers;\ttill 2\\3 only.\r\nNo cash value \\N"
    offer = templates.create_template("10% off\tall", "10%", min_purchase="20.50", valid_days=30, terms=terms)
    made = batches.create_batch("Tab\there", offer, 3, "Email", "Line one\nline two \\ end")
    member = members.create_member("c\\d@example.com", "x", "Name\twith tab")
    code = claims.claim(made.token, member.id).voucher.code

    def seen():
        found = next(t for t in templates.list_templates() if t.id == offer.id)
        person = members.find_member("c\\d@example.com")
        voucher = vouchers.lookup(code)
        return (
            (found.title, found.terms, found.min_purchase, found.valid_days),
            batches.get_batch(made.id),
            (person.email, person.name),
            (voucher.code, voucher.state, voucher.member, voucher.claimed_at, voucher.expires_at),
        )

    before = seen()
    transfer.copy_to(cluster.url)
    store.open_database(cluster.url)
    assert seen() == before
    assert before[0][1] == terms and before[1].description == "Line one\nline two \\ end"
