"""The statements a fresh database of one schema version is made with, as SQL to replay: what
tests/core/old_schemas/ holds for every version before the current one, and what
tests/core/test_migrated_schema.py builds old databases from.

Before a change raises CURRENT_VERSION, keep the outgoing version's fresh schema, on both databases:

    python tools/schema_snapshot.py sqlite > tests/core/old_schemas/sqlite-v6.sql
    python tools/schema_snapshot.py postgresql://user@host/scratch > tests/core/old_schemas/postgresql-v6.sql

(the PostgreSQL database is emptied first). For a version in the history, run it on that commit's
code: PYTHONPATH=/path/to/an/old/checkout python tools/schema_snapshot.py sqlite."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import tempfile
from contextlib import closing
from pathlib import Path

import peewee


def _open_database():
    """The open_database of whichever layout the checkout on the path has (it moved between versions)."""
    for name in ("app.core.store", "app.core.database", "app.core.db"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(module, "open_database"):
            return module.open_database
    raise SystemExit("no app.core open_database found on the path")


def _literal(value) -> str:
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _inline(sql: str, params) -> str:
    """The statement with its parameters written in (numbers and text only: these are DDL and one row)."""
    for value in params or ():
        sql = sql.replace("?" if "?" in sql else "%s", _literal(value), 1)
    return sql


def capture(location: str) -> list[str]:
    """Open a fresh database at location with the checkout's code; the statements that made its schema."""
    statements = []
    execute_sql = peewee.Database.execute_sql

    def recording(self, sql, params=None, *args, **kwargs):
        text = " ".join(sql.split())
        upper = text.upper()
        if upper.startswith(("CREATE ", "ALTER ")) or (upper.startswith("INSERT INTO") and "SCHEMA" in upper[:40]):
            statements.append(_inline(text, params))
        return execute_sql(self, sql, params, *args, **kwargs)

    peewee.Database.execute_sql = recording
    try:
        _open_database()(location)
    finally:
        peewee.Database.execute_sql = execute_sql
    return statements


def _empty_postgres(url: str) -> None:
    import psycopg2

    with closing(psycopg2.connect(url)) as con:
        con.autocommit = True
        with con.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", help="sqlite, or a PostgreSQL URL of a database that may be emptied")
    args = parser.parse_args()
    os.environ.pop("VOUCHER_BATCHES_DB", None)
    import app

    print(f"-- made by tools/schema_snapshot.py with {Path(app.__file__).parent}", file=sys.stderr)
    if args.database == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            statements = capture(str(Path(folder) / "fresh.db"))
    else:
        _empty_postgres(args.database)
        statements = capture(args.database)
    for statement in statements:
        print(statement + ";")
    return 0


if __name__ == "__main__":
    sys.exit(main())
