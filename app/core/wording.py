"""How numbers, states and verdicts are said, in one place for every front end: the card, the batch's
and the channels' pages, the till, the command line and the CSV exports all word them from here.
The numbers and the rules are app.core.rates' and app.core.analytics'; this only says them."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from . import rates, settings, times

if TYPE_CHECKING:
    from .vouchers import VoucherRow

NONE_YET = "—"  # a number there is nothing to compute from yet (a rate with nothing claimed)

# -- numbers -------------------------------------------------------------------------------------


def count(value: int) -> str:
    return f"{value:,}"


def rate_text(claimed: int, redeemed: int) -> str:
    """The redemption rate as everyone reads it: "35%" (a whole percentage, rates.whole_percent);
    "—" while nothing is claimed."""
    percent = rates.whole_percent(claimed, redeemed)
    return NONE_YET if percent is None else f"{percent}%"


def share(part: int, whole: int) -> str:
    """part of whole as a whole percentage, for the funnel's steps: "25%"."""
    return NONE_YET if not whole else f"{(part * 200 + whole) // (whole * 2)}%"


def money(amount_cents: int | None, currency: str | None = None) -> str:
    """An amount in the store's currency: "$1,234.50"; "—" without one."""
    if amount_cents is None:
        return NONE_YET
    if currency is None:
        currency = settings.cached().currency
    return f"{currency}{Decimal(amount_cents).scaleb(-2):,.2f}"


def sales_text(sales_cents: int, totalled: int, currency: str | None = None) -> str:
    """Sales with vouchers, with how many redemptions gave an order total: "$1,234.50 on 12 orders"."""
    if not totalled:
        return NONE_YET
    return f"{money(sales_cents, currency)} on {count(totalled)} order{'s' if totalled != 1 else ''}"


SALES_TIP = (
    "The order totals given at the till (or by the point of sale) when vouchers were redeemed, and the "
    "discount the vouchers took off them. Redemptions without an order total are not in these sums."
)


def rate_now(per_hour: float) -> str:
    """Claims per hour at the current pace: "12.5 per hour"."""
    if per_hour >= 10:
        return f"{per_hour:,.0f} per hour"
    return f"{per_hour:.1f} per hour"


def hours(value: float | None) -> str:
    """A time to redeem as people say it: "under 1 hour", "3.5 hours", "2.1 days"; "—" without one.
    Redemptions are counted by whole hours since their claim, so within the first hour there is
    nothing finer to say (a median of 0.5 h means "in the first hour", not "30 min")."""
    if value is None:
        return NONE_YET
    if value < 1:
        return "under 1 hour"
    if value < 48:
        return f"{value:.1f} hours"
    return f"{value / 24:.1f} days"


# -- the guide's bands and verdicts --------------------------------------------------------------

NO_BAND = "No band in the guide"
VERDICT_WORDS = {"below_typical": "Below typical", "typical": "Typical", "great": "Great"}
TOO_EARLY_WORDS = "Too early to judge"  # instead of a verdict, while not rates.judgeable()
TOO_EARLY_TEXT = (
    f"{TOO_EARLY_WORDS}: a batch's redemption rate is compared with its channel's once it is "
    f"{rates.EARLY_HOURS} hours old and has {rates.MIN_CLAIMS_TO_JUDGE} claims."
)
CHANNEL_TOO_EARLY_TEXT = (
    f"{TOO_EARLY_WORDS}: a channel's redemption rate is compared with the guide's once its "
    f"first batch is {rates.EARLY_HOURS} hours old and it has {rates.MIN_CLAIMS_TO_JUDGE} claims."
)
HINT_MESSAGES = {  # the spec's words ("Monitor the First 24 Hours", "Low redemption rate?", "Troubleshooting")
    "low_claims": "Low claims after the first 24 hours? A visibility or messaging issue: verify the QR code scans "
    "to the correct URL, and check that members are logging in (required to claim).",
    "few_redemptions": "Claims but few redemptions? An offer or friction issue. Is the discount compelling enough? "
    "Is the minimum purchase too high? Are expiration dates clear?",
    "scale_up": "High everything? Scale up the promotion!",
    "almost_sold_out": "Almost sold out: for more vouchers make a new batch like this one (its Total stays as "
    "generated), or pause the batch. When Available reaches 0, the claim page shows “No vouchers available.”",
}


