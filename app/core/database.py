"""The one database handle, how writes are made atomic, and how failures become sentences.

Below the models and the migrations; app.core.db (above them) opens the database."""

from __future__ import annotations

import functools
import re
import threading
from contextlib import contextmanager
from functools import lru_cache
from typing import Iterable, Mapping

import peewee

from .errors import DatabaseProblem

database = peewee.DatabaseProxy()

# One writer at a time inside this process: SQLite lets only one transaction write anyway, and
# waiting on a lock here is far cheaper (and fairer) than SQLite's busy-wait back-off.
_write_lock = threading.RLock()
_location: str = ""


def location() -> str:
    """Where the open database is, as a person would name it (a path or a URL without its password)."""
    return _location


def set_location(described: str) -> None:
    global _location
    _location = described


@contextmanager
def write_transaction():
    """One atomic write. On SQLite it takes the write lock up front (BEGIN IMMEDIATE), so two
    writers never deadlock upgrading a read lock; elsewhere rows are locked with FOR UPDATE."""
    with _write_lock:
        db = database.obj
        try:
            if isinstance(db, peewee.SqliteDatabase) and not db.in_transaction():
                with db.atomic(lock_type="IMMEDIATE"):
                    yield
            else:
                with db.atomic():
                    yield
        except peewee.OperationalError as exc:
            # On a full disk or an I/O error SQLite has already rolled the transaction back; the
            # ROLLBACK that follows then fails, and its error would hide the one that matters.
            original = exc
            while original is not None and "no transaction is active" in str(original):
                original = original.__context__
            if original is not exc and isinstance(original, peewee.DatabaseError):
                raise original from None
            raise


def explain(exc: Exception) -> str:
    """One sentence for a database failure, naming the database."""
    where = _location or "the database"
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return f"The database {where} is locked by another program; nothing was changed. Try again in a moment."
    if "readonly" in text or "read-only" in text or "read only" in text:
        return f"The database {where} is read-only; nothing was changed. Check the file's permissions."
    if "disk is full" in text or "no space" in text or "disk full" in text:
        return f"The disk holding the database {where} is full; nothing was changed. Free some space and try again."
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return f"The file {where} is not a Voucher Batches database, or it is damaged."
    if "unable to open" in text:
        return f"The database {where} cannot be opened (check that its folder exists and may be written)."
    if "disk i/o" in text:
        return f"The database {where} could not be read or written (a disk error); nothing was changed."
    return f"The database {where} failed: {exc}"


@contextmanager
def translated_errors():
    """Turn the database's own failures (not rule violations) into a DatabaseProblem sentence."""
    try:
        yield
    except (peewee.OperationalError, peewee.InterfaceError) as exc:
        raise DatabaseProblem(explain(exc)) from exc
    except peewee.DatabaseError as exc:
        if isinstance(exc, peewee.IntegrityError):
            raise
        raise DatabaseProblem(explain(exc)) from exc


def guarded(fn):
    """Decorate a service so that a database failure reaches its caller as a DatabaseProblem."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with translated_errors():
            return fn(*args, **kwargs)

    return wrapper


_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


@lru_cache(maxsize=256)
def _bound(sql: str, pyformat: bool) -> str:
    """The statement in the driver's own style of named parameters: SQLite takes :name as written;
    psycopg and MySQL drivers take %(name)s, where a literal % must be doubled."""
    if not pyformat:
        return sql
    return _NAMED.sub(r"%(\1)s", sql.replace("%", "%%"))


def _statement(sql: str) -> str:
    return _bound(sql, not isinstance(database.obj, peewee.SqliteDatabase))


def run_sql(sql: str, params: Mapping[str, object] | None = None, lock_rows: bool = False):
    """Plain SQL straight on the driver, for the hot paths (claim, redeem, lookup) where Peewee's
    query building costs more than the query. Values are named (:code) and bound by the driver,
    never spliced into the text. lock_rows: the transaction goes on to change the rows selected
    (FOR UPDATE where the database has it; SQLite's write lock covers them already)."""
    if lock_rows and getattr(database.obj, "for_update", False):
        sql += " FOR UPDATE"
    return database.obj.execute_sql(_statement(sql), params or {})


def run_many(sql: str, rows: Iterable[Mapping[str, object]]):
    """One statement for many rows of named values (bulk inserts), bound like run_sql."""
    cursor = database.obj.cursor()
    with peewee.__exception_wrapper__:  # the driver's errors as Peewee's, as execute_sql gives them
        cursor.executemany(_statement(sql), rows)
    return cursor
