"""Analytics: a batch's history, pace and hints, and every channel against the spec's bands.

Nothing here reads vouchers. The claim, redeem and undo transactions keep two small tables up to
date (models.SlotCount: claims and redemptions per quarter hour in UTC; models.DelayCount:
redemptions by whole hours since their claim) with one upsert each (count_claim,
count_redemption, uncount_redemption); a batch's page is read from them and the batch row.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from app.core.store.models import CHANNELS, as_datetime, utcnow

from . import times
from .errors import NotFound
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
    "INSERT INTO slot_count (batch_id, slot, claims, redemptions) VALUES (:batch, :slot, 0, 1)"
    " ON CONFLICT (batch_id, slot) DO UPDATE SET redemptions = slot_count.redemptions + 1"
)
_ADD_DELAY = (
    "INSERT INTO delay_count (batch_id, hours, redemptions) VALUES (:batch, :hours, 1)"
    " ON CONFLICT (batch_id, hours) DO UPDATE SET redemptions = delay_count.redemptions + 1"
)


def count_claim(batch_id: int, claimed_at: datetime) -> None:
    """A claim, counted in its quarter hour (call inside the claim's transaction)."""
    run_sql(_ADD_CLAIM, {"batch": batch_id, "slot": slot_of(claimed_at)})


def count_redemption(batch_id: int, claimed_at: datetime, redeemed_at: datetime) -> None:
    """A redemption, counted in its quarter hour and its delay bin (inside the redeem's transaction)."""
    run_sql(_ADD_REDEMPTION, {"batch": batch_id, "slot": slot_of(redeemed_at)})
    run_sql(_ADD_DELAY, {"batch": batch_id, "hours": delay_hours(claimed_at, redeemed_at)})


def uncount_redemption(batch_id: int, claimed_at: datetime, redeemed_at: datetime) -> None:
    """An undone redemption, taken back out of the quarter hour and the delay bin it was counted in
    (redeemed_at: the redemption undone; inside the undo's transaction)."""
    run_sql(
        "UPDATE slot_count SET redemptions = redemptions - 1 WHERE batch_id = :batch AND slot = :slot",
        {"batch": batch_id, "slot": slot_of(redeemed_at)},
    )
    run_sql(
        "UPDATE delay_count SET redemptions = redemptions - 1 WHERE batch_id = :batch AND hours = :hours",
        {"batch": batch_id, "hours": delay_hours(claimed_at, redeemed_at)},
    )


# -- the spec's bands and hints, in one place ----------------------------------------------------


@dataclass(frozen=True)
class Band:
    channel: str
    typical: tuple[float, float]  # percentages
    great: float  # a rate from this percentage on is great
    note: str = ""  # shown as a tooltip where the band is shown

    def to_json(self) -> dict:
        return {"channel": self.channel, "typical": list(self.typical), "great": self.great, "note": self.note}


EMAIL_NOTE = "The spec's table of good rates names no channel in its first row (5–15%, 20%+); it is read as Email."

# The spec's "What good rates look like" (Redemption Rate, Redeemed ÷ Claimed × 100 %). SMS,
# Website and Other have no row there, so no band.
BANDS: dict[str, Band] = {
    band.channel: band
    for band in (
        Band("Email", (5.0, 15.0), 20.0, EMAIL_NOTE),
        Band("In-store QR", (20.0, 40.0), 50.0),
        Band("Social media", (2.0, 8.0), 15.0),
        Band("Events", (30.0, 50.0), 60.0),
    )
}


def band_for(channel: str) -> Band | None:
    return BANDS.get(channel)


VERDICTS = ("below_typical", "typical", "great")
VERDICT_WORDS = {"below_typical": "Below typical", "typical": "Typical", "great": "Great"}
TOO_EARLY_WORDS = "Too early to judge"  # a batch's page, instead of a verdict, while not judgeable()


def verdict(rate: float | None, band: Band | None) -> str | None:
    """Where a rate stands in its channel's band: below its typical range, typical, or great. A rate
    above the typical range but below great (Email's 15–20 %) counts as typical: the spec calls it
    neither, and it is not below. None without a rate (nothing claimed) or without a band."""
    if rate is None or band is None:
        return None
    if rate >= band.great:
        return "great"
    if rate >= band.typical[0]:
        return "typical"
    return "below_typical"


def band_text(band: Band | None) -> str:
    """'typical 5–15%, great 20%+', or '' without a band."""
    if band is None:
        return ""
    low, high = band.typical
    return f"typical {low:g}–{high:g}%, great {band.great:g}%+"


@dataclass(frozen=True)
class Hint:
    code: str  # "low_claims" | "few_redemptions" | "scale_up" | "almost_sold_out"
    message: str


# The thresholds behind the hints. The spec ("Monitor the First 24 Hours") names the three
# situations but no numbers; these are ours, chosen so that each hint says something only once
# there is enough to judge by.
EARLY_HOURS = 24  # "Monitor the First 24 Hours": no claims or redemptions hint before a batch is this old
LOW_CLAIM_SHARE = 0.10  # "Low claims?": under a tenth of the vouchers claimed after 24 hours
MIN_CLAIMS_TO_JUDGE = 20  # a redemption rate over fewer claims says little ("Claims but no redemptions?")
FEW_REDEMPTIONS_RATE = 5.0  # % without a channel band; with one, below its typical range is "few"
HIGH_CLAIM_SHARE = 0.50  # "High everything?": at least half the vouchers claimed ...
SCALE_UP_RATE = 20.0  # % ... and a rate that is great for the channel (this, without a band)
ALMOST_SOLD_OUT_SHARE = 0.10  # at most a tenth of the vouchers still available ...
ALMOST_SOLD_OUT_HOURS = 24  # ... or the current pace claims the rest within a day ...
ALMOST_SOLD_OUT_PACE_SHARE = 0.50  # ... once at least half are claimed (with most left, it is not "almost")

HINT_MESSAGES = {  # the spec's words ("Monitor the First 24 Hours", "Low redemption rate?", "Troubleshooting")
    "low_claims": "Low claims after the first 24 hours? A visibility or messaging issue: verify the QR code scans "
    "to the correct URL, and check that members are logging in (required to claim).",
    "few_redemptions": "Claims but few redemptions? An offer or friction issue. Is the discount compelling enough? "
    "Is the minimum purchase too high? Are expiration dates clear?",
    "scale_up": "High everything? Scale up the promotion!",
    "almost_sold_out": "Almost sold out: generate more vouchers, or pause the batch. When Available reaches 0, "
    "the claim page shows “No vouchers available.”",
}


def judgeable(age: timedelta, claimed: int) -> bool:
    """Whether a batch has enough behind it for its redemption rate to say something: as old as the
    first 24 hours and MIN_CLAIMS_TO_JUDGE claims. Before that, a rate of 0 of 6 claimed a minute
    ago would read "below typical" and alarm nobody should be alarmed."""
    return age >= timedelta(hours=EARLY_HOURS) and claimed >= MIN_CLAIMS_TO_JUDGE


TOO_EARLY_TEXT = (
    f"{TOO_EARLY_WORDS}: a batch's redemption rate is compared with its channel's once it is "
    f"{EARLY_HOURS} hours old and has {MIN_CLAIMS_TO_JUDGE} claims."
)
CHANNEL_TOO_EARLY_TEXT = (
    f"{TOO_EARLY_WORDS}: a channel's redemption rate is compared with the guide's once its "
    f"first batch is {EARLY_HOURS} hours old and it has {MIN_CLAIMS_TO_JUDGE} claims."
)


def hints_for(
    *,
    age: timedelta,
    total: int,
    claimed: int,
    redeemed: int,
    band: Band | None,
    projected_sold_out_at: datetime | None,
    now: datetime,
    paused: bool = False,
) -> list[Hint]:
    """The spec's hints that apply to these numbers, in the order a manager would act on them."""
    codes = []
    available = total - claimed
    rate = redeemed * 100.0 / claimed if claimed else None
    if age >= timedelta(hours=EARLY_HOURS) and claimed < total * LOW_CLAIM_SHARE:
        codes.append("low_claims")
    if judgeable(age, claimed):
        few = band.typical[0] if band is not None else FEW_REDEMPTIONS_RATE
        great = band.great if band is not None else SCALE_UP_RATE
        if rate < few:
            codes.append("few_redemptions")
        elif claimed >= total * HIGH_CLAIM_SHARE and rate >= great:
            codes.append("scale_up")
    soon = projected_sold_out_at is not None and projected_sold_out_at - now <= timedelta(hours=ALMOST_SOLD_OUT_HOURS)
    most_claimed = claimed >= total * ALMOST_SOLD_OUT_PACE_SHARE
    if not paused and available > 0 and (available <= total * ALMOST_SOLD_OUT_SHARE or (soon and most_claimed)):
        codes.append("almost_sold_out")
    return [Hint(code, HINT_MESSAGES[code]) for code in codes]


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

    def to_json(self) -> dict:
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

    @property
    def sold_out_text(self) -> str:
        """'sells out around Tue 14:00' (the store's time; the date too when more than 6 days
        away), or '' when not trending."""
        return sold_out_text(self.projected_sold_out_at, self.now)

    def to_json(self) -> dict:
        rate = self.redemption_rate
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
            "redemption_rate": round(rate, 1) if rate is not None else None,  # as `batch list --json`
            "bucket": self.bucket,
            "series": [b.to_json() for b in self.series],
            "claims_last_24h": self.claims_last_24h,
            "claims_per_hour_now": round(self.claims_per_hour_now, 3),
            "projected_sold_out_at": self.projected_sold_out_at.isoformat() if self.projected_sold_out_at else None,
            "median_hours_to_redeem": round(self.median_hours_to_redeem, 1)
            if self.median_hours_to_redeem is not None
            else None,
            "delay_histogram": [{"label": label, "redemptions": n} for label, n in self.delay_histogram],
            "typical": list(self.band.typical) if self.band else None,
            "great": self.band.great if self.band else None,
            "verdict": self.verdict,
            "too_early": self.too_early,
            "hints": [{"code": h.code, "message": h.message} for h in self.hints],
        }


