"""Which failure a database error is, by the driver's own codes (SQLite's result codes, PostgreSQL's
SQLSTATE), named here once; and the one sentence a person reads for each."""

from __future__ import annotations

import re

from .handle import location
from .waits import busy_sentence


class SqliteCode:
    """SQLite's primary result codes that this app acts on (an extended code's low byte)."""

    BUSY = 5
    LOCKED = 6
    READONLY = 8
    IOERR = 10
    CORRUPT = 11
    FULL = 13
    CANTOPEN = 14
    NOTADB = 26


class SqlState:
    """PostgreSQL's SQLSTATEs that this app acts on (Appendix A of its manual)."""

    READ_ONLY_TRANSACTION = "25006"
    INVALID_PASSWORD = "28P01"
    INVALID_CATALOG_NAME = "3D000"  # no such database
    SERIALIZATION_FAILURE = "40001"
    DEADLOCK_DETECTED = "40P01"
    INSUFFICIENT_PRIVILEGE = "42501"
    DISK_FULL = "53100"
    LOCK_NOT_AVAILABLE = "55P03"  # lock_timeout ran out
    ADMIN_SHUTDOWN = "57P01"  # a restart
    CRASH_SHUTDOWN = "57P02"
    CANNOT_CONNECT_NOW = "57P03"  # starting up or shutting down
    CONNECTION_EXCEPTION_CLASS = "08"


def _driver_errors(exc: BaseException | None) -> list[BaseException]:
    """The failure and the driver's errors behind it (Peewee keeps the driver's error as the context)."""
    seen: list[BaseException] = []
    while exc is not None and exc not in seen and len(seen) < 6:
        seen.append(exc)
        exc = exc.__cause__ if exc.__cause__ is not None else (None if exc.__suppress_context__ else exc.__context__)
    return seen


def sqlstate(exc: BaseException) -> str | None:
    """PostgreSQL's SQLSTATE for the failure (psycopg2's pgcode, psycopg's sqlstate), if any."""
    for candidate in _driver_errors(exc):
        code = getattr(candidate, "pgcode", None) or getattr(candidate, "sqlstate", None)
        if isinstance(code, str) and code:
            return code
    return None


def sqlite_code(exc: BaseException) -> int | None:
    for candidate in _driver_errors(exc):
        code = getattr(candidate, "sqlite_errorcode", None)
        if code is not None:
            return code & 0xFF  # the primary result code of an extended one
    return None


def is_busy(exc: BaseException) -> bool:
    """Whether a failure means another program holds the database (by the driver's error code).
    A deadlock is not that: it is retried, or said in its own sentence (see is_retryable)."""
    code = sqlite_code(exc)
    if code is not None:
        return code in (SqliteCode.BUSY, SqliteCode.LOCKED)
    return sqlstate(exc) == SqlState.LOCK_NOT_AVAILABLE


def is_retryable(exc: BaseException) -> bool:
    """A transaction the server aborted only to break a deadlock or a serialization conflict: run
    again, it succeeds (nothing of it was written)."""
    return sqlstate(exc) in (SqlState.DEADLOCK_DETECTED, SqlState.SERIALIZATION_FAILURE)


# SQLSTATEs that mean the server ended the session (besides class 08, connection_exception)
_SERVER_GONE = (SqlState.ADMIN_SHUTDOWN, SqlState.CRASH_SHUTDOWN, SqlState.CANNOT_CONNECT_NOW)


def is_connection_lost(exc: BaseException) -> bool:
    """Whether a failure means the connection to a database server is gone (the server restarted,
    the network dropped) or cannot be made now, by the driver's codes: SQLSTATE class 08 or a server
    shutdown; psycopg gives no SQLSTATE at all for a dropped socket or a refused connection. A
    SQLite file is never "lost". The error may be wrapped (Peewee's, then a DatabaseProblem)."""
    seen: set[int] = set()
    candidates: list[BaseException | None] = [exc]
    while candidates:
        candidate = candidates.pop()
        if candidate is None or id(candidate) in seen:
            continue
        seen.add(id(candidate))
        if type(candidate).__module__.partition(".")[0] in ("psycopg2", "psycopg"):
            code = getattr(candidate, "pgcode", None) or getattr(candidate, "sqlstate", None)
            if code:
                return code.startswith(SqlState.CONNECTION_EXCEPTION_CLASS) or code in _SERVER_GONE
            return type(candidate).__name__ in ("OperationalError", "InterfaceError")
        candidates += [candidate.__cause__, candidate.__context__]
    return False


