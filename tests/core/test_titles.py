"""A batch's public title: what members read on the claim page, My Cards and every print, while the
internal name stays the manager's identifier."""

import sqlite3
from contextlib import closing

import pytest

from app.core import batches, store, templates, vouchers
from app.core.errors import InvalidInput, NotFound
from app.core.store import migrations
from tests.helpers.database import undo_after_version_6


def test_a_batch_without_a_title_is_titled_by_its_offers_name(make_batch, template):
    batch = make_batch(name="Summer 2025 - Store Signage")
    assert batch.title == "10% off" and batch.custom_title == ""  # the fixture's template is called so
    tote = templates.create_template("Free tote bag", "5", min_purchase="30")
    other = batches.create_batch("Till cards", tote, 3, "In-store QR")
    assert other.title == "Free tote bag"  # its name: members read what the offer is, not "$5.00 off" twice


def test_a_title_given_at_creation_is_kept_and_can_be_changed_or_cleared(make_batch):
    batch = make_batch(title="  10% off   your next visit ")
    assert batch.title == batch.custom_title == "10% off your next visit"
    assert batches.get_batch(batch.id).name == "Summer 2025 - Email List"
    changed = batches.set_title(batch.id, "Summer treat: 10% off")
    assert changed.title == batches.get_batch(batch.id).title == "Summer treat: 10% off"
    assert batches.set_title(batch.id, "").title == "10% off"
    assert "title" in changed.to_json() and "custom_title" not in changed.to_json()


def test_a_title_over_120_characters_is_refused_and_nothing_changes(make_batch):
    batch = make_batch(title="Kept")
    with pytest.raises(InvalidInput, match="at most 120"):
        batches.set_title(batch.id, "x" * 121)
    with pytest.raises(InvalidInput, match="at most 120"):
        make_batch(title="x" * 121)
    assert batches.get_batch(batch.id).title == "Kept"
    with pytest.raises(NotFound):
        batches.set_title(batch.id + 99, "Nobody")


def test_the_claim_link_and_a_members_voucher_carry_the_title(make_batch, make_member):
    from app.core import claims

    batch = make_batch(title="Welcome gift")
    assert batches.batch_public_title(batches.find_by_token(batch.token)) == "Welcome gift"
    member = make_member()
    voucher = claims.claim(batch.token, member.id).voucher
    assert voucher.batch_title == "Welcome gift"
    (card,) = vouchers.for_member(member.id)
    assert card.batch_title == "Welcome gift" and card.batch_name == "Summer 2025 - Email List"


def test_a_version_4_database_gains_an_empty_title_by_the_title_step(tmp_path, monkeypatch):
    """The step alone: a batch table of version 4 gets the column, and old batches show their offer."""
    monkeypatch.delenv(store.ENV_VAR, raising=False)
    path = tmp_path / "v4.db"
    store.open_database(path)
    template = templates.create_template("10% off", "10%")
    batch = batches.create_batch("Old batch", template, 2, "Email")
    store.close_database()
    with closing(sqlite3.connect(path)) as con:
        undo_after_version_6(con.execute)  # (the steps that come after)
        con.execute("ALTER TABLE batch DROP COLUMN title")
        con.execute("UPDATE schema_version SET version = 4")
        con.commit()
    assert migrations.MIGRATIONS[4] is migrations._add_batch_title
    store.open_database(path)
    try:
        with closing(sqlite3.connect(path)) as con:
            assert con.execute("SELECT version FROM schema_version").fetchall() == [(migrations.CURRENT_VERSION,)]
            assert con.execute("SELECT title FROM batch").fetchall() == [("",)]
        assert batches.get_batch(batch.id).title == "10% off"
    finally:
        store.close_database()
