"""A database server that went away (restarted, network dropped): noticing a lost connection and
replacing it before the next piece of work uses it. A SQLite file is never lost."""

from __future__ import annotations

import select
import threading
import time

import peewee

from .failures import is_connection_lost
from .handle import database


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


def _server_spoke(connection: object) -> bool:
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
    if (
        not stale
        and now - used_at > PING_AFTER_IDLE
        and not isinstance(db, peewee.SqliteDatabase)
        and not db.in_transaction()
    ):
        stale = not _answers()  # the server restarted while this connection sat unused
    if stale:
        _seen.losses = _losses
        drop_connection()
        return True
    return False
