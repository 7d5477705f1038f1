"""Sending the webhooks' outbox: each event POSTed to its webhook, signed (HMAC-SHA256 of the
timestamp and the body, with the webhook's secret), and sent again with back-off until the receiver
answers 2xx, for a day. One process sends for all: whoever holds the lease row (the window and
`serve` both run a sender; with `serve --workers N` the supervisor starts one sending process). A
sender that dies mid-delivery leaves the event in the outbox; the next holder of the lease sends it
again, so a receiver may see an event twice and tells by its id (at least once, never none)."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import socket
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app import __version__
from app.core.store.models import Lease, WebhookDelivery, as_datetime, utcnow

from . import idempotency, store
from .errors import VoucherError
from .store import guarded, run_sql, write_transaction

log = logging.getLogger(__name__)

LEASE = "webhooks"
SIGNATURE = "X-Voucher-Batches-Signature"
TIMESTAMP = "X-Voucher-Batches-Timestamp"
EVENT = "X-Voucher-Batches-Event"
DELIVERY = "X-Voucher-Batches-Delivery"  # the event's id: the same on every retry
# seconds before the next try after the 1st, 2nd, ... failure; the last repeats until a day has passed
BACKOFF = (10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 21600)
GIVE_UP_AFTER = timedelta(days=1)
UPKEEP_EVERY = 3600.0  # seconds between two clear-outs of old idempotent answers


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value: v1=<hex HMAC-SHA256 of "<timestamp>.<body>">."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, now: float | None = None, skew: int = 300) -> bool:
    """What a receiver checks: the signature matches and the timestamp is within skew seconds of now."""
    try:
        age = abs((time.time() if now is None else now) - int(timestamp))
    except ValueError:
        return False
    return age <= skew and hmac.compare_digest(sign(secret, timestamp, body), signature)


def next_try(attempts: int, created_at: datetime, now: datetime, backoff: Sequence[float] = BACKOFF) -> datetime | None:
    """When to try again after `attempts` failed tries (None: a day has passed, give up). The last
    try falls at the end of the day at the latest."""
    end = created_at + GIVE_UP_AFTER
    if now >= end:
        return None
    wait = timedelta(seconds=backoff[min(attempts, len(backoff)) - 1])
    return min(now + wait, end)


@dataclass(frozen=True)
class Due:
    id: int
    url: str
    secret: str
    event_id: str
    event: str
    payload: str
    attempts: int
    created_at: datetime


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A receiver's redirect is an answer that is not 2xx: the event is not re-sent elsewhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, str]:
    """(HTTP status, "") or (0, why there was no answer)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=timeout) as answer:
            answer.read(64 * 1024)
            return answer.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, ""
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return 0, (str(reason) or type(exc).__name__)[:200]


