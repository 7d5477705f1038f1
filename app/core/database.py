"""The one database handle, how writes are made atomic, and how failures become sentences.

Below the models and the migrations; app.core.db (above them) opens the database."""

from __future__ import annotations

import functools
import re
import select
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


def _driver_errors(exc: BaseException):
    """The failure and the driver's errors behind it (Peewee keeps the driver's error as the context)."""
    seen = []
    while exc is not None and exc not in seen and len(seen) < 6:
        seen.append(exc)
        exc = exc.__cause__ if exc.__cause__ is not None else (None if exc.__suppress_context__ else exc.__context__)
    return seen


def _sqlstate(exc: BaseException) -> str | None:
    """PostgreSQL's SQLSTATE for the failure (psycopg2's pgcode, psycopg's sqlstate), if any."""
    for candidate in _driver_errors(exc):
        code = getattr(candidate, "pgcode", None) or getattr(candidate, "sqlstate", None)
        if isinstance(code, str) and code:
            return code
    return None


def _sqlite_code(exc: BaseException) -> int | None:
    for candidate in _driver_errors(exc):
        code = getattr(candidate, "sqlite_errorcode", None)
        if code is not None:
            return code & 0xFF  # the primary result code of an extended one
    return None


def is_busy(exc: BaseException) -> bool:
    """Whether a failure means another program holds the database (by the driver's error code).
    A deadlock is not that: it is retried, or said in its own sentence (see is_retryable)."""
    code = _sqlite_code(exc)
    if code is not None:
        return code in (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED
    return _sqlstate(exc) == "55P03"  # lock_not_available (lock_timeout ran out)


def is_retryable(exc: BaseException) -> bool:
    """A transaction the server aborted only to break a deadlock or a serialization conflict: run
    again, it succeeds (nothing of it was written)."""
    return _sqlstate(exc) in ("40P01", "40001")  # deadlock_detected, serialization_failure


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
    psycopg marks it so, and every later use would fail the same way), or one the server has ended
    since its last use. Costs no round trip."""
    db = database.obj
    if db is None or db.is_closed():
        return False
    connection = db.connection()
    if getattr(connection, "closed", False):
        return True
    return not db.in_transaction() and _server_spoke(connection)


def _server_spoke(connection) -> bool:
    """Whether an idle server connection has something to read. Between requests a server says
    nothing (this app never LISTENs), except when it ends the session: a restart, a shutdown or a
    terminated backend sends its last message and closes the socket. The driver learns of it only
    at its next use, by failing; one poll of the socket (no round trip) finds it before."""
    fileno = getattr(connection, "fileno", None)  # psycopg2; sqlite3 connections have none
    if fileno is None:
        return False
    try:
        readable, _, _ = select.select([fileno()], [], [], 0)
    except (OSError, ValueError):  # the socket is gone already
        return True
    return bool(readable)


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


# A server connection left unused this long is asked whether it still works before it is used
# again: the server may have restarted meanwhile, which the driver learns only by failing. Busy
# connections (used within the second) cost no round trip; an idle one costs one, at most once a second.
PING_AFTER_IDLE = 1.0


def _answers() -> bool:
    try:
        database.obj.execute_sql("SELECT 1").fetchone()
        return True
    except (peewee.OperationalError, peewee.InterfaceError) as exc:
        if is_connection_lost(exc):
            return False
        raise


def replace_lost_connection() -> bool:
    """At the start of a request, a refresh or a task: a connection the driver knows to be dead, one
    opened before another thread found the server gone, or an idle server connection that no longer
    answers, is dropped, so this work opens a new one. True when one was dropped."""
    db = database.obj
    now = time.monotonic()
    used_at, _seen.used_at = getattr(_seen, "used_at", now), now
    if db is None or db.is_closed():
        _seen.losses = _losses
        return False
    stale = getattr(_seen, "losses", 0) != _losses or connection_is_dead()
    if not stale and now - used_at > PING_AFTER_IDLE and not isinstance(db, peewee.SqliteDatabase) and not db.in_transaction():
        stale = not _answers()  # the server restarted while this connection sat unused
    if stale:
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


def _limit_lock_waits(db: peewee.Database) -> None:
    """On PostgreSQL a change waits for a row another program holds at most wait_limit() (then
    lock_not_available, said as "locked by another program"): set once on each connection, outside
    any transaction (a rolled-back transaction would undo the setting)."""
    conn = db.connection()
    if getattr(_waits, "lock_timeout", None) == (conn, _wait_limit):
        return
    db.execute_sql(f"SET lock_timeout = {int(_wait_limit * 1000)}")
    _waits.lock_timeout = (conn, _wait_limit)


@contextmanager
def _watching_for_waits(db: peewee.Database):
    """On PostgreSQL, while a change runs for someone who is told about waits (reporting_waits),
    a watcher asks the server every _PROBE_MS whether the change waits for a lock another program
    holds (pg_blocking_pids), and says so once. Quick changes end before it ever asks."""
    callback = getattr(_waits, "callback", None)
    if callback is None:
        yield
        return
    raw = db.connection()
    pid = raw.get_backend_pid() if hasattr(raw, "get_backend_pid") else raw.info.backend_pid
    done = threading.Event()

    def watch() -> None:
        probe = None
        try:
            while not done.wait(_PROBE_MS / 1000):
                probe = probe or db._connect()  # a connection of its own, with the same parameters
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
def write_transaction():
    """One atomic write. On SQLite it takes the write lock up front (BEGIN IMMEDIATE), so two
    writers never deadlock upgrading a read lock, and threads of this process queue for it here.
    On PostgreSQL nothing queues in this process: the rows a change depends on are locked in its
    transaction (batch row first, then its vouchers, everywhere), as several processes need anyway.
    It waits for a database held by another program at most wait_limit() seconds (saying so
    through reporting_waits on SQLite), then gives up with a DatabaseProblem; nothing is changed."""
    db = database.obj
    if not isinstance(db, peewee.SqliteDatabase):
        if db.in_transaction():
            with db.atomic():
                yield
            return
        _limit_lock_waits(db)
        with _watching_for_waits(db), db.atomic():
            yield
        return
    deadline = time.monotonic() + _wait_limit
    if not _write_lock.acquire(timeout=_wait_limit):
        raise DatabaseProblem(_busy_sentence())
    try:
        with ExitStack() as stack:
            if not db.in_transaction():
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
            raise original from original.__context__  # (the driver's error, with its code)
        raise
    finally:
        _write_lock.release()


# SQLite's primary result codes for the failures a person can act on.
_SQLITE_KINDS = {8: "readonly", 13: "full", 11: "damaged", 26: "damaged", 14: "cantopen", 10: "io"}
# PostgreSQL's SQLSTATEs (whole codes first, then their two-character classes).
_SQLSTATE_KINDS = {
    "55P03": "busy", "40P01": "deadlock", "40001": "conflict", "53100": "full", "3D000": "no_database",
    "28P01": "password", "25006": "readonly_server", "42501": "permission",
    "57P01": "shutdown", "57P02": "shutdown", "57P03": "shutdown",
    "08": "unreachable", "28": "login", "53": "resources", "58": "io", "XX": "damaged_server",
}  # fmt: skip
# Words, only for what a driver reports with no code (SQLite's Python errors without a result code).
_WORDS = (
    ("busy", ("database is locked",)),
    ("readonly", ("readonly", "read-only", "read only")),
    ("full", ("disk is full", "no space", "disk full")),
    ("damaged", ("not a database", "malformed", "corrupt")),
    ("cantopen", ("unable to open",)),
    ("io", ("disk i/o",)),
)


# A database server refusing a connection: psycopg2 gives these no SQLSTATE (the server has not
# answered a query yet), so its message is all there is; the phrases are libpq's own.
_CONNECTING = (
    ("password", re.compile(r"password authentication failed|no password supplied|password is required")),
    ("no_database", re.compile(r'fatal:\s+database "[^"]*" does not exist')),
    ("no_role", re.compile(r'fatal:\s+role "[^"]*" does not exist')),
    ("resources", re.compile(r"too many clients|remaining connection slots")),
    ("shutdown", re.compile(r"the database system is (starting up|shutting down|in recovery mode)")),
    ("unreachable", re.compile(r"connection refused|could not translate host name|timeout expired|no route to host"
                               r"|network is unreachable|could not connect to server|server closed the connection"
                               r"|connection already closed|no such file or directory")),
)


def _kind(exc: BaseException) -> str | None:
    code = _sqlite_code(exc)
    if code is not None:
        return "busy" if code in (5, 6) else _SQLITE_KINDS.get(code)
    state = _sqlstate(exc)
    if state is not None:
        return _SQLSTATE_KINDS.get(state) or _SQLSTATE_KINDS.get(state[:2])
    text = str(exc).lower()  # drivers that give no code
    connecting = next((kind for kind, pattern in _CONNECTING if pattern.search(text)), None)
    if connecting is not None:
        return connecting
    return next((kind for kind, words in _WORDS if any(word in text for word in words)), None)


def explain(exc: BaseException, where: str = "") -> str:
    """One sentence, on one line, for a database failure, naming the database (the open one unless
    where names another), by the driver's error code (SQLSTATE, SQLite's result code); by its words
    only where the driver gives no code."""
    where = where or _location or "the database"
    sentences = {
        "busy": f"The database {where} is locked by another program; nothing was changed. Try again in a moment.",
        "readonly": f"The database {where} is read-only; nothing was changed. Check the file's permissions.",
        "full": f"The disk holding the database {where} is full; nothing was changed. Free some space and try again.",
        "damaged": f"The file {where} is not a Voucher Batches database, or it is damaged.",
        "cantopen": f"The database {where} cannot be opened (check that its folder exists and may be written).",
        "io": f"The database {where} could not be read or written (a disk error); nothing was changed.",
        "unreachable": f"The database server of {where} does not answer: check that it runs, and that its firewall lets this PC in.",
        "password": f"The database server of {where} refused the password: check it in Settings → Database.",
        "no_database": f"The database server of {where} answers, but has no such database: check its name.",
        "no_role": f"The database server of {where} answers, but has no such user: check the user name.",
        "login": f"The database server of {where} refused the login: check the user name and password.",
        "deadlock": f"The database {where} stopped this change because another change was waiting on it at the same "
        "moment (a deadlock); nothing was changed. Try again.",
        "conflict": f"The database {where} refused this change because another one changed the same data at the same "
        "moment; nothing was changed. Try again.",
        "permission": f"The database user for {where} lacks the permission for this; nothing was changed.",
        "readonly_server": f"The database {where} accepts only reads now (a read-only server); nothing was changed.",
        "shutdown": f"The database server of {where} is shutting down or starting up; nothing was changed. "
        "Try again in a moment.",
        "resources": f"The database server of {where} is out of resources (memory or connections); nothing was "
        "changed. Try again in a moment.",
        "damaged_server": f"The database server of {where} reported an internal error; nothing was changed.",
    }
    kind = _kind(exc)
    if kind == "busy" and _sqlstate(exc) == "55P03":  # it waited the wait limit for a row lock
        return _busy_sentence()
    if kind is not None:
        return sentences[kind]
    first_line = " ".join((str(exc).strip().splitlines() or [type(exc).__name__])[0].split())
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
    """Decorate a service so that a database failure reaches its caller as a DatabaseProblem.

    A service called outside any transaction that the server aborted to break a deadlock (or a
    serialization conflict) runs once more: its transaction was rolled back whole, so nothing of
    the first try remains, and the second normally succeeds. Called inside another service's
    transaction, it leaves that to the outermost call."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        outermost = database.obj is not None and not isinstance(database.obj, peewee.SqliteDatabase) and not database.in_transaction()
        try:
            with translated_errors():
                return fn(*args, **kwargs)
        except DatabaseProblem as exc:
            if not (outermost and is_retryable(exc)):
                raise
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


def run_sql(sql: str, params: Mapping[str, object] | None = None, lock_rows: bool | str = False):
    """Plain SQL straight on the driver, for the hot paths (claim, redeem, lookup) where Peewee's
    query building costs more than the query. Values are named (:code) and bound by the driver,
    never spliced into the text. lock_rows: the transaction goes on to change the rows selected
    (FOR UPDATE where the database has it; SQLite's write lock covers them already); a string
    names PostgreSQL's lock instead, e.g. "KEY SHARE OF b" or "UPDATE SKIP LOCKED"."""
    if lock_rows and getattr(database.obj, "for_update", False):
        if isinstance(lock_rows, str) and isinstance(database.obj, peewee.PostgresqlDatabase):
            sql += f" FOR {lock_rows}"
        else:
            sql += " FOR UPDATE"
    return database.obj.execute_sql(_statement(sql), params or {})


def run_many(sql: str, rows: Iterable[Mapping[str, object]]):
    """One statement for many rows of named values (bulk inserts), bound like run_sql."""
    cursor = database.obj.cursor()
    with peewee.__exception_wrapper__:  # the driver's errors as Peewee's, as execute_sql gives them
        cursor.executemany(_statement(sql), rows)
    return cursor
