"""Opening the database: where it lives, creating or migrating it, closing it. Above the models
and the migrations; the handle, transactions and failures are in their own modules beside it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import peewee
from platformdirs import user_data_path

from app.core.errors import DatabaseProblem

from . import backups, credentials, drivers, identity, network, private
from .failures import explain
from .handle import CACHE_KB, database, location, run_sql, set_location
from .migrations import CURRENT_VERSION, activity_guards_intact, init_db, restore_activity_guards, schema_version
from .transactions import guarded, translated_errors, write_transaction
from .waits import wait_limit

ENV_VAR = "VOUCHER_BATCHES_DB"
APP_NAME = "voucher-batches"

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "normal",
    "foreign_keys": 1,
    "busy_timeout": 5_000,  # replaced by the wait limit when the database is opened
    "cache_size": -CACHE_KB,  # each thread's connection (serve has 22): large only while generating (bulk_cache)
    "temp_store": "memory",
}


def default_location() -> Path:
    return user_data_path(APP_NAME, appauthor=False) / "vouchers.db"


def resolve_location(location: str | os.PathLike[str] | None = None) -> str:
    """The database to use: the argument, else $VOUCHER_BATCHES_DB, else the file in the user's data folder."""
    if location:
        return str(location)
    return os.environ.get(ENV_VAR) or str(default_location())


def is_url(location: str) -> bool:
    return "://" in location


CONNECT_TIMEOUT = 5  # seconds to reach a database server before saying it does not answer


def connect_options(loc: str, password: str | None = None) -> dict[str, Any]:
    """What a server URL is opened with besides itself: a bounded wait for the server, and the
    password (given, or kept for this user and database by app.core.store.credentials) unless the URL has one."""
    options: dict[str, Any] = {}
    if loc.startswith(("postgresql://", "postgres://")) and "connect_timeout=" not in loc:
        options["connect_timeout"] = CONNECT_TIMEOUT
    if loc.startswith("sqlite") or credentials.split(loc)[1]:
        return options
    password = password if password else credentials.lookup(loc)
    if password:
        options["password"] = password
    return options


def server_handle(loc: str, password: str | None = None) -> peewee.Database:
    """A handle (not yet connected) on the database server at this URL. A user or password in the
    URL is percent-decoded, as URLs are written: "p%40ss" is the password "p@ss"."""
    if not loc.startswith(("sqlite", "mysql")):
        drivers.load_postgres()
    # (imported here: it imports the server drivers, which a start on SQLite does without)
    from playhouse.db_url import connect as connect_url

    return connect_url(loc, unquote_user=True, unquote_password=True, **connect_options(loc, password))


def check_connection(loc: str, password: str | None = None) -> None:
    """Raise a DatabaseProblem sentence unless the database server at this URL lets us in now
    (on its own connection, within CONNECT_TIMEOUT); the open database is left as it is."""
    try:
        probe = server_handle(loc, password)
    except (RuntimeError, ValueError) as exc:  # an unknown scheme, no database name
        raise DatabaseProblem(f"{describe(loc)} is not a database address Voucher Batches can use: {exc}") from None
    try:
        probe.connect()
        probe.execute_sql("SELECT 1").fetchone()
    except (peewee.DatabaseError, peewee.InterfaceError) as exc:
        raise DatabaseProblem(explain(exc, describe(loc))) from None
    finally:
        probe.close()


def describe(loc: str) -> str:
    if is_url(loc):
        scheme, _, rest = loc.partition("://")
        return f"{scheme}://{rest.rpartition('@')[2]}"
    return loc


def without_password(loc: str) -> str:
    """The location with a URL's password taken out (its user kept): to be written where others may
    read it, e.g. the login entry. The server then asks its own way (trust, ~/.pgpass, PGPASSWORD)."""
    if not is_url(loc):
        return loc
    scheme, _, rest = loc.partition("://")
    login, at, place = rest.rpartition("@")
    return f"{scheme}://{login.partition(':')[0]}{at}{place}" if at else loc


_migration_backup: Path | None = None
_opened = ""


