"""Storage: the database a store's data lives in (a SQLite file by default, PostgreSQL through the
same models), as Vorta's store/ has it. The modules, from the bottom up:

- handle: the one database handle, where it is, plain SQL with named parameters;
- waits: how long a change waits for a database another program holds, and saying so;
- failures: which failure a driver's error is, by its codes, and its sentence;
- reconnect: a server connection that was lost, replaced before the next use;
- transactions: write transactions and the guard that turns failures into sentences;
- models, migrations: the tables, and bringing an older database to them;
- opening: where the database is, opening (creating, migrating) and closing it;
- credentials, backups: a server's password kept for this user; copies of a database file.

The rest of the app imports the names below from here (`from app.core import store`)."""

from . import drivers  # noqa: F401  (first: peewee imported without the server's driver, see drivers)
from .failures import explain, failure_word, is_connection_lost
from .handle import bulk_cache, database, location, run_many, run_sql
from .opening import (
    APP_NAME,
    CONNECT_TIMEOUT,
    ENV_VAR,
    SQLITE_PRAGMAS,
    check_connection,
    check_reachable,
    close_database,
    connect_options,
    default_location,
    describe,
    is_url,
    migration_notice,
    open_database,
    opened_location,
    resolve_location,
    server_handle,
    without_password,
)
from .reconnect import connection_lost, replace_lost_connection
from .transactions import (
    guarded,
    share_write_lock,
    translated_errors,
    write_transaction,
)
from .waits import DEFAULT_WAIT, WAITING, reporting_waits, set_wait_limit, wait_limit

__all__ = [
    "bulk_cache",
    "APP_NAME",
    "CONNECT_TIMEOUT",
    "DEFAULT_WAIT",
    "ENV_VAR",
    "SQLITE_PRAGMAS",
    "WAITING",
    "check_connection",
    "check_reachable",
    "close_database",
    "connect_options",
    "connection_lost",
    "database",
    "default_location",
    "describe",
    "explain",
    "failure_word",
    "guarded",
    "is_connection_lost",
    "is_url",
    "location",
    "migration_notice",
    "open_database",
    "opened_location",
    "replace_lost_connection",
    "reporting_waits",
    "resolve_location",
    "run_many",
    "run_sql",
    "server_handle",
    "set_wait_limit",
    "share_write_lock",
    "translated_errors",
    "wait_limit",
    "without_password",
    "write_transaction",
]
