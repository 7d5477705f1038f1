"""Redeeming at the till: every outcome, forgiving typing, and a paused batch still redeems."""

from datetime import date, datetime, timedelta

import pytest

from app.core import activity, batches, claims, codes, templates, vouchers
from app.core.claims import RedeemOutcome
from app.core.errors import InvalidInput
from app.core.store import models
from app.core.store.models import Voucher, utcnow

from .helpers import counters, real_counts


def test_a_claimed_voucher_redeems(make_batch, claim_some):
    batch = make_batch(quantity=3)
    (voucher,) = claim_some(batch, 1)
    before = utcnow()
    result = claims.redeem(voucher.code)
    assert result.outcome is RedeemOutcome.REDEEMED
    assert before <= result.redeemed_at <= utcnow()
    assert (result.voucher.status, result.voucher.redeemed_at) == ("redeemed", result.redeemed_at)
    assert result.message == f"Voucher {voucher.code} redeemed."
    assert counters(batch.id) == real_counts(batch.id) == (3, 1, 1)


def test_an_unclaimed_voucher_does_not_redeem(make_batch):
    batch = make_batch(quantity=3)
    code = vouchers.page(batch.id, limit=1)[0].code
    result = claims.redeem(code)
    assert (result.outcome, result.voucher.status) == (RedeemOutcome.NOT_CLAIMED, "unclaimed")
    assert "not been claimed" in result.message
    assert real_counts(batch.id) == (3, 0, 0)


def test_a_voucher_redeems_once_and_then_says_when(make_batch, claim_some):
    batch = make_batch(quantity=3)
    (voucher,) = claim_some(batch, 1)
    first = claims.redeem(voucher.code)
    again = claims.redeem(voucher.code)
    assert again.outcome is RedeemOutcome.ALREADY_REDEEMED
    assert again.redeemed_at == first.redeemed_at
    assert again.message == (
        f"Voucher {voucher.code} was already redeemed on {first.redeemed_at:%Y-%m-%d at %H:%M} UTC at till "
        f"{activity.this_pc()}."
    )
    assert counters(batch.id) == real_counts(batch.id) == (3, 1, 1)


def test_an_expired_voucher_does_not_redeem(make_batch, claim_some):
    batch = make_batch(quantity=3)  # the template: valid 30 days after claim
    (voucher,) = claim_some(batch, 1)
    past = utcnow() - timedelta(minutes=1)
    Voucher.update(expires_at=past).where(Voucher.code == codes.normalise(voucher.code)).execute()
    result = claims.redeem(voucher.code)
    assert result.outcome is RedeemOutcome.EXPIRED
    assert result.message == f"Voucher {voucher.code} expired on {past:%Y-%m-%d at %H:%M} UTC."
    assert vouchers.lookup(voucher.code).status == "claimed"
    assert real_counts(batch.id) == (3, 1, 0)


def test_a_voucher_whose_fixed_last_day_has_passed_does_not_redeem(db_path, make_member, monkeypatch):
    offer = templates.create_template("Last year", "10%", expires_on=date(2020, 12, 31))
    batch = batches.create_batch("Old", offer, 2, "Events")
    models.set_clock(datetime(2020, 12, 30, 12, 0))  # claimed while the offer still ran
    try:
        voucher = claims.claim(batch.token, make_member().id).voucher
    finally:
        models.set_clock(None)
    assert claims.redeem(voucher.code).outcome is RedeemOutcome.EXPIRED


def test_a_voucher_is_valid_until_the_end_of_its_days(make_batch, claim_some, monkeypatch):
    from app.core import vouchers as vouchers_module

    batch = make_batch(quantity=3)
    (voucher,) = claim_some(batch, 1)
    ends = voucher.claimed_at + timedelta(days=30)
    monkeypatch.setattr(vouchers_module, "utcnow", lambda: ends - timedelta(seconds=1))
    assert not vouchers.lookup(voucher.code).expired
    monkeypatch.setattr(vouchers_module, "utcnow", lambda: ends)
    assert claims.redeem(voucher.code).outcome is RedeemOutcome.EXPIRED


@pytest.mark.parametrize("typed", ["ZZZZ-ZZZZ-ZZ", "K7QM3XT9PA"])
def test_an_unknown_code_is_said_so(make_batch, typed):
    make_batch()
    result = claims.redeem(typed)
    assert (result.outcome, result.voucher) == (RedeemOutcome.UNKNOWN_CODE, None)
    assert result.message == "No voucher has this code. Check it and try again."


@pytest.mark.parametrize("typed", ["", "   ", " - "])
def test_an_empty_code_asks_for_one(db_path, typed):
    with pytest.raises(InvalidInput):
        claims.redeem(typed)


def test_a_paused_batch_still_redeems(make_batch, claim_some):
    batch = make_batch(quantity=3)
    (voucher,) = claim_some(batch, 1)
    batches.pause_batch(batch.id)
    assert claims.redeem(voucher.code).outcome is RedeemOutcome.REDEEMED


@pytest.mark.parametrize(
    "mangle", [str.lower, lambda c: c.replace("-", ""), lambda c: " " + c.replace("-", " ").lower() + " "]
)
def test_typing_at_the_till_is_forgiving(make_batch, claim_some, mangle):
    batch = make_batch(quantity=3, prefix="SUM")
    (voucher,) = claim_some(batch, 1)
    assert voucher.code.startswith("SUM-")
    result = claims.redeem(mangle(voucher.code))
    assert (result.outcome, result.voucher.code) == (RedeemOutcome.REDEEMED, voucher.code)
