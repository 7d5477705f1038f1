"""Keys to the local point-of-sale API: made once and shown once (only their SHA-256 is kept), listed,
revoked; a request's key checked; and failed attempts counted per client address in the database,
so that every process serving the API refuses the same address once it has tried too often."""

from __future__ import annotations

import hashlib
import math
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import peewee

from app.core.store.models import ApiKey, as_datetime, utcnow

from . import times
from .activity import MAX_NAME, Actor, record
from .errors import InvalidInput, NotFound
from .store import guarded, run_sql, write_transaction

KEY_START = "vbk_"  # what every key begins with: a key pasted in the wrong place is recognisable
SHOWN = 12  # its first characters, kept and shown to tell keys apart
MAX_FAILURES = 10  # failed attempts from one address ...
WINDOW = timedelta(minutes=15)  # ... within this: the address is refused until it has passed
USED_EVERY = 60.0  # seconds between two writes of a key's last use (a write per request would queue tills)


@dataclass(frozen=True)
class Key:
    id: int
    name: str  # the till the activity log names for the key's changes
    prefix: str
    created_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "prefix": self.prefix,
            "created_at": times.iso(self.created_at),
            "revoked_at": times.iso(self.revoked_at),
            "last_used_at": times.iso(self.last_used_at),
            "active": self.active,
        }


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _key(row: ApiKey) -> Key:
    return Key(
        row.id,
        row.name,
        row.prefix,
        as_datetime(row.created_at),
        as_datetime(row.revoked_at) if row.revoked_at else None,
        as_datetime(row.last_used_at) if row.last_used_at else None,
    )


def valid_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name or len(name) > MAX_NAME:
        raise InvalidInput(f"An API key's name (the till it stands for) is 1 to {MAX_NAME} characters.")
    return name


@guarded
def create(name: str, actor: Actor | None = None) -> tuple[Key, str]:
    """A new key for the named till: (the key as kept, the key itself). The key itself is shown
    this once and never again; only its hash is kept."""
    name = valid_name(name)
    secret = KEY_START + secrets.token_urlsafe(32)
    try:
        with write_transaction():
            row = ApiKey.create(name=name, prefix=secret[:SHOWN], key_hash=digest(secret), created_at=utcnow())
            record("settings_changed", actor, keys=[f"API key “{name}” created"])
    except peewee.IntegrityError:
        raise InvalidInput(
            f"There is an API key called “{name}” already: revoke it first, or choose another name."
        ) from None
    return _key(row), secret


@guarded
def every_key() -> list[Key]:
    """Every key, revoked ones too, oldest first."""
    return [_key(row) for row in ApiKey.select().order_by(ApiKey.id)]


@guarded
def revoke(name: str, actor: Actor | None = None) -> Key:
    """Stop a key working, from its next request on, in every process."""
    name = valid_name(name)
    with write_transaction():
        row = ApiKey.get_or_none((ApiKey.name == name) & ApiKey.revoked_at.is_null())
        if row is None:
            raise NotFound(f"There is no API key called “{name}” that is still in use.")
        row.revoked_at = utcnow()
        row.save()
        record("settings_changed", actor, keys=[f"API key “{name}” revoked"])
    return _key(row)


@guarded
def any_active() -> bool:
    """Whether the API is on: it answers only while a key exists that is not revoked."""
    return run_sql("SELECT 1 FROM api_key WHERE revoked_at IS NULL LIMIT 1").fetchone() is not None


_last_noted: dict[int, float] = {}
_noted_lock = threading.Lock()


@guarded
def authenticate(presented: str) -> Key | None:
    """The key a request presents, if it is one and not revoked (its last use noted now and then)."""
    if not presented or not presented.startswith(KEY_START) or len(presented) > 200:
        return None
    row = run_sql(
        "SELECT id, name, prefix, created_at FROM api_key WHERE key_hash = :hash AND revoked_at IS NULL",
        {"hash": digest(presented)},
    ).fetchone()
    if row is None:
        return None
    key = Key(row[0], row[1], row[2], as_datetime(row[3]))
    now = time.monotonic()
    with _noted_lock:
        due = now - _last_noted.get(key.id, -USED_EVERY) >= USED_EVERY
        if due:
            _last_noted[key.id] = now
    if due:
        with write_transaction():
            run_sql(
                "UPDATE api_key SET last_used_at = :now WHERE id = :id",
                {"now": ApiKey.last_used_at.db_value(utcnow()), "id": key.id},
            )
    return key


# -- attempts ------------------------------------------------------------------------------------


@guarded
def wait_for(address: str) -> int:
    """Seconds before this address may try again (0: now): after MAX_FAILURES failed attempts within
    WINDOW, until WINDOW after the last of them."""
    row = run_sql("SELECT failures, last_at FROM api_attempt WHERE address = :address", {"address": address}).fetchone()
    if row is None or row[0] < MAX_FAILURES:
        return 0
    left = (as_datetime(row[1]) + WINDOW - utcnow()).total_seconds()
    return math.ceil(left) if left > 0 else 0


@guarded
def failed(address: str) -> None:
    """Count a failed attempt (no key, a wrong or a revoked one) against the address; the count
    starts again once WINDOW has passed since its first failure."""
    now = utcnow()
    stamp = ApiKey.created_at.db_value(now)
    since = ApiKey.created_at.db_value(now - WINDOW)
    with write_transaction():
        run_sql(
            "INSERT INTO api_attempt (address, failures, first_at, last_at) VALUES (:address, 1, :now, :now)"
            " ON CONFLICT (address) DO UPDATE SET"
            " failures = CASE WHEN api_attempt.first_at < :since THEN 1 ELSE api_attempt.failures + 1 END,"
            " first_at = CASE WHEN api_attempt.first_at < :since THEN :now ELSE api_attempt.first_at END,"
            " last_at = :now",
            {"address": address[:64], "now": stamp, "since": since},
        )
        # the table stays small: addresses quiet for a day are forgotten
        run_sql(
            "DELETE FROM api_attempt WHERE last_at < :day", {"day": ApiKey.created_at.db_value(now - timedelta(days=1))}
        )
