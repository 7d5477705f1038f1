"""Write transactions: one writer at a time on SQLite (BEGIN IMMEDIATE, waits bounded and said),
row locks on PostgreSQL; and the guard that turns a database's failures into a sentence."""

from __future__ import annotations

import functools
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any, ParamSpec, TypeVar

import peewee

from app.core.errors import DatabaseProblem

from . import backups, waits
from .failures import SqliteCode, explain, failure_kind, is_busy, is_connection_lost, is_retryable, sqlite_code
from .handle import database
from .reconnect import connection_lost
from .waits import PROBE_MS, busy_sentence, current_reporter, say_waiting

# One writer at a time inside this process: SQLite lets only one transaction write anyway, and
# waiting on a lock here is far cheaper (and fairer) than SQLite's busy-wait back-off.
_write_lock = threading.RLock()
_lock_timeouts = threading.local()  # the lock_timeout set on this thread's server connection


def share_write_lock(lock: Any) -> None:
    """Use a lock shared with sibling processes (multiprocessing.RLock, made before they were
    forked) as the write lock: on SQLite the processes of `serve --workers N` then queue for the
    write lock in the kernel, woken the moment it is free, instead of SQLite's sleep-and-retry.
    Only an aid: BEGIN IMMEDIATE still guards every write, whoever else writes to the file."""
    global _write_lock
    _write_lock = lock


_busy_timeouts = threading.local()  # (connection, ms): the busy timeout this thread's connection has


def _set_busy_timeout(db: peewee.SqliteDatabase, ms: float) -> None:
    """Set SQLite's busy timeout on this thread's connection, unless it has that value already."""
    conn, ms = db.connection(), int(ms)
    if getattr(_busy_timeouts, "set", None) != (conn, ms):
        conn.execute(f"PRAGMA busy_timeout = {ms}")
        _busy_timeouts.set = (conn, ms)


def _begin_immediate(db: peewee.SqliteDatabase, stack: ExitStack, deadline: float) -> None:
    """BEGIN IMMEDIATE: take SQLite's write lock now, waiting for another program until the deadline.

    With nobody to tell about waits (the claim site, the API) it is one try with the connection's
    standing timeout (the wait limit less one probe, set once per connection), as long as the write
    lock of this process came within that probe. For someone who is told (the window, the command)
    a short first try, and if another program holds the lock, say so, then wait until the deadline."""
    standing = waits.wait_limit() * 1000 - PROBE_MS
    if current_reporter() is None and (deadline - time.monotonic()) * 1000 - 30 >= standing:
        _set_busy_timeout(db, standing)
        try:
            stack.enter_context(db.atomic(lock_type="IMMEDIATE"))
        except peewee.OperationalError as exc:
            if is_busy(exc):
                raise DatabaseProblem(busy_sentence()) from exc
            raise
        return
    try:
        _set_busy_timeout(db, PROBE_MS)
        try:
            stack.enter_context(db.atomic(lock_type="IMMEDIATE"))
            return
        except peewee.OperationalError as exc:
            if not is_busy(exc):
                raise
        say_waiting()
        _set_busy_timeout(db, max(1, (deadline - time.monotonic()) * 1000 - 30))  # within the limit, not just past it
        try:
            stack.enter_context(db.atomic(lock_type="IMMEDIATE"))
        except peewee.OperationalError as exc:
            if is_busy(exc):
                raise DatabaseProblem(busy_sentence()) from exc
            raise
    finally:
        _set_busy_timeout(db, standing)


def _limit_lock_waits(db: peewee.Database) -> None:
    """On PostgreSQL a change waits for a row another program holds at most wait_limit() (then
    lock_not_available, said as "locked by another program"): set once on each connection, outside
    any transaction (a rolled-back transaction would undo the setting)."""
    conn, limit = db.connection(), waits.wait_limit()
    if getattr(_lock_timeouts, "set", None) == (conn, limit):
        return
    db.execute_sql(f"SET lock_timeout = {int(limit * 1000)}")
    _lock_timeouts.set = (conn, limit)


