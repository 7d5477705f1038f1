"""My Cards: a member's vouchers in the order they are used at the till, which of them may be shown
there, and which expire soon.

What can be used comes first: the valid vouchers, soonest expiry first (those that never expire
last). The redeemed and expired ones follow, most recent first, and are never shown as something to
scan: no QR code, no voucher image, no pass. That one rule (`usable`) is asked by every way a voucher
leaves the site (the QR image, the voucher image, the calendar entry, the Wallet pass, the offline
copy), so a cashier can never be handed a used voucher to scan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.core.store.models import utcnow

from . import times
from .store import guarded
from .vouchers import VoucherDetail, for_member

SOON = timedelta(days=7)  # a valid voucher expiring within this is reminded of on My Cards

# What a member's card says of its voucher; the core's "claimed" is the member's "valid".
VALID, REDEEMED, EXPIRED = "valid", "redeemed", "expired"
_CARD_STATE = {"claimed": VALID, "redeemed": REDEEMED, "expired": EXPIRED}


def usable(voucher: VoucherDetail) -> bool:
    """Whether the voucher may be shown at the till: claimed, not redeemed, not expired (now)."""
    return voucher.state == "claimed"


def card_state(voucher: VoucherDetail) -> str:
    """valid, redeemed or expired, as the card's badge says it."""
    return _CARD_STATE[voucher.state]


def days_left(expires_at: datetime | None, now: datetime) -> int | None:
    """Whole days from today to the voucher's last valid day, both in the store's calendar: 0 when
    today is the last day, 1 tomorrow; None without an expiry. A voucher valid until midnight has
    the day before midnight as its last day."""
    if expires_at is None:
        return None
    last_day = times.local(expires_at - timedelta(seconds=1)).date()
    return (last_day - times.local(now).date()).days


def ended_at(voucher: VoucherDetail) -> datetime | None:
    """When a used voucher was redeemed, or an expired one expired; None for a valid one."""
    if voucher.state == "redeemed":
        return voucher.redeemed_at
    if voucher.state == "expired":
        return voucher.expires_at
    return None


@dataclass(frozen=True)
class Card:
    """One voucher on My Cards."""

    voucher: VoucherDetail
    state: str  # valid, redeemed, expired
    days_left: int | None  # a valid voucher's days to its last day (None: no expiry, or not valid)
    ended_at: datetime | None  # when a redeemed or expired one stopped being usable

    @property
    def expiring(self) -> bool:
        """Valid, and its last day is within SOON."""
        return self.days_left is not None and self.days_left < SOON.days


@dataclass(frozen=True)
class MyCards:
    valid: tuple[Card, ...]  # to use, soonest expiry first
    done: tuple[Card, ...]  # redeemed or expired, most recent first

    @property
    def expiring(self) -> tuple[Card, ...]:
        return tuple(card for card in self.valid if card.expiring)


def card(voucher: VoucherDetail, now: datetime | None = None) -> Card:
    now = now or utcnow()
    valid = usable(voucher)
    return Card(
        voucher=voucher,
        state=card_state(voucher),
        days_left=days_left(voucher.expires_at, now) if valid else None,
        ended_at=ended_at(voucher),
    )


def arrange(found: list[VoucherDetail], now: datetime | None = None) -> MyCards:
    """The vouchers in My Cards' order (see the module's docstring)."""
    now = now or utcnow()
    cards = [card(voucher, now) for voucher in found]
    never = datetime.max
    valid = sorted(
        (c for c in cards if c.state == VALID),
        key=lambda c: (c.voucher.expires_at or never, c.voucher.code),
    )
    done = sorted(
        (c for c in cards if c.state != VALID),
        key=lambda c: (c.ended_at or datetime.min, c.voucher.code),
        reverse=True,
    )
    return MyCards(tuple(valid), tuple(done))


@guarded
def my_cards(member_id: int) -> MyCards:
    """The member's vouchers, arranged for My Cards (vouchers of deleted batches are gone with them)."""
    return arrange(for_member(member_id))
