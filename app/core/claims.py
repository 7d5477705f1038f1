"""Claiming a voucher (a member on the claim site) and redeeming it (the till): the two races."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from . import codes
from .db import guarded, locked, write_transaction
from .errors import InvalidInput, NotFound
from .models import CLAIMED, REDEEMED, UNCLAIMED, Batch, Template, Voucher, utcnow
from .templates import expiry_for_claim
from .vouchers import VoucherDetail, lookup


class ClaimOutcome(enum.Enum):
    CLAIMED = "claimed"
    ALREADY_CLAIMED = "already_claimed"
    PAUSED = "paused"
    NO_VOUCHERS = "no_vouchers_available"
    NOT_FOUND = "not_found"


class RedeemOutcome(enum.Enum):
    REDEEMED = "redeemed"
    NOT_CLAIMED = "not_claimed"
    ALREADY_REDEEMED = "already_redeemed"
    EXPIRED = "expired"
    UNKNOWN_CODE = "unknown_code"


@dataclass(frozen=True)
class ClaimResult:
    outcome: ClaimOutcome
    voucher: VoucherDetail | None = None  # the member's voucher when claimed or already claimed


@dataclass(frozen=True)
class RedeemResult:
    outcome: RedeemOutcome
    voucher: VoucherDetail | None = None
    redeemed_at: datetime | None = None

    @property
    def message(self) -> str:
        """What the till shows."""
        code = self.voucher.code if self.voucher else ""
        if self.outcome is RedeemOutcome.REDEEMED:
            return f"Voucher {code} redeemed."
        if self.outcome is RedeemOutcome.NOT_CLAIMED:
            return f"Voucher {code} has not been claimed yet, so it cannot be redeemed."
        if self.outcome is RedeemOutcome.ALREADY_REDEEMED:
            return f"Voucher {code} was already redeemed on {self.redeemed_at:%Y-%m-%d at %H:%M} UTC."
        if self.outcome is RedeemOutcome.EXPIRED:
            return f"Voucher {code} expired on {self.voucher.expires_at:%Y-%m-%d at %H:%M} UTC."
        return "No voucher has this code. Check it and try again."


@guarded
def claim(token: str, member_id: int) -> ClaimResult:
    """Give the member one voucher of the batch behind token, or say why not.

    One transaction holding the write lock: a member never gets two vouchers of a batch and the
    claims never exceed the total, however many claim at once (the schema enforces both as well)."""
    with write_transaction():
        batch = locked(Batch.select().where(Batch.token == token)).first() if token else None
        if batch is None:
            return ClaimResult(ClaimOutcome.NOT_FOUND)
        mine = Voucher.select(Voucher.code).where(Voucher.batch == batch.id, Voucher.member == member_id).scalar()
        if mine is not None:
            return ClaimResult(ClaimOutcome.ALREADY_CLAIMED, lookup(mine))
        if batch.status != "active":
            return ClaimResult(ClaimOutcome.PAUSED)
        if batch.claimed_count >= batch.quantity:
            return ClaimResult(ClaimOutcome.NO_VOUCHERS)
        free = locked(
            Voucher.select(Voucher.id, Voucher.code).where(Voucher.batch == batch.id, Voucher.status == UNCLAIMED).limit(1)
        ).tuples().first()
        if free is None:  # the counter and the rows disagree: never hand out more than exist
            return ClaimResult(ClaimOutcome.NO_VOUCHERS)
        now = utcnow()
        template = Template.get_by_id(batch.template_id)
        Voucher.update(status=CLAIMED, member=member_id, claimed_at=now, expires_at=expiry_for_claim(template, now)).where(
            Voucher.id == free[0], Voucher.status == UNCLAIMED
        ).execute()
        Batch.update(claimed_count=Batch.claimed_count + 1).where(Batch.id == batch.id).execute()
        return ClaimResult(ClaimOutcome.CLAIMED, lookup(free[1]))


def refusal(voucher: VoucherDetail) -> RedeemResult | None:
    """Why the till would refuse this voucher now (not claimed, already redeemed, expired), or
    None when it can be redeemed. redeem() decides with this same rule, inside its transaction."""
    if voucher.status == "unclaimed":
        return RedeemResult(RedeemOutcome.NOT_CLAIMED, voucher)
    if voucher.status == "redeemed":
        return RedeemResult(RedeemOutcome.ALREADY_REDEEMED, voucher, voucher.redeemed_at)
    if voucher.expired:
        return RedeemResult(RedeemOutcome.EXPIRED, voucher)
    return None


@guarded
def redeem(typed_code: str) -> RedeemResult:
    """Use a claimed voucher at the till, once. Paused batches still redeem."""
    code = codes.normalise(typed_code)
    if not code:
        raise InvalidInput("Type or scan a voucher code.")
    with write_transaction():
        try:
            voucher = lookup(code)
        except NotFound:
            return RedeemResult(RedeemOutcome.UNKNOWN_CODE)
        refused = refusal(voucher)
        if refused is not None:
            return refused
        now = utcnow()
        changed = Voucher.update(status=REDEEMED, redeemed_at=now).where(Voucher.id == voucher.id, Voucher.status == CLAIMED).execute()
        if not changed:  # another till got there first (a server database without our in-process lock)
            voucher = lookup(code)
            return RedeemResult(RedeemOutcome.ALREADY_REDEEMED, voucher, voucher.redeemed_at)
        Batch.update(redeemed_count=Batch.redeemed_count + 1).where(Batch.id == voucher.batch_id).execute()
        return RedeemResult(RedeemOutcome.REDEEMED, lookup(code), now)
