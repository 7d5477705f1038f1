"""Create a fresh database, or bring an older one up to the current schema (after a copy aside)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import peewee

from app.core.errors import BackupNeeded, DatabaseProblem

from . import backups, private
from .backups import default_folder
from .handle import location
from .models import (
    ACTIVITY_KINDS,
    ALL_MODELS,
    ERASED_CHECK,
    Activity,
    ApiAttempt,
    ApiKey,
    Batch,
    DelayCount,
    Erasure,
    ExpiryCount,
    IdempotentRequest,
    Lease,
    Member,
    ResetCode,
    SchemaVersion,
    SlotCount,
    Template,
    Throttle,
    Voucher,
    Webhook,
    WebhookDelivery,
    name_key,
    utcnow,
)
from .rebuild import columns_of, rebuild_as_declared, table_sql

CURRENT_VERSION = 23
# SQLite's header names the application a file belongs to (PRAGMA application_id): "VBat". Set in
# every database made or migrated since _mark_as_voucher_batches; `restore` refuses a file naming another.
APPLICATION_ID = 0x56426174


def _v1_to_v2(db: peewee.Database) -> None:
    """Version 2 keeps the claimed and redeemed counts on the batch row, so the dashboard reads
    every batch's metrics in one cheap query instead of counting millions of vouchers."""
    db.execute_sql(
        "ALTER TABLE batch ADD COLUMN claimed_count INTEGER NOT NULL DEFAULT 0"
        " CHECK (claimed_count BETWEEN 0 AND quantity)"
    )
    db.execute_sql(
        "ALTER TABLE batch ADD COLUMN redeemed_count INTEGER NOT NULL DEFAULT 0"
        " CHECK (redeemed_count BETWEEN 0 AND claimed_count)"
    )
    db.execute_sql(
        "UPDATE batch SET"
        " claimed_count = (SELECT COUNT(*) FROM voucher v WHERE v.batch_id = batch.id AND v.status > 0),"
        " redeemed_count = (SELECT COUNT(*) FROM voucher v WHERE v.batch_id = batch.id AND v.status = 2)"
    )
    # ... and leaves unclaimed vouchers out of the one-per-member index.
    db.execute_sql("DROP INDEX voucher_member_id_batch_id")
    db.execute_sql(
        "CREATE UNIQUE INDEX voucher_member_id_batch_id ON voucher (member_id, batch_id) WHERE member_id IS NOT NULL"
    )


class _MemberV3(peewee.Model):
    """The columns version 3 adds to the member table, as they were then (the models may change later)."""

    session_generation = peewee.IntegerField(
        default=0, constraints=[peewee.SQL("DEFAULT 0"), peewee.Check("session_generation >= 0")]
    )
    erased_at = peewee.DateTimeField(null=True, constraints=[peewee.Check(ERASED_CHECK)])

    class Meta:
        table_name = "member"
        legacy_table_names = False  # index names from the table's name, as the models make them


class _ResetCodeV3(peewee.Model):
    member = peewee.ForeignKeyField(_MemberV3, on_delete="CASCADE")
    code_hash = peewee.CharField(max_length=64, unique=True)
    created_at = peewee.DateTimeField()
    expires_at = peewee.DateTimeField()

    class Meta:
        table_name = "reset_code"
        legacy_table_names = False


def _v2_to_v3(db: peewee.Database) -> None:
    """Version 3 lets the server end a member's sessions (a generation every session carries),
    erase a member while their vouchers stay counted (a row with nothing of them left), and keep
    one-time password reset codes (as hashes). Columns with defaults: no table is rebuilt."""
    with db.bind_ctx([_MemberV3, _ResetCodeV3]):
        for field in (_MemberV3.session_generation, _MemberV3.erased_at):
            ctx = db.get_sql_context()
            column, _ = ctx.sql(field.ddl(ctx)).query()
            db.execute_sql(f"ALTER TABLE member ADD COLUMN {column}")
        _ResetCodeV3.create_table(safe=False)


def _add_activity_log(db: peewee.Database) -> None:
    """The activity log (who did what, at which till): a table of its own, with no key to the
    batch it names, so that deleting a batch keeps its entries; append-only."""
    db.create_tables([Activity])
    _forbid_activity_changes(db)


