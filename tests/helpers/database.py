"""The test database: which one the suite runs on, emptying it, and old schema versions of it."""

from __future__ import annotations

import os
from contextlib import closing

from app.core import store

# The same suite runs on PostgreSQL: VOUCHER_BATCHES_TEST_DB=postgresql://user@host/database (a database
# the tests may empty). Tests about SQLite files are marked sqlite_only and left out there; tests about a
# database server are marked postgres_only and left out on SQLite files.
TEST_DB = os.environ.get("VOUCHER_BATCHES_TEST_DB", "")
ON_POSTGRES = TEST_DB.startswith(("postgres://", "postgresql://"))


def empty_postgres() -> str:
    """The test database emptied: the sessions other tests left open ended, the schema made anew."""
    import psycopg2

    with closing(psycopg2.connect(TEST_DB)) as con:
        con.autocommit = True
        with con.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    return TEST_DB


# What the steps after version 6 added to a fresh database (the campaigns: activity kinds, claim
# windows, unique names, archived templates, fixed offers, indexes), taken out again in reverse: a
# test that makes an older version from a fresh database runs these first. (The widened activity kinds
# stay: step 6 makes them again whatever they were.)
UNDO_AFTER_V6 = {
    "sqlite": (
        "DROP TABLE expiry_count",
        "DROP INDEX member_created_at",
        "DROP INDEX voucher_unredeemed_expiry",
        "DROP INDEX voucher_batch_id_redeemed_at_id",
        "DROP INDEX voucher_batch_id_claimed_at_id",
        "DROP TRIGGER template_offer_fixed",
        "ALTER TABLE template DROP COLUMN archived_at",
        "DROP INDEX batch_name_key",
        "ALTER TABLE batch DROP COLUMN name_key",
        "ALTER TABLE batch DROP COLUMN ends_at",
        "ALTER TABLE batch DROP COLUMN starts_at",
    ),
    "postgresql": (
        "DROP TABLE expiry_count",
        "DROP INDEX member_created_at",
        "DROP INDEX voucher_unredeemed_expiry",
        "DROP INDEX voucher_batch_id_redeemed_at_id",
        "DROP INDEX voucher_batch_id_claimed_at_id",
        "DROP TRIGGER template_offer_fixed ON template",
        "DROP FUNCTION template_offer_fixed()",
        "ALTER TABLE template DROP COLUMN archived_at",
        "ALTER TABLE batch DROP COLUMN name_key",
        "ALTER TABLE batch DROP COLUMN ends_at",
        "ALTER TABLE batch DROP COLUMN starts_at",
    ),
}


def undo_after_version_6(execute, dialect: str = "sqlite") -> None:
    """Take a fresh database back to what version 6 made (execute: runs one statement on it)."""
    for statement in UNDO_AFTER_V6[dialect]:
        execute(statement)


def make_version_4(url: str) -> None:  # (as tests/core/test_titles.py makes a version 4 file)
    """The test database as version 4 left it: no public titles yet."""
    undo_after_version_6(store.database.execute_sql, "postgresql")
    store.database.execute_sql("ALTER TABLE batch DROP COLUMN title")
    store.database.execute_sql("UPDATE schema_version SET version = 4")
    store.close_database()


def schema_version_now() -> int:
    """The version stored, read on a connection of its own (whatever the application has open)."""
    import psycopg2

    with closing(psycopg2.connect(TEST_DB)) as con, con.cursor() as cursor:
        cursor.execute("SELECT version FROM schema_version")
        return cursor.fetchone()[0]
