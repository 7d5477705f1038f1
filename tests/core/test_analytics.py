"""A batch's analytics and the channels page, checked against counts made here from the voucher rows
(claimed_at, redeemed_at), with claims and redemptions placed at known times by the core's clock,
across daylight-saving changes, undo, deletion, races and the migration that fills the counts."""

import itertools
import random
import statistics
import threading
import zoneinfo
from collections import Counter
from datetime import date, datetime, time, timedelta, timezone

import pytest

from app.core import analytics, batches, claims, members, rates, settings, store, times, wording
from app.core.claims import ClaimOutcome, RedeemOutcome, UndoOutcome
from app.core.errors import NotFound
from app.core.store import migrations, models, run_sql
from app.core.store.models import Batch, as_datetime
from tests.helpers.database import ON_POSTGRES, undo_after_version_6

from .helpers import counters, real_counts

UTC = timezone.utc


@pytest.fixture
def clock():
    """clock(moment): the core's now is that moment (aware) from here on; the real time afterwards."""

    def set_to(moment: datetime) -> None:
        models.set_clock(moment)

    yield set_to
    models.set_clock(None)


@pytest.fixture
def zone(db_path):
    """zone(name): the store's time zone setting for this test (conftest puts the PC's back afterwards)."""

    def set_zone(name: str) -> zoneinfo.ZoneInfo:
        config = settings.load()
        config.time_zone = name
        settings.save(config)
        return zoneinfo.ZoneInfo(name)

    return set_zone


def at(zone_info, *fields) -> datetime:
    """A local wall time, as an aware UTC moment (so that adding hours means hours, across DST)."""
    return datetime(*fields, tzinfo=zone_info).astimezone(UTC)


def created_at(batch_id: int, moment: datetime) -> None:
    """Pretend the batch was made at this moment (batches are made now; the clock places the rest)."""
    Batch.update(created_at=moment.astimezone(UTC).replace(tzinfo=None)).where(Batch.id == batch_id).execute()


def claim_at(clock, batch, moment: datetime) -> str:
    clock(moment)
    result = claims.claim(batch.token, members.create_member(f"m{random.getrandbits(48)}@example.com", "x").id)
    assert result.outcome is ClaimOutcome.CLAIMED
    return result.voucher.code


def redeem_at(clock, code: str, moment: datetime) -> None:
    clock(moment)
    assert claims.redeem(code).outcome is RedeemOutcome.REDEEMED


def voucher_times(batch_id: int) -> tuple[list[datetime], list[datetime], list[timedelta]]:
    """Claim times, redemption times (aware UTC) and claim-to-redemption delays, from the voucher rows."""
    rows = run_sql("SELECT claimed_at, redeemed_at FROM voucher WHERE batch_id = :b", {"b": batch_id}).fetchall()
    claimed = [as_datetime(c).replace(tzinfo=UTC) for c, _ in rows if c is not None]
    redeemed = [as_datetime(r).replace(tzinfo=UTC) for _, r in rows if r is not None]
    delays = [as_datetime(r) - as_datetime(c) for c, r in rows if r is not None]
    return claimed, redeemed, delays


def local_hour(moment: datetime, zone_info) -> str:
    """The local hour holding a moment, with its offset (the fall-back hour appears twice)."""
    local = moment.astimezone(zone_info)
    return local.replace(minute=0, second=0, microsecond=0).isoformat()


def local_day(moment: datetime, zone_info) -> str:
    return moment.astimezone(zone_info).date().isoformat()


def check_series_against_vouchers(stats, zone_info):
    """Each bucket holds exactly the claims and redemptions the voucher rows put in it; the buckets
    add up to the batch's counts; the cumulative figures are the running sums."""
    claimed, redeemed, _ = voucher_times(stats.batch_id)
    key = local_hour if stats.bucket == "hour" else local_day
    want_claims = Counter(key(m, zone_info) for m in claimed)
    want_redemptions = Counter(key(m, zone_info) for m in redeemed)
    label = (lambda b: b.start.isoformat()) if stats.bucket == "hour" else (lambda b: b.start.date().isoformat())
    got_claims = {label(b): b.claims for b in stats.series if b.claims}
    got_redemptions = {label(b): b.redemptions for b in stats.series if b.redemptions}
    assert got_claims == dict(want_claims)
    assert got_redemptions == dict(want_redemptions)
    assert sum(b.claims for b in stats.series) == stats.claimed == len(claimed)
    assert sum(b.redemptions for b in stats.series) == stats.redeemed == len(redeemed)
    running_c = running_r = 0
    for b in stats.series:
        running_c, running_r = running_c + b.claims, running_r + b.redemptions
        assert (b.claimed_so_far, b.redeemed_so_far) == (running_c, running_r)


