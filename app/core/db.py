"""The one database handle: where it lives, how it is opened, and how writes are made atomic."""

from __future__ import annotations

import functools
import os
import threading
from contextlib import contextmanager
from pathlib import Path

import peewee
from platformdirs import user_data_path
from playhouse.db_url import connect as connect_url

from .errors import DatabaseProblem

ENV_VAR = "VOUCHER_BATCHES_DB"
APP_NAME = "voucher-batches"

database = peewee.DatabaseProxy()

# One writer at a time inside this process: SQLite lets only one transaction write anyway, and
# waiting on a lock here is far cheaper (and fairer) than SQLite's busy-wait back-off.
_write_lock = threading.RLock()
_location: str = ""

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "normal",
    "foreign_keys": 1,
    "busy_timeout": 30_000,
    "cache_size": -64_000,  # 64 MB: the code index of a million-voucher batch stays in memory
    "temp_store": "memory",
}


def default_location() -> Path:
    return user_data_path(APP_NAME, appauthor=False) / "vouchers.db"


def resolve_location(location: str | os.PathLike | None = None) -> str:
    """The database to use: the argument, else $VOUCHER_BATCHES_DB, else the file in the user's data folder."""
    if location:
        return str(location)
    return os.environ.get(ENV_VAR) or str(default_location())


def is_url(location: str) -> bool:
    return "://" in location


def location() -> str:
    """Where the open database is, as a person would name it (a path or a URL without its password)."""
    return _location


def _describe(loc: str) -> str:
    if is_url(loc):
        scheme, _, rest = loc.partition("://")
        return f"{scheme}://{rest.rpartition('@')[2]}"
    return loc


def open_database(loc: str | os.PathLike | None = None, create: bool = True) -> peewee.Database:
    """Open (creating or migrating if needed) the database and bind every model to it.

    With create=False a database file that does not exist is an error, not a new empty database
    (a mistyped path should not look like a store with no batches)."""
    global _location
    loc = resolve_location(loc)
    if loc.startswith("sqlite:///"):  # a file after all: open it with our settings (WAL, keys, lock wait)
        loc = loc[len("sqlite:///") :].partition("?")[0]
    if is_url(loc):
        db = connect_url(loc)
    else:
        path = Path(loc).expanduser()
        if path == default_location():
            path.parent.mkdir(parents=True, exist_ok=True)
        elif not path.parent.is_dir():
            raise DatabaseProblem(f"The folder {path.parent} does not exist, so the database {path} cannot be created there.")
        if path.is_dir():
            raise DatabaseProblem(f"{path} is a folder, not a database file.")
        if not create and not path.exists():
            raise DatabaseProblem(f"There is no database at {path}.")
        db = peewee.SqliteDatabase(str(path), pragmas=SQLITE_PRAGMAS)
        loc = str(path)
    close_database()
    database.initialize(db)
    _location = _describe(loc)
    from .migrations import init_db  # the migrations need the models, which need this module

    try:
        with translated_errors():
            db.connect(reuse_if_open=True)
            init_db(db, None if is_url(loc) else Path(loc))
    except BaseException:
        db.close()  # a refused database is not left open for the next caller
        raise
    return db


def close_database() -> None:
    if database.obj is not None and not database.is_closed():
        database.close()


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


def run_sql(sql: str, params: tuple = ()):
    """Plain SQL straight on the driver, for the hot paths (claim, redeem, lookup) where Peewee's
    query building costs more than the query. Write {p} for a parameter and {for_update} after a
    SELECT whose rows the transaction goes on to change; both are filled in for the database."""
    db = database.obj
    lock = " FOR UPDATE" if getattr(db, "for_update", False) else ""
    return db.execute_sql(sql.format(p=db.param, for_update=lock), params)
