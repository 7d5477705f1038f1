"""The spec's Redemption Rate, and what good rates look like per channel: the numbers and the rules,
once. How they are said is app.core.wording's.

Redemption Rate = (Redeemed ÷ Claimed) × 100 %. People read it as a whole percentage (the card's
"35%"), and a rate is judged against its channel's band as it is read: a batch shown at "5%" is in
Email's typical 5–15%, whatever its third decimal. Machines (JSON) get one decimal of the exact rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any


def redemption_rate(claimed: int, redeemed: int) -> float | None:
    """Redeemed ÷ Claimed × 100, exact; None while nothing is claimed."""
    return redeemed * 100.0 / claimed if claimed else None


def whole_percent(claimed: int, redeemed: int) -> int | None:
    """The rate as people read it: a whole percentage rounded half up once, from the exact counts
    (the spec's 45 of 127 is 35, 5 of 11 is 45); None while nothing is claimed."""
    if not claimed:
        return None
    return (redeemed * 200 + claimed) // (claimed * 2)


def rate_json(claimed: int, redeemed: int) -> float | None:
    """The rate for machines (`--json`, the API): one decimal of the exact rate."""
    rate = redemption_rate(claimed, redeemed)
    return round(rate, 1) if rate is not None else None


@dataclass(frozen=True)
class Band:
    channel: str
    typical: tuple[float, float]  # percentages
    great: float  # a rate from this percentage on is great
    note: str = ""  # shown as a tooltip where the band is shown

    def to_json(self) -> dict[str, Any]:
        return {"channel": self.channel, "typical": list(self.typical), "great": self.great, "note": self.note}


EMAIL_NOTE = "The spec's table of good rates names no channel in its first row (5–15%, 20%+); it is read as Email."

# The spec's "What good rates look like". SMS, Website and Other have no row there, so no band.
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


def verdict(claimed: int, redeemed: int, band: Band | None) -> str | None:
    """Where the rate, as read (whole_percent), stands in its channel's band: below its typical range,
    typical, or great. A rate above the typical range but below great (Email's 15–20 %) counts as
    typical: the spec calls it neither, and it is not below. None with nothing claimed or no band."""
    percent = whole_percent(claimed, redeemed)
    if percent is None or band is None:
        return None
    if percent >= band.great:
        return "great"
    if percent >= band.typical[0]:
        return "typical"
    return "below_typical"


# -- "Monitor the First 24 Hours": when a rate says something, and the hints ----------------------

EARLY_HOURS = 24  # no claims or redemptions hint, and no verdict, before a batch is this old
MIN_CLAIMS_TO_JUDGE = 20  # a redemption rate over fewer claims says little ("Claims but no redemptions?")
LOW_CLAIM_SHARE = 0.10  # "Low claims?": under a tenth of the vouchers claimed after 24 hours
FEW_REDEMPTIONS_RATE = 5  # % without a channel band; with one, below its typical range is "few"
HIGH_CLAIM_SHARE = 0.50  # "High everything?": at least half the vouchers claimed ...
SCALE_UP_RATE = 20  # % ... and a rate that is great for the channel (this, without a band)
ALMOST_SOLD_OUT_SHARE = 0.10  # at most a tenth of the vouchers still available ...
ALMOST_SOLD_OUT_HOURS = 24  # ... or the current pace claims the rest within a day ...
ALMOST_SOLD_OUT_PACE_SHARE = 0.50  # ... once at least half are claimed (with most left, it is not "almost")
HINTS = ("low_claims", "few_redemptions", "scale_up", "almost_sold_out")


def judgeable(age: timedelta, claimed: int) -> bool:
    """Whether a batch has enough behind it for its redemption rate to say something: as old as the
    first 24 hours and MIN_CLAIMS_TO_JUDGE claims. Before that, a rate of 0 of 6 claimed a minute
    ago would read "below typical" and alarm nobody should be alarmed."""
    return age >= timedelta(hours=EARLY_HOURS) and claimed >= MIN_CLAIMS_TO_JUDGE


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
) -> list[str]:
    """The spec's hints (their codes, HINTS) that apply to these numbers, in the order a manager
    would act on them."""
    found = []
    available = total - claimed
    if age >= timedelta(hours=EARLY_HOURS) and claimed < total * LOW_CLAIM_SHARE:
        found.append("low_claims")
    percent = whole_percent(claimed, redeemed)
    if judgeable(age, claimed) and percent is not None:
        few = band.typical[0] if band is not None else FEW_REDEMPTIONS_RATE
        great = band.great if band is not None else SCALE_UP_RATE
        if percent < few:
            found.append("few_redemptions")
        elif claimed >= total * HIGH_CLAIM_SHARE and percent >= great:
            found.append("scale_up")
    soon = projected_sold_out_at is not None and projected_sold_out_at - now <= timedelta(hours=ALMOST_SOLD_OUT_HOURS)
    most_claimed = claimed >= total * ALMOST_SOLD_OUT_PACE_SHARE
    if not paused and available > 0 and (available <= total * ALMOST_SOLD_OUT_SHARE or (soon and most_claimed)):
        found.append("almost_sold_out")
    return found