def expected_hour_starts(created: datetime, now: datetime, zone_info) -> list[str]:
    local = created.astimezone(zone_info)
    start = created.astimezone(UTC) - timedelta(minutes=local.minute, seconds=local.second)
    starts = []
    while start <= now:
        starts.append(start.astimezone(zone_info).isoformat())
        start += timedelta(hours=1)
    return starts


def expected_day_starts(created: datetime, now: datetime, zone_info) -> list[str]:
    day, last = created.astimezone(zone_info).date(), now.astimezone(zone_info).date()
    starts = []
    while day <= last:
        starts.append(datetime.combine(day, time(), tzinfo=zone_info).isoformat())
        day += timedelta(days=1)
    return starts


# -- the series ----------------------------------------------------------------------------------


def test_hourly_series_across_new_yorks_fall_back_shows_the_1_oclock_hour_twice(make_batch, clock, zone):
    ny = zone("America/New_York")
    batch = make_batch(quantity=300)
    created = at(ny, 2026, 10, 31, 20, 10)  # EDT; clocks go back at 2026-11-01 02:00 EDT
    now = at(ny, 2026, 11, 1, 12, 40)
    created_at(batch.id, created)
    rng = random.Random(12)
    span = (now - created).total_seconds()
    moments = sorted(created + timedelta(seconds=rng.uniform(0, span)) for _ in range(120))
    # both 01:00 hours: 05:30 and 06:30 UTC
    moments += [datetime(2026, 11, 1, 5, 30, tzinfo=UTC), datetime(2026, 11, 1, 6, 30, tzinfo=UTC)]
    codes = [claim_at(clock, batch, m) for m in sorted(moments)]
    for code, m in zip(codes[::3], sorted(moments)[::3], strict=True):
        redeem_at(clock, code, min(now, m + timedelta(minutes=rng.uniform(1, 300))))

    stats = analytics.batch_stats(batch.id, now=now)

    assert stats.bucket == "hour"
    starts = [b.start.isoformat() for b in stats.series]
    assert starts == expected_hour_starts(created, now, ny)
    assert "2026-11-01T01:00:00-04:00" in starts and "2026-11-01T01:00:00-05:00" in starts
    assert starts[0] == "2026-10-31T20:00:00-04:00" and starts[-1] == "2026-11-01T12:00:00-05:00"
    check_series_against_vouchers(stats, ny)
    one_am = [b for b in stats.series if b.start.isoformat().startswith("2026-11-01T01:00")]
    assert [b.claims for b in one_am] == [
        sum(1 for m in moments if local_hour(m, ny) == one_am[0].start.isoformat()),
        sum(1 for m in moments if local_hour(m, ny) == one_am[1].start.isoformat()),
    ]
    assert all(b.claims >= 1 for b in one_am)


def test_daily_series_across_berlins_spring_forward_has_a_23_hour_day(make_batch, clock, zone):
    berlin = zone("Europe/Berlin")
    batch = make_batch(quantity=500)
    created = at(berlin, 2026, 3, 25, 9, 0)
    now = at(berlin, 2026, 4, 2, 18, 0)
    created_at(batch.id, created)
    rng = random.Random(3)
    span = (now - created).total_seconds()
    moments = sorted(created + timedelta(seconds=rng.uniform(0, span)) for _ in range(150))
    # either side of the spring-forward midnight and hour
    moments += [at(berlin, 2026, 3, 28, 23, 59), at(berlin, 2026, 3, 29, 0, 1), at(berlin, 2026, 3, 29, 3, 5)]
    codes = [claim_at(clock, batch, m) for m in sorted(moments)]
    for code, m in zip(codes[::2], sorted(moments)[::2], strict=True):
        redeem_at(clock, code, min(now, m + timedelta(hours=rng.uniform(0, 60))))

    stats = analytics.batch_stats(batch.id, now=now)

    assert stats.bucket == "day"
    assert [b.start.isoformat() for b in stats.series] == expected_day_starts(created, now, berlin)
    check_series_against_vouchers(stats, berlin)
    lengths = {
        b.start.date(): (n.start.astimezone(UTC) - b.start.astimezone(UTC)) for b, n in itertools.pairwise(stats.series)
    }
    assert lengths[date(2026, 3, 29)] == timedelta(hours=23)
    assert lengths[date(2026, 3, 28)] == timedelta(hours=24)


