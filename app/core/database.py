"""The one database handle, how writes are made atomic, and how failures become sentences.

Below the models and the migrations; app.core.db (above them) opens the database."""

from __future__ import annotations

import functools
import re
import threading
import time
from contextlib import ExitStack, contextmanager
from functools import lru_cache
from typing import Iterable, Mapping

import peewee

from .errors import DatabaseProblem

database = peewee.DatabaseProxy()

# One writer at a time inside this process: SQLite lets only one transaction write anyway, and
# waiting on a lock here is far cheaper (and fairer) than SQLite's busy-wait back-off.
_write_lock = threading.RLock()
_location: str = ""


def share_write_lock(lock) -> None:
    """Use a lock shared with sibling processes (multiprocessing.RLock, made before they were
    forked) as the write lock: on SQLite the processes of `serve --workers N` then queue for the
    write lock in the kernel, woken the moment it is free, instead of SQLite's sleep-and-retry.
    Only an aid: BEGIN IMMEDIATE still guards every write, whoever else writes to the file."""
    global _write_lock
    _write_lock = lock


def location() -> str:
    """Where the open database is, as a person would name it (a path or a URL without its password)."""
    return _location


def set_location(described: str) -> None:
    global _location
    _location = described


WAITING = "Waiting for the database (used by another program)…"
DEFAULT_WAIT = 5.0  # seconds a change waits for the database before it gives up with a sentence
_wait_limit = DEFAULT_WAIT
_PROBE_MS = 100  # the first try at the write lock: long enough for another writer's usual commit
_waits = threading.local()  # the waiting reporter of the thread that runs a change


def set_wait_limit(seconds: float) -> None:
    """How long a change may wait for a database that another program holds (then it gives up)."""
    global _wait_limit
    _wait_limit = max(0.1, float(seconds))


def wait_limit() -> float:
    return _wait_limit


@contextmanager
def reporting_waits(on_wait):
    """While this thread runs the body, on_wait() is called when a change has to wait for the
    database (another program holds it), so a front end can say so at once."""
    previous = getattr(_waits, "callback", None)
    _waits.callback = on_wait
    try:
        yield
    finally:
        _waits.callback = previous


def _say_waiting() -> None:
    callback = getattr(_waits, "callback", None)
    if callback is not None:
        callback()


def _busy_sentence() -> str:
    where = _location or "the database"
    return (
        f"The database {where} is locked by another program (waited {_wait_limit:g} s); nothing was changed. "
        "Try again in a moment."
    )