def sold_out_text(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return ""
    local = times.local(moment)
    if local - now > timedelta(days=6):
        return f"sells out around {local:%a} {local.day} {local:%b %H:%M}"
    return f"sells out around {local:%a %H:%M}"


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


def _series(rows: list[tuple[int, int, int]], created: datetime, now: datetime, bucket: str) -> list[Bucket]:
    """Buckets of the size asked from the one holding the creation to the one holding now,
    empty ones included; rows: (slot, claims, redemptions) sorted by slot."""
    first, last = slot_of(created), slot_of(now)
    if bucket == "hour":
        bounds = _hour_boundaries(_local_floor_hour(first), last)
    else:
        bounds = _day_boundaries(times.local(created).date(), times.local(now).date())
    slots = [row[0] for row in rows]
    series, claimed, redeemed = [], 0, 0
    ends = bounds[1:] + [last + 1]
    lo = 0  # what came before the first bucket (never, but for a clock set back) counts in it
    for start, end in zip(bounds, ends):
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
        "SELECT id, name, channel, status, quantity, claimed_count, redeemed_count, created_at FROM batch WHERE id = :id",
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
            "SELECT slot, claims, redemptions FROM slot_count WHERE batch_id = :id ORDER BY slot", {"id": batch_id}
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
    rate = redeemed * 100.0 / claimed if claimed else None
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
        verdict=verdict(rate, band) if judgeable(age, claimed) else None,
        hints=hints,
        too_early=band is not None and rate is not None and not judgeable(age, claimed),
    )


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

    def to_json(self) -> dict:
        rate = self.redemption_rate
        return {
            "channel": self.channel,
            "batches": self.batches,
            "total": self.total,
            "claimed": self.claimed,
            "redeemed": self.redeemed,
            "redemption_rate": round(rate, 1) if rate is not None else None,
            "typical": list(self.band.typical) if self.band else None,
            "great": self.band.great if self.band else None,
            "verdict": self.verdict,
            "too_early": self.too_early,
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
    result = []
    for channel in CHANNELS:
        *counts, first = found.get(channel, (0, 0, 0, 0, None))
        count, total, claimed, redeemed = (int(v) for v in counts)
        rate = redeemed * 100.0 / claimed if claimed else None
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
                verdict(rate, band) if judged else None,
                too_early=band is not None and rate is not None and not judged,
            )
        )
    return result