def test_daily_series_across_new_yorks_fall_back_has_a_25_hour_day(make_batch, clock, zone):
    ny = zone("America/New_York")
    batch = make_batch(quantity=200)
    created = at(ny, 2026, 10, 28, 15, 0)
    now = at(ny, 2026, 11, 3, 9, 0)
    created_at(batch.id, created)
    moments = [
        at(ny, 2026, 11, 1, 0, 30),
        datetime(2026, 11, 1, 5, 45, tzinfo=UTC),
        datetime(2026, 11, 1, 6, 45, tzinfo=UTC),
        at(ny, 2026, 11, 1, 23, 59),
        at(ny, 2026, 11, 2, 0, 0),
        at(ny, 2026, 10, 31, 23, 59, 59),
    ]
    for m in sorted(moments):
        claim_at(clock, batch, m)
    stats = analytics.batch_stats(batch.id, now=now)
    check_series_against_vouchers(stats, ny)
    by_day = {b.start.date(): b for b in stats.series}
    assert by_day[date(2026, 11, 1)].claims == 4 and by_day[date(2026, 11, 2)].claims == 1
    following = stats.series[[b.start.date() for b in stats.series].index(date(2026, 11, 2))]
    assert following.start.astimezone(UTC) - by_day[date(2026, 11, 1)].start.astimezone(UTC) == timedelta(hours=25)


@pytest.mark.parametrize("name", ["Asia/Kolkata", "Asia/Kathmandu"])  # +5:30 and +5:45
def test_hours_and_days_follow_a_zone_offset_by_a_half_or_quarter_hour(make_batch, clock, zone, name):
    local_zone = zone(name)
    batch = make_batch(quantity=100)
    created = at(local_zone, 2026, 6, 1, 8, 50)
    created_at(batch.id, created)
    rng = random.Random(name)
    moments = sorted(created + timedelta(minutes=rng.uniform(0, 47 * 60)) for _ in range(60))
    for m in moments:
        claim_at(clock, batch, m)
    hourly = analytics.batch_stats(batch.id, now=created + timedelta(hours=47, minutes=30))
    assert hourly.bucket == "hour"
    assert all(b.start.minute == 0 for b in hourly.series)
    assert [b.start.isoformat() for b in hourly.series] == expected_hour_starts(
        created, created + timedelta(hours=47, minutes=30), local_zone
    )
    check_series_against_vouchers(hourly, local_zone)
    daily = analytics.batch_stats(batch.id, now=created + timedelta(days=3))
    assert daily.bucket == "day"
    check_series_against_vouchers(daily, local_zone)


def test_the_bucket_is_an_hour_until_48_hours_and_a_day_after(make_batch, clock, zone):
    zone("Europe/Berlin")
    batch = make_batch()
    created = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
    created_at(batch.id, created)
    assert analytics.batch_stats(batch.id, now=created + timedelta(hours=47, minutes=59)).bucket == "hour"
    young = analytics.batch_stats(batch.id, now=created + timedelta(hours=47, minutes=59))
    assert len(young.series) == 48 and all(b.claims == 0 for b in young.series)  # empty buckets included
    old = analytics.batch_stats(batch.id, now=created + timedelta(hours=48))
    assert old.bucket == "day" and [b.start.isoformat() for b in old.series] == [
        "2026-05-04T00:00:00+02:00",
        "2026-05-05T00:00:00+02:00",
        "2026-05-06T00:00:00+02:00",
    ]


def test_an_unknown_batch_is_not_found(db_path):
    with pytest.raises(NotFound, match="no batch with id 99"):
        analytics.batch_stats(99)


# -- undo and delete -----------------------------------------------------------------------------


def test_undoing_a_redemption_takes_it_out_of_the_hour_it_was_counted_in(make_batch, clock, zone):
    berlin = zone("Europe/Berlin")
    batch = make_batch(quantity=10)
    created = at(berlin, 2026, 7, 1, 9, 0)
    created_at(batch.id, created)
    first = claim_at(clock, batch, at(berlin, 2026, 7, 1, 9, 15))
    second = claim_at(clock, batch, at(berlin, 2026, 7, 1, 9, 20))
    redeem_at(clock, first, at(berlin, 2026, 7, 1, 10, 20))  # 1 h 5 min after its claim
    redeem_at(clock, second, at(berlin, 2026, 7, 1, 15, 20))  # 6 h after
    before = analytics.batch_stats(batch.id, now=at(berlin, 2026, 7, 1, 18, 0))
    assert {b.start.hour: b.redemptions for b in before.series if b.redemptions} == {10: 1, 15: 1}
    assert dict(before.delay_histogram)["1–6 h"] == 1 and dict(before.delay_histogram)["6–24 h"] == 1

    clock(at(berlin, 2026, 7, 2, 11, 0))  # the next day, in another hour
    assert claims.undo_redemption(first, "scanned by mistake").outcome is UndoOutcome.UNDONE

    after = analytics.batch_stats(batch.id, now=at(berlin, 2026, 7, 2, 12, 0))
    check_series_against_vouchers(after, berlin)
    assert {b.start.hour: b.redemptions for b in after.series if b.redemptions} == {15: 1}
    assert dict(after.delay_histogram)["1–6 h"] == 0 and dict(after.delay_histogram)["6–24 h"] == 1
    assert after.median_hours_to_redeem == pytest.approx(6.0, abs=1.0)
    redeem_at(clock, first, at(berlin, 2026, 7, 2, 11, 30))  # redeemable again: counted in its new hour
    again = analytics.batch_stats(batch.id, now=at(berlin, 2026, 7, 2, 12, 0))
    check_series_against_vouchers(again, berlin)
    assert dict(again.delay_histogram)["1–3 days"] == 1