def is_busy(exc: BaseException) -> bool:
    """Whether a failure means another program holds the database (by the driver's error code)."""
    for candidate in (exc, exc.__cause__, exc.__context__):  # Peewee keeps the driver's error as the context
        code = getattr(candidate, "sqlite_errorcode", None)
        if code is not None:
            return code & 0xFF in (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED (and their extended codes)
        pgcode = getattr(candidate, "pgcode", None)
        if pgcode is not None:
            return pgcode in ("55P03", "40P01")  # lock_not_available, deadlock_detected
    return False


# SQLSTATEs that mean the server ended the session: admin_shutdown (a restart), crash_shutdown,
# cannot_connect_now (starting up or shutting down); class 08 is connection_exception.
_SERVER_GONE = ("57P01", "57P02", "57P03")


def is_connection_lost(exc: BaseException) -> bool:
    """Whether a failure means the connection to a database server is gone (the server restarted,
    the network dropped) or cannot be made now, by the driver's codes: SQLSTATE class 08 or a server
    shutdown; psycopg gives no SQLSTATE at all for a dropped socket or a refused connection. A
    SQLite file is never "lost". The error may be wrapped (Peewee's, then a DatabaseProblem)."""
    seen: set[int] = set()
    candidates = [exc]
    while candidates:
        candidate = candidates.pop()
        if candidate is None or id(candidate) in seen:
            continue
        seen.add(id(candidate))
        if type(candidate).__module__.partition(".")[0] in ("psycopg2", "psycopg"):
            code = getattr(candidate, "pgcode", None) or getattr(candidate, "sqlstate", None)
            if code:
                return code.startswith("08") or code in _SERVER_GONE
            return type(candidate).__name__ in ("OperationalError", "InterfaceError")
        candidates += [candidate.__cause__, candidate.__context__]
    return False


def connection_is_dead() -> bool:
    """Whether this thread's open connection is one its driver knows to be closed (after a failure:
    psycopg marks it so, and every later use would fail the same way). Costs no round trip."""
    db = database.obj
    if db is None or db.is_closed():
        return False
    return bool(getattr(db.connection(), "closed", False))  # sqlite3 has no such attribute: never


def drop_connection() -> None:
    """Forget this thread's connection without asking the server (it may be gone); Peewee opens a
    new one on the next use. Within a transaction nothing is done: the transaction's end comes first."""
    db = database.obj
    if db is None or db.is_closed() or db.in_transaction():
        return
    try:
        db.close()
    except peewee.DatabaseError:
        pass  # closing a broken connection may fail too; Peewee has forgotten it either way


# When one thread finds its connection lost, the server went away for every thread's connection:
# each thread replaces its own before its next use, rather than each finding out by failing once.
_losses = 0
_seen = threading.local()  # the losses this thread's connection has been checked against


def connection_lost() -> None:
    """This thread's connection is lost: drop it, and have every other thread replace its own."""
    global _losses
    _losses += 1
    _seen.losses = _losses
    drop_connection()


def replace_lost_connection() -> bool:
    """At the start of a request, a refresh or a task: a connection the driver knows to be dead, or
    one opened before another thread found the server gone, is dropped, so this work opens a new
    one. No round trip to the server. True when one was dropped."""
    db = database.obj
    if db is None or db.is_closed():
        _seen.losses = _losses
        return False
    if getattr(_seen, "losses", 0) != _losses or connection_is_dead():
        _seen.losses = _losses
        drop_connection()
        return True
    return False


def _set_busy_timeout(db: peewee.SqliteDatabase, ms: int) -> None:
    db.execute_sql(f"PRAGMA busy_timeout = {int(ms)}")


def _begin_immediate(db: peewee.SqliteDatabase, stack, deadline: float) -> None:
    """BEGIN IMMEDIATE: take SQLite's write lock now. A short first try; if another program holds
    the lock, say so, then wait for it until the deadline."""
    try:
        _set_busy_timeout(db, _PROBE_MS)
        try:
            stack.enter_context(db.atomic(lock_type="IMMEDIATE"))
            return
        except peewee.OperationalError as exc:
            if not is_busy(exc):
                raise
        _say_waiting()
        _set_busy_timeout(db, max(1, (deadline - time.monotonic()) * 1000 - 30))  # within the limit, not just past it
        try:
            stack.enter_context(db.atomic(lock_type="IMMEDIATE"))
        except peewee.OperationalError as exc:
            if is_busy(exc):
                raise DatabaseProblem(_busy_sentence()) from exc
            raise
    finally:
        _set_busy_timeout(db, _wait_limit * 1000)


@contextmanager
def write_transaction():
    """One atomic write. On SQLite it takes the write lock up front (BEGIN IMMEDIATE), so two
    writers never deadlock upgrading a read lock; elsewhere rows are locked with FOR UPDATE.
    It waits for a database held by another program at most wait_limit() seconds (saying so
    through reporting_waits), then gives up with a DatabaseProblem; nothing is changed."""
    deadline = time.monotonic() + _wait_limit
    if not _write_lock.acquire(timeout=_wait_limit):
        raise DatabaseProblem(_busy_sentence())
    try:
        db = database.obj
        with ExitStack() as stack:
            if isinstance(db, peewee.SqliteDatabase) and not db.in_transaction():
                _begin_immediate(db, stack, deadline)
            else:
                stack.enter_context(db.atomic())
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
    finally:
        _write_lock.release()


# SQLite's primary result codes for the failures a person can act on.
_SQLITE_KINDS = {8: "readonly", 13: "full", 11: "damaged", 26: "damaged", 14: "cantopen", 10: "io"}
_WORDS = (
    ("readonly", ("readonly", "read-only", "read only")),
    ("full", ("disk is full", "no space", "disk full")),
    ("damaged", ("not a database", "malformed", "corrupt")),
    ("cantopen", ("unable to open",)),
    ("io", ("disk i/o",)),
)


def _kind(exc: BaseException) -> str | None:
    if is_busy(exc):
        return "busy"
    for candidate in (exc, exc.__cause__, exc.__context__):  # Peewee keeps the driver's error as the context
        code = getattr(candidate, "sqlite_errorcode", None)
        if code is not None:
            return _SQLITE_KINDS.get(code & 0xFF)
    text = str(exc).lower()  # drivers that give no code
    if "database is locked" in text:
        return "busy"
    return next((kind for kind, words in _WORDS if any(word in text for word in words)), None)


def explain(exc: Exception) -> str:
    """One sentence for a database failure, naming the database (by the driver's error code)."""
    where = _location or "the database"
    sentences = {
        "busy": f"The database {where} is locked by another program; nothing was changed. Try again in a moment.",
        "readonly": f"The database {where} is read-only; nothing was changed. Check the file's permissions.",
        "full": f"The disk holding the database {where} is full; nothing was changed. Free some space and try again.",
        "damaged": f"The file {where} is not a Voucher Batches database, or it is damaged.",
        "cantopen": f"The database {where} cannot be opened (check that its folder exists and may be written).",
        "io": f"The database {where} could not be read or written (a disk error); nothing was changed.",
    }
    kind = _kind(exc)
    if kind is not None:
        return sentences[kind]
    first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return f"The database {where} failed: {first_line}"


@contextmanager
def translated_errors():
    """Turn the database's own failures (not rule violations) into a DatabaseProblem sentence."""
    try:
        yield
    except (peewee.OperationalError, peewee.InterfaceError) as exc:
        if is_connection_lost(exc):
            connection_lost()  # the next use, on this thread and every other, connects anew
        raise DatabaseProblem(explain(exc)) from exc
    except DatabaseProblem as exc:  # from a service called inside this one's transaction, now ended
        if is_connection_lost(exc):
            connection_lost()
        raise
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
