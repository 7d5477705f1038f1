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

from app.core.store.models import CHANNELS, UNREDEEMED_EXPIRY, Template, Voucher, as_datetime, utcnow

from . import money, schedule, settings, times, wording
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


def claim_counts_with(
    after: str, batch_id: int, claimed_at: datetime, expires_at: datetime | None
) -> tuple[str, str, dict[str, object]]:
    """count_claim and count_unredeemed(+1) as parts of a PostgreSQL WITH, for a claim made by the same
    statement: each counts once for the row the part named `after` returns (none: nothing counted),
    and each reads the one before it, so that they run in the order of the claim's other writes (the
    order in which every transaction takes these rows' locks). The parts' text (to follow "WITH ...,
    "), the name of the last part (read it in the statement's own query) and the parameters."""
    sql = (
        "claim_slot AS (INSERT INTO slot_count (batch_id, slot, claims, redemptions)"
        f" SELECT :count_batch, :claim_slot, 1, 0 FROM {after}"
        " ON CONFLICT (batch_id, slot) DO UPDATE SET claims = slot_count.claims + 1 RETURNING 1),"
        " expiry_slot AS (INSERT INTO expiry_count (batch_id, slot, vouchers)"
        " SELECT :count_batch, :expiry_slot, 1 FROM claim_slot WHERE :expires_counted"
        " ON CONFLICT (batch_id, slot) DO UPDATE SET vouchers = expiry_count.vouchers + 1 RETURNING 1)"
    )
    params: dict[str, object] = {
        "count_batch": batch_id,
        "claim_slot": slot_of(claimed_at),
        "expiry_slot": slot_of(expires_at) if expires_at is not None else 0,
        "expires_counted": expires_at is not None,  # one that never expires is not counted
    }
    return sql, "expiry_slot", params


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


_ADD_UNREDEEMED = (
    "INSERT INTO expiry_count (batch_id, slot, vouchers) VALUES (:batch, :slot, :change)"
    " ON CONFLICT (batch_id, slot) DO UPDATE SET vouchers = expiry_count.vouchers + :change"
)


def count_unredeemed(batch_id: int, expires_at: datetime | None, change: int) -> None:
    """A voucher claimed (+1), redeemed (-1) or its redemption undone (+1), counted in the quarter
    hour it expires in (inside that transaction); one that never expires is not counted. (Taking one
    away updates the row its claim made: an insert of -1 would fail the row's CHECK before its upsert.)"""
    if expires_at is None:
        return
    params = {"batch": batch_id, "slot": slot_of(expires_at), "change": change}
    if change > 0:
        run_sql(_ADD_UNREDEEMED, params)
    else:
        run_sql(
            "UPDATE expiry_count SET vouchers = vouchers + :change WHERE batch_id = :batch AND slot = :slot", params
        )


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
    expiring_7d: int = 0  # claimed, not redeemed, and expiring within the next 7 days
    expired_unredeemed: int = 0  # claimed and expired without being redeemed
    starts_at: datetime | None = None  # aware, in the store's zone
    ends_at: datetime | None = None
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
            "expiring_7d": self.expiring_7d,
            "expired_unredeemed": self.expired_unredeemed,
            "starts_at": self.starts_at.isoformat() if self.starts_at else None,
            "ends_at": self.ends_at.isoformat() if self.ends_at else None,
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


# -- what is still out there: claimed, not redeemed, by expiry ------------------------------------

EXPIRING_WITHIN = timedelta(days=7)

# The claimed-not-redeemed vouchers of a batch expiring in [:start, :end) (at most a quarter hour: an
# edge of the counted slots), from the partial index voucher_unredeemed_expiry (its WHERE as written).
_EDGE = (
    "SELECT COUNT(*) FROM voucher v WHERE v.batch_id = {batch} AND v.{where}"
    " AND v.expires_at > :{low} AND v.expires_at <= :{high}"
)


def _edge(batch: str, low: str, high: str) -> str:
    return "(" + _EDGE.format(batch=batch, where=UNREDEEMED_EXPIRY, low=low, high=high) + ")"


# Expiring within 7 days: whole slots after now's and before now + 7 days', counted; the vouchers in
# the slot holding now (after now) and in the slot holding now + 7 days (up to it), read from the index.
# Expired: whole slots before now's, and now's slot up to now. (Expiry is exclusive: a voucher whose
# expires_at is now has expired, as VoucherRow.expired says.)
_OUT_OF = (
    "(SELECT COALESCE(SUM(vouchers), 0) FROM expiry_count e WHERE e.batch_id = {batch}"
    " AND e.slot > :now_slot AND e.slot < :soon_slot)"
    " + " + "{soon_edges} AS soon,"
    " (SELECT COALESCE(SUM(vouchers), 0) FROM expiry_count e WHERE e.batch_id = {batch} AND e.slot < :now_slot)"
    " + {gone_edge} AS gone"
)


def _still_out_sql(batch: str) -> str:
    soon_edges = f"{_edge(batch, 'now', 'now_slot_end')} + {_edge(batch, 'soon_slot_start', 'soon')}"
    return _OUT_OF.format(batch=batch, soon_edges=soon_edges, gone_edge=_edge(batch, "now_slot_start", "now"))