def test_deleting_a_batch_deletes_its_counts_and_keeps_the_others(make_batch, clock):
    gone, kept = make_batch(quantity=5, name="Gone"), make_batch(quantity=5, name="Kept")
    now = datetime(2026, 8, 1, 12, 0, tzinfo=UTC)
    for batch in (gone, kept):
        redeem_at(clock, claim_at(clock, batch, now), now + timedelta(minutes=5))

    def rows(batch_id):
        return [
            run_sql(f"SELECT COUNT(*) FROM {table} WHERE batch_id = :b", {"b": batch_id}).fetchone()[0]
            for table in ("slot_count", "delay_count")
        ]

    assert rows(gone.id) == [1, 1]
    batches.delete_batch(gone.id)
    assert rows(gone.id) == [0, 0] and rows(kept.id) == [1, 1]


# -- time from claim to redemption ---------------------------------------------------------------


def test_median_and_histogram_of_the_time_to_redeem_match_the_voucher_rows(make_batch, clock, zone):
    zone("America/New_York")
    batch = make_batch(quantity=200)
    start = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
    created_at(batch.id, start)
    rng = random.Random(7)
    claimed = [(claim_at(clock, batch, start + timedelta(minutes=i)), start + timedelta(minutes=i)) for i in range(90)]
    for code, when in claimed[:71]:
        redeem_at(
            clock,
            code,
            when
            + timedelta(hours=rng.choice([0.2, 0.5, 2, 5, 7, 20, 30, 80, 200, 400]))
            + timedelta(minutes=rng.uniform(0, 50)),
        )

    stats = analytics.batch_stats(batch.id, now=start + timedelta(days=30))
    _, _, delays = voucher_times(batch.id)
    hours = [d.total_seconds() / 3600 for d in delays]
    assert stats.median_hours_to_redeem == pytest.approx(statistics.median(hours), abs=1.0)  # within the hour bin
    bins = [
        ("< 1 h", 0, 1),
        ("1–6 h", 1, 6),
        ("6–24 h", 6, 24),
        ("1–3 days", 24, 72),
        ("3–7 days", 72, 168),
        ("1–2 weeks", 168, 336),
        ("2 weeks +", 336, 10**9),
    ]
    assert stats.delay_histogram == [(label, sum(1 for h in hours if lo <= h < hi)) for label, lo, hi in bins]
    assert sum(n for _, n in stats.delay_histogram) == stats.redeemed == 71


def test_no_redemption_no_median(make_batch):
    stats = analytics.batch_stats(make_batch().id)
    assert stats.median_hours_to_redeem is None and stats.redemption_rate is None
    assert all(n == 0 for _, n in stats.delay_histogram)


# -- pace and the sold-out projection ------------------------------------------------------------


def test_claims_in_the_last_24_hours_and_when_the_batch_sells_out_at_that_pace(make_batch, clock, zone):
    zone("Europe/Berlin")
    batch = make_batch(quantity=100)
    now = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
    created_at(batch.id, now - timedelta(days=3))
    for i in range(10):  # older than a day: not in the pace
        claim_at(clock, batch, now - timedelta(hours=40, minutes=i))
    for i in range(30):  # 30 in the last 24 hours: 1.25 an hour
        claim_at(clock, batch, now - timedelta(hours=23) + timedelta(minutes=45 * i))
    stats = analytics.batch_stats(batch.id, now=now)
    assert stats.claims_last_24h == 30
    assert stats.claims_per_hour_now == pytest.approx(30 / 24)
    assert stats.available == 60
    assert stats.projected_sold_out_at == times.local(now + timedelta(hours=60 / (30 / 24)))
    assert stats.projected_sold_out_at.tzinfo is not None
    assert stats.sold_out_text == "sells out around Fri 14:00"  # 48 h later, 12:00 UTC = 14:00 in Berlin
    assert stats.to_json()["projected_sold_out_at"] == "2026-06-12T14:00:00+02:00"


