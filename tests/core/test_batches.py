"""Batches: what a new batch is, its claim link, its limits, pausing, resuming and deleting."""

import base64
import re

import peewee
import pytest

from app.core import batches, claims, members, settings, vouchers
from app.core.claims import ClaimOutcome, RedeemOutcome
from app.core.errors import DatabaseProblem, InvalidInput, NotFound
from app.core.store.models import CHANNELS, Batch, Voucher

from .helpers import real_counts, table_counts


def test_a_new_batch_has_its_details_and_exactly_its_quantity_of_vouchers(make_batch, template):
    batch = make_batch(quantity=25, name="  Summer 2025 - Email List ", description=" Summer treat for our list ")
    assert (batch.name, batch.description, batch.channel, batch.status) == (
        "Summer 2025 - Email List",
        "Summer treat for our list",
        "Email",
        "active",
    )
    assert (batch.total, batch.claimed, batch.redeemed, batch.available) == (25, 0, 0, 25)
    assert batch.template_id == template.id
    assert real_counts(batch.id) == (25, 0, 0)


def test_the_claim_token_is_random_url_safe_and_long_enough(make_batch):
    made = [make_batch(quantity=1, name=f"Batch {n}") for n in range(30)]
    tokens = [b.token for b in made]
    assert len(set(tokens)) == 30
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]+", token), token
        assert len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) * 8 >= 128
    # unrelated to the id: no position is fixed or counts up from one batch to the next
    for position in range(min(map(len, tokens))):
        assert len({t[position] for t in tokens}) > 1
    # nor carries the id at either end: a random token does so by chance for 1 batch in 2,048 (two
    # characters of 64, at two ends), so more than two of 30 would mean the id is in it (1 in 2 million)
    carrying = [
        t
        for b, t in zip(made, tokens, strict=True)
        if b.id > 9 and str(b.id) in (t[: len(str(b.id))], t[-len(str(b.id)) :])
    ]
    assert len(carrying) <= 2, carrying


def test_the_claim_url_is_the_public_base_url_then_en_us_claim_token(make_batch):
    batch = make_batch()
    assert batch.claim_url == f"http://shop.test:8080/en-us/claim/{batch.token}"
    settings.save(settings.Settings(public_base_url="https://yoursite.com/"))
    assert batches.get_batch(batch.id).claim_url == f"https://yoursite.com/en-us/claim/{batch.token}"
    assert batches.find_by_token(batch.token).id == batch.id


def test_without_a_public_base_url_the_link_points_at_this_pc_on_port_8080(make_batch, monkeypatch):
    monkeypatch.setattr(settings, "lan_address", lambda: "192.168.1.20")
    settings.save(settings.Settings(public_base_url=""))
    batch = make_batch()
    assert batch.claim_url == f"http://192.168.1.20:8080/en-us/claim/{batch.token}"


@pytest.mark.parametrize("quantity", [1, 1_000])
def test_a_quantity_from_1_is_accepted(make_batch, quantity):
    assert make_batch(quantity=quantity).total == quantity


@pytest.mark.parametrize("quantity", [0, -5, 1_000_001, "10", 10.0, 2.5, None, True])
def test_a_quantity_outside_1_to_a_million_or_not_whole_is_refused(make_batch, quantity):
    with pytest.raises(InvalidInput, match="1 to 1,000,000"):
        make_batch(quantity=quantity)
    assert table_counts() == (0, 0)


def test_every_channel_of_the_spec_is_accepted(make_batch):
    for channel in CHANNELS:
        assert make_batch(quantity=1, channel=channel, name=f"Summer - {channel}").channel == channel
    assert sorted(b.channel for b in batches.list_batches()) == sorted(CHANNELS)


def test_an_unknown_channel_is_refused(make_batch):
    with pytest.raises(InvalidInput, match="channel"):
        make_batch(channel="Fax")
    assert table_counts() == (0, 0)