# The log's guards: SQLite's triggers (name -> statement), PostgreSQL's function and triggers.
_SQLITE_GUARDS = {
    f"activity_no_{event.lower()}": f"CREATE TRIGGER activity_no_{event.lower()} BEFORE {event} ON activity"
    " BEGIN SELECT RAISE(ABORT, 'the activity log cannot be changed'); END"
    for event in ("UPDATE", "DELETE")
}
_POSTGRES_GUARD_FUNCTION = (
    "CREATE OR REPLACE FUNCTION activity_append_only() RETURNS trigger AS $$"
    " BEGIN RAISE EXCEPTION 'the activity log cannot be changed'"
    " USING ERRCODE = 'integrity_constraint_violation';"
    " END $$ LANGUAGE plpgsql"
)
_POSTGRES_GUARDS = {  # TRUNCATE fires no row trigger: a statement trigger refuses it
    "activity_append_only": "BEFORE UPDATE OR DELETE ON activity FOR EACH ROW",
    "activity_no_truncate": "BEFORE TRUNCATE ON activity FOR EACH STATEMENT",
}


def _forbid_activity_changes(db: peewee.Database) -> None:
    """The log cannot be edited: the database itself refuses to change, delete or empty an entry."""
    if isinstance(db, peewee.SqliteDatabase):
        for name, sql in _SQLITE_GUARDS.items():
            db.execute_sql(f"DROP TRIGGER IF EXISTS {name}")
            db.execute_sql(sql)
    elif isinstance(db, peewee.PostgresqlDatabase):
        db.execute_sql(_POSTGRES_GUARD_FUNCTION)
        for name, when in _POSTGRES_GUARDS.items():
            db.execute_sql(f"DROP TRIGGER IF EXISTS {name} ON activity")
            db.execute_sql(f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION activity_append_only()")


def _squeezed(sql: str) -> str:
    return " ".join(sql.replace('"', "").split()).lower()


def activity_guards_intact(db: peewee.Database) -> bool:
    """Whether the log's triggers are there, as this version makes them (read only: cheap enough to
    ask at every opening). A trigger dropped or replaced by hand is not."""
    if isinstance(db, peewee.SqliteDatabase):
        triggers = dict(
            db.execute_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'activity'")
        )
        return all(
            _squeezed(triggers.get(name) or "").replace(" if not exists", "") == _squeezed(sql)
            for name, sql in _SQLITE_GUARDS.items()
        )
    if isinstance(db, peewee.PostgresqlDatabase):
        guards = {
            name
            for (name,) in db.execute_sql(
                "SELECT t.tgname FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid"
                " WHERE t.tgrelid = 'activity'::regclass AND t.tgenabled <> 'D' AND p.proname = 'activity_append_only'"
                " AND strpos(pg_get_functiondef(p.oid), 'integrity_constraint_violation') > 0"
            )
        }
        return guards >= set(_POSTGRES_GUARDS)
    return True


def restore_activity_guards(db: peewee.Database) -> None:
    """Make the log's triggers again (at opening, when activity_guards_intact says one is missing)."""
    _forbid_activity_changes(db)


def _add_batch_title(db: peewee.Database) -> None:
    """A batch gets a public title, the headline members read on the claim page and on every print;
    empty means "the offer" (e.g. "10% off"), so batches made before keep showing something true."""
    db.execute_sql("ALTER TABLE batch ADD COLUMN title VARCHAR(120) NOT NULL DEFAULT ''")


def _add_analytics_counts(db: peewee.Database) -> None:
    """Version 6 keeps each batch's claims and redemptions per quarter hour, and its redemptions by
    hours since claim, so a batch's analytics page never reads its vouchers. The history of an
    older database is counted once here from its vouchers' claimed_at and redeemed_at."""
    db.create_tables([SlotCount, DelayCount])  # (IF NOT EXISTS: a test may have kept them)
    fill_analytics_counts(db)


def fill_analytics_counts(db: peewee.Database) -> None:
    """Count every batch's history anew from its vouchers (the migration; the benchmark's bulk fill)."""
    if isinstance(db, peewee.SqliteDatabase):

        def seconds(column: str) -> str:
            return f"CAST(strftime('%s', {column}) AS INTEGER)"
    else:  # PostgreSQL: a timestamp without zone, read as UTC

        def seconds(column: str) -> str:
            return f"CAST(FLOOR(EXTRACT(EPOCH FROM {column})) AS BIGINT)"

    db.execute_sql("DELETE FROM slot_count")
    db.execute_sql("DELETE FROM delay_count")
    db.execute_sql(
        "INSERT INTO slot_count (batch_id, slot, claims, redemptions)"
        " SELECT batch_id, slot, SUM(c), SUM(r) FROM ("
        f"  SELECT batch_id, {seconds('claimed_at')} / 900 AS slot, 1 AS c, 0 AS r FROM voucher WHERE claimed_at IS "
        "NOT NULL"
        "   UNION ALL"
        f"  SELECT batch_id, {seconds('redeemed_at')} / 900 AS slot, 0 AS c, 1 AS r FROM voucher WHERE redeemed_at "
        "IS NOT NULL"
        " ) AS happened GROUP BY batch_id, slot"
    )
    db.execute_sql(
        "INSERT INTO delay_count (batch_id, hours, redemptions)"
        f" SELECT batch_id, hours, COUNT(*) FROM ("
        f"  SELECT batch_id, CASE WHEN {seconds('redeemed_at')} > {seconds('claimed_at')}"
        f"   THEN ({seconds('redeemed_at')} - {seconds('claimed_at')}) / 3600 ELSE 0 END AS hours"
        "   FROM voucher WHERE redeemed_at IS NOT NULL"
        " ) AS delays GROUP BY batch_id, hours"
    )


def _ids_never_reused(db: peewee.Database) -> None:
    """An id is never handed out again once its row is deleted (the activity log keeps
    batch ids, exported files and logs keep ids: a new batch must not inherit a deleted one's
    history). SQLite reuses the highest id of a deleted row unless the key is AUTOINCREMENT, which
    ALTER TABLE cannot add: each table whose ids are kept elsewhere is made anew as the models
    declare it, rows, indexes, triggers and foreign keys kept; the batches' ids then continue past
    every batch id the activity log names (a newest batch deleted before this version). PostgreSQL's
    sequences never went back: nothing to do there."""
    if not isinstance(db, peewee.SqliteDatabase):
        return
    for model in (Template, Member, ResetCode, Batch, Voucher, Activity):
        if "AUTOINCREMENT" not in table_sql(db, model._meta.table_name).upper():
            rebuild_as_declared(db, model)
    highest = db.execute_sql(
        "SELECT MAX(id) FROM (SELECT MAX(id) AS id FROM batch UNION ALL SELECT MAX(batch_id) FROM activity)"
    ).fetchone()[0]
    if highest:
        db.execute_sql("DELETE FROM sqlite_sequence WHERE name = 'batch'")
        db.execute_sql("INSERT INTO sqlite_sequence (name, seq) VALUES ('batch', ?)", (highest,))


def _declare_batch_defaults(db: peewee.Database) -> None:
    """The batch's title and counts have the database's defaults ('' and 0) whichever
    version made the table (the steps that added them to rows already there had to give one; tables
    made fresh had none), so that a migrated database is a fresh one."""
    if isinstance(db, peewee.SqliteDatabase):
        if columns_of(db, "batch")["claimed_count"][1] is None:  # (SQLite cannot ALTER a default)
            rebuild_as_declared(db, Batch)
        return
    db.execute_sql(
        "ALTER TABLE batch ALTER COLUMN title SET DEFAULT '', ALTER COLUMN claimed_count SET DEFAULT 0,"
        " ALTER COLUMN redeemed_count SET DEFAULT 0"
    )


def _activity_log_append_only(db: peewee.Database) -> None:
    """The log's guards as this version has them, in every database: on PostgreSQL the
    refusal is an integrity violation (a database made at version 4 kept a function raising a plain
    error) and TRUNCATE is refused too (row triggers do not fire on it: the app's own role could
    empty the log)."""
    _forbid_activity_changes(db)


def _add_restored_kind(db: peewee.Database) -> None:
    """The log records a backup put back in place of the database ("restored")."""
    _declare_activity_kinds(db)


def _add_erasure_ledger(db: peewee.Database) -> None:
    """The erasure ledger (keyed hashes of erased members' emails), so that a restored
    backup or a copy never brings an erased member back."""
    db.create_tables([Erasure])


def _mark_as_voucher_batches(db: peewee.Database) -> None:
    """A SQLite file says in its header that it is a Voucher Batches database."""
    if isinstance(db, peewee.SqliteDatabase):
        db.execute_sql(f"PRAGMA application_id = {APPLICATION_ID}")


def _add_columns(db: peewee.Database, *fields: peewee.Field) -> None:
    """ALTER TABLE ... ADD COLUMN for model fields, each written as a fresh table would declare it;
    one a table has already is left (an earlier step made its table from today's model)."""
    for field in fields:
        table = field.model._meta.table_name
        if field.column_name in {column.name for column in db.get_columns(table)}:
            continue
        ctx = db.get_sql_context()
        column, _ = ctx.sql(field.ddl(ctx)).query()
        db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN {column}')


def _add_order_totals(db: peewee.Database) -> None:
    """Money at the till: a redemption may carry its order's total (on the voucher), and each quarter
    hour counts the sales and the discount given with the redemptions (no history to fill: no till
    gave an order total before)."""
    _add_columns(db, Voucher.order_cents, SlotCount.totalled, SlotCount.sales_cents, SlotCount.discount_cents)


def _add_point_of_sale_api(db: peewee.Database) -> None:
    """The local API for a point of sale: its keys (hashed), the failed attempts per address, and
    the answers given under an Idempotency-Key."""
    db.create_tables([ApiKey, ApiAttempt, IdempotentRequest])


def _add_webhooks(db: peewee.Database) -> None:
    """Webhooks: the addresses told of claims, redemptions and undos, their outbox, and the lease
    that lets one process send for all."""
    db.create_tables([Webhook, WebhookDelivery, Lease])


# The campaign's steps (issue 22) follow the point of sale's.


def _declare_activity_kinds(db: peewee.Database) -> None:
    """The CHECK on the log's kinds lists every kind the model declares (models.ACTIVITY_KINDS).
    SQLite cannot change a CHECK: the table is made anew as the model declares it, its entries
    copied, ids, indexes and append-only triggers kept (rebuild_as_declared)."""
    if isinstance(db, peewee.SqliteDatabase):
        written = table_sql(db, "activity")
        if any(f"'{kind}'" not in written for kind in ACTIVITY_KINDS):
            rebuild_as_declared(db, Activity)
        return
    listed = ", ".join(f"'{kind}'" for kind in ACTIVITY_KINDS)
    db.execute_sql(
        "ALTER TABLE activity DROP CONSTRAINT IF EXISTS activity_kind_check,"
        f" ADD CONSTRAINT activity_kind_check CHECK (kind IN ({listed}))"
    )


def _add_campaign_kinds(db: peewee.Database) -> None:
    """The log records a batch edited, scheduled and ended, and a template edited, archived,
    restored and deleted."""
    _declare_activity_kinds(db)


def _add_claim_window(db: peewee.Database) -> None:
    """A batch gets a claim window: claims open at starts_at and end for good at ends_at (both
    empty for every batch made before: open now, no end, as they were)."""
    _add_columns(db, Batch.starts_at, Batch.ends_at)


MAX_NAME = 120


def _unused_name(name: str, taken: set[str]) -> str:
    """name with the first free " (n)" after it (shortened to fit 120 characters)."""
    number = 2
    while True:
        suffix = f" ({number})"
        candidate = name[: MAX_NAME - len(suffix)].rstrip() + suffix
        if name_key(candidate) not in taken:
            return candidate
        number += 1


def _unique_batch_names(db: peewee.Database) -> None:
    """Batch names are unique (trimmed, any case: models.name_key), backed by a unique index on the
    compared form. Two batches of one name made before keep the older one's name; each later one
    is renamed "Name (2)", "Name (3)" ..., and the log records the rename, so a manager who looks
    for it finds why."""
    _add_columns(db, Batch.name_key)
    mark = "%s" if isinstance(db, peewee.PostgresqlDatabase) else "?"
    rows = db.execute_sql("SELECT id, name FROM batch ORDER BY id").fetchall()
    taken = {name_key(name) for _, name in rows}
    kept: set[str] = set()
    for batch_id, name in rows:
        key = name_key(name)
        if key in kept:
            renamed = _unused_name(" ".join(name.split()), taken)
            taken.add(name_key(renamed))
            kept.add(name_key(renamed))
            db.execute_sql(
                f"UPDATE batch SET name = {mark}, name_key = {mark} WHERE id = {mark}",
                (renamed, name_key(renamed), batch_id),
            )
            _log_rename(db, batch_id, name, renamed)
        else:
            kept.add(key)
            db.execute_sql(f"UPDATE batch SET name_key = {mark} WHERE id = {mark}", (key, batch_id))
    db.execute_sql('CREATE UNIQUE INDEX IF NOT EXISTS "batch_name_key" ON "batch" ("name_key")')


def _log_rename(db: peewee.Database, batch_id: int, before: str, after: str) -> None:
    """The activity entry of a rename made by the update (by this PC, as the log stores it)."""
    details = json.dumps({"name": [before, after], "reason": "another batch had this name"}, ensure_ascii=False)
    values = (Activity.at.db_value(utcnow()), batch_id, after, (socket.gethostname() or "this PC")[:64], details)
    mark = "%s" if isinstance(db, peewee.PostgresqlDatabase) else "?"
    db.execute_sql(
        "INSERT INTO activity (at, kind, batch_id, batch_name, code, till, staff, details)"
        f" VALUES ({mark}, 'batch_edited', {mark}, {mark}, NULL, {mark}, '', {mark})",
        values,
    )


def _add_template_archive(db: peewee.Database) -> None:
    """A template may be archived: hidden from New batch, its batches untouched."""
    _add_columns(db, Template.archived_at)


_OFFER_COLUMNS = ("discount_kind", "discount_value", "min_purchase", "expires_on", "valid_days")
OFFER_FIXED = "the offer of a template with claimed vouchers cannot be changed"


def _forbid_claimed_offer_changes(db: peewee.Database) -> None:
    """A template's offer (discount, minimum, expiry) is what members were promised once one of its
    vouchers is claimed: the database itself refuses to change it then (app.core.templates says so
    first, in a sentence). Its name and terms may always change."""
    claimed = "EXISTS (SELECT 1 FROM batch WHERE template_id = OLD.id AND claimed_count > 0)"
    if isinstance(db, peewee.SqliteDatabase):
        changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _OFFER_COLUMNS)
        db.execute_sql(
            f"CREATE TRIGGER IF NOT EXISTS template_offer_fixed BEFORE UPDATE OF {', '.join(_OFFER_COLUMNS)}"
            f" ON template WHEN ({changed}) AND {claimed}"
            f" BEGIN SELECT RAISE(ABORT, '{OFFER_FIXED}'); END"
        )
    elif isinstance(db, peewee.PostgresqlDatabase):
        new = ", ".join(f"NEW.{c}" for c in _OFFER_COLUMNS)
        old = ", ".join(f"OLD.{c}" for c in _OFFER_COLUMNS)
        db.execute_sql(
            "CREATE OR REPLACE FUNCTION template_offer_fixed() RETURNS trigger AS $$"
            f" BEGIN IF ({new}) IS DISTINCT FROM ({old}) AND {claimed} THEN"
            f" RAISE EXCEPTION '{OFFER_FIXED}' USING ERRCODE = 'integrity_constraint_violation';"
            " END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        db.execute_sql("DROP TRIGGER IF EXISTS template_offer_fixed ON template")
        db.execute_sql(
            "CREATE TRIGGER template_offer_fixed BEFORE UPDATE ON template"
            " FOR EACH ROW EXECUTE FUNCTION template_offer_fixed()"
        )


def _fix_claimed_offers(db: peewee.Database) -> None:
    """The offer of a template with claimed vouchers is fixed, by the database too."""
    _forbid_claimed_offer_changes(db)


def _add_sorting_and_expiry_indexes(db: peewee.Database) -> None:
    """The vouchers view sorts by claim and redemption time with keyset pages, the vouchers still
    out there are counted by expiry from a partial index of the claimed-not-redeemed ones, and the
    Members page sorts by when members joined: an index for each, so each stays one index range on
    a million rows. (IF NOT EXISTS: on SQLite _ids_never_reused made the voucher and member tables
    anew as the models declare them, these indexes included.)"""
    db.execute_sql(
        'CREATE INDEX IF NOT EXISTS "voucher_batch_id_claimed_at_id" ON "voucher" ("batch_id", "claimed_at", "id")'
    )
    db.execute_sql(
        'CREATE INDEX IF NOT EXISTS "voucher_batch_id_redeemed_at_id" ON "voucher" ("batch_id", "redeemed_at", "id")'
    )
    db.execute_sql(
        'CREATE INDEX IF NOT EXISTS "voucher_unredeemed_expiry" ON "voucher" ("batch_id", "expires_at")'
        " WHERE status = 1"
    )
    db.execute_sql('CREATE INDEX IF NOT EXISTS "member_created_at" ON "member" ("created_at")')


def _count_unredeemed_by_expiry(db: peewee.Database) -> None:
    """Per batch and quarter hour, how many claimed vouchers not redeemed expire then
    (models.ExpiryCount), so a batch's page and the Channels page say what is still out there from
    a few hundred rows; the vouchers already claimed are counted once here."""
    db.create_tables([ExpiryCount])  # (IF NOT EXISTS: a test may have kept it)
    fill_expiry_counts(db)


def fill_expiry_counts(db: peewee.Database) -> None:
    """Count the claimed-not-redeemed vouchers by the quarter hour of their expiry anew (the
    migration; the benchmark's bulk fill)."""
    if isinstance(db, peewee.SqliteDatabase):
        seconds = "CAST(strftime('%s', expires_at) AS INTEGER)"
    else:  # PostgreSQL: a timestamp without zone, read as UTC
        seconds = "CAST(FLOOR(EXTRACT(EPOCH FROM expires_at)) AS BIGINT)"
    db.execute_sql("DELETE FROM expiry_count")
    db.execute_sql(
        "INSERT INTO expiry_count (batch_id, slot, vouchers)"
        f" SELECT batch_id, slot, COUNT(*) FROM (SELECT batch_id, {seconds} / 900 AS slot FROM voucher"
        " WHERE status = 1 AND expires_at IS NOT NULL) AS unredeemed GROUP BY batch_id, slot"
    )


# The claim site's shared limits (issue 21) follow the campaign's.


def _add_shared_limits(db: peewee.Database) -> None:
    """The claim site's abuse limits move from each process's memory into the database: every
    process of `serve --workers N`, and every program serving the same database, counts failed
    logins and new accounts together, and a restart forgets nothing."""
    db.create_tables([Throttle])


# MIGRATIONS[n] brings a database from version n to n + 1.
MIGRATIONS = {
    1: _v1_to_v2,
    2: _v2_to_v3,
    3: _add_activity_log,
    4: _add_batch_title,
    5: _add_analytics_counts,
    6: _ids_never_reused,
    7: _declare_batch_defaults,
    8: _activity_log_append_only,
    9: _add_restored_kind,
    10: _add_erasure_ledger,
    11: _mark_as_voucher_batches,
    12: _add_order_totals,
    13: _add_point_of_sale_api,
    14: _add_webhooks,
    15: _add_campaign_kinds,
    16: _add_claim_window,
    17: _unique_batch_names,
    18: _add_template_archive,
    19: _fix_claimed_offers,
    20: _add_sorting_and_expiry_indexes,
    21: _count_unredeemed_by_expiry,
    22: _add_shared_limits,
}


def _version_after(step: object) -> int:
    """The version a step brings a database to (steps not yet released may still be renumbered)."""
    return next(version + 1 for version, known in MIGRATIONS.items() if known is step)


# The tables and columns each version adds (history: never edit; a step that adds a table or a
# column adds its line here, and tests/core/test_restore.py checks the sum against the models and
# every fresh schema in tests/core/old_schemas). What `restore` knows a backup of each version by.
_ADDED_COLUMNS: dict[int, dict[str, str]] = {
    1: {
        "schema_version": "id version",
        "setting": "key value",
        "template": "id title discount_kind discount_value min_purchase expires_on valid_days terms created_at",
        "member": "id email name password_hash created_at",
        "batch": "id name description channel template_id quantity status token code_prefix code_length created_at",
        "voucher": "id batch_id code status member_id claimed_at redeemed_at expires_at",
    },
    2: {"batch": "claimed_count redeemed_count"},
    3: {"member": "session_generation erased_at", "reset_code": "id member_id code_hash created_at expires_at"},
    4: {"activity": "id at kind batch_id batch_name code till staff details"},
    5: {"batch": "title"},
    6: {"slot_count": "batch_id slot claims redemptions", "delay_count": "batch_id hours redemptions"},
}
_ADDED_COLUMNS[_version_after(_add_erasure_ledger)] = {"erasure": "email_hash erased_at"}
_ADDED_COLUMNS[_version_after(_add_order_totals)] = {
    "voucher": "order_cents",
    "slot_count": "totalled sales_cents discount_cents",
}
_ADDED_COLUMNS[_version_after(_add_point_of_sale_api)] = {
    "api_key": "id name prefix key_hash created_at revoked_at last_used_at",
    "api_attempt": "address failures first_at last_at",
    "idempotent_request": "id api_key_id key request_hash status response created_at",
}
_ADDED_COLUMNS[_version_after(_add_webhooks)] = {
    "webhook": "id url events secret created_at",
    "webhook_delivery": "id webhook_id event_id event payload created_at next_try_at attempts last_try_at"
    " last_status last_error delivered_at",
    "lease": "name holder until",
}
_ADDED_COLUMNS[_version_after(_add_claim_window)] = {"batch": "starts_at ends_at"}
_ADDED_COLUMNS[_version_after(_unique_batch_names)] = {"batch": "name_key"}
_ADDED_COLUMNS[_version_after(_add_template_archive)] = {"template": "archived_at"}
_ADDED_COLUMNS[_version_after(_count_unredeemed_by_expiry)] = {"expiry_count": "batch_id slot vouchers"}
_ADDED_COLUMNS[_version_after(_add_shared_limits)] = {"throttle": "scope key times until"}
APPLICATION_ID_SINCE = _version_after(_mark_as_voucher_batches)  # the first version whose files all carry it


def columns_at(version: int) -> dict[str, set[str]]:
    """Every table a fresh database of this schema version has, with its columns."""
    tables: dict[str, set[str]] = {}
    for step in range(1, version + 1):
        for table, columns in _ADDED_COLUMNS.get(step, {}).items():
            tables.setdefault(table, set()).update(columns.split())
    return tables


def _this_database() -> str:
    """The database being opened, named as the error sentences name it."""
    return f"The database {location()}" if location() else "This database"


def schema_version(db: peewee.Database) -> int | None:
    """The version stored in the database, or None for an empty database."""
    if not db.table_exists(SchemaVersion._meta.table_name):
        if db.get_tables():
            raise DatabaseProblem(f"{_this_database()} holds other tables and is not a Voucher Batches database.")
        return None
    row = SchemaVersion.select().first()
    if row is None or row.version is None:  # (made in one transaction: never half there)
        raise DatabaseProblem(
            f"{_this_database()} has no schema version: it is not a Voucher Batches database, or it is damaged. "
            "Nothing was written to it."
        )
    return int(row.version)


def backup_copy(path: Path, version: int) -> Path:
    """Copy a SQLite database aside (consistently, WAL included) before it is migrated."""
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.v{version}-{stamp}.bak")
    try:
        private.create_private(target)
        with closing(sqlite3.connect(str(path))) as src, closing(sqlite3.connect(str(target))) as dst:
            src.backup(dst)
    except (sqlite3.Error, OSError) as exc:
        if target.is_file():
            target.unlink()
        raise DatabaseProblem(
            f"{_this_database()} needs updating, but it could not first be copied to {target} ({exc}); nothing was "
            "changed."
        ) from exc
    return target


BACKUP_FLAG = "--i-have-a-backup"


def _dump_target(db: peewee.PostgresqlDatabase, version: int, folder: Path | None) -> Path:
    """backups/<database>/<database>-v<old version>-<time>.dump in the data folder: named so that
    nobody mistakes which database, and which schema, it holds."""
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    return (folder or default_folder()) / db.database / f"{db.database}-v{version}-{stamp}.dump"


def _pg_dump_command(db: peewee.PostgresqlDatabase, target: Path | str) -> tuple[list[str], dict[str, str]]:
    """pg_dump's arguments for this database (the password, if any, through its environment only)."""
    params = db.connect_params
    args = ["pg_dump", "--format=custom", f"--file={target}"]
    for flag, key in (("--host", "host"), ("--port", "port"), ("--username", "user")):
        if params.get(key):
            args.append(f"{flag}={params[key]}")
    env = {"PGPASSWORD": str(params["password"])} if params.get("password") else {}
    return args + [db.database], env


def _how_to_back_up(db: peewee.PostgresqlDatabase, version: int) -> str:
    args, _ = _pg_dump_command(db, f"{db.database}-v{version}.dump")
    return " ".join(args)


def dump_before_migrating(
    db: peewee.PostgresqlDatabase, version: int, have_backup: bool, folder: Path | None = None
) -> Path | None:
    """Before a server database is migrated: a pg_dump of it when the tool is on PATH; without the
    tool, a refusal saying how to make one, unless the person says they have one (--i-have-a-backup)."""
    tool = shutil.which("pg_dump")
    needs = f"{_this_database()} needs updating from schema {version} to {CURRENT_VERSION}"
    if tool is None:
        if have_backup:
            return None
        raise BackupNeeded(
            f"{needs}, and pg_dump was not found to back it up first; nothing was changed.",
            _how_to_back_up(db, version),
            BACKUP_FLAG,
        )
    target = _dump_target(db, version, folder)
    target.parent.mkdir(parents=True, exist_ok=True)
    private.create_private(target)  # (pg_dump writes into it, keeping its mode: the user's alone)
    args, env = _pg_dump_command(db, target)
    done: subprocess.CompletedProcess[str] | None
    try:
        done = subprocess.run(
            [tool, *args[1:]], env={**os.environ, **env}, capture_output=True, text=True, timeout=3600
        )
    except (OSError, subprocess.SubprocessError) as exc:
        done, problem = None, str(exc)
    else:
        problem = " ".join((done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[0].split())
    if done is None or done.returncode != 0:
        target.unlink(missing_ok=True)
        if have_backup:
            return None
        raise BackupNeeded(
            f"{needs}, but pg_dump could not back it up first ({problem}); nothing was changed.",
            _how_to_back_up(db, version),
            BACKUP_FLAG,
        )
    return target


def init_db(db: peewee.Database, path: Path | None, have_backup: bool = False) -> Path | None:
    """Create the schema in an empty database or migrate an older one. Returns the backup made, if any:
    a copy of a SQLite file beside it, a pg_dump of a PostgreSQL database in the data folder's backups.
    A damaged file is refused before anything is copied or written."""
    version = schema_version(db)
    if version is None:
        with db.atomic():
            db.create_tables(ALL_MODELS)
            _forbid_activity_changes(db)
            _forbid_claimed_offer_changes(db)
            _mark_as_voucher_batches(db)
            SchemaVersion.delete().execute()
            SchemaVersion.create(version=CURRENT_VERSION)
        return None
    if version > CURRENT_VERSION:
        raise DatabaseProblem(
            f"{_this_database()} was written by a newer Voucher Batches (schema {version}, this one knows "
            f"{CURRENT_VERSION}); "
            "update the application to open it."
        )
    if version == CURRENT_VERSION:
        return None
    backups.refuse_if_damaged()
    if path is not None:
        backup: Path | None = backup_copy(path, version)
    elif isinstance(db, peewee.PostgresqlDatabase):
        backup = dump_before_migrating(db, version, have_backup)
    else:
        backup = None
    with _foreign_keys_checked_at_the_end(db):
        try:
            with db.atomic():
                for step in range(version, CURRENT_VERSION):
                    MIGRATIONS[step](db)
                _check_foreign_keys(db)
                SchemaVersion.update(version=CURRENT_VERSION).execute()
        except peewee.IntegrityError as exc:  # a row an older version let in that this schema refuses
            raise DatabaseProblem(
                f"{_this_database()} could not be updated to schema {CURRENT_VERSION}: a row breaks one of its "
                f"rules ({' '.join(str(exc).split())}); nothing was changed. Its backup from before is {backup}."
            ) from exc
    return backup


@contextmanager
def _foreign_keys_checked_at_the_end(db: peewee.Database) -> Iterator[None]:
    """SQLite's foreign keys are off while its tables are migrated: a table made anew replaces one
    that others refer to, and dropping the old one must not cascade (rebuild_as_declared). The
    pragma cannot change inside a transaction: it is set around it; _check_foreign_keys checks
    every key before the commit instead."""
    if not isinstance(db, peewee.SqliteDatabase):
        yield
        return
    db.execute_sql("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        db.execute_sql("PRAGMA foreign_keys = ON")


def _check_foreign_keys(db: peewee.Database) -> None:
    if not isinstance(db, peewee.SqliteDatabase):
        return
    # the vouchers a deleted batch left for its purge (app.core.batches.delete_batch) go now, unseen as they were
    db.execute_sql("DELETE FROM voucher WHERE batch_id NOT IN (SELECT id FROM batch)")
    broken = db.execute_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        table, rowid, parent, _ = broken[0]
        raise peewee.IntegrityError(
            f"{len(broken)} rows refer to rows that are missing, e.g. {table} row {rowid} to {parent}"
        )