class Sender:
    """Sends the outbox while it holds the lease. run(stop) loops until stop is set."""

    def __init__(
        self,
        lease_seconds: float = 30.0,
        poll: float = 1.0,
        timeout: float = 10.0,
        backoff: Sequence[float] = BACKOFF,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        if timeout >= lease_seconds:
            raise ValueError("a delivery must end well within the lease")
        self.holder = f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.lease_seconds, self.poll, self.timeout, self.backoff, self.clock = (
            lease_seconds,
            poll,
            timeout,
            backoff,
            clock,
        )
        self._held_until: datetime | None = None
        self._upkeep_at = 0.0

    # -- the lease --------------------------------------------------------------------------------
    @guarded
    def take_lease(self) -> bool:
        """Hold the lease (or keep holding it) for lease_seconds; False while another holds it."""
        now = self.clock()
        until = now + timedelta(seconds=self.lease_seconds)
        with write_transaction():
            run_sql(
                "INSERT INTO lease (name, holder, until) VALUES (:name, :holder, :until)"
                " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until"
                " WHERE lease.holder = excluded.holder OR lease.until < :now",
                {
                    "name": LEASE,
                    "holder": self.holder,
                    "until": Lease.until.db_value(until),
                    "now": Lease.until.db_value(now),
                },
            )
            held = run_sql("SELECT holder FROM lease WHERE name = :name", {"name": LEASE}).fetchone()
        self._held_until = until if held is not None and held[0] == self.holder else None
        return self._held_until is not None

    def _keep_lease(self) -> bool:
        """Renew the lease when half of it has gone (not on every delivery: each renewal is a write)."""
        if self._held_until is not None and self._held_until - self.clock() > timedelta(seconds=self.lease_seconds / 2):
            return True
        return self.take_lease()

    @guarded
    def release(self) -> None:
        if self._held_until is None:
            return
        with write_transaction():
            run_sql("DELETE FROM lease WHERE name = :name AND holder = :holder", {"name": LEASE, "holder": self.holder})
        self._held_until = None

    # -- the outbox -------------------------------------------------------------------------------
    @guarded
    def due(self, limit: int = 20) -> list[Due]:
        rows = run_sql(
            "SELECT d.id, w.url, w.secret, d.event_id, d.event, d.payload, d.attempts, d.created_at"
            " FROM webhook_delivery d JOIN webhook w ON w.id = d.webhook_id"
            " WHERE d.next_try_at IS NOT NULL AND d.next_try_at <= :now ORDER BY d.next_try_at, d.id LIMIT :limit",
            {"now": WebhookDelivery.next_try_at.db_value(self.clock()), "limit": limit},
        ).fetchall()
        return [Due(r[0], r[1], r[2], r[3], r[4], r[5], r[6], as_datetime(r[7])) for r in rows]

    def deliver(self, due: Due) -> bool:
        """One POST; its result recorded. True when the receiver took it (2xx)."""
        body = due.payload.encode("utf-8")
        stamp = str(int(time.time()))
        status, error = post(
            due.url,
            body,
            {
                "Content-Type": "application/json",
                "User-Agent": f"voucher-batches/{__version__}",
                EVENT: due.event,
                DELIVERY: due.event_id,
                TIMESTAMP: stamp,
                SIGNATURE: sign(due.secret, stamp, body),
            },
            self.timeout,
        )
        self._record(due, status, error)
        return 200 <= status < 300

    @guarded
    def _record(self, due: Due, status: int, error: str) -> None:
        now = self.clock()
        stamp = WebhookDelivery.last_try_at.db_value(now)
        attempts = due.attempts + 1
        if 200 <= status < 300:
            values = {"next": None, "delivered": stamp, "error": ""}
        else:
            later = next_try(attempts, due.created_at, now, self.backoff)
            values = {
                "next": WebhookDelivery.next_try_at.db_value(later) if later else None,
                "delivered": None,
                "error": error or (f"HTTP {status}" if status else "no answer"),
            }
        with write_transaction():
            run_sql(
                "UPDATE webhook_delivery SET attempts = :attempts, last_try_at = :now, last_status = :status,"
                " last_error = :error, next_try_at = :next, delivered_at = :delivered"
                " WHERE id = :id AND delivered_at IS NULL",
                {"attempts": attempts, "now": stamp, "status": status, "id": due.id, **values},
            )

    @guarded
    def _anything_to_send(self) -> bool:
        """One indexed read, and no write, while nothing is waiting: no lease is taken for nothing."""
        now = WebhookDelivery.next_try_at.db_value(self.clock())
        return (
            run_sql(
                "SELECT 1 FROM webhook_delivery WHERE next_try_at IS NOT NULL AND next_try_at <= :now LIMIT 1",
                {"now": now},
            ).fetchone()
            is not None
        )

    def step(self) -> int:
        """Send what is due, if this sender holds (or can take) the lease; returns how many were sent."""
        if not self._anything_to_send() or not self._keep_lease():
            return 0
        sent = 0
        for due in self.due():
            if not self._keep_lease():
                break
            self.deliver(due)
            sent += 1
        return sent

    def _upkeep(self) -> None:
        """Hourly, in every sender: idempotent answers older than a week go (they are kept for retries only)."""
        if time.monotonic() < self._upkeep_at:
            return
        self._upkeep_at = time.monotonic() + UPKEEP_EVERY
        idempotency.forget_old()

    def run(self, stop: threading.Event) -> None:
        """Until stop is set: send what is due, then look again every poll seconds."""
        try:
            while not stop.is_set():
                sent = 0
                try:
                    self._upkeep()
                    sent = self.step()
                except VoucherError as exc:  # the database is busy or away: said once in the log, tried again
                    log.warning("Webhooks: %s", exc)
                    stop.wait(5 * self.poll)
                except Exception:  # noqa: BLE001 - a bug must not end the sending for good
                    log.exception("Webhooks: sending failed")
                    stop.wait(5 * self.poll)
                if not sent:
                    stop.wait(self.poll)
        finally:
            try:
                self.release()
            except VoucherError:
                pass
            store.close_database()  # this thread's connection only


class Running:
    """A sender on a daemon thread of its own."""

    def __init__(self, sender: Sender) -> None:
        self.sender = sender
        self._stop = threading.Event()
        self._thread = threading.Thread(target=sender.run, args=(self._stop,), name="webhook-sender", daemon=True)
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float = 15.0) -> None:
        """Finish the delivery in progress (if any), give the lease back, end the thread."""
        self._stop.set()
        self._thread.join(timeout)


def start(**options: Any) -> Running:
    """A sender running in the background of this process (the claim site's, the window's)."""
    return Running(Sender(**options))