_STILL_OUT = f"SELECT {_still_out_sql(':id')}"
_STILL_OUT_OF = _still_out_sql("batch.id")  # for each batch of a query over batch


def _moments(now: datetime) -> dict[str, object]:
    """The edges: now, now + 7 days, and the quarter hours holding them (the index ranges are
    half-open from below, so a slot's start is the instant before its first second)."""
    soon = now + EXPIRING_WITHIN
    now_slot, soon_slot = slot_of(now), slot_of(soon)
    before = timedelta(seconds=1)

    def stamp(moment: datetime) -> object:
        return Voucher.expires_at.db_value(moment)

    return {
        "now": stamp(now),
        "soon": stamp(soon),
        "now_slot": now_slot,
        "soon_slot": soon_slot,
        "now_slot_start": stamp(_slot_start(now_slot) - before),
        "now_slot_end": stamp(min(_slot_start(now_slot + 1) - before, soon)),
        "soon_slot_start": stamp(max(_slot_start(soon_slot) - before, now) if soon_slot != now_slot else soon),
    }


def still_out(batch_id: int, now: datetime) -> tuple[int, int]:
    """(expiring within 7 days, expired unredeemed) of one batch at now (naive UTC)."""
    row = run_sql(_STILL_OUT, {"id": batch_id, **_moments(now)}).fetchone()
    return int(row[0]), int(row[1])


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
        "SELECT b.id, b.name, b.channel, b.status, b.quantity, b.claimed_count, b.redeemed_count, b.created_at,"
        " b.starts_at, b.ends_at, t.expires_on FROM batch b JOIN template t ON t.id = b.template_id WHERE b.id = :id",
        {"id": batch_id},
    ).fetchone()
    if row is None:
        raise NotFound(f"There is no batch with id {batch_id}.")
    _, name, channel, stored_status, total, claimed, redeemed, created, starts_at, ends_at, expires_on = row
    created, starts_at, ends_at = as_datetime(created), as_datetime(starts_at), as_datetime(ends_at)
    now_utc = _naive_utc(now) if now is not None else utcnow()
    now_utc = max(now_utc, created)
    offer = Template(expires_on=Template.expires_on.python_value(expires_on)) if expires_on is not None else None
    status = schedule.state(stored_status, starts_at, ends_at, offer, now_utc)
    # judged from when claims opened: a batch scheduled for next week has had no chance of a claim yet
    since_open = max(timedelta(0), now_utc - max(created, starts_at or created))
    expiring, expired = still_out(batch_id, now_utc)
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
    if status == schedule.ACTIVE and available > 0 and in_window >= MIN_CLAIMS_FOR_PACE and pace > 0:
        ahead = timedelta(hours=available / pace)
        if ahead <= MAX_PROJECTION:
            projected = now_utc + ahead
    band = band_for(channel)
    rate = redemption_rate(claimed, redeemed)
    hints = hints_for(
        age=since_open,
        total=total,
        claimed=claimed,
        redeemed=redeemed,
        band=band,
        projected_sold_out_at=projected,
        now=now_utc,
        paused=status != schedule.ACTIVE,  # nothing sells out while it takes no claims
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
        verdict=verdict(claimed, redeemed, band) if judgeable(since_open, claimed) else None,
        hints=[Hint(code, wording.HINT_MESSAGES[code]) for code in hints],
        too_early=band is not None and rate is not None and not judgeable(since_open, claimed),
        expiring_7d=expiring,
        expired_unredeemed=expired,
        starts_at=times.local(starts_at) if starts_at else None,
        ends_at=times.local(ends_at) if ends_at else None,
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
    expiring_7d: int = 0  # claimed, not redeemed, expiring within 7 days, in its batches
    expired_unredeemed: int = 0
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
            "expiring_7d": self.expiring_7d,
            "expired_unredeemed": self.expired_unredeemed,
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
    params: dict[str, object] = {}
    named = ""
    if batches.strip():
        named = " WHERE LOWER(name) LIKE :pattern ESCAPE '\\'"
        params["pattern"] = like_pattern(batches)
    found = {row[0]: row[1:] for row in run_sql(sql + named + " GROUP BY channel", params).fetchall()}
    # each batch's range of the partial index, summed by channel (no scan of the whole index)
    out = {
        row[0]: (int(row[1]), int(row[2]))
        for row in run_sql(
            f"SELECT channel, COALESCE(SUM(soon), 0), COALESCE(SUM(gone), 0) FROM (SELECT channel, {_STILL_OUT_OF}"
            f" FROM batch{named}) AS per_batch GROUP BY channel",
            {**params, **_moments(now_utc)},
        ).fetchall()
    }
    earned = {
        row[0]: Money(*(int(v) for v in row[1:]))
        for row in run_sql(
            "SELECT b.channel, COALESCE(SUM(s.totalled), 0), COALESCE(SUM(s.sales_cents), 0),"
            " COALESCE(SUM(s.discount_cents), 0) FROM slot_count s JOIN batch b ON b.id = s.batch_id"
            + (" WHERE LOWER(b.name) LIKE :pattern ESCAPE '\\'" if named else "")
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
                expiring_7d=out.get(channel, (0, 0))[0],
                expired_unredeemed=out.get(channel, (0, 0))[1],
                money=earned.get(channel, Money()),
            )
        )
    return result
