"""The one database handle (a Peewee proxy, bound when the database is opened), where it is, and plain
SQL with named parameters for the hot paths."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import peewee

database = peewee.DatabaseProxy()
_location: str = ""


def location() -> str:
    """Where the open database is, as a person would name it (a path or a URL without its password)."""
    return _location


def set_location(described: str) -> None:
    global _location
    _location = described


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


def run_sql(sql: str, params: Mapping[str, object] | None = None, lock_rows: bool | str = False) -> Any:
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


def run_many(sql: str, rows: Iterable[Mapping[str, object]]) -> Any:
    """One statement for many rows of named values (bulk inserts), bound like run_sql."""
    cursor = database.obj.cursor()
    # the driver's errors as Peewee's, as execute_sql gives them (peewee has the wrapper; its stubs lack it)
    with peewee.__exception_wrapper__:  # type: ignore[attr-defined]
        cursor.executemany(_statement(sql), rows)
    return cursor


# SQLite's page cache, per connection. Small by default: the file's pages are in the system's cache
# anyway, and every thread has a connection (the window's workers, serve's 22 threads); a connection
# keeps what it read up to its size for as long as the program runs. Large while a batch is generated:
# there it holds the code index that every new code is checked against (a million codes' worth).
CACHE_KB = 4_000
BULK_CACHE_KB = 64_000


@contextmanager
def bulk_cache() -> Iterator[None]:
    """While the body runs, this thread's SQLite connection has the large page cache (nothing on a
    server database); afterwards the small one again, its pages let go."""
    db = database.obj
    if not isinstance(db, peewee.SqliteDatabase):
        yield
        return
    db.execute_sql(f"PRAGMA cache_size = -{BULK_CACHE_KB}")
    try:
        yield
    finally:
        db.execute_sql(f"PRAGMA cache_size = -{CACHE_KB}")
        db.execute_sql("PRAGMA shrink_memory")