def typical_text(band: rates.Band | None) -> str:
    """The band's typical range: "5–15%"; "—" without a band."""
    return f"{band.typical[0]:g}–{band.typical[1]:g}%" if band is not None else NONE_YET


def great_text(band: rates.Band | None) -> str:
    """Where great begins: "20%+"; "—" without a band."""
    return f"{band.great:g}%+" if band is not None else NONE_YET


def band_text(band: rates.Band | None) -> str:
    """The guide's band: "typical 5–15%, great 20%+"; NO_BAND without one."""
    if band is None:
        return NO_BAND
    return f"typical {typical_text(band)}, great {great_text(band)}"


def band_tip(band: rates.Band | None) -> str:
    """Why the band says what it says (for Email: which row of the guide it is)."""
    if band is None:
        return "The guide gives no typical or great rate for this channel."
    return band.note or f"The guide's typical and great redemption rates for {band.channel}."


def verdict_text(verdict: str | None) -> str:
    return VERDICT_WORDS.get(verdict, "") if verdict else ""


def standing(verdict: str | None, too_early: bool) -> str:
    """A batch's or a channel's standing against the guide's band: its verdict's words, "Too early to
    judge" before it can be judged, "" without a band."""
    return TOO_EARLY_WORDS if too_early else verdict_text(verdict)


def batch_verdict(verdict: str | None, too_early: bool) -> tuple[str, str, str]:
    """A batch's standing against its channel's band: (words, style, tooltip); all "" without one."""
    if too_early:
        return TOO_EARLY_WORDS, "too_early", TOO_EARLY_TEXT
    return verdict_text(verdict), verdict or "", ""


# -- times on the analytics pages ----------------------------------------------------------------


def sold_out_text(moment: datetime | None, now: datetime) -> str:
    """'sells out around Tue 14:00' in the store's time (the date too when more than 6 days away);
    '' when claims are not trending towards sold out."""
    if moment is None:
        return ""
    local = times.local(moment)
    if local - now > timedelta(days=6):
        return f"sells out around {local:%a} {local.day} {local:%b %H:%M}"
    return f"sells out around {local:%a %H:%M}"


def sells_out(moment: datetime | None, now: datetime) -> str:
    """The same as a sentence: "Sells out around Tue 14:00"; "" when not trending."""
    said = sold_out_text(moment, now)
    return said[:1].upper() + said[1:]


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


# -- what is still out there --------------------------------------------------------------------

EXPIRING_CAPTION = "Expiring in 7 days"
EXPIRED_CAPTION = "Expired unused"
EXPIRING_TIP = "Claimed, not redeemed, and expiring within the next 7 days: members may still come in"
EXPIRED_TIP = "Claimed and expired without being redeemed"


def still_out(expiring: int, expired: int) -> str:
    """The sentence: "3 claimed vouchers not yet redeemed expire in the next 7 days; 12 expired unused." """
    noun = "voucher" if expiring == 1 else "vouchers"
    verb = "expires" if expiring == 1 else "expire"
    return f"{expiring:,} claimed {noun} not yet redeemed {verb} in the next 7 days; {expired:,} expired unused."


# -- a campaign's schedule -----------------------------------------------------------------------

STATE_WORDS_BATCH = {"scheduled": "Scheduled", "active": "Active", "paused": "Paused", "ended": "Ended"}


def batch_state_word(state: str) -> str:
    """A batch's state in a word, as its badge says it: Scheduled, Active, Paused, Ended."""
    return STATE_WORDS_BATCH.get(state, state.title())


