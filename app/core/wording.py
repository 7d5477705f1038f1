"""How the analytics pages say their numbers: percentages, bands, verdicts, times and durations, in
one place. The numbers and the rules are the core's (app.core.analytics); this only words them."""

from __future__ import annotations

from datetime import datetime

from app.core import analytics, times
from app.core.analytics import VERDICT_WORDS, Band, BatchStats, ChannelStats

NO_BAND = "No band in the guide"


def count(value: int) -> str:
    return f"{value:,}"


def percent(rate: float | None) -> str:
    """A redemption rate (already a percentage) to one decimal: "12.5%"; "—" with nothing claimed."""
    return "—" if rate is None else f"{rate:.1f}%"


def share(part: int, whole: int) -> str:
    """part of whole as a whole percentage, for the funnel's steps: "25%"."""
    return "—" if not whole else f"{part * 100 / whole:.0f}%"


def band_text(band: Band | None) -> str:
    """The guide's band in the core's words: "typical 5–15%, great 20%+"."""
    return analytics.band_text(band) if band is not None else NO_BAND


def band_tip(band: Band | None) -> str:
    """Why the band says what it says (for Email: which row of the guide it is)."""
    if band is None:
        return "The guide gives no typical or great rate for this channel."
    return band.note or f"The guide's typical and great redemption rates for {band.channel}."


def verdict_text(verdict: str | None) -> str:
    return VERDICT_WORDS.get(verdict, "") if verdict else ""


def channel_verdict(row: ChannelStats) -> str:
    """A channel's standing against the guide's band, "Too early to judge" before it can be judged."""
    return analytics.TOO_EARLY_WORDS if row.too_early else verdict_text(row.verdict)


def batch_verdict(stats: BatchStats) -> tuple[str, str, str]:
    """A batch's standing against its channel's band: (words, style, tooltip); all "" without one."""
    if stats.too_early:
        return analytics.TOO_EARLY_WORDS, "too_early", analytics.TOO_EARLY_TEXT
    return verdict_text(stats.verdict), stats.verdict or "", ""


def rate_now(per_hour: float) -> str:
    """Claims per hour at the current pace: "12.5 per hour"."""
    if per_hour >= 10:
        return f"{per_hour:,.0f} per hour"
    return f"{per_hour:.1f} per hour"


def sells_out(stats: BatchStats) -> str:
    """ "Sells out around Tue 14:00" in the store's time (the core's words, as a sentence); "" when
    claims are not trending towards sold out."""
    said = stats.sold_out_text
    return said[:1].upper() + said[1:]


def hours(value: float | None) -> str:
    """A median time to redeem as people say it: "under 1 h", "3.5 h", "2.1 days"; "—" without one.
    Redemptions are counted by whole hours since their claim, so within the first hour there is
    nothing finer to say (a median of 0.5 h means "in the first hour", not "30 min")."""
    if value is None:
        return "—"
    if value < 1:
        return "under 1 h"
    if value < 48:
        return f"{value:.1f} h"
    return f"{value / 24:.1f} days"


def bucket_label(start: datetime, bucket: str) -> str:
    """A bucket's start in the store's time: "Tue 14:00" by the hour, "Tue 3 Dec" by the day."""
    moment = times.local(start)
    if bucket == "hour":
        return f"{moment:%a %H:%M}"
    return f"{moment:%a} {moment.day} {moment:%b}"


def bucket_noun(bucket: str) -> str:
    return "hour" if bucket == "hour" else "day"


def updated(now: datetime) -> str:
    return f"Updated {times.local(now):%H:%M:%S}"