# The failures a person can act on, by SQLite's result code ...
_SQLITE_KINDS = {
    SqliteCode.BUSY: "busy",
    SqliteCode.LOCKED: "busy",
    SqliteCode.READONLY: "readonly",
    SqliteCode.IOERR: "io",
    SqliteCode.CORRUPT: "damaged",
    SqliteCode.FULL: "full",
    SqliteCode.CANTOPEN: "cantopen",
    SqliteCode.NOTADB: "damaged",
}
# ... and by PostgreSQL's SQLSTATE: whole codes first, then their two-character classes
_SQLSTATE_KINDS = {
    SqlState.LOCK_NOT_AVAILABLE: "busy",
    SqlState.DEADLOCK_DETECTED: "deadlock",
    SqlState.SERIALIZATION_FAILURE: "conflict",
    SqlState.DISK_FULL: "full",
    SqlState.INVALID_CATALOG_NAME: "no_database",
    SqlState.INVALID_PASSWORD: "password",
    SqlState.READ_ONLY_TRANSACTION: "readonly_server",
    SqlState.INSUFFICIENT_PRIVILEGE: "permission",
    SqlState.ADMIN_SHUTDOWN: "shutdown",
    SqlState.CRASH_SHUTDOWN: "shutdown",
    SqlState.CANNOT_CONNECT_NOW: "shutdown",
    SqlState.CONNECTION_EXCEPTION_CLASS: "unreachable",
    "28": "login",  # invalid_authorization_specification
    "53": "resources",  # insufficient_resources
    "58": "io",  # system_error
    "XX": "damaged_server",  # internal_error
}
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
    (
        "unreachable",
        re.compile(
            r"connection refused|could not translate host name|timeout expired|no route to host"
            r"|network is unreachable|could not connect to server|server closed the connection"
            r"|connection already closed|no such file or directory"
        ),
    ),
)


def failure_kind(exc: BaseException) -> str | None:
    """Which failure this is ("busy", "damaged", "full" ...: the keys of explain's sentences), or None."""
    code = sqlite_code(exc)
    if code is not None:
        return _SQLITE_KINDS.get(code)
    state = sqlstate(exc)
    if state is not None:
        return _SQLSTATE_KINDS.get(state) or _SQLSTATE_KINDS.get(state[:2])
    text = str(exc).lower()  # drivers that give no code
    connecting = next((kind for kind, pattern in _CONNECTING if pattern.search(text)), None)
    if connecting is not None:
        return connecting
    return next((kind for kind, words in _WORDS if any(word in text for word in words)), None)


def failure_word(exc: BaseException) -> str:
    """What kind of failure this is, in a word that names no database ("unreachable", "busy",
    "damaged", ...; "failed" when it is none of those), looking at its causes too: for a stranger
    who may know only that."""
    for candidate in (exc, exc.__cause__, exc.__context__):
        kind = failure_kind(candidate) if candidate is not None else None
        if kind is not None:
            return kind
    return "failed"


def explain(exc: BaseException, where: str = "") -> str:
    """One sentence, on one line, for a database failure, naming the database (the open one unless
    where names another), by the driver's error code (SQLSTATE, SQLite's result code); by its words
    only where the driver gives no code."""
    where = where or location() or "the database"
    sentences = {
        "busy": f"The database {where} is locked by another program; nothing was changed. Try again in a moment.",
        "readonly": f"The database {where} is read-only; nothing was changed. Check the file's permissions.",
        "full": f"The disk holding the database {where} is full; nothing was changed. Free some space and try again.",
        "damaged": f"The file {where} is not a Voucher Batches database, or it is damaged.",
        "cantopen": f"The database {where} cannot be opened (check that its folder exists and may be written).",
        "io": f"The database {where} could not be read or written (a disk error); nothing was changed.",
        "unreachable": f"The database server of {where} does not answer: check that it runs, "
        "and that its firewall lets this PC in.",
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
    kind = failure_kind(exc)
    if kind == "busy" and sqlstate(exc) == SqlState.LOCK_NOT_AVAILABLE:  # it waited the wait limit for a row lock
        return busy_sentence()
    if kind is not None:
        return sentences[kind]
    first_line = " ".join((str(exc).strip().splitlines() or [type(exc).__name__])[0].split())
    return f"The database {where} failed: {first_line}"
