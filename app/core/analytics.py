"""Analytics: a batch's history, pace and hints, and every channel against the spec's bands
(app.core.rates; their words are app.core.wording's).

Nothing here reads vouchers. The claim, redeem and undo transactions keep two small tables up to
date (models.SlotCount: claims and redemptions per quarter hour in UTC; models.DelayCount:
redemptions by whole hours since their claim) with one upsert each (count_claim,
count_redemption, uncount_redemption); a batch's page is read from them and the batch row.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from app.core.store.models import CHANNELS, as_datetime, utcnow

from . import money, settings, times, wording
from .errors import NotFound
from .rates import Band, band_for, hints_for, judgeable, rate_json, redemption_rate, verdict
from .store import guarded, run_sql

SLOT_SECONDS = 900  # a quarter hour: every zone's offset is a whole number of them
_EPOCH = datetime(1970, 1, 1)

# -- counting, inside the claim / redeem / undo transactions -------------------------------------


def slot_of(moment: datetime) -> int:
    """The quarter hour (UTC) a stored timestamp (naive UTC) falls in, as SlotCount numbers them."""
    return int((moment - _EPOCH).total_seconds()) // SLOT_SECONDS


def _slot_start(slot: int) -> datetime:
    """The first instant of a slot, naive UTC."""
    return _EPOCH + timedelta(seconds=slot * SLOT_SECONDS)


def delay_hours(claimed_at: datetime, redeemed_at: datetime) -> int:
    """Whole hours from claim to redemption, as DelayCount bins them."""
    return max(0, int((redeemed_at - claimed_at).total_seconds()) // 3600)


_ADD_CLAIM = (
    "INSERT INTO slot_count (batch_id, slot, claims, redemptions) VALUES (:batch, :slot, 1, 0)"
    " ON CONFLICT (batch_id, slot) DO UPDATE SET claims = slot_count.claims + 1"
)
_ADD_REDEMPTION = (
    "INSERT INTO slot_count (batch_id, slot, claims, redemptions, totalled, sales_cents, discount_cents)"
    " VALUES (:batch, :slot, 0, 1, :totalled, :sales, :discount)"
    " ON CONFLICT (batch_id, slot) DO UPDATE SET redemptions = slot_count.redemptions + 1,"
    " totalled = slot_count.totalled + excluded.totalled, sales_cents = slot_count.sales_cents + excluded.sales_cents,"
    " discount_cents = slot_count.discount_cents + excluded.discount_cents"
)
_ADD_DELAY = (
    "INSERT INTO delay_count (batch_id, hours, redemptions) VALUES (:batch, :hours, 1)"
    " ON CONFLICT (batch_id, hours) DO UPDATE SET redemptions = delay_count.redemptions + 1"
)


def count_claim(batch_id: int, claimed_at: datetime) -> None:
    """A claim, counted in its quarter hour (call inside the claim's transaction)."""
    run_sql(_ADD_CLAIM, {"batch": batch_id, "slot": slot_of(claimed_at)})


def _money(sales_cents: int | None, discount_cents: int | None) -> dict[str, int]:
    """A redemption's money as its quarter hour counts it: nothing without an order total."""
    if sales_cents is None:
        return {"totalled": 0, "sales": 0, "discount": 0}
    return {"totalled": 1, "sales": sales_cents, "discount": discount_cents or 0}


def count_redemption(
    batch_id: int,
    claimed_at: datetime,
    redeemed_at: datetime,
    sales_cents: int | None = None,
    discount_cents: int | None = None,
) -> None:
    """A redemption, counted in its quarter hour and its delay bin, with its order's total and the
    discount given when the till gave one (inside the redeem's transaction)."""
    run_sql(_ADD_REDEMPTION, {"batch": batch_id, "slot": slot_of(redeemed_at), **_money(sales_cents, discount_cents)})
    run_sql(_ADD_DELAY, {"batch": batch_id, "hours": delay_hours(claimed_at, redeemed_at)})


def uncount_redemption(
    batch_id: int,
    claimed_at: datetime,
    redeemed_at: datetime,
    sales_cents: int | None = None,
    discount_cents: int | None = None,
) -> None:
    """An undone redemption, taken back out of the quarter hour and the delay bin it was counted in,
    with its money (redeemed_at: the redemption undone; inside the undo's transaction)."""
    run_sql(
        "UPDATE slot_count SET redemptions = redemptions - 1, totalled = totalled - :totalled,"
        " sales_cents = sales_cents - :sales, discount_cents = discount_cents - :discount"
        " WHERE batch_id = :batch AND slot = :slot",
        {"batch": batch_id, "slot": slot_of(redeemed_at), **_money(sales_cents, discount_cents)},
    )
    run_sql(
        "UPDATE delay_count SET redemptions = redemptions - 1 WHERE batch_id = :batch AND hours = :hours",
        {"batch": batch_id, "hours": delay_hours(claimed_at, redeemed_at)},
    )


@dataclass(frozen=True)
class Hint:
    code: str  # one of rates.HINTS
    message: str  # its words (wording.HINT_MESSAGES)


# -- a batch's page ------------------------------------------------------------------------------

HOURLY_FOR = timedelta(hours=48)  # hourly buckets while the batch is younger, daily after
PACE_WINDOW = timedelta(hours=24)  # the claim rate "now": over the last 24 hours ...
MIN_PACE_WINDOW = timedelta(hours=1)  # ... or since creation for a younger batch, but at least an hour
MIN_CLAIMS_FOR_PACE = 3  # fewer claims in the window: not trending, no sold-out projection
MAX_PROJECTION = timedelta(days=365)  # further away than this is not a projection worth showing

# Time from claim to redemption: bins of whole hours, grouped for the histogram.
DELAY_BINS = (
    ("< 1 h", 0, 1),
    ("1–6 h", 1, 6),
    ("6–24 h", 6, 24),
    ("1–3 days", 24, 72),
    ("3–7 days", 72, 168),
    ("1–2 weeks", 168, 336),
    ("2 weeks +", 336, None),
)


@dataclass(frozen=True)
class Bucket:
    start: datetime  # aware, in the store's zone
    claims: int
    redemptions: int
    claimed_so_far: int = 0  # cumulative, this bucket included
    redeemed_so_far: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start.isoformat(), "claims": self.claims, "redemptions": self.redemptions}


