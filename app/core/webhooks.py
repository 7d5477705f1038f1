"""Webhooks: addresses told of every claim, redemption and undo they subscribe to. Each event is
written to the outbox (WebhookDelivery) in the transaction of its change, so none is lost when the
program stops the moment after; app.core.webhook_sender sends the outbox, signed, with retries."""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import peewee

from app.core.store.models import WEBHOOK_EVENTS, Webhook, WebhookDelivery, as_datetime, utcnow

from . import money, pos, times
from .activity import Actor, record
from .errors import InvalidInput, NotFound
from .store import database, guarded, run_sql, write_transaction
from .vouchers import VoucherDetail

EVENTS = WEBHOOK_EVENTS  # claimed, redeemed, undone
MAX_URL = 2000


def validate_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > MAX_URL:
        raise InvalidInput(f"A webhook's address starts with http:// or https:// and names a host, not {url!r}.")
    return url


def parse_events(events: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """'claimed,redeemed' (or a list) as the events, in their own order; InvalidInput for others."""
    named = [e.strip().lower() for e in (events.split(",") if isinstance(events, str) else events) if e.strip()]
    unknown = [e for e in named if e not in EVENTS]
    if unknown or not named:
        raise InvalidInput(f"A webhook's events are one or more of {', '.join(EVENTS)}, not {', '.join(unknown)!r}.")
    return tuple(e for e in EVENTS if e in named)


@dataclass(frozen=True)
class Hook:
    """A webhook with how its deliveries stand: the last answer, how many wait, when the next try is."""

    id: int
    url: str
    events: tuple[str, ...]
    created_at: datetime
    secret: str = ""  # shown once, when added
    delivered: int = 0
    pending: int = 0
    failed: int = 0  # given up after a day of tries
    last_status: int | None = None  # the receiver's last HTTP status; 0: no answer
    last_error: str = ""
    last_try_at: datetime | None = None
    next_try_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "events": list(self.events),
            "created_at": times.iso(self.created_at),
            "delivered": self.delivered,
            "pending": self.pending,
            "failed": self.failed,
            "last_status": self.last_status,
            "last_error": self.last_error,
            "last_try_at": times.iso(self.last_try_at),
            "next_try_at": times.iso(self.next_try_at),
        }


@guarded
def add(url: str, events: str | list[str] | tuple[str, ...], secret: str = "", actor: Actor | None = None) -> Hook:
    """A new webhook; its secret (made when none is given) signs every delivery: the receiver needs it."""
    url = validate_url(url)
    chosen = parse_events(events)
    secret = (secret or "").strip() or "whsec_" + secrets.token_urlsafe(24)
    if len(secret) > 128 or len(secret) < 16:
        raise InvalidInput("A webhook's secret is 16 to 128 characters long.")
    try:
        with write_transaction():
            hook = Webhook.create(url=url, events="," + ",".join(chosen) + ",", secret=secret, created_at=utcnow())
            record("settings_changed", actor, keys=[f"webhook {url} added ({', '.join(chosen)})"])
    except peewee.IntegrityError:
        raise InvalidInput(f"There is a webhook for {url} already; remove it first to change it.") from None
    return Hook(hook.id, url, chosen, as_datetime(hook.created_at), secret)


@guarded
def remove(url_or_id: str, actor: Actor | None = None) -> str:
    """Remove a webhook and its undelivered events; returns its address."""
    text = str(url_or_id).strip()
    with write_transaction():
        hook = Webhook.get_or_none(Webhook.url == text)
        if hook is None and text.isdigit():
            hook = Webhook.get_or_none(Webhook.id == int(text))
        if hook is None:
            raise NotFound(f"There is no webhook {text}.")
        WebhookDelivery.delete().where(WebhookDelivery.webhook == hook.id).execute()
        hook.delete_instance()
        record("settings_changed", actor, keys=[f"webhook {hook.url} removed"])
    return hook.url


@guarded
def hooks() -> list[Hook]:
    """Every webhook with its deliveries' standing, oldest first."""
    found = []
    for row in run_sql(
        "SELECT w.id, w.url, w.events, w.created_at,"
        " SUM(CASE WHEN d.delivered_at IS NOT NULL THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN d.next_try_at IS NOT NULL THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN d.id IS NOT NULL AND d.delivered_at IS NULL AND d.next_try_at IS NULL THEN 1 ELSE 0 END),"
        " MIN(d.next_try_at)"
        " FROM webhook w LEFT JOIN webhook_delivery d ON d.webhook_id = w.id GROUP BY w.id, w.url, w.events,"
        " w.created_at ORDER BY w.id"
    ).fetchall():
        last = run_sql(
            "SELECT last_status, last_error, last_try_at FROM webhook_delivery"
            " WHERE webhook_id = :id AND last_try_at IS NOT NULL ORDER BY last_try_at DESC, id DESC LIMIT 1",
            {"id": row[0]},
        ).fetchone()
        found.append(
            Hook(
                id=row[0],
                url=row[1],
                events=tuple(e for e in row[2].split(",") if e),
                created_at=as_datetime(row[3]),
                delivered=int(row[4] or 0),
                pending=int(row[5] or 0),
                failed=int(row[6] or 0),
                last_status=last[0] if last else None,
                last_error=last[1] if last else "",
                last_try_at=_maybe(last[2]) if last else None,
                next_try_at=as_datetime(row[7]) if row[7] is not None else None,
            )
        )
    return found