def test_no_projection_without_a_trend_when_paused_or_sold_out(make_batch, clock):
    now = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
    quiet = make_batch(quantity=50, name="Quiet")
    created_at(quiet.id, now - timedelta(days=5))
    for i in range(5):
        claim_at(clock, quiet, now - timedelta(days=3, minutes=i))  # nothing in the last day
    assert analytics.batch_stats(quiet.id, now=now).projected_sold_out_at is None
    assert analytics.batch_stats(quiet.id, now=now).claims_per_hour_now == 0

    busy = make_batch(quantity=10, name="Busy")
    created_at(busy.id, now - timedelta(days=1))
    for i in range(6):
        claim_at(clock, busy, now - timedelta(hours=i + 1))
    assert analytics.batch_stats(busy.id, now=now).projected_sold_out_at is not None
    batches.pause_batch(busy.id)
    assert analytics.batch_stats(busy.id, now=now).projected_sold_out_at is None
    batches.resume_batch(busy.id)
    for i in range(4):
        claim_at(clock, busy, now - timedelta(minutes=30 - i))
    sold_out = analytics.batch_stats(busy.id, now=now)
    assert sold_out.available == 0 and sold_out.projected_sold_out_at is None and sold_out.sold_out_text == ""


# -- hints ---------------------------------------------------------------------------------------


def hint_codes(stats):
    return [h.code for h in stats.hints]


def test_low_claims_after_24_hours_is_a_visibility_or_messaging_issue(make_batch, clock):
    now = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
    batch = make_batch(quantity=100)
    created_at(batch.id, now - timedelta(hours=30))
    for i in range(5):
        claim_at(clock, batch, now - timedelta(hours=20, minutes=i))
    stats = analytics.batch_stats(batch.id, now=now)
    assert hint_codes(stats) == ["low_claims"]
    assert "visibility or messaging issue" in stats.hints[0].message
    # the same claims before 24 hours have passed: too early to judge
    assert "low_claims" not in hint_codes(analytics.batch_stats(batch.id, now=now - timedelta(hours=7)))
    for i in range(10):  # 15 of 100 claimed: not low
        claim_at(clock, batch, now - timedelta(hours=2, minutes=i))
    assert "low_claims" not in hint_codes(analytics.batch_stats(batch.id, now=now))


def claimed_and_redeemed(clock, batch, now, claimed, redeemed):
    """Claimed a day and more before now (out of the current pace), some redeemed since."""
    codes = [claim_at(clock, batch, now - timedelta(hours=30, minutes=i)) for i in range(claimed)]
    for code in codes[:redeemed]:
        redeem_at(clock, code, now - timedelta(hours=2))


def test_claims_but_few_redemptions_is_an_offer_or_friction_issue(make_batch, clock):
    now = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
    low = make_batch(quantity=100, name="Low", channel="Email")
    created_at(low.id, now - timedelta(days=2))
    claimed_and_redeemed(clock, low, now, 40, 1)  # 2.5 %: below Email's typical 5–15 %
    stats = analytics.batch_stats(low.id, now=now)
    assert hint_codes(stats) == ["few_redemptions"] and stats.verdict == "below_typical"
    assert "offer or friction issue" in stats.hints[0].message and "minimum purchase" in stats.hints[0].message
    fine = make_batch(quantity=100, name="Fine", channel="Email")
    created_at(fine.id, now - timedelta(days=2))
    claimed_and_redeemed(clock, fine, now, 40, 4)  # 10 %: typical
    assert "few_redemptions" not in hint_codes(analytics.batch_stats(fine.id, now=now))


def test_high_everything_means_scale_up_the_promotion(make_batch, clock):
    now = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
    high = make_batch(quantity=100, name="High", channel="In-store QR")
    created_at(high.id, now - timedelta(days=2))
    claimed_and_redeemed(clock, high, now, 60, 33)  # 60 % claimed, 55 % redeemed: great for In-store QR (50 %+)
    stats = analytics.batch_stats(high.id, now=now)
    assert hint_codes(stats) == ["scale_up"] and stats.hints[0].message == "High everything? Scale up the promotion!"
    middling = make_batch(quantity=100, name="Middling", channel="In-store QR")
    created_at(middling.id, now - timedelta(days=2))
    claimed_and_redeemed(clock, middling, now, 60, 24)  # 40 %: typical, not great
    assert hint_codes(analytics.batch_stats(middling.id, now=now)) == []


