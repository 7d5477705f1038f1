"""A database migrated from every older schema version has exactly the schema of a fresh one: the same
tables, columns (name, type, NOT NULL, default, primary key), foreign keys, indexes (columns, unique,
partial) and triggers. The old versions are built from the statements their own code ran on an empty
database (tests/core/old_schemas/, made by tools/schema_snapshot.py), on SQLite and on PostgreSQL."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing

import pytest

from app.core import store
from app.core.store import migrations
from tests.helpers.database import ON_POSTGRES, TEST_DB, empty_postgres

from .helpers import OLD_SCHEMAS, old_schema


def _squeeze(sql: str | None) -> str | None:
    """SQL text compared as written by either hand: quotes, case and spacing aside."""
    if sql is None:
        return None
    text = " ".join(sql.replace('"', "").split()).lower()
    return re.sub(r"\( ", "(", re.sub(r" \)", ")", text))


def _sqlite_predicate(sql: str | None) -> str | None:
    """The WHERE of a partial index, from its CREATE INDEX statement."""
    if not sql or " where " not in _squeeze(sql):
        return None
    return _squeeze(sql).partition(" where ")[2].strip("()")


def sqlite_schema(path) -> dict:
    with closing(sqlite3.connect(path)) as con:
        tables = [
            name
            for (name,) in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        index_sql = dict(con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'"))
        schema = {}
        for table in tables:
            columns = {
                name: {"type": kind.upper(), "not null": bool(notnull), "default": default, "primary key": pk}
                for _, name, kind, notnull, default, pk in con.execute(f'PRAGMA table_info("{table}")')
            }
            indexes = {}
            for _, name, unique, origin, _partial in con.execute(f'PRAGMA index_list("{table}")'):
                if origin == "pk":
                    continue  # the primary key's own index: the columns say it
                indexes[name] = {
                    "columns": [column for _, _, column in con.execute(f'PRAGMA index_info("{name}")')],
                    "unique": bool(unique),
                    "where": _sqlite_predicate(index_sql.get(name)),
                }
            foreign_keys = sorted(
                (row[3], row[2], row[4], row[6])  # column, table, its column, on delete
                for row in con.execute(f'PRAGMA foreign_key_list("{table}")')
            )
            schema[table] = {"columns": columns, "indexes": indexes, "foreign keys": foreign_keys}
        triggers = {
            name: {"table": table, "sql": _squeeze(sql).replace(" if not exists", "")}
            for name, table, sql in con.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
        }
    return {"tables": schema, "triggers": triggers}


def postgres_schema(url: str) -> dict:
    import psycopg2

    def rows(cursor, sql, *args):
        cursor.execute(sql, args)
        return cursor.fetchall()

    with closing(psycopg2.connect(url)) as con, con.cursor() as cursor:
        schema = {}
        for (table,) in rows(
            cursor,
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name",
        ):
            keys = {
                column
                for (column,) in rows(
                    cursor,
                    "SELECT k.column_name FROM information_schema.table_constraints c"
                    " JOIN information_schema.key_column_usage k USING (constraint_schema, constraint_name)"
                    " WHERE c.table_schema = 'public' AND c.table_name = %s AND c.constraint_type = 'PRIMARY KEY'",
                    table,
                )
            }
            columns = {
                name: {
                    "type": (kind, length, precision, scale),
                    "not null": nullable == "NO",
                    "default": default,
                    "primary key": name in keys,
                }
                for name, kind, length, precision, scale, nullable, default in rows(
                    cursor,
                    "SELECT column_name, data_type, character_maximum_length, numeric_precision, numeric_scale,"
                    " is_nullable, column_default FROM information_schema.columns"
                    " WHERE table_schema = 'public' AND table_name = %s",
                    table,
                )
            }
            indexes = {
                name: {"columns": list(columns_), "unique": unique, "where": _squeeze(where)}
                for name, columns_, unique, where in rows(
                    cursor,
                    "SELECT i.relname,"
                    " ARRAY(SELECT a.attname FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, n)"
                    "       JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum ORDER BY k.n),"
                    " x.indisunique, pg_get_expr(x.indpred, x.indrelid)"
                    " FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid"
                    " WHERE t.relname = %s AND t.relnamespace = 'public'::regnamespace AND NOT x.indisprimary",
                    table,
                )
            }
            foreign_keys = sorted(
                rows(
                    cursor,
                    "SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c"
                    " WHERE c.conrelid = ('public.' || quote_ident(%s))::regclass AND c.contype = 'f'",
                    table,
                )
            )
            schema[table] = {"columns": columns, "indexes": indexes, "foreign keys": foreign_keys}
        triggers = {
            name: {"table": table, "timing": timing, "events": sorted(events), "action": action, "function": body}
            for name, table, timing, events, action, body in rows(
                cursor,
                "SELECT t.trigger_name, t.event_object_table, t.action_timing,"
                " array_agg(t.event_manipulation::text), t.action_statement,"
                " (SELECT pg_get_functiondef(p.oid) FROM pg_trigger g JOIN pg_proc p ON p.oid = g.tgfoid"
                "  WHERE g.tgname = t.trigger_name LIMIT 1)"
                " FROM information_schema.triggers t WHERE t.trigger_schema = 'public'"
                " GROUP BY t.trigger_name, t.event_object_table, t.action_timing, t.action_statement",
            )
        }
    return {"tables": schema, "triggers": triggers}


def _unlike(what: str, fresh, migrated) -> list[str]:
    """What differs, said briefly: one line for each differing part of two descriptions."""
    if fresh is None or migrated is None:
        return [f"{what}: {'only after migration' if fresh is None else 'missing after migration'}"]
    return [
        f"{what}: {key} {fresh[key]!r} fresh, {migrated.get(key)!r} migrated"
        for key in fresh
        if fresh[key] != migrated.get(key)
    ]


def differences(fresh: dict, migrated: dict) -> list[str]:
    """Each place the migrated schema is not the fresh one, said so that a failure names it."""
    said = []
    for table in sorted(set(fresh["tables"]) | set(migrated["tables"])):
        ours, theirs = fresh["tables"].get(table), migrated["tables"].get(table)
        if ours is None or theirs is None:
            said.extend(_unlike(f"table {table}", ours, theirs))
            continue
        for part, kind in (("columns", "column"), ("indexes", "index")):
            for name in sorted(set(ours[part]) | set(theirs[part])):
                if ours[part].get(name) != theirs[part].get(name):
                    said.extend(_unlike(f"{table} {kind} {name}", ours[part].get(name), theirs[part].get(name)))
        if ours["foreign keys"] != theirs["foreign keys"]:
            said.append(f"{table} foreign keys: {ours['foreign keys']} fresh, {theirs['foreign keys']} migrated")
    for name in sorted(set(fresh["triggers"]) | set(migrated["triggers"])):
        if fresh["triggers"].get(name) != migrated["triggers"].get(name):
            said.extend(_unlike(f"trigger {name}", fresh["triggers"].get(name), migrated["triggers"].get(name)))
    return said


DIALECT = "postgresql" if ON_POSTGRES else "sqlite"

# What migrating may leave different, each with its reason and the versions it follows from: none
# today. The test fails when an entry goes away as well as when a difference comes, so that the
# list stays true (an entry is {"what differs": {"sqlite": {versions}, "postgresql": {versions}}}).
KNOWN: dict[str, dict[str, set[int]]] = {}


@pytest.mark.parametrize("version", sorted(OLD_SCHEMAS[DIALECT]))
def test_a_database_migrated_from_an_old_version_has_the_fresh_schema(db_path, tmp_path, version):
    describe = postgres_schema if ON_POSTGRES else sqlite_schema
    fresh = describe(db_path)
    store.close_database()

    if ON_POSTGRES:
        import psycopg2

        old = empty_postgres()
        with closing(psycopg2.connect(TEST_DB)) as con, con.cursor() as cursor:
            cursor.execute(old_schema(DIALECT, version))
            con.commit()
    else:
        old = tmp_path / f"v{version}.db"
        with closing(sqlite3.connect(old)) as con:
            con.executescript(old_schema(DIALECT, version))
    store.open_database(old)
    assert migrations.schema_version(store.database) == migrations.CURRENT_VERSION
    store.close_database()

    found = differences(fresh, describe(old))
    expected = {what for what, versions in KNOWN.items() if version in versions.get(DIALECT, ())}
    unexplained = [said for said in found if not said.startswith(tuple(KNOWN))]
    assert unexplained == [], "\n".join(unexplained)
    assert {what for what in KNOWN if any(said.startswith(what) for said in found)} == expected
