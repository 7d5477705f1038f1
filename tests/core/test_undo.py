"""Undoing a redemption at the till: back to claimed and redeemable again, the counts follow,
within the undo window, once however many tills try at once, and never without a reason."""

from collections import Counter
from datetime import timedelta

import pytest

from app.core import activity, claims, codes, settings, vouchers
from app.core.activity import Actor
from app.core.claims import RedeemOutcome, UndoOutcome
from app.core.errors import InvalidInput
from app.core.store.models import Voucher, utcnow

from .helpers import counters, real_counts, run_threads, run_together

TILL_2 = Actor("till 2", "Anna")


def redeemed_ago(code: str, **ago) -> None:
    """Move a redemption back in time (the claim with it, to keep the row consistent)."""
    when = utcnow() - timedelta(**ago)
    Voucher.update(redeemed_at=when, claimed_at=when - timedelta(hours=1)).where(
        Voucher.code == codes.normalise(code)
    ).execute()


def test_redeem_undo_and_redeem_again_with_the_counts_following(make_batch, claim_some):
    batch = make_batch(quantity=4)
    (voucher,) = claim_some(batch, 1)
    assert claims.redeem(voucher.code, TILL_2).outcome is RedeemOutcome.REDEEMED
    assert counters(batch.id) == real_counts(batch.id) == (4, 1, 1)
    undone = claims.undo_redemption(voucher.code, "scanned by mistake", TILL_2)
    assert undone.outcome is UndoOutcome.UNDONE
    assert undone.message == f"Redemption of voucher {voucher.code} undone: it is claimed again and can be redeemed."
    after = vouchers.lookup(voucher.code)
    assert (after.status, after.member, after.redeemed_at) == ("claimed", voucher.member, None)
    assert after.claimed_at == voucher.claimed_at
    assert counters(batch.id) == real_counts(batch.id) == (4, 1, 0)
    assert claims.redeem(voucher.code, Actor("till 1", "Ben")).outcome is RedeemOutcome.REDEEMED
    assert counters(batch.id) == real_counts(batch.id) == (4, 1, 1)
    again = claims.redeem(voucher.code)
    assert again.message.endswith(" by Ben, till 1.")  # a till named "till 1" is not "till till 1"


def test_an_already_redeemed_voucher_says_who_redeemed_it_and_where(make_batch, claim_some):
    batch = make_batch(quantity=2)
    (voucher,) = claim_some(batch, 1)
    first = claims.redeem(voucher.code, Actor("2", "Anna"))
    again = claims.redeem(voucher.code, Actor("3", "Ben"))
    assert again.redeemed_by == Actor("2", "Anna")
    assert again.message == (
        f"Voucher {voucher.code} was already redeemed on {first.redeemed_at:%Y-%m-%d at %H:%M} UTC by Anna, till 2."
    )
    assert claims.refusal(vouchers.lookup(voucher.code)).message == again.message  # what the till shows on lookup


def test_undo_of_an_unredeemed_unknown_or_too_old_redemption_says_so(make_batch, claim_some):
    batch = make_batch(quantity=3)
    claimed, old = claim_some(batch, 2)
    unclaimed = vouchers.page(batch.id, status="unclaimed", limit=1)[0]
    claims.redeem(old.code)
    redeemed_ago(old.code, days=7, minutes=1)
    for code, outcome in (
        (claimed.code, UndoOutcome.NOT_REDEEMED),
        (unclaimed.code, UndoOutcome.NOT_REDEEMED),
        ("NOSUCHCODE1", UndoOutcome.UNKNOWN_CODE),
        (old.code, UndoOutcome.TOO_LATE),
    ):
        assert claims.undo_redemption(code, "sale cancelled").outcome is outcome
    late = claims.undo_redemption(old.code, "sale cancelled")
    assert "can only be undone within 7 days" in late.message
    assert vouchers.lookup(old.code).status == "redeemed"
    assert counters(batch.id) == real_counts(batch.id) == (3, 2, 1)
    assert activity.entries(activity.Filter(kind="redemption_undone")) == []


def test_the_undo_window_is_a_setting(make_batch, claim_some):
    batch = make_batch(quantity=2)
    (voucher,) = claim_some(batch, 1)
    claims.redeem(voucher.code)
    redeemed_ago(voucher.code, days=2)
    config = settings.load()
    config.undo_days = 1
    settings.save(config)
    assert claims.undo_redemption(voucher.code, "sale cancelled").outcome is UndoOutcome.TOO_LATE
    config.undo_days = 3
    settings.save(config)
    assert claims.undo_redemption(voucher.code, "sale cancelled").outcome is UndoOutcome.UNDONE
    for bad in (0, 366, "x"):
        config.undo_days = bad
        with pytest.raises(InvalidInput):
            settings.save(config)


@pytest.mark.parametrize("reason", ["", "   ", None, "x" * 501])
def test_an_undo_needs_a_reason(make_batch, claim_some, reason):
    batch = make_batch(quantity=2)
    (voucher,) = claim_some(batch, 1)
    claims.redeem(voucher.code)
    with pytest.raises(InvalidInput):
        claims.undo_redemption(voucher.code, reason)
    assert vouchers.lookup(voucher.code).status == "redeemed"


def test_eight_threads_undoing_one_redemption_undo_it_once(make_batch, claim_some):
    batch = make_batch(quantity=3)
    (voucher,) = claim_some(batch, 1)
    claims.redeem(voucher.code)
    results = run_threads(
        8, lambda i: claims.undo_redemption(voucher.code, "sale cancelled", Actor(f"till {i}")).outcome
    )
    assert Counter(results) == {UndoOutcome.UNDONE: 1, UndoOutcome.NOT_REDEEMED: 7}
    assert counters(batch.id) == real_counts(batch.id) == (3, 1, 0)
    assert len(activity.entries(activity.Filter(kind="redemption_undone"))) == 1


def test_eight_processes_undoing_one_redemption_undo_it_once(db_path, make_batch, claim_some):
    batch = make_batch(quantity=3)
    (voucher,) = claim_some(batch, 1)
    claims.redeem(voucher.code)
    results = run_together([["undo", db_path, f"till {i}", voucher.code] for i in range(8)])
    assert Counter(outcome for result in results for _, outcome in result) == {"undone": 1, "not_redeemed": 7}
    assert counters(batch.id) == real_counts(batch.id) == (3, 1, 0)
    (entry,) = activity.entries(activity.Filter(kind="redemption_undone"))
    assert (entry.staff, entry.details["reason"]) == ("Worker", "scanned by mistake")