def test_almost_sold_out_says_generate_more_or_pause(make_batch, clock):
    now = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
    batch = make_batch(quantity=40)
    created_at(batch.id, now - timedelta(days=10))
    for i in range(35):  # spread over a week: a slow pace, 5 left of 40 (12.5 %)
        claim_at(clock, batch, now - timedelta(days=9, hours=i * 5))
    assert "almost_sold_out" not in hint_codes(analytics.batch_stats(batch.id, now=now))
    claim_at(clock, batch, now - timedelta(hours=30))  # 4 left of 40: a tenth
    stats = analytics.batch_stats(batch.id, now=now)
    assert "almost_sold_out" in hint_codes(stats)
    (message,) = [h.message for h in stats.hints if h.code == "almost_sold_out"]
    assert message.startswith("Almost sold out: for more vouchers make a new batch like this one")
    batches.pause_batch(batch.id)  # paused already: nothing to suggest
    assert "almost_sold_out" not in hint_codes(analytics.batch_stats(batch.id, now=now))
    # a fast pace that claims the rest within a day is "almost sold out" too
    fast = make_batch(quantity=100, name="Fast")
    created_at(fast.id, now - timedelta(hours=12))
    for i in range(60):
        claim_at(clock, fast, now - timedelta(minutes=10 * i))
    assert "almost_sold_out" in hint_codes(analytics.batch_stats(fast.id, now=now))
    # minutes old, six claims at once: it would sell out within a day at that pace, but with 44 of
    # 50 left it is not "almost" sold out (the sell-out time says the pace), nor judged on its 0 %
    young = make_batch(quantity=50, name="Young", channel="In-store QR")
    created_at(young.id, now - timedelta(minutes=3))
    for _ in range(6):
        claim_at(clock, young, now - timedelta(minutes=2))
    stats = analytics.batch_stats(young.id, now=now)
    assert stats.projected_sold_out_at is not None and stats.projected_sold_out_at - now < timedelta(hours=24)
    assert hint_codes(stats) == [] and stats.verdict is None and stats.too_early
    assert stats.to_json()["too_early"] is True and stats.to_json()["verdict"] is None


# -- bands and channels --------------------------------------------------------------------------


def test_the_spec_bands_and_verdicts():
    email = rates.band_for("Email")
    assert (email.typical, email.great) == ((5.0, 15.0), 20.0) and "Email" in email.note
    assert rates.band_for("Events").typical == (30.0, 50.0) and rates.band_for("Events").great == 60.0
    assert rates.band_for("SMS") is None and rates.band_for("Website") is None and rates.band_for("Other") is None
    redeemed_of_1000 = (44, 45, 150, 175, 194, 195, 200, 800)
    assert [rates.verdict(1000, r, email) for r in redeemed_of_1000] == [
        "below_typical",
        "typical",
        "typical",
        "typical",
        "typical",
        "great",
        "great",
        "great",
    ]
    assert rates.verdict(0, 0, email) is None and rates.verdict(100, 50, None) is None


def test_a_rate_is_judged_as_it_reads():
    """The verdict never contradicts the number beside it: 4.5 % reads "5%", typical for Email
    (5–15%); 19.5 % reads "20%", great; 4.4 % reads "4%", below typical."""
    email = rates.band_for("Email")
    for redeemed, shown, judged in ((44, "4%", "below_typical"), (45, "5%", "typical"), (195, "20%", "great")):
        assert (wording.rate_text(1000, redeemed), rates.verdict(1000, redeemed, email)) == (shown, judged)