def moment(value: datetime | str | None) -> str:
    """A start or an end as people read it, in the store's time: "1 Jun 2026, 09:00"."""
    local = times.local(value)
    return f"{local.day} {local:%b %Y, %H:%M}" if local is not None else ""


def _until(value: datetime | str | None) -> str:
    """An end: "30 Jun 2026, 18:00", or "the end of 30 Jun 2026" for the midnight after that day."""
    return times.spoken(value)


def schedule_line(state: str, starts_at: datetime | None, ends_at: datetime | None) -> str:
    """What a card says of its claim window: "Opens 1 Jun 2026, 09:00", "Until the end of 30 Jun
    2026", "Ended 30 Jun 2026, 18:00"; "" with no window."""
    if state == "ended" and ends_at is not None:
        return f"Ended {moment(ends_at)}"
    if state == "scheduled" and starts_at is not None:
        opens = f"Opens {moment(starts_at)}"
        return f"{opens} · until {_until(ends_at)}" if ends_at is not None else opens
    if ends_at is not None and state != "ended":
        return f"Until {_until(ends_at)}"
    return ""


def opens_sentence(starts_at: datetime | str | None) -> str:
    """For members, before the start: "Claims open on 1 Jun 2026, 09:00." """
    return f"Claims open on {moment(starts_at)}."


def ended_sentence(ends_at: datetime | str | None) -> str:
    """For members, once ended: "It ended on 30 Jun 2026, 18:00." ("… at the end of 30 Jun 2026")."""
    said = _until(ends_at)
    return f"It ended {'at' if said.startswith('the end') else 'on'} {said}."


# -- a voucher's state ---------------------------------------------------------------------------

# What a voucher is now (VoucherRow.state), in a word: tables, lists and the command line
STATE_WORDS = {"unclaimed": "Unclaimed", "claimed": "Claimed", "expired": "Expired", "redeemed": "Redeemed"}
# ... and as the till says it, with when
_STATE_LINES = {
    "unclaimed": "Not claimed yet",
    "claimed": "Claimed on {claimed}, not redeemed",
    "expired": "Claimed on {claimed}, expired",
    "redeemed": "Redeemed on {redeemed}",
}
# the vouchers view's Redemption column: whether a claimed voucher was used
REDEMPTION_WORDS = {"unclaimed": "", "claimed": "Not redeemed", "expired": "Expired", "redeemed": "Redeemed"}


def state_word(state: str) -> str:
    return STATE_WORDS.get(state, state)


def state_line(voucher: VoucherRow) -> str:
    """The till's Status line: the voucher's state with when, in the store's time and zone."""
    return _STATE_LINES[voucher.state].format(
        claimed=times.local_text(voucher.claimed_at, zone=True),
        redeemed=times.local_text(voucher.redeemed_at, zone=True),
    )


# -- a member's vouchers (My Cards) ------------------------------------------------------------

CARD_BADGES = {"valid": "Valid", "redeemed": "Redeemed", "expired": "Expired"}


def expires_in(days_left: int) -> str:
    """A valid voucher's reminder: "Expires today", "Expires tomorrow", "Expires in 3 days"."""
    if days_left <= 0:
        return "Expires today"
    if days_left == 1:
        return "Expires tomorrow"
    return f"Expires in {days_left} days"


def expiring_banner(titles_and_days: list[tuple[str, int]], within_days: int) -> str:
    """My Cards' reminder of the valid vouchers whose last day is within `within_days`: one is named
    with its day, several are counted. "" when none is."""
    if not titles_and_days:
        return ""
    if len(titles_and_days) == 1:
        title, days = titles_and_days[0]
        when = expires_in(days).removeprefix("Expires ")
        return f"Your voucher “{title}” expires {when}: show it at the till before then."
    soonest = expires_in(min(days for _, days in titles_and_days)).removeprefix("Expires ")
    return (
        f"{len(titles_and_days)} of your vouchers expire within {within_days} days, the first {soonest}: "
        "show them at the till before then."
    )
