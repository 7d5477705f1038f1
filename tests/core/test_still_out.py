"""What is still out there: a batch's claimed vouchers not yet redeemed that expire in the next 7 days,
and those that expired unused; summed by channel. Read from the partial index of claimed-not-redeemed
vouchers, at any moment asked."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app.core import analytics, batches, claims, templates
from app.core.store import models


@pytest.fixture
def clock():
    yield models.set_clock
    models.set_clock(None)


def test_expiring_within_7_days_and_expired_unused_as_time_goes_by(db_path, make_member, clock):
    week = templates.create_template("Week", "10%", valid_days=7)
    month = templates.create_template("Month", "5", valid_days=30)
    start = datetime(2026, 3, 1, 12, 0)
    clock(start)
    short = batches.create_batch("Short - Email", week, 20, "Email")
    long = batches.create_batch("Long - SMS", month, 20, "SMS")
    held = {}
    for day in range(5):  # one claim a day on each
        clock(start + timedelta(days=day))
        for batch in (short, long):
            held.setdefault(batch.id, []).append(claims.claim(batch.token, make_member().id).voucher)
    clock(start + timedelta(days=4, hours=1))
    claims.redeem(held[short.id][0].code)  # used: no longer out there

    def out(batch, days):
        stats = analytics.batch_stats(batch.id, now=start + timedelta(days=days))
        return stats.expiring_7d, stats.expired_unredeemed

    assert out(short, 0.5) == (0, 0)  # only day 0's voucher expires within a week: and it was used
    assert out(short, 4.5) == (4, 0)  # days 1-4's, expiring on days 8-11
    assert out(short, 7) == (4, 0)
    assert out(short, 8) == (3, 1)  # day 1's expired on day 8: exactly now
    assert out(short, 12) == (0, 4)
    assert out(long, 4.5) == (0, 0)
    assert out(long, 24) == (2, 0)  # claimed on days 0 and 1: expire on days 30 and 31
    assert out(long, 40) == (0, 5)
    stats = analytics.batch_stats(short.id, now=start + timedelta(days=8)).to_json()
    assert (stats["expiring_7d"], stats["expired_unredeemed"]) == (3, 1)
    clock(start + timedelta(days=8))
    by = {c.channel: c for c in analytics.channel_stats()}
    assert (by["Email"].expiring_7d, by["Email"].expired_unredeemed) == (3, 1)
    assert (by["SMS"].expiring_7d, by["SMS"].expired_unredeemed) == (0, 0)
    assert (by["Events"].expiring_7d, by["Events"].expired_unredeemed) == (0, 0)
    assert by["Email"].to_json()["expiring_7d"] == 3
    named = {c.channel: c for c in analytics.channel_stats("Long*", now=start + timedelta(days=24))}
    assert (named["Email"].expiring_7d, named["SMS"].expiring_7d) == (0, 2)


def test_vouchers_that_never_expire_are_never_counted_as_expiring(make_batch, claim_some, db_path):
    forever = templates.create_template("Forever", "10%")
    batch = batches.create_batch("Forever - Events", forever, 5, "Events")
    claim_some(batch, 3)
    far = models.utcnow() + timedelta(days=10_000)
    stats = analytics.batch_stats(batch.id, now=far)
    assert (stats.expiring_7d, stats.expired_unredeemed) == (0, 0)


def test_the_counts_agree_with_the_vouchers_at_every_edge(db_path, make_member, clock):
    """Claims at odd seconds, redemptions and an undo: at each expiry instant, a second either side,
    and every quarter hour's edge, the counts by expiry say what counting the voucher rows says."""
    import random

    from app.core import vouchers
    from app.core.analytics import EXPIRING_WITHIN, SLOT_SECONDS

    offer = templates.create_template("Three days", "10%", valid_days=3)
    batch = batches.create_batch("Edges - Email", offer, 40, "Email")
    rng = random.Random(7)
    start = datetime(2026, 4, 1, 8, 0)
    held = []
    for _ in range(30):
        clock(start + timedelta(seconds=rng.randrange(6 * 24 * 3600)))
        held.append(claims.claim(batch.token, make_member().id).voucher)
    for voucher in rng.sample(held, 12):
        clock(max(voucher.claimed_at, start) + timedelta(hours=1))
        claims.redeem(voucher.code)
    undone = next(v for v in held if vouchers.lookup(v.code).status == "redeemed")
    clock(vouchers.lookup(undone.code).redeemed_at + timedelta(minutes=5))
    claims.undo_redemption(undone.code, "scanned by mistake")
    rows = [vouchers.lookup(v.code) for v in held]
    out = [r.expires_at for r in rows if r.status == "claimed"]
    moments = set()
    for expiry in out:
        moments |= {expiry, expiry - timedelta(seconds=1), expiry + timedelta(seconds=1), expiry - EXPIRING_WITHIN}
        moments |= {expiry - EXPIRING_WITHIN + timedelta(seconds=s) for s in (-1, 1)}
        edge = datetime(1970, 1, 1) + timedelta(
            seconds=int((expiry - datetime(1970, 1, 1)).total_seconds()) // SLOT_SECONDS * SLOT_SECONDS
        )
        moments |= {edge, edge - timedelta(seconds=1), edge + timedelta(seconds=SLOT_SECONDS)}
    for now in sorted(moments):
        wanted = (
            sum(now < e <= now + EXPIRING_WITHIN for e in out),
            sum(e <= now for e in out),
        )
        assert analytics.still_out(batch.id, now) == wanted, now