def test_channels_match_counts_made_from_the_voucher_rows(make_batch, clock):
    now = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
    rng = random.Random(5)
    made = []
    for name, channel, n, r in (
        ("Summer 2025 - Email List", "Email", 20, 3),
        ("Summer 2025 - Store Signage", "In-store QR", 25, 15),
        ("Summer 2025 - Instagram Post", "Social media", 22, 0),
        ("Winter - Email List", "Email", 10, 1),
        ("Winter - SMS", "SMS", 6, 2),
        ("Summer_2025 - odd", "Events", 3, 1),
    ):
        batch = make_batch(quantity=n + rng.randint(0, 10), name=name, channel=channel)
        created_at(batch.id, now - timedelta(days=2))
        made.append(batch)
        claimed_and_redeemed(clock, batch, now, n, r)
    clock(now)

    def independent(names):
        by_channel = {}
        for batch in made:
            if batch.name in names:
                total, claimed, redeemed = real_counts(batch.id)
                row = by_channel.setdefault(batch.channel, [0, 0, 0, 0])
                for i, v in enumerate((1, total, claimed, redeemed)):
                    row[i] += v
        return by_channel

    for pattern, names in (
        ("", {b.name for b in made}),
        (
            "Summer 2025 - *",
            {"Summer 2025 - Email List", "Summer 2025 - Store Signage", "Summer 2025 - Instagram Post"},
        ),
        ("*email*", {"Summer 2025 - Email List", "Winter - Email List"}),
        ("winter - sms", {"Winter - SMS"}),
    ):
        found = analytics.channel_stats(pattern)
        assert [c.channel for c in found] == list(models.CHANNELS)
        want = independent(names)
        for c in found:
            batches_n, total, claimed, redeemed = want.get(c.channel, (0, 0, 0, 0))
            assert (c.batches, c.total, c.claimed, c.redeemed) == (batches_n, total, claimed, redeemed), (pattern, c)
            assert c.redemption_rate == (pytest.approx(redeemed * 100 / claimed) if claimed else None)
            band = rates.band_for(c.channel)
            # every batch is two days old: judged from 20 claims on
            assert c.verdict == (rates.verdict(c.claimed, c.redeemed, band) if claimed >= 20 else None), (pattern, c)
            assert c.too_early == (band is not None and 0 < claimed < 20), (pattern, c)
    by = {c.channel: c for c in analytics.channel_stats("Summer 2025 - *")}
    assert by["Email"].verdict == "typical"  # 3 of 20: 15 %
    assert by["In-store QR"].verdict == "great"  # 15 of 25: 60 %
    assert by["Social media"].verdict == "below_typical"  # 0 of 22
    assert by["Events"].verdict is None and not by["Events"].too_early  # "Summer_2025 - odd" is not in the campaign
    assert by["SMS"].to_json() == {
        "channel": "SMS",
        "batches": 0,
        "total": 0,
        "claimed": 0,
        "redeemed": 0,
        "redemption_rate": None,
        "typical": None,
        "great": None,
        "verdict": None,
        "too_early": False,
        "expiring_7d": 0,
        "expired_unredeemed": 0,
        "sales_with_vouchers": 0.0,
        "discount_given": 0.0,
        "redemptions_with_order_total": 0,
        "currency": "$",
    }
    events = {c.channel: c for c in analytics.channel_stats()}["Events"]
    assert (events.claimed, events.verdict, events.too_early) == (3, None, True)  # 1 of 3 redeemed says nothing yet
    assert by["In-store QR"].to_json()["typical"] == [20.0, 40.0] and by["In-store QR"].to_json()["great"] == 50.0


# -- races ---------------------------------------------------------------------------------------


def bucket_sums(batch_id):
    claims_sum, redemptions_sum = run_sql(
        "SELECT COALESCE(SUM(claims), 0), COALESCE(SUM(redemptions), 0) FROM slot_count WHERE batch_id = :b",
        {"b": batch_id},
    ).fetchone()
    delays = run_sql(
        "SELECT COALESCE(SUM(redemptions), 0) FROM delay_count WHERE batch_id = :b", {"b": batch_id}
    ).fetchone()[0]
    return int(claims_sum), int(redemptions_sum), int(delays)


def test_buckets_add_up_to_the_batch_counts_when_threads_claim_redeem_and_undo_at_once(
    make_batch, make_member, claim_some
):
    batch = make_batch(quantity=60)
    held = [v.code for v in claim_some(batch, 20)]
    member_ids = [make_member().id for _ in range(80)]
    start = threading.Barrier(12)
    errors = []

    def work(i):
        try:
            start.wait()
            if i < 6:  # claimers, more members than vouchers left
                for m in member_ids[i::6]:
                    claims.claim(batch.token, m)
            elif i < 10:  # tills, the same codes from several of them
                for code in random.sample(held, len(held)):
                    claims.redeem(code)
            else:  # undoing what the tills redeem
                for code in random.sample(held, len(held)):
                    claims.undo_redemption(code, "scanned by mistake")
        except BaseException as exc:
            errors.append(exc)
        finally:
            store.close_database()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    total, claimed, redeemed = real_counts(batch.id)
    assert counters(batch.id) == (total, claimed, redeemed) and claimed == 60
    assert bucket_sums(batch.id) == (claimed, redeemed, redeemed)
    stats = analytics.batch_stats(batch.id)
    assert sum(b.claims for b in stats.series) == claimed and sum(b.redemptions for b in stats.series) == redeemed


