"""Opening the database: where it lives, creating or migrating it, closing it. Above the models
and the migrations; the handle itself, transactions and error sentences are in app.core.database."""

from __future__ import annotations

import os
from pathlib import Path

import peewee
from platformdirs import user_data_path
from playhouse.db_url import connect as connect_url

from .database import (
    database, explain, guarded, location, run_sql, set_location, translated_errors, wait_limit, write_transaction,
)  # fmt: skip
from .errors import DatabaseProblem
from .migrations import init_db, schema_version

__all__ = [
    "ENV_VAR", "APP_NAME", "database", "location", "open_database", "close_database", "resolve_location",
    "default_location", "is_url", "explain", "guarded", "run_sql", "translated_errors", "write_transaction",
]  # fmt: skip

ENV_VAR = "VOUCHER_BATCHES_DB"
CONNECT_TIMEOUT = 5  # seconds to reach a database server (libpq's connect_timeout), unless the URL says
APP_NAME = "voucher-batches"

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "normal",
    "foreign_keys": 1,
    "busy_timeout": 5_000,  # replaced by the wait limit when the database is opened
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


def _describe(loc: str) -> str:
    if is_url(loc):
        scheme, _, rest = loc.partition("://")
        return f"{scheme}://{rest.rpartition('@')[2]}"
    return loc


def open_database(loc: str | os.PathLike | None = None, create: bool = True) -> peewee.Database:
    """Open (creating or migrating if needed) the database and bind every model to it.

    With create=False a database file that does not exist is an error, not a new empty database
    (a mistyped path should not look like a store with no batches)."""
    loc = resolve_location(loc)
    if loc.startswith("sqlite:///"):  # a file after all: open it with our settings (WAL, keys, lock wait)
        loc = loc[len("sqlite:///") :].partition("?")[0]
    if is_url(loc):
        extra = {}
        if loc.startswith(("postgres://", "postgresql://")) and "connect_timeout=" not in loc:
            extra["connect_timeout"] = CONNECT_TIMEOUT  # a server that does not answer is given up on, not waited for
        db = connect_url(loc, **extra)
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
        if not create and path.stat().st_size == 0:  # SQLite would write a header into it on opening
            raise DatabaseProblem(f"The file {path} is empty: it holds no Voucher Batches database. Nothing was written to it.")
        db = peewee.SqliteDatabase(str(path), pragmas={**SQLITE_PRAGMAS, "busy_timeout": int(wait_limit() * 1000)})
        loc = str(path)
    close_database()
    database.initialize(db)
    set_location(_describe(loc))
    try:
        with translated_errors():
            db.connect(reuse_if_open=True)
            if not create and schema_version(db) is None:
                raise DatabaseProblem(f"{_describe(loc)} holds no Voucher Batches database; nothing was written to it.")
            init_db(db, None if is_url(loc) else Path(loc))
    except BaseException:
        db.close()  # a refused database is not left open for the next caller
        raise
    return db


def close_database() -> None:
    if database.obj is not None and not database.is_closed():
        database.close()




@guarded
def check_reachable() -> None:
    """Raise a DatabaseProblem sentence unless the database answers a read now."""
    run_sql("SELECT version FROM schema_version").fetchone()
