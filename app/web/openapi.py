"""The OpenAPI 3.1 document of the point-of-sale API (GET /api/v1/openapi.json): every path, header,
field and outcome the API answers with, as a contract a point of sale can be built and tested against
(the tests validate every answer against it). The outcomes and refusal codes come from the core's
own enums, so the document cannot fall behind them."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from app import __version__
from app.core import claims, scans, schedule
from app.core.store.models import CHANNELS

REFUSAL_CODES = sorted(
    {o.value for o in claims.RedeemOutcome if o is not claims.RedeemOutcome.REDEEMED}
    | {o.value for o in claims.UndoOutcome if o is not claims.UndoOutcome.UNDONE}
    | {"claim_link", "ambiguous_code", "not_a_code"}
)
ERROR_CODES = [
    "api_off",
    "unauthorized",
    "too_many_attempts",
    "invalid_request",
    "idempotency_key_reused",
    "unknown_code",
    "claim_link",
    "ambiguous_code",
    "not_a_code",
    "not_found",
    "method_not_allowed",
    "too_large",
    "bad_request",
    "unavailable",
    "internal_error",
]


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if "enum" in schema:
        return {**schema, "enum": [*schema["enum"], None]}
    kind = schema.get("type")
    if kind is None:
        return {"oneOf": [schema, {"type": "null"}]}
    return {**schema, "type": [kind, "null"] if isinstance(kind, str) else [*kind, "null"]}


def _object(properties: dict[str, Any], required: list[str] | None = None, closed: bool = True) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": not closed,
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


TIME = {"type": "string", "format": "date-time", "description": "ISO 8601 with the store's UTC offset"}
MONEY = {"type": "number", "minimum": 0, "description": "An amount in the store's currency, two decimals"}


def _schemas() -> dict[str, Any]:
    batch_ref = _object({"id": {"type": "integer"}, "name": {"type": "string"}})
    offer = _object(
        {
            "title": {"type": "string", "description": "the batch's public title, as members read it"},
            "discount_kind": {"enum": ["percent", "amount"]},
            "discount_value": {"type": "number", "exclusiveMinimum": 0},
            "min_purchase": MONEY,
            "valid_days": _nullable({"type": "integer", "minimum": 1}),
            "expires_on": _nullable({"type": "string", "format": "date"}),
            "terms": {"type": "string"},
            "description": {"type": "string", "description": "the offer in words, as the till shows it"},
        }
    )
    voucher_fields = {
        "code": {"type": "string", "description": "as shown: grouped, e.g. SUMMER-K7QM-3XT9-PA"},
        "state": {"enum": ["unclaimed", "claimed", "expired", "redeemed"]},
        "batch": _ref("BatchRef"),
        "offer": _nullable(_ref("Offer")),
        "expires_at": _nullable(TIME),
        "claimed_at": _nullable(TIME),
        "redeemed_at": _nullable(TIME),
        "order_total": _nullable({**MONEY, "description": "the order total given when it was redeemed"}),
    }
    refusal = _object(
        {
            "code": {"enum": REFUSAL_CODES, "description": "stable: what a point of sale acts on"},
            "message": {"type": "string", "description": "the sentence the till shows"},
        }
    )
    error = _object(
        {
            "error": _object(
                {
                    "code": {"enum": ERROR_CODES},
                    "message": {"type": "string", "description": "one sentence, for a person"},
                    "batch": _ref("BatchRef"),
                },
                required=["code", "message"],
            )
        }
    )
    return {
        "BatchRef": batch_ref,
        "Offer": offer,
        "Voucher": _object(voucher_fields),
        "Refusal": refusal,
        "VoucherLookup": _object(
            {
                **voucher_fields,
                "refusal": {
                    **_nullable(_ref("Refusal")),
                    "description": "why the till would refuse to redeem it now; null: it can be redeemed",
                },
                "read_as": _nullable(
                    {
                        "enum": [m.name for m in scans.MIX_UPS[1:]],
                        "description": "the keyboard mix-up the code was read back from (e.g. us_on_qwertz: a "
                        "scanner set to US keys on a German PC); null: found as sent",
                    }
                ),
            }
        ),
        "RedeemRequest": _object(
            {
                "till": {"type": "string", "maxLength": 64, "description": "the point of sale's own till name"},
                "staff": {"type": "string", "maxLength": 64},
                "order_reference": {"type": "string", "maxLength": 64},
                "order_total": {
                    "type": ["number", "string"],
                    "description": 'the order\'s total, e.g. 25.50 or "25.50" (at most two decimals)',
                },
                "override": {
                    "type": "boolean",
                    "description": "redeem though order_total is below the offer's minimum purchase",
                },
            },
            required=[],
        ),
        "RedeemAnswer": _object(
            {
                "outcome": {"enum": [o.value for o in claims.RedeemOutcome]},
                "message": {"type": "string", "description": "the till's sentence"},
                "refusal": _nullable(_ref("Refusal")),
                "voucher": _nullable(_ref("Voucher")),
                "order_total": _nullable(MONEY),
                "discount": _nullable({**MONEY, "description": "what the voucher took off the order total"}),
                "redeemed_by": _nullable(
                    _object({"till": {"type": "string"}, "staff": {"type": "string"}}),
                ),
            }
        ),
        "UndoRequest": _object(
            {
                "reason": {"type": "string", "minLength": 1, "maxLength": claims.MAX_REASON},
                "till": {"type": "string", "maxLength": 64},
                "staff": {"type": "string", "maxLength": 64},
            },
            required=["reason"],
        ),
        "UndoAnswer": _object(
            {
                "outcome": {"enum": [o.value for o in claims.UndoOutcome]},
                "message": {"type": "string"},
                "refusal": _nullable(_ref("Refusal")),
                "voucher": _nullable(_ref("Voucher")),
            }
        ),
        "Batch": _object(
            {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "title": {"type": "string"},
                "status": {"enum": list(schedule.STATES), "description": "where the batch stands now"},
                "channel": {"enum": list(CHANNELS)},
                "created_at": TIME,
                "starts_at": _nullable({**TIME, "description": "claims open then; null: at once"}),
                "ends_at": _nullable({**TIME, "description": "claims end for good then; null: no end"}),
                "total": {"type": "integer", "minimum": 0},
                "claimed": {"type": "integer", "minimum": 0},
                "redeemed": {"type": "integer", "minimum": 0},
                "available": {"type": "integer", "minimum": 0},
                "redemption_rate": _nullable({"type": "number", "description": "percent, one decimal"}),
                "sales_with_vouchers": MONEY,
                "discount_given": MONEY,
                "redemptions_with_order_total": {"type": "integer", "minimum": 0},
                "currency": {"type": "string"},
            }
        ),
        "BatchList": _object({"batches": {"type": "array", "items": _ref("Batch")}}),
        "Error": error,
    }


def _errors(*statuses: int) -> dict[str, Any]:
    said = {
        400: "The request is not understood (bad JSON, a field of the wrong type, no Idempotency-Key)",
        401: "No key, a wrong key or a revoked key",
        404: "No such voucher (or the API is off: no key exists)",
        409: "The code reads as more than one voucher through keyboard mix-ups: nothing chosen",
        422: "The Idempotency-Key was used before for a different request",
        429: "Too many failed attempts from this address: wait Retry-After seconds",
        503: "The database is busy or away: nothing changed, retry after Retry-After seconds",
    }
    error = {"application/json": {"schema": _ref("Error")}}
    return {str(s): {"description": said[s], "content": error} for s in statuses}


CODE = {
    "name": "code",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "the voucher's code as typed or scanned (case, spaces and dashes do not matter; keyboard "
    "mix-ups are repaired; a scanned claim link is recognised)",
}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": True,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    "description": "one per change: a retry with the same key and request gets the first answer again",
}


def _answer(schema: str, description: str) -> dict[str, Any]:
    return {"200": {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}}


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document."""
    change = [CODE, IDEMPOTENCY_KEY]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Voucher Batches point-of-sale API",
            "version": __version__,
            "description": "Look vouchers up, redeem them and undo redemptions from a point of sale. "
            "Every request carries Authorization: Bearer <key> (voucher-batches api-key create). "
            'Errors are {"error": {"code", "message"}}.',
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": {
            "/vouchers/{code}": {
                "get": {
                    "operationId": "lookUpVoucher",
                    "summary": "A voucher, and why the till would refuse it (null: it can be redeemed)",
                    "parameters": [CODE],
                    "responses": {**_answer("VoucherLookup", "The voucher"), **_errors(401, 404, 409, 429, 503)},
                }
            },
            "/vouchers/{code}/redeem": {
                "post": {
                    "operationId": "redeemVoucher",
                    "summary": "Redeem a voucher once; every refusal is an outcome",
                    "parameters": change,
                    "requestBody": {
                        "required": False,
                        "content": {"application/json": {"schema": _ref("RedeemRequest")}},
                    },
                    "responses": {
                        **_answer("RedeemAnswer", "The outcome (replayed answers carry Idempotent-Replayed: true)"),
                        **_errors(400, 401, 422, 429, 503),
                    },
                }
            },
            "/vouchers/{code}/undo": {
                "post": {
                    "operationId": "undoRedemption",
                    "summary": "Undo a redemption within the store's undo window, with a reason",
                    "parameters": change,
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("UndoRequest")}},
                    },
                    "responses": {
                        **_answer("UndoAnswer", "The outcome"),
                        **_errors(400, 401, 422, 429, 503),
                    },
                }
            },
            "/batches": {
                "get": {
                    "operationId": "listBatches",
                    "summary": "Every batch with its metrics, newest first",
                    "responses": {**_answer("BatchList", "The batches"), **_errors(401, 404, 429, 503)},
                }
            },
            "/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "responses": {
                        "200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {}}}},
                        **_errors(401, 404, 429),
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": _schemas(),
        },
    }