def test_buckets_add_up_when_separate_processes_claim_and_redeem(make_batch, make_member, claim_some, db_path):
    from .helpers import run_together

    batch = make_batch(quantity=40)
    held = [v.code for v in claim_some(batch, 10)]
    ids = [make_member().id for _ in range(40)]
    run_together(
        [
            ["claim", db_path, batch.token, *ids[:20]],
            ["claim", db_path, batch.token, *ids[20:]],
            ["redeem", db_path, *held],
            ["redeem", db_path, *reversed(held)],
        ]
    )
    total, claimed, redeemed = real_counts(batch.id)
    assert (claimed, redeemed) == (40, 10)
    assert bucket_sums(batch.id) == (claimed, redeemed, redeemed)


# -- the migration -------------------------------------------------------------------------------


def table_rows():
    return (
        sorted(tuple(r) for r in run_sql("SELECT batch_id, slot, claims, redemptions FROM slot_count").fetchall()),
        sorted(
            tuple(r)
            for r in run_sql("SELECT batch_id, hours, redemptions FROM delay_count WHERE redemptions > 0").fetchall()
        ),
    )


def test_a_version_5_database_gets_its_history_counted_from_its_vouchers(db_path, make_batch, clock, zone):
    berlin = zone("Europe/Berlin")
    rng = random.Random(55)
    start = at(berlin, 2026, 3, 27, 12, 0)
    for name in ("One", "Two"):
        batch = make_batch(quantity=40, name=name)
        created_at(batch.id, start)
        for i in range(30):
            code = claim_at(clock, batch, start + timedelta(minutes=rng.uniform(0, 3 * 24 * 60)))
            if i % 3 == 0:
                redeem_at(clock, code, start + timedelta(days=3, minutes=rng.uniform(0, 600)))
    kept_rows = table_rows()
    before = [analytics.batch_stats(b.id, now=start + timedelta(days=5)) for b in batches.list_batches()]
    # what version 5 had: no count tables (nor what came after)
    undo_after_version_6(store.database.execute_sql, "postgresql" if ON_POSTGRES else "sqlite")
    store.database.execute_sql("DROP TABLE slot_count")
    store.database.execute_sql("DROP TABLE delay_count")
    store.database.execute_sql("UPDATE schema_version SET version = 5")
    store.close_database()
    assert migrations.MIGRATIONS[5] is migrations._add_analytics_counts

    store.open_database(db_path)

    assert migrations.schema_version(store.database) == migrations.CURRENT_VERSION
    assert table_rows() == kept_rows
    after = [analytics.batch_stats(b.id, now=start + timedelta(days=5)) for b in batches.list_batches()]
    assert after == before
    for stats in after:
        check_series_against_vouchers(stats, berlin)


@pytest.mark.sqlite_only  # SQLite tells which tables a statement reads
def test_the_pages_read_no_voucher_but_the_expiry_of_the_ones_still_out(make_batch, claim_some):
    import sqlite3

    batch = make_batch(quantity=30)
    for voucher in claim_some(batch, 12)[:5]:
        claims.redeem(voucher.code)
    read = set()

    def note(action, table, column, database_name, trigger):
        if action == sqlite3.SQLITE_READ:
            read.add((table, column) if table == "voucher" else table)
        return sqlite3.SQLITE_OK

    connection = store.database.connection()
    connection.set_authorizer(note)
    try:
        stats = analytics.batch_stats(batch.id)
        analytics.channel_stats()
        analytics.channel_stats("Summer *")
    finally:
        connection.set_authorizer(None)
    assert (stats.claimed, stats.redeemed, sum(b.claims for b in stats.series)) == (12, 5, 12)
    assert "batch" in read and "slot_count" in read
    # of the vouchers, only the claimed-not-redeemed ones of the edges' quarter hours, by the partial index
    assert {item for item in read if isinstance(item, tuple)} <= {
        ("voucher", "batch_id"),
        ("voucher", "status"),
        ("voucher", "expires_at"),
    }
    assert "expiry_count" in read  # the counts by expiry; the vouchers only at the edges, from the index:
    moments = analytics._moments(models.utcnow())
    for sql in (analytics._STILL_OUT, f"SELECT channel, {analytics._STILL_OUT_OF} FROM batch"):
        plan = " ".join(
            str(row[-1])
            for row in store.database.execute_sql(f"EXPLAIN QUERY PLAN {sql}", {"id": batch.id, **moments}).fetchall()
        )
        assert "INDEX voucher_unredeemed_expiry (batch_id=? AND expires_at>? AND expires_at<?)" in plan, plan
        assert "SCAN v" not in plan and "SCAN voucher" not in plan, plan
