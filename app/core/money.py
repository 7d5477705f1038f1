"""Money at the till: an order's total as the till or a point of sale gives it (kept in cents), the
discount a voucher gave on it, and whether it reaches the offer's minimum purchase. Its words are
app.core.wording's (wording.money)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from app.core.store.models import Template

from .errors import InvalidInput
from .templates import parse_money

MAX_ORDER_CENTS = 10_000_000_00  # ten million: more is a typo (or a scanner typing into the wrong field)
MAX_REFERENCE = 64


@dataclass(frozen=True)
class Order:
    """What the till knows of the sale a voucher is redeemed on: its total (cents; None: not given),
    the point of sale's own reference for it, and whether to redeem though the total is below the
    offer's minimum purchase (the staff member decided so)."""

    total_cents: int | None = None
    reference: str = ""
    override: bool = False


def cents(amount: str | int | float | Decimal | None) -> int | None:
    """An order total as typed ("25", "25.50", "25,50", "$25") or sent (25.5) in cents; None for
    nothing; InvalidInput for anything else (negative, more than two decimals, not a number)."""
    if amount is None or (isinstance(amount, str) and not amount.strip()):
        return None
    if isinstance(amount, bool):
        raise InvalidInput("An order total is an amount of money, like 25.50.")
    if isinstance(amount, (int, float)):
        try:
            value = Decimal(str(amount))
        except InvalidOperation:
            raise InvalidInput("An order total is an amount of money, like 25.50.") from None
        if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
            raise InvalidInput(f"{amount!r} is not an amount of money (at most two decimals, not negative).")
    else:
        value = parse_money(str(amount))
    total = int(value * 100)
    if total > MAX_ORDER_CENTS:
        raise InvalidInput(f"An order total is at most {MAX_ORDER_CENTS // 100:,}.")
    return total


def order(
    total: str | int | float | Decimal | None = None, reference: str | None = "", override: bool = False
) -> Order:
    """An Order from what a person typed or a point of sale sent (checked: InvalidInput)."""
    reference = " ".join((reference or "").split())
    if len(reference) > MAX_REFERENCE:
        raise InvalidInput(f"An order reference is at most {MAX_REFERENCE} characters.")
    return Order(cents(total), reference, bool(override))


def minimum_cents(offer: Template) -> int:
    return int(Decimal(offer.min_purchase or 0) * 100)


def below_minimum(offer: Template, total_cents: int) -> bool:
    """Whether an order of this total is below the offer's minimum purchase."""
    return total_cents < minimum_cents(offer)


def discount_cents(offer: Template, total_cents: int) -> int:
    """What the voucher took off an order of this total: its percentage (to the cent, halves up) or
    its amount, never more than the order."""
    value = Decimal(offer.discount_value)
    if offer.discount_kind == "percent":
        off = (Decimal(total_cents) * value / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    else:
        off = value * 100
    return int(min(off, Decimal(total_cents)))


def to_json(amount_cents: int | None) -> float | None:
    """An amount for machines (`--json`, the API): a number with two decimals."""
    return None if amount_cents is None else float(Decimal(amount_cents).scaleb(-2))