@pytest.mark.parametrize(
    ("typed", "channel"),
    [
        ("email", "Email"),
        ("SMS", "SMS"),
        ("in-store-qr", "In-store QR"),
        ("social_media", "Social media"),
        ("Other", "Other"),
    ],
)
def test_a_channel_can_be_typed_loosely(typed, channel):
    assert batches.channel_named(typed) == channel


def test_a_loosely_typed_unknown_channel_is_refused():
    with pytest.raises(InvalidInput):
        batches.channel_named("carrier pigeon")


@pytest.mark.parametrize(("name", "description"), [("", "x"), ("   ", "x"), ("x" * 121, "x"), ("ok", "x" * 2001)])
def test_a_batch_needs_a_name_and_a_short_enough_description(make_batch, name, description):
    with pytest.raises(InvalidInput):
        make_batch(name=name, description=description)
    assert table_counts() == (0, 0)


def test_a_batch_of_an_unknown_template_is_not_found(db_path):
    with pytest.raises(NotFound):
        batches.create_batch("Orphan", 999, 10, "Email")
    assert table_counts() == (0, 0)


def test_pause_and_resume_are_idempotent(make_batch):
    batch = make_batch()
    assert batches.pause_batch(batch.id).status == "paused"
    assert batches.pause_batch(batch.id).status == "paused"
    assert batches.resume_batch(batch.id).status == "active"
    assert batches.resume_batch(batch.id).status == "active"
    assert batches.pause_batch(batch.id).status == "paused"


@pytest.mark.parametrize("action", [batches.pause_batch, batches.resume_batch, batches.delete_batch, batches.get_batch])
def test_an_unknown_batch_id_is_not_found_and_named(db_path, action):
    with pytest.raises(NotFound, match="4242"):
        action(4242)


def test_delete_removes_the_batch_and_all_its_vouchers_claimed_ones_too(make_batch, claim_some):
    batch = make_batch(quantity=30)
    kept = make_batch(quantity=5, name="Kept")
    claimed = claim_some(batch, 4)
    assert claims.redeem(claimed[0].code).outcome is RedeemOutcome.REDEEMED
    assert batches.delete_batch(batch.id) == 30
    assert table_counts() == (1, 5)
    with pytest.raises(NotFound):
        batches.get_batch(batch.id)
    with pytest.raises(NotFound):
        vouchers.lookup(claimed[1].code)
    assert claims.redeem(claimed[1].code).outcome is RedeemOutcome.UNKNOWN_CODE
    member = members.find_member(claimed[1].member)
    assert vouchers.for_member(member.id) == []  # gone from My Cards
    assert claims.claim(batch.token, member.id).outcome is ClaimOutcome.NOT_FOUND
    assert [b.id for b in batches.list_batches()] == [kept.id]
    with pytest.raises(NotFound):
        batches.delete_batch(batch.id)


def test_delete_is_one_transaction(make_batch, claim_some, monkeypatch):
    batch = make_batch(quantity=20)
    claim_some(batch, 3)

    def failing_delete(cls):
        raise peewee.OperationalError("disk I/O error")

    # The vouchers go first; the batch row's delete then fails: the vouchers must come back.
    monkeypatch.setattr(Batch, "delete", classmethod(failing_delete))
    with pytest.raises((peewee.OperationalError, DatabaseProblem)):  # as it comes, or said as a sentence
        batches.delete_batch(batch.id)
    monkeypatch.undo()
    assert real_counts(batch.id) == (20, 3, 0)
    assert batches.get_batch(batch.id).claimed == 3
    assert Voucher.select().where(Voucher.batch == batch.id).count() == 20


def test_the_delete_confirmation_is_the_spec_sentence_with_the_count(make_batch):
    assert batches.delete_confirmation(make_batch(quantity=500)) == (
        "Are you sure you want to permanently delete this batch? 500 vouchers will be permanently deleted."
    )