@contextmanager
def _watching_for_waits(db: peewee.Database) -> Iterator[None]:
    """On PostgreSQL, while a change runs for someone who is told about waits (reporting_waits),
    a watcher asks the server every PROBE_MS whether the change waits for a lock another program
    holds (pg_blocking_pids), and says so once. Quick changes end before it ever asks."""
    callback = current_reporter()
    if callback is None:
        yield
        return
    raw = db.connection()
    pid = raw.get_backend_pid() if hasattr(raw, "get_backend_pid") else raw.info.backend_pid
    done = threading.Event()

    def watch() -> None:
        probe = None
        try:
            while not done.wait(PROBE_MS / 1000):
                probe = probe or db._connect()  # type: ignore[attr-defined]  # (not in peewee's stubs) a connection of its own, with the same parameters
                with probe.cursor() as cursor:
                    cursor.execute("SELECT cardinality(pg_blocking_pids(%s)) > 0", (pid,))
                    if cursor.fetchone()[0]:
                        callback()
                        return
        except Exception:  # noqa: BLE001 - only a hint is lost; the change itself reports its failure
            return
        finally:
            if probe is not None:
                probe.close()

    watcher = threading.Thread(target=watch, name="database-wait-watcher", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()


@contextmanager
def write_transaction(foreign_keys: bool = True) -> Iterator[None]:
    """One atomic write. On SQLite it takes the write lock up front (BEGIN IMMEDIATE), so two
    writers never deadlock upgrading a read lock, and threads of this process queue for it here.
    On PostgreSQL nothing queues in this process: the rows a change depends on are locked in its
    transaction (batch row first, then its vouchers, everywhere), as several processes need anyway.
    It waits for a database held by another program at most wait_limit() seconds (saying so
    through reporting_waits on SQLite), then gives up with a DatabaseProblem; nothing is changed.
    A damaged file is refused here, before anything is written (app.core.store.backups): every
    change of every front end comes through this one place.

    foreign_keys=False: on SQLite, outside any other transaction, this one runs with the file's
    foreign keys off (no cascade; nothing checked): for the one change that leaves rows behind on
    purpose (a batch's vouchers after its row, purged afterwards). Elsewhere it changes nothing."""
    db = database.obj
    if not db.in_transaction():
        backups.refuse_if_damaged()
    if not isinstance(db, peewee.SqliteDatabase):
        if db.in_transaction():
            with db.atomic():
                yield
            return
        _limit_lock_waits(db)
        with _watching_for_waits(db), db.atomic():
            yield
        return
    limit = waits.wait_limit()
    deadline = time.monotonic() + limit
    if not _write_lock.acquire(timeout=limit):
        raise DatabaseProblem(busy_sentence())
    try:
        with ExitStack() as stack:
            if not db.in_transaction():
                if not foreign_keys:  # (the pragma cannot change inside a transaction: set around it)
                    db.execute_sql("PRAGMA foreign_keys = OFF")
                    stack.callback(db.execute_sql, "PRAGMA foreign_keys = ON")
                _begin_immediate(db, stack, deadline)
            else:
                stack.enter_context(db.atomic())
            yield
    except peewee.OperationalError as exc:
        # On a full disk or an I/O error SQLite has already rolled the transaction back; the
        # ROLLBACK that follows then fails, and its error would hide the one that matters.
        original: BaseException | None = exc
        while original is not None and "no transaction is active" in str(original):
            original = original.__context__
        if original is not exc and isinstance(original, peewee.DatabaseError):
            raise original from original.__context__  # (the driver's error, with its code)
        raise
    finally:
        _write_lock.release()


@contextmanager
def translated_errors() -> Iterator[None]:
    """Turn the database's own failures (not rule violations) into a DatabaseProblem sentence: Peewee's,
    and the driver's own that Peewee does not wrap (raised while the rows of a cursor are read)."""
    try:
        yield
    except (peewee.OperationalError, peewee.InterfaceError) as exc:
        if is_connection_lost(exc):
            connection_lost()  # the next use, on this thread and every other, connects anew
        raise DatabaseProblem(_sentence(exc)) from exc
    except DatabaseProblem as exc:  # from a service called inside this one's transaction, now ended
        if is_connection_lost(exc):
            connection_lost()
        raise
    except peewee.DatabaseError as exc:
        if isinstance(exc, peewee.IntegrityError):
            raise
        raise DatabaseProblem(_sentence(exc)) from exc
    except Exception as exc:
        if not _is_driver_error(exc) or type(exc).__name__ == "IntegrityError":
            raise
        if is_connection_lost(exc):
            connection_lost()
        raise DatabaseProblem(_sentence(exc)) from exc


def _is_driver_error(exc: BaseException) -> bool:
    """An error of the database driver itself (sqlite3, psycopg2, psycopg: their DB-API Error)."""
    return isinstance(exc, sqlite3.Error) or (
        type(exc).__module__.partition(".")[0] in ("psycopg2", "psycopg") and isinstance(exc, Exception)
    )


def _sentence(exc: BaseException) -> str:
    """explain's sentence; for a damaged file, the one that names its latest backup (and from now
    on nothing is written into it)."""
    if failure_kind(exc) == "damaged":
        problem = " ".join(str(exc).split()) or "damaged"
        sentence = backups.found_damaged(problem, sqlite_code(exc) == SqliteCode.NOTADB)
        if sentence is not None:
            return sentence
    return explain(exc)


P = ParamSpec("P")
R = TypeVar("R")


def guarded(fn: Callable[P, R]) -> Callable[P, R]:
    """Decorate a service so that a database failure reaches its caller as a DatabaseProblem.

    A service called outside any transaction that the server aborted to break a deadlock (or a
    serialization conflict) runs once more: its transaction was rolled back whole, so nothing of
    the first try remains, and the second normally succeeds. Called inside another service's
    transaction, it leaves that to the outermost call."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        outermost = (
            database.obj is not None
            and not isinstance(database.obj, peewee.SqliteDatabase)
            and not database.in_transaction()
        )
        try:
            with translated_errors():
                return fn(*args, **kwargs)
        except DatabaseProblem as exc:
            if not (outermost and is_retryable(exc)):
                raise
        with translated_errors():
            return fn(*args, **kwargs)

    return wrapper
