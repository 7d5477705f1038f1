"""Abuse limits the claim site keeps for every process serving one database: failed logins per
email and per address, and accounts made per address, counted in the database itself (the
throttle table), so that `serve --workers N`, two programs on one database, or a restart, neither
halve nor reset them.

A check and its count happen in one write transaction, the rows locked (SQLite's write lock;
FOR UPDATE on PostgreSQL): parallel guesses each see the ones before them, whichever process
serves them. No email or address is stored: each key is an HMAC of it with a secret of this
database, and a row is deleted once its events no longer count."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import peewee

from . import settings
from .store import database, guarded, run_sql, write_transaction

LOGIN_EMAIL = "login-email"
LOGIN_ADDRESS = "login-address"
REGISTRATION = "registration"
SECRET = "abuse-limits"  # the settings secret the keys are hashed with
PRUNE_EVERY = 60.0  # seconds between two deletions of the rows that no longer count, per process


@dataclass(frozen=True)
class Policy:
    """After `free` failures each attempt waits twice as long as the last (1 s, 2 s, 4 s ...);
    after `lock_after` failures the key is locked for `lock_for` seconds. Failures older than
    `window` seconds are forgotten."""

    free: int
    lock_after: int
    window: float = 15 * 60
    lock_for: float = 15 * 60

    def wait(self, failures: int, last: float, now: float) -> float:
        if failures >= self.lock_after:
            until = last + self.lock_for
        elif failures >= self.free:
            until = last + min(2.0 ** (failures - self.free), self.lock_for)
        else:
            return 0.0
        return max(0.0, until - now)

    def recent(self, times: list[float], now: float) -> list[float]:
        """The events that still count: all of them while locked, else those within the window."""
        if len(times) >= self.lock_after and now - times[-1] < self.lock_for:
            return times
        return [at for at in times if now - at <= self.window]

    def kept(self, times: list[float]) -> float:
        """Until when a row with these events says something."""
        return (times[-1] if times else 0.0) + max(self.window, self.lock_for)


@dataclass(frozen=True)
class Counter:
    """One thing counted: what (scope), of whom (key: an email or an address), and by which policy."""

    scope: str
    key: str
    policy: Policy


def _digests(counters: Sequence[Counter]) -> dict[Counter, str]:
    secret = settings.secret(SECRET).encode()
    return {
        counter: hmac.new(secret, f"{counter.scope}\0{counter.key}".encode(), hashlib.sha256).hexdigest()
        for counter in counters
    }


def _parse(stored: str | None) -> list[float]:
    return [float(at) for at in (stored or "").split()]


def _read(digests: dict[Counter, str], lock: bool) -> dict[Counter, list[float]]:
    """The events of each counter (locked for this transaction when lock: rows made first if missing)."""
    found: dict[Counter, list[float]] = {}
    for counter, digest in sorted(digests.items(), key=lambda item: (item[0].scope, item[1])):  # one lock order
        params = {"scope": counter.scope, "key": digest}
        if lock:
            run_sql(
                "INSERT INTO throttle (scope, key, times, until) VALUES (:scope, :key, '', 0)"
                " ON CONFLICT (scope, key) DO NOTHING",
                params,
            )
        row = run_sql("SELECT times FROM throttle WHERE scope = :scope AND key = :key", params, lock_rows=lock)
        found[counter] = _parse((row.fetchone() or [""])[0])
    return found


def _wait(events: dict[Counter, list[float]], now: float) -> float:
    waits = [0.0]
    for counter, times in events.items():
        recent = counter.policy.recent(times, now)
        if recent:
            waits.append(counter.policy.wait(len(recent), recent[-1], now))
    return max(waits)


def _write(counter: Counter, digest: str, times: list[float]) -> None:
    run_sql(
        "UPDATE throttle SET times = :times, until = :until WHERE scope = :scope AND key = :key",
        {
            "scope": counter.scope,
            "key": digest,
            "times": " ".join(f"{at:.3f}" for at in times),
            "until": counter.policy.kept(times),
        },
    )


@guarded
def wait_time(counters: Sequence[Counter], now: float) -> float:
    """Seconds before another attempt is allowed by every counter (0: now). Reads only."""
    return _wait(_read(_digests(counters), lock=False), now)


@guarded
def attempt(checked: Sequence[Counter], charged: Sequence[Counter], now: float) -> float:
    """Check the counters in `checked` and, when none says wait, count one event against each in
    `charged`, in one transaction: the seconds to wait (nothing counted), or 0 (counted)."""
    everything = list(dict.fromkeys([*checked, *charged]))
    digests = _digests(everything)
    with write_transaction():
        events = _read(digests, lock=True)
        wait = _wait({counter: events[counter] for counter in checked}, now)
        if wait <= 0:
            for counter in charged:
                times = counter.policy.recent(events[counter], now) + [now]
                _write(counter, digests[counter], times[-counter.policy.lock_after :])
    _prune_now_and_then(now)
    return wait


@guarded
def forget(counters: Sequence[Counter]) -> None:
    """The counters' events are forgotten (a login that succeeded forgets its email's failures)."""
    digests = _digests(counters)
    with write_transaction():
        for counter, digest in digests.items():
            run_sql("DELETE FROM throttle WHERE scope = :scope AND key = :key", {"scope": counter.scope, "key": digest})


_pruned = {"at": 0.0}
_prune_lock = threading.Lock()


def _prune_now_and_then(now: float) -> None:
    """Delete the rows that no longer count, at most every PRUNE_EVERY seconds in this process, in a
    transaction of its own; on PostgreSQL skipping rows another transaction holds (it may be
    counting on one of them), so that this never waits on, nor deadlocks with, an attempt."""
    with _prune_lock:
        if 0 <= time.monotonic() - _pruned["at"] < PRUNE_EVERY:
            return
        _pruned["at"] = time.monotonic()
    prune(now)


@guarded
def prune(now: float) -> int:
    """Delete the rows whose events no longer count; how many went."""
    if isinstance(database.obj, peewee.PostgresqlDatabase):
        sql = (
            "DELETE FROM throttle WHERE (scope, key) IN"
            " (SELECT scope, key FROM throttle WHERE until < :now FOR UPDATE SKIP LOCKED)"
        )
    else:
        sql = "DELETE FROM throttle WHERE until < :now"
    with write_transaction():
        return int(run_sql(sql, {"now": now}).rowcount)
