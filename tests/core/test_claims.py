"""Claiming on the claim site: every outcome, one voucher per member per batch."""

from datetime import date, timedelta

import pytest

from app.core import batches, claims, templates, vouchers
from app.core.claims import ClaimOutcome
from app.core.store.models import Batch, Voucher, utcnow

from .helpers import counters, real_counts


def test_a_member_claims_a_voucher(make_batch, make_member):
    batch = make_batch(quantity=3)
    member = make_member("Ann@Example.com")
    before = utcnow()
    result = claims.claim(batch.token, member.id)
    assert result.outcome is ClaimOutcome.CLAIMED
    voucher = result.voucher
    assert (voucher.status, voucher.member, voucher.batch_id, voucher.batch_name) == (
        "claimed",
        "ann@example.com",
        batch.id,
        batch.name,
    )
    assert before <= voucher.claimed_at <= utcnow()
    assert voucher.expires_at == voucher.claimed_at + timedelta(days=30)  # the template's 30 days
    assert voucher.redeemed_at is None
    assert vouchers.lookup(voucher.code).member == "ann@example.com"
    got = batches.get_batch(batch.id)
    assert (got.total, got.claimed, got.redeemed, got.available) == (3, 1, 0, 2)


def test_claiming_again_returns_the_same_voucher(make_batch, make_member):
    batch = make_batch(quantity=3)
    member = make_member()
    first = claims.claim(batch.token, member.id)
    again = claims.claim(batch.token, member.id)
    assert again.outcome is ClaimOutcome.ALREADY_CLAIMED
    assert again.voucher.code == first.voucher.code
    assert batches.get_batch(batch.id).claimed == 1


def test_a_member_who_claimed_still_sees_the_voucher_after_redeeming_or_a_pause(make_batch, make_member):
    batch = make_batch(quantity=3)
    member = make_member()
    code = claims.claim(batch.token, member.id).voucher.code
    claims.redeem(code)
    batches.pause_batch(batch.id)
    again = claims.claim(batch.token, member.id)
    assert (again.outcome, again.voucher.code, again.voucher.status) == (ClaimOutcome.ALREADY_CLAIMED, code, "redeemed")


def test_one_voucher_per_member_per_batch_but_one_in_each_batch(make_batch, make_member):
    first, second = make_batch(quantity=3, name="First"), make_batch(quantity=3, name="Second")
    member = make_member()
    a = claims.claim(first.token, member.id)
    b = claims.claim(second.token, member.id)
    assert a.outcome is b.outcome is ClaimOutcome.CLAIMED
    assert a.voucher.code != b.voucher.code
    assert {v.code for v in vouchers.for_member(member.id)} == {a.voucher.code, b.voucher.code}


def test_a_paused_batch_refuses_new_claims_until_resumed(make_batch, make_member):
    batch = make_batch(quantity=3)
    batches.pause_batch(batch.id)
    member = make_member()
    assert claims.claim(batch.token, member.id) == claims.ClaimResult(ClaimOutcome.PAUSED)
    assert real_counts(batch.id) == (3, 0, 0)
    batches.resume_batch(batch.id)
    assert claims.claim(batch.token, member.id).outcome is ClaimOutcome.CLAIMED


def test_no_vouchers_available_once_all_are_claimed(make_batch, make_member, claim_some):
    batch = make_batch(quantity=2)
    claim_some(batch, 2)
    assert claims.claim(batch.token, make_member().id) == claims.ClaimResult(ClaimOutcome.NO_VOUCHERS)
    assert real_counts(batch.id) == (2, 2, 0)
    assert batches.get_batch(batch.id).available == 0


def test_the_counter_never_hands_out_a_voucher_that_is_not_there(make_batch, make_member, claim_some):
    # Even if the counter were behind, the last voucher is not given twice.
    batch = make_batch(quantity=2)
    claim_some(batch, 2)
    Batch.update(claimed_count=1).where(Batch.id == batch.id).execute()
    assert claims.claim(batch.token, make_member().id).outcome is ClaimOutcome.NO_VOUCHERS


@pytest.mark.parametrize("token", ["", "no-such-token", "x" * 65])
def test_an_unknown_link_is_not_found(make_batch, make_member, token):
    make_batch()
    assert claims.claim(token, make_member().id) == claims.ClaimResult(ClaimOutcome.NOT_FOUND)
    assert batches.find_by_token(token) is None


def test_a_deleted_batch_is_not_found(make_batch, make_member):
    batch = make_batch()
    batches.delete_batch(batch.id)
    assert claims.claim(batch.token, make_member().id).outcome is ClaimOutcome.NOT_FOUND
    assert batches.find_by_token(batch.token) is None


def test_a_fixed_date_offer_stamps_its_last_day_on_the_voucher(db_path, make_member):
    offer = templates.create_template("New year", "5", expires_on=date(2031, 1, 31))
    batch = batches.create_batch("Winter", offer, 2, "Events")
    voucher = claims.claim(batch.token, make_member().id).voucher
    assert voucher.expires_at == templates.expiry_for_claim(offer, voucher.claimed_at)
    assert voucher.expires_at.date() in (date(2031, 1, 31), date(2031, 2, 1))  # midnight local, in UTC


def test_the_batch_counters_follow_claims(make_batch, claim_some):
    batch = make_batch(quantity=10)
    claim_some(batch, 4)
    assert counters(batch.id) == (10, 4, 0)
    assert real_counts(batch.id) == (10, 4, 0)


def test_an_offer_past_its_last_day_is_not_claimed(db_path, make_member):
    ended = templates.create_template("Last week", "5", expires_on=date.today() - timedelta(days=2))
    batch = batches.create_batch("Ended", ended, 5, "Email")
    assert claims.claim(batch.token, make_member().id).outcome is ClaimOutcome.ENDED
    assert batches.get_batch(batch.id).claimed == 0 and Voucher.select().where(Voucher.status > 0).count() == 0

    today = templates.create_template("Ends today", "5", expires_on=date.today())
    lasting = batches.create_batch("Ends today", today, 5, "Email")
    assert claims.claim(lasting.token, make_member().id).outcome is ClaimOutcome.CLAIMED


def test_a_claim_answers_with_the_offer_as_it_reads_now(make_batch, make_member, template):
    """The claims of a promotion share the offer they read (claims._offer_of): one edited in the window
    meanwhile answers the next claim with its new words."""
    batch = make_batch(quantity=3)
    first = claims.claim(batch.token, make_member().id).voucher
    templates.edit_template(template.id, title="Ten off", terms="Two per visit")
    second = claims.claim(batch.token, make_member().id).voucher
    assert (first.template.title, first.template.terms) == ("10% off", "One per visit")
    assert (second.template.title, second.template.terms) == ("Ten off", "Two per visit")
