"""Erasing a member, and the erasure ledger that makes it last.

Erasing overwrites the member's row (email, name, password gone; the row stays so that their
vouchers stay counted) and ends their sessions; the one place that does it is erase_rows, for
the manager's erase and for erasing again. Then the ledger: one row per erased member holding
nothing of them but HMAC-SHA256 of their email under this database's own secret (a settings
secret, copied with the database and kept in every backup of it). A backup made before an erasure
still holds the member; after `restore` puts one back, and after `copy-to`, the ledger of the
database it replaced (or copied) is applied to it: every member whose email is in it is erased
again, and the rows and the key carry over, so no backup ever brings an erased member back."""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import peewee

from app.core.store.models import Erasure, utcnow

from . import settings

LEDGER_SECRET = "erasure-ledger"  # the settings secret the ledger's hashes are keyed with


def email_hash(email: str, key: str) -> str:
    return hmac.new(key.encode(), email.strip().lower().encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Ledger:
    """A database's erasure ledger as read from it: its key (None: it never erased anyone), the
    hashes with when each member was erased, and why it could not be read, if it could not."""

    key: str | None = None
    rows: tuple[tuple[str, datetime], ...] = ()
    problem: str | None = None
    hashes: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "hashes", frozenset(h for h, _ in self.rows))


def record(email: str) -> None:
    """Inside the erasure's write transaction: the member's email joins the ledger, as its hash."""
    key = settings.secret(LEDGER_SECRET)
    Erasure.insert(email_hash=email_hash(email, key), erased_at=utcnow()).on_conflict_ignore().execute()


def _marks(db: peewee.Database) -> str:
    return "?" if isinstance(db, peewee.SqliteDatabase) else "%s"


def erase_rows(db: peewee.Database, member_ids: Iterable[int], now: datetime) -> None:
    """Inside a write transaction on db: each member's row keeps nothing of them (email
    'erased-<id>', no name, no password), their sessions end and their reset codes go."""
    p = _marks(db)
    for member_id in member_ids:
        db.execute_sql(
            f"UPDATE member SET email = {p}, name = '', password_hash = '', erased_at = {p},"
            f" session_generation = session_generation + 1 WHERE id = {p} AND erased_at IS NULL",
            (f"erased-{member_id}", Erasure.erased_at.db_value(now), member_id),
        )
        db.execute_sql(f"DELETE FROM reset_code WHERE member_id = {p}", (member_id,))


def read_open(db: peewee.Database) -> Ledger:
    """The ledger of an open database (copy-to's source)."""
    key_row = db.execute_sql(
        f"SELECT value FROM setting WHERE key = {_marks(db)}", (settings.secret_key(LEDGER_SECRET),)
    ).fetchone()
    rows = db.execute_sql("SELECT email_hash, erased_at FROM erasure").fetchall()
    return Ledger(key_row[0] if key_row else None, tuple((h, Erasure.erased_at.python_value(at)) for h, at in rows))


def read_file(path: Path) -> Ledger:
    """The ledger of a database file about to be replaced (read only, on a connection of its own).
    A file from before the ledger existed has an empty one; a file that cannot be read says why."""
    if not path.is_file():
        return Ledger()
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
            if not con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'erasure'").fetchone():
                return Ledger()
            key_row = con.execute(
                "SELECT value FROM setting WHERE key = ?", (settings.secret_key(LEDGER_SECRET),)
            ).fetchone()
            rows = con.execute("SELECT email_hash, erased_at FROM erasure").fetchall()
    except sqlite3.Error as exc:
        return Ledger(problem=" ".join(str(exc).split()))
    return Ledger(key_row[0] if key_row else None, tuple((h, Erasure.erased_at.python_value(at)) for h, at in rows))


def reapply(db: peewee.Database, ledger: Ledger) -> list[int]:
    """Inside a write transaction on db (the restored or copied database): erase again every member
    whose email is in the ledger, and keep the ledger there: db takes its key (when db has no ledger
    of its own yet) and its rows. A db with a ledger under another key (a backup of another
    database) keeps its own, and records the members erased again under it. Returns their ids."""
    if ledger.key is None or not ledger.rows:
        return []
    p = _marks(db)
    secret = settings.secret_key(LEDGER_SECRET)
    found = db.execute_sql(f"SELECT value FROM setting WHERE key = {p}", (secret,)).fetchone()
    key = found[0] if found else None
    if key != ledger.key and (key is None or not db.execute_sql("SELECT COUNT(*) FROM erasure").fetchone()[0]):
        db.execute_sql(f"DELETE FROM setting WHERE key = {p}", (secret,))
        db.execute_sql(f"INSERT INTO setting (key, value) VALUES ({p}, {p})", (secret, ledger.key))
        key = ledger.key
    now = utcnow()
    rows = list(ledger.rows) if key == ledger.key else []
    live = db.execute_sql("SELECT id, email FROM member WHERE erased_at IS NULL").fetchall()
    again = [(member_id, email) for member_id, email in live if email_hash(email, ledger.key) in ledger.hashes]
    rows += [(email_hash(email, key), now) for _, email in again]  # (under db's own key)
    erase_rows(db, [member_id for member_id, _ in again], now)
    known = {h for (h,) in db.execute_sql("SELECT email_hash FROM erasure")}
    for erased_hash, erased_at in rows:
        if erased_hash not in known:
            known.add(erased_hash)
            db.execute_sql(
                f"INSERT INTO erasure (email_hash, erased_at) VALUES ({p}, {p})",
                (erased_hash, Erasure.erased_at.db_value(erased_at)),
            )
    return [member_id for member_id, _ in again]
