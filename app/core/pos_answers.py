"""What the local point-of-sale API answers, as (HTTP status, JSON body): the same services, the same
refusals and the same sentences as the till, with a stable code for each refusal. app.web.api only
carries these over HTTP (keys, headers, the Idempotency-Key); the rules and the words are here."""

from __future__ import annotations

from typing import Any

from . import analytics, batches, claims, money, rates, times
from .activity import Actor
from .api_keys import Key
from .errors import InvalidInput, NotFound
from .pos import refusal_json, voucher_json
from .vouchers import NotACode, VoucherDetail, lookup

Answer = tuple[int, dict[str, Any]]

REDEEM_FIELDS = {"till": str, "staff": str, "order_reference": str, "order_total": (int, float, str), "override": bool}
UNDO_FIELDS = {"reason": str, "till": str, "staff": str}
_NOT_A_CODE_STATUS = {"ambiguous_code": 409}  # claim_link, not_a_code: 404 (no voucher has it)


def error(status: int, code: str, message: str, **extra: Any) -> Answer:
    """An error as every API error is said: {"error": {"code", "message"}}."""
    return status, {"error": {"code": code, "message": message, **extra}}


def checked_body(body: Any, fields: dict[str, Any]) -> dict[str, Any]:
    """The JSON object sent, with only the fields named and each of its type (InvalidInput otherwise)."""
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise InvalidInput("Send a JSON object as the request body (or none).")
    unknown = sorted(set(body) - set(fields))
    if unknown:
        raise InvalidInput(f"Unknown field {unknown[0]!r}: the fields are {', '.join(fields)}.")
    for name, kinds in fields.items():
        value = body.get(name)
        if value is not None and (not isinstance(value, kinds) or (kinds is not bool and isinstance(value, bool))):
            raise InvalidInput(f"The field {name!r} has the wrong type.")
    return body


def _not_a_code(exc: NotACode) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if exc.batch is not None:
        extra["batch"] = {"id": exc.batch[0], "name": exc.batch[1]}
    return extra


def voucher(typed: str) -> Answer:
    """GET /vouchers/{code}: the voucher with the till's refusal (or null), found as the till finds it."""
    try:
        detail = lookup(typed)
    except NotACode as exc:
        return error(_NOT_A_CODE_STATUS.get(exc.code, 404), exc.code, str(exc), **_not_a_code(exc))
    except NotFound:
        return error(404, "unknown_code", claims.UNKNOWN_CODE_SENTENCE)
    refused = claims.refusal(detail)
    return 200, _voucher_answer(detail, refusal_json(refused.outcome.value, refused.message) if refused else None)


def _voucher_answer(detail: VoucherDetail, refusal: dict[str, str] | None) -> dict[str, Any]:
    return {**voucher_json(detail), "refusal": refusal, "read_as": detail.scanned_as or None}


def _actor(key: Key, fields: dict[str, Any]) -> tuple[Actor, dict[str, object]]:
    """Who acts: the key's name is the till in the activity log; the point of sale's own till name
    and the staff member it names go with it."""
    actor = Actor.named(key.name, fields.get("staff") or "")
    details: dict[str, object] = {"via": "api"}
    if fields.get("till"):
        details["pos_till"] = Actor.named(fields["till"]).till
    return actor, details


def redeem(typed: str, key: Key, fields: dict[str, Any]) -> Answer:
    """POST /vouchers/{code}/redeem: the outcome, the till's sentence, and the voucher as it stands.
    Every refusal is an outcome (200): the request was understood and answered."""
    actor, details = _actor(key, fields)
    order = money.order(fields.get("order_total"), fields.get("order_reference"), bool(fields.get("override")))
    try:
        result = claims.redeem(typed, actor, order, **details)
    except NotACode as exc:
        return 200, {
            "outcome": claims.RedeemOutcome.UNKNOWN_CODE.value,
            "message": str(exc),
            "refusal": refusal_json(exc.code, str(exc)),
            "voucher": None,
            "order_total": money.to_json(order.total_cents),
            "discount": None,
            "redeemed_by": None,
        }
    done = result.outcome is claims.RedeemOutcome.REDEEMED
    by = result.redeemed_by
    return 200, {
        "outcome": result.outcome.value,
        "message": result.message,
        "refusal": None if done else refusal_json(result.outcome.value, result.message),
        "voucher": voucher_json(result.voucher) if result.voucher is not None else None,
        "order_total": money.to_json(result.order_cents if result.order_cents is not None else order.total_cents),
        "discount": money.to_json(result.discount_cents),
        "redeemed_by": {"till": by.till, "staff": by.staff} if by is not None else None,
    }


def undo(typed: str, key: Key, fields: dict[str, Any]) -> Answer:
    """POST /vouchers/{code}/undo: the redemption undone (within the undo window), or why not."""
    actor, details = _actor(key, fields)
    reason = claims.undo_reason(fields.get("reason"))
    try:
        result = claims.undo_redemption(typed, reason, actor, **details)
    except NotACode as exc:
        return 200, {
            "outcome": claims.UndoOutcome.UNKNOWN_CODE.value,
            "message": str(exc),
            "refusal": refusal_json(exc.code, str(exc)),
            "voucher": None,
        }
    done = result.outcome is claims.UndoOutcome.UNDONE
    return 200, {
        "outcome": result.outcome.value,
        "message": result.message,
        "refusal": None if done else refusal_json(result.outcome.value, result.message),
        "voucher": voucher_json(result.voucher) if result.voucher is not None else None,
    }


def batch_list() -> Answer:
    """GET /batches: every batch with its metrics, newest first."""
    earned = analytics.money_by_batch()
    found = []
    for b in batches.list_batches():
        takings = earned.get(b.id, analytics.Money())
        found.append(
            {
                "id": b.id,
                "name": b.name,
                "title": b.title,
                "status": b.status,
                "channel": b.channel,
                "created_at": times.iso(b.created_at),
                "starts_at": times.iso(b.starts_at),
                "ends_at": times.iso(b.ends_at),
                "total": b.total,
                "claimed": b.claimed,
                "redeemed": b.redeemed,
                "available": b.available,
                "redemption_rate": rates.rate_json(b.claimed, b.redeemed),
                **takings.to_json(),
            }
        )
    return 200, {"batches": found}
