"""Answering a point of sale's change once: a POST sent with an Idempotency-Key is answered, and its
answer kept, in the same transaction as the change. The same key with the same request gets that
answer again, however often and however many at once (never a second change); the same key with
another request is refused. Answers are kept KEEP long."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from app.core.store.models import IdempotentRequest, utcnow

from .errors import InvalidInput
from .store import guarded, run_sql, write_transaction

MAX_KEY = 255
KEEP = timedelta(days=7)

Answer = tuple[int, dict[str, Any]]  # (HTTP status, JSON body)


class KeyReused(InvalidInput):
    """The Idempotency-Key was used before for a different request."""


def valid_key(key: str | None) -> str:
    key = (key or "").strip()
    if not key or len(key) > MAX_KEY or not key.isprintable():
        raise InvalidInput(f"Send an Idempotency-Key header of 1 to {MAX_KEY} printable characters with every change.")
    return key


def request_hash(method: str, path: str, body: Any) -> str:
    """What makes two requests the same: method, path and the JSON body (its keys' order aside)."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{method}\n{path}\n{canonical}".encode()).hexdigest()


@guarded
def answer_once(api_key_id: int, key: str, fingerprint: str, work: Callable[[], Answer]) -> tuple[Answer, bool]:
    """(the answer, whether it is a replay). work() makes the change and says its answer; it runs
    inside this transaction, at most once per key. A second request with the key waits for the
    first to finish (the unique index holds it on PostgreSQL, the write lock on SQLite), then reads
    its answer."""
    with write_transaction():
        taken = run_sql(
            "INSERT INTO idempotent_request (api_key_id, key, request_hash, created_at)"
            " VALUES (:api_key, :key, :hash, :now) ON CONFLICT (api_key_id, key) DO NOTHING",
            {
                "api_key": api_key_id,
                "key": key,
                "hash": fingerprint,
                "now": IdempotentRequest.created_at.db_value(utcnow()),
            },
        ).rowcount
        if not taken:
            first = run_sql(
                "SELECT request_hash, status, response FROM idempotent_request"
                " WHERE api_key_id = :api_key AND key = :key",
                {"api_key": api_key_id, "key": key},
            ).fetchone()
            if first[0] != fingerprint:
                raise KeyReused(
                    "This Idempotency-Key was used for a different request; send a new key for a new change."
                )
            return (first[1], json.loads(first[2])), True
        status, body = work()
        run_sql(
            "UPDATE idempotent_request SET status = :status, response = :response"
            " WHERE api_key_id = :api_key AND key = :key",
            {
                "status": status,
                "response": json.dumps(body, ensure_ascii=False),
                "api_key": api_key_id,
                "key": key,
            },
        )
        return (status, body), False


@guarded
def forget_old() -> int:
    """Drop the answers older than KEEP; returns how many."""
    with write_transaction():
        return run_sql(
            "DELETE FROM idempotent_request WHERE created_at < :before",
            {"before": IdempotentRequest.created_at.db_value(utcnow() - KEEP)},
        ).rowcount