@dataclass(frozen=True)
class BatchStats:
    batch_id: int
    name: str
    channel: str
    status: str
    created_at: datetime  # aware, in the store's zone
    now: datetime  # aware: when computed
    total: int
    claimed: int
    redeemed: int
    available: int
    redemption_rate: float | None  # percent, exact
    bucket: str  # "hour" | "day"
    series: list[Bucket]
    claims_last_24h: int
    claims_per_hour_now: float
    projected_sold_out_at: datetime | None  # aware, in the store's zone
    median_hours_to_redeem: float | None
    delay_histogram: list[tuple[str, int]]
    band: Band | None
    verdict: str | None  # None too while too_early
    hints: list[Hint] = field(default_factory=list)
    too_early: bool = False  # it has a band, but too little behind it to be judged against it (judgeable)
    money: Money = field(default_factory=lambda: Money())

    @property
    def sold_out_text(self) -> str:
        """'sells out around Tue 14:00' (the store's time; the date too when more than 6 days
        away), or '' when not trending."""
        return wording.sold_out_text(self.projected_sold_out_at, self.now)

    def to_json(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "name": self.name,
            "channel": self.channel,
            "status": self.status,
            "created_at": self.created_at.isoformat(),
            "now": self.now.isoformat(),
            "total": self.total,
            "claimed": self.claimed,
            "redeemed": self.redeemed,
            "available": self.available,
            "redemption_rate": rate_json(self.claimed, self.redeemed),  # as `batch list --json`
            "bucket": self.bucket,
            "series": [b.to_json() for b in self.series],
            "claims_last_24h": self.claims_last_24h,
            "claims_per_hour_now": round(self.claims_per_hour_now, 3),
            "projected_sold_out_at": self.projected_sold_out_at.isoformat() if self.projected_sold_out_at else None,
            "median_hours_to_redeem": round(self.median_hours_to_redeem, 1)
            if self.median_hours_to_redeem is not None
            else None,
            "delay_histogram": [{"label": label, "redemptions": n} for label, n in self.delay_histogram],
            **_standing_json(self.band, self.verdict, self.too_early),
            "hints": [{"code": h.code, "message": h.message} for h in self.hints],
            **self.money.to_json(),
        }