@dataclass(frozen=True)
class Delivery:
    """One event sent (or to be sent) to one webhook."""

    id: int
    url: str
    event_id: str
    event: str
    created_at: datetime
    attempts: int
    last_try_at: datetime | None
    last_status: int | None
    last_error: str
    next_try_at: datetime | None
    delivered_at: datetime | None

    @property
    def state(self) -> str:
        """delivered, pending (a try is due or scheduled) or failed (given up after a day)."""
        if self.delivered_at is not None:
            return "delivered"
        return "pending" if self.next_try_at is not None else "failed"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "event_id": self.event_id,
            "event": self.event,
            "state": self.state,
            "created_at": times.iso(self.created_at),
            "attempts": self.attempts,
            "last_try_at": times.iso(self.last_try_at),
            "last_status": self.last_status,
            "last_error": self.last_error,
            "next_try_at": times.iso(self.next_try_at),
            "delivered_at": times.iso(self.delivered_at),
        }


@guarded
def deliveries(url_or_id: str | None = None, limit: int = 50) -> list[Delivery]:
    """The latest deliveries, newest first (of one webhook, by its address or id, when given)."""
    where = ""
    params: dict[str, object] = {"limit": int(limit)}
    if url_or_id:
        where = " WHERE w.url = :url OR CAST(w.id AS VARCHAR(20)) = :url"
        params["url"] = str(url_or_id).strip()
    rows = run_sql(
        "SELECT d.id, w.url, d.event_id, d.event, d.created_at, d.attempts, d.last_try_at, d.last_status,"
        " d.last_error, d.next_try_at, d.delivered_at FROM webhook_delivery d JOIN webhook w ON w.id = d.webhook_id"
        f"{where} ORDER BY d.id DESC LIMIT :limit",
        params,
    ).fetchall()
    return [
        Delivery(
            r[0], r[1], r[2], r[3], as_datetime(r[4]), r[5], _maybe(r[6]), r[7], r[8] or "", _maybe(r[9]), _maybe(r[10])
        )
        for r in rows
    ]


def _maybe(value: datetime | str | None) -> datetime | None:
    return as_datetime(value) if value is not None else None


# -- the outbox, written in the transaction of each change ---------------------------------------

# One statement per event, its pattern written into the text: SQLite compiles a statement again on
# every run when a LIKE pattern is a bound value (the pattern could change the plan). The events are
# this module's own names, never input.
_SUBSCRIBED = {event: f"SELECT id FROM webhook WHERE events LIKE '%,{event},%'" for event in EVENTS}


def announce(event: str, voucher: VoucherDetail, actor: Actor | None = None, **extra: object) -> None:
    """Put this event in the outbox of every webhook subscribed to it. Call it inside the
    transaction of the change: the event is kept exactly when the change is. One indexed read when
    no webhook wants it."""
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    if not database.in_transaction():
        raise RuntimeError("a webhook event is written inside the transaction of its change")
    subscribed = [row[0] for row in run_sql(_SUBSCRIBED[event]).fetchall()]
    if not subscribed:
        return
    now = utcnow()
    body = {
        "id": uuid.uuid4().hex,
        "event": event,
        "created_at": times.iso(now),
        "voucher": pos.voucher_json(voucher),
        **({"till": actor.till, "staff": actor.staff} if actor is not None else {}),
        **{name: _plain(value) for name, value in extra.items()},
    }
    stamp = WebhookDelivery.created_at.db_value(now)
    payload = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    for hook_id in subscribed:
        run_sql(
            "INSERT INTO webhook_delivery (webhook_id, event_id, event, payload, created_at, next_try_at, attempts,"
            " last_error) VALUES (:hook, :event_id, :event, :payload, :now, :now, 0, '')",
            {"hook": hook_id, "event_id": body["id"], "event": event, "payload": payload, "now": stamp},
        )


def _plain(value: object) -> object:
    """An extra field as JSON says it: money from cents, times in ISO 8601."""
    if isinstance(value, datetime):
        return times.iso(value)
    return value


def money_fields(order_cents: int | None, discount_cents: int | None) -> dict[str, object]:
    """A redemption's order total and discount, for its event."""
    return {"order_total": money.to_json(order_cents), "discount": money.to_json(discount_cents)}
