"""A voucher as a point of sale reads it: the local API's answers and the webhooks' events describe a
voucher, its batch and its offer the same way (machine output: times ISO 8601 with their offset,
money as numbers with two decimals)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from . import money, templates, times
from .vouchers import VoucherDetail


def offer_json(detail: VoucherDetail) -> dict[str, Any] | None:
    """The offer the voucher carries: its kind and value, the minimum purchase, its expiry rule, and
    the same in words as the till shows them."""
    offer = detail.template
    if offer is None:
        return None
    said = templates.describe_offer(offer)
    return {
        "title": detail.batch_title,
        "discount_kind": offer.discount_kind,
        "discount_value": float(Decimal(offer.discount_value)),
        "min_purchase": money.to_json(money.minimum_cents(offer)),
        "valid_days": offer.valid_days,
        "expires_on": offer.expires_on.isoformat() if offer.expires_on else None,
        "terms": offer.terms,
        "description": f"{said['discount']} · {said['min_purchase']}",
    }


def voucher_json(detail: VoucherDetail) -> dict[str, Any]:
    """A voucher: code (as shown), state (unclaimed, claimed, expired, redeemed), batch, offer, times."""
    return {
        "code": detail.code,
        "state": detail.state,
        "batch": {"id": detail.batch_id, "name": detail.batch_name},
        "offer": offer_json(detail),
        "expires_at": times.iso(detail.expires_at),
        "claimed_at": times.iso(detail.claimed_at),
        "redeemed_at": times.iso(detail.redeemed_at),
        "order_total": money.to_json(detail.order_cents),
    }


def refusal_json(code: str | None, message: str | None) -> dict[str, str] | None:
    """Why the till would refuse (or refused) it, as a stable code and the till's own sentence; None: it would not."""
    return None if code is None else {"code": code, "message": message or ""}