@dataclass(frozen=True)
class Money:
    """Sales with vouchers and the discount they gave: the order totals given at redemption (cents),
    over the redemptions that gave one (totalled)."""

    totalled: int = 0
    sales_cents: int = 0
    discount_cents: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "sales_with_vouchers": money.to_json(self.sales_cents),
            "discount_given": money.to_json(self.discount_cents),
            "redemptions_with_order_total": self.totalled,
            "currency": settings.cached().currency,
        }


def _standing_json(band: Band | None, verdict: str | None, too_early: bool) -> dict[str, object]:
    """Where a batch or a channel stands against the guide's band, as their JSON says it."""
    return {
        "typical": list(band.typical) if band else None,
        "great": band.great if band else None,
        "verdict": verdict,
        "too_early": too_early,
    }


def _aware_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _naive_utc(value: datetime) -> datetime:
    return _aware_utc(value).replace(tzinfo=None)


def _hour_boundaries(first: int, last: int) -> list[int]:
    """The slots in [first, last] at which a local hour begins, the first slot always included."""
    bounds = [first]
    for slot in range(first + 1, last + 1):
        if times.local(_slot_start(slot)).minute == 0:
            bounds.append(slot)
    return bounds


def _local_floor_hour(slot: int) -> int:
    """The slot at which the local hour holding this slot began."""
    minute = times.local(_slot_start(slot)).minute
    return slot - minute * 60 // SLOT_SECONDS


def _day_start_slot(day: date) -> int:
    """The slot at which the store's local day begins (its first instant, also on a day whose
    midnight a DST change skips)."""
    utc = times.end_of_day_utc(day - timedelta(days=1))
    return slot_of(utc)


def _day_boundaries(first_day: date, last_day: date) -> list[int]:
    bounds, day = [], first_day
    while day <= last_day:
        bounds.append(_day_start_slot(day))
        day += timedelta(days=1)
    return bounds


def _series(rows: list[tuple[int, ...]], created: datetime, now: datetime, bucket: str) -> list[Bucket]:
    """Buckets of the size asked from the one holding the creation to the one holding now,
    empty ones included; rows: (slot, claims, redemptions, ...) sorted by slot."""
    first, last = slot_of(created), slot_of(now)
    if bucket == "hour":
        bounds = _hour_boundaries(_local_floor_hour(first), last)
    else:
        bounds = _day_boundaries(times.local(created).date(), times.local(now).date())
    slots = [row[0] for row in rows]
    series, claimed, redeemed = [], 0, 0
    ends = bounds[1:] + [last + 1]
    lo = 0  # what came before the first bucket (never, but for a clock set back) counts in it
    for start, end in zip(bounds, ends, strict=True):
        hi = bisect_left(slots, end, lo)
        claims = sum(row[1] for row in rows[lo:hi])
        redemptions = sum(row[2] for row in rows[lo:hi])
        claimed += claims
        redeemed += redemptions
        series.append(Bucket(times.local(_slot_start(start)), claims, redemptions, claimed, redeemed))
        lo = hi
    return series