def opened_location() -> str:
    """The open database as it was given, without a URL's password: what opens it again (its user
    kept), for the Settings dialog and the login entry. location() is the shorter one for sentences."""
    return _opened


def migration_notice() -> str | None:
    """Where the backup made before the open database was migrated to this version's schema is
    (a copy of the file, or a pg_dump), when opening it did migrate it; else None."""
    if _migration_backup is None:
        return None
    return (
        f"The database {location()} was updated to schema {CURRENT_VERSION}; its backup from before is "
        f"{_migration_backup}."
    )


def open_database(
    loc: str | os.PathLike[str] | None = None, create: bool = True, have_backup: bool = False
) -> peewee.Database:
    """Open (creating or migrating if needed) the database and bind every model to it.

    With create=False a database file that does not exist is an error, not a new empty database
    (a mistyped path should not look like a store with no batches). have_backup: the person says
    a server database that pg_dump cannot back up before a migration is backed up (--i-have-a-backup)."""
    global _migration_backup, _opened
    loc = resolve_location(loc)
    if loc.startswith("sqlite:///"):  # a file after all: open it with our settings (WAL, keys, lock wait)
        loc = loc[len("sqlite:///") :].partition("?")[0]
    if is_url(loc):
        db = server_handle(loc)
    else:
        path = Path(loc).expanduser()
        if network.on_network_drive(path):
            raise DatabaseProblem(network.network_drive_sentence(path))
        if path == default_location():
            path.parent.mkdir(parents=True, exist_ok=True)
        elif not path.parent.is_dir():
            raise DatabaseProblem(
                f"The folder {path.parent} does not exist, so the database {path} cannot be created there."
            )
        if path.is_dir():
            raise DatabaseProblem(f"{path} is a folder, not a database file.")
        if not create and not path.exists():
            raise DatabaseProblem(f"There is no database at {path}.")
        if not create and path.stat().st_size == 0:  # SQLite would write a header into it on opening
            raise DatabaseProblem(
                f"The file {path} is empty: it holds no Voucher Batches database. Nothing was written to it."
            )
        if not private.create_private(path):  # a new file is the user's alone; SQLite gives its -wal and -shm the same
            _keep_private(path)
        db = peewee.SqliteDatabase(str(path), pragmas={**SQLITE_PRAGMAS, "busy_timeout": int(wait_limit() * 1000)})
        loc = str(path)
    close_database()
    _migration_backup = None
    backups.forget_verdicts()
    database.initialize(db)
    set_location(describe(loc))
    _opened = without_password(loc)
    try:
        with translated_errors():
            db.connect(reuse_if_open=True)
            if not create and schema_version(db) is None:
                raise DatabaseProblem(f"{describe(loc)} holds no Voucher Batches database; nothing was written to it.")
            _migration_backup = init_db(db, None if is_url(loc) else Path(loc), have_backup)
        _keep_the_log_append_only(db)
        if isinstance(db, peewee.SqliteDatabase):
            identity.claim_this_file(Path(loc))
    except BaseException:
        db.close()  # a refused database is not left open for the next caller
        raise
    return db


def _keep_private(path: Path) -> None:
    """A database file made by an older version (0644: readable by every user of the PC) is made
    the user's alone, with its -wal and -shm; one that is not the user's own is left as it is."""
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if part.exists() and part.stat().st_mode & 0o077 and part.stat().st_uid == os.getuid():
                private.make_private(part)
        except (OSError, AttributeError):  # (Windows has no getuid, and its ACLs are left alone)
            pass


@guarded
def _keep_the_log_append_only(db: peewee.Database) -> None:
    """The activity log's triggers are checked at every opening, and made again if one was dropped
    or replaced by hand (in a write transaction: never into a damaged file)."""
    if not activity_guards_intact(db):
        with write_transaction():
            restore_activity_guards(db)


def close_database() -> None:
    if database.obj is not None and not database.is_closed():
        database.close()


@guarded
def check_reachable() -> None:
    """Raise a DatabaseProblem sentence unless the database answers a read now."""
    run_sql("SELECT version FROM schema_version").fetchone()