def _median_hours(bins: list[tuple[int, int]]) -> float | None:
    """The median hours from claim to redemption from the whole-hour bins, interpolated linearly
    inside the hour it falls in: within an hour of the exact median."""
    total = sum(n for _, n in bins)
    if not total:
        return None
    half, seen = total / 2, 0
    for hours, n in bins:
        if n and seen + n >= half:
            return hours + (half - seen) / n
        seen += n
    return float(bins[-1][0] + 1)


def _histogram(bins: list[tuple[int, int]]) -> list[tuple[str, int]]:
    counts = []
    for label, low, high in DELAY_BINS:
        counts.append((label, sum(n for hours, n in bins if hours >= low and (high is None or hours < high))))
    return counts


@guarded
def batch_stats(batch_id: int, now: datetime | None = None) -> BatchStats:
    """Everything a batch's analytics page shows, from the batch row and its counts (no voucher is
    read). now: when (aware or naive UTC; default this moment)."""
    row = run_sql(
        "SELECT id, name, channel, status, quantity, claimed_count, redeemed_count, created_at"
        " FROM batch WHERE id = :id",
        {"id": batch_id},
    ).fetchone()
    if row is None:
        raise NotFound(f"There is no batch with id {batch_id}.")
    _, name, channel, status, total, claimed, redeemed, created = row
    created = as_datetime(created)
    now_utc = _naive_utc(now) if now is not None else utcnow()
    now_utc = max(now_utc, created)
    rows = [
        tuple(r)
        for r in run_sql(
            "SELECT slot, claims, redemptions, totalled, sales_cents, discount_cents FROM slot_count"
            " WHERE batch_id = :id ORDER BY slot",
            {"id": batch_id},
        ).fetchall()
    ]
    bins = [
        tuple(r)
        for r in run_sql(
            "SELECT hours, redemptions FROM delay_count WHERE batch_id = :id AND redemptions > 0 ORDER BY hours",
            {"id": batch_id},
        ).fetchall()
    ]

    age = now_utc - created
    bucket = "hour" if age < HOURLY_FOR else "day"
    series = _series(rows, created, now_utc, bucket)

    slots = [r[0] for r in rows]
    now_slot = slot_of(now_utc)

    def claims_since(moment: datetime) -> int:
        """Claims in the slots that begin at or after moment (to the quarter hour), up to now."""
        since = -(-int((moment - _EPOCH).total_seconds()) // SLOT_SECONDS)  # the first slot starting at or after
        return sum(r[1] for r in rows[bisect_left(slots, since) : bisect_left(slots, now_slot + 1)])

    last_24h = claims_since(now_utc - PACE_WINDOW)
    window = min(PACE_WINDOW, max(age, MIN_PACE_WINDOW))
    in_window = claims_since(now_utc - window) if window < PACE_WINDOW else last_24h
    pace = in_window / (window.total_seconds() / 3600)
    available = total - claimed
    projected = None
    if status == "active" and available > 0 and in_window >= MIN_CLAIMS_FOR_PACE and pace > 0:
        ahead = timedelta(hours=available / pace)
        if ahead <= MAX_PROJECTION:
            projected = now_utc + ahead
    band = band_for(channel)
    rate = redemption_rate(claimed, redeemed)
    hints = hints_for(
        age=age,
        total=total,
        claimed=claimed,
        redeemed=redeemed,
        band=band,
        projected_sold_out_at=projected,
        now=now_utc,
        paused=status == "paused",
    )
    return BatchStats(
        batch_id=batch_id,
        name=name,
        channel=channel,
        status=status,
        created_at=times.local(created),
        now=times.local(now_utc),
        total=total,
        claimed=claimed,
        redeemed=redeemed,
        available=available,
        redemption_rate=rate,
        bucket=bucket,
        series=series,
        claims_last_24h=last_24h,
        claims_per_hour_now=pace,
        projected_sold_out_at=times.local(projected) if projected else None,
        median_hours_to_redeem=_median_hours(bins),
        delay_histogram=_histogram(bins),
        band=band,
        verdict=verdict(claimed, redeemed, band) if judgeable(age, claimed) else None,
        hints=[Hint(code, wording.HINT_MESSAGES[code]) for code in hints],
        too_early=band is not None and rate is not None and not judgeable(age, claimed),
        money=Money(*(int(sum(r[i] for r in rows)) for i in (3, 4, 5))),
    )


@guarded
def money_by_batch() -> dict[int, Money]:
    """Every batch's sales with vouchers and discount given (those with none are left out)."""
    return {
        row[0]: Money(*(int(v) for v in row[1:]))
        for row in run_sql(
            "SELECT batch_id, SUM(totalled), SUM(sales_cents), SUM(discount_cents) FROM slot_count"
            " GROUP BY batch_id HAVING SUM(totalled) > 0"
        ).fetchall()
    }


# -- channels ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelStats:
    channel: str
    batches: int
    total: int
    claimed: int
    redeemed: int
    redemption_rate: float | None  # percent, exact
    band: Band | None
    verdict: str | None  # None too while too_early
    too_early: bool = False  # it has a band and claims, but too little behind them (judgeable, on its first batch)
    money: Money = field(default_factory=lambda: Money())

    def to_json(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "batches": self.batches,
            "total": self.total,
            "claimed": self.claimed,
            "redeemed": self.redeemed,
            "redemption_rate": rate_json(self.claimed, self.redeemed),
            **_standing_json(self.band, self.verdict, self.too_early),
            **self.money.to_json(),
        }


def like_pattern(pattern: str) -> str:
    """A name pattern with * wildcards ("Summer 2025 - *") as a LIKE pattern (escape: backslash)."""
    escaped = pattern.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%")


@guarded
def channel_stats(batches: str = "", now: datetime | None = None) -> list[ChannelStats]:
    """Every channel (in models.CHANNELS order, those with no batch too, with zeros): its batches,
    their Total, Claimed and Redeemed, the rate and where it stands in the channel's band: judged
    as a batch is (judgeable), by the age of the channel's first batch and all its claims.
    batches: "" for all; else a batch name pattern with * wildcards, any case ("Summer 2025 - *").
    now: when (aware or naive UTC; default this moment)."""
    now_utc = _naive_utc(now) if now is not None else utcnow()
    sql = (
        "SELECT channel, COUNT(*), COALESCE(SUM(quantity), 0), COALESCE(SUM(claimed_count), 0),"
        " COALESCE(SUM(redeemed_count), 0), MIN(created_at) FROM batch"
    )
    params = {}
    if batches.strip():
        sql += " WHERE LOWER(name) LIKE :pattern ESCAPE '\\'"
        params["pattern"] = like_pattern(batches)
    found = {row[0]: row[1:] for row in run_sql(sql + " GROUP BY channel", params).fetchall()}
    earned = {
        row[0]: Money(*(int(v) for v in row[1:]))
        for row in run_sql(
            "SELECT b.channel, COALESCE(SUM(s.totalled), 0), COALESCE(SUM(s.sales_cents), 0),"
            " COALESCE(SUM(s.discount_cents), 0) FROM slot_count s JOIN batch b ON b.id = s.batch_id"
            + (" WHERE LOWER(b.name) LIKE :pattern ESCAPE '\\'" if params else "")
            + " GROUP BY b.channel",
            params,
        ).fetchall()
    }
    result = []
    for channel in CHANNELS:
        *counts, first = found.get(channel, (0, 0, 0, 0, None))
        count, total, claimed, redeemed = (int(v) for v in counts)
        rate = redemption_rate(claimed, redeemed)
        band = band_for(channel)
        judged = first is not None and judgeable(now_utc - as_datetime(first), claimed)
        result.append(
            ChannelStats(
                channel,
                count,
                total,
                claimed,
                redeemed,
                rate,
                band,
                verdict(claimed, redeemed, band) if judged else None,
                too_early=band is not None and rate is not None and not judged,
                money=earned.get(channel, Money()),
            )
        )
    return result
