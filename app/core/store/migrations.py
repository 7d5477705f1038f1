"""Create a fresh database, or bring an older one up to the current schema (after a copy aside)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import peewee

from app.core.errors import BackupNeeded, DatabaseProblem

from .backups import default_folder
from .handle import location
from .models import (
    ALL_MODELS,
    ERASED_CHECK,
    SCHEDULE_CHECK,
    Activity,
    DelayCount,
    ExpiryCount,
    SchemaVersion,
    SlotCount,
    name_key,
    utcnow,
)

CURRENT_VERSION = 13


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


def _forbid_activity_changes(db: peewee.Database) -> None:
    """The log cannot be edited: the database itself refuses to change or delete an entry."""
    if isinstance(db, peewee.SqliteDatabase):
        for event in ("UPDATE", "DELETE"):
            db.execute_sql(
                f"CREATE TRIGGER IF NOT EXISTS activity_no_{event.lower()} BEFORE {event} ON activity"
                " BEGIN SELECT RAISE(ABORT, 'the activity log cannot be changed'); END"
            )
    elif isinstance(db, peewee.PostgresqlDatabase):
        db.execute_sql(
            "CREATE OR REPLACE FUNCTION activity_append_only() RETURNS trigger AS $$"
            " BEGIN RAISE EXCEPTION 'the activity log cannot be changed'"
            " USING ERRCODE = 'integrity_constraint_violation';"
            " END $$ LANGUAGE plpgsql"
        )
        db.execute_sql("DROP TRIGGER IF EXISTS activity_append_only ON activity")
        db.execute_sql(
            "CREATE TRIGGER activity_append_only BEFORE UPDATE OR DELETE ON activity"
            " FOR EACH ROW EXECUTE FUNCTION activity_append_only()"
        )


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


def _add_column(db: peewee.Database, model: type[peewee.Model], field: peewee.Field) -> None:
    """ALTER TABLE ... ADD COLUMN, the column written as the model (frozen in its step) writes it."""
    with db.bind_ctx([model]):
        ctx = db.get_sql_context()
        column, params = ctx.sql(field.ddl(ctx)).query()
        db.execute_sql(f"ALTER TABLE {model._meta.table_name} ADD COLUMN {column}", params)


# The kinds of entry the log holds from version 7 on, as that step wrote them (the models may add more).
_KINDS_V7 = (
    "template_created",
    "batch_created",
    "batch_paused",
    "batch_resumed",
    "batch_deleted",
    "voucher_redeemed",
    "redemption_undone",
    "settings_changed",
    "member_erased",
    "member_reset",
    "batch_edited",
    "batch_scheduled",
    "batch_ended",
    "template_edited",
    "template_archived",
    "template_restored",
    "template_deleted",
)


class _ActivityV7(peewee.Model):
    """The activity table as version 7 makes it anew on SQLite (its kinds widened)."""

    id = peewee.AutoField()
    at = peewee.DateTimeField()
    kind = peewee.CharField(
        max_length=32, constraints=[peewee.Check("kind IN (" + ", ".join(f"'{k}'" for k in _KINDS_V7) + ")")]
    )
    batch_id = peewee.IntegerField(null=True)
    batch_name = peewee.CharField(max_length=120, default="")
    code = peewee.CharField(max_length=40, null=True)
    till = peewee.CharField(max_length=64, default="")
    staff = peewee.CharField(max_length=64, default="")
    details = peewee.TextField(default="{}")

    class Meta:
        table_name = "activity"
        legacy_table_names = False
        indexes = ((("at", "id"), False), (("batch_id", "at", "id"), False), (("kind", "at", "id"), False))


_ActivityV7.add_index(_ActivityV7.index(_ActivityV7.code, _ActivityV7.id))
_ACTIVITY_INDEXES = ("activity_at_id", "activity_batch_id_at_id", "activity_kind_at_id", "activity_code_id")


def _widen_activity_kinds(db: peewee.Database) -> None:
    """Version 7 lets the log record edits, schedules, ends, and templates edited, archived, restored
    and deleted: the CHECK on its kinds lists them. PostgreSQL replaces the constraint; SQLite cannot
    change a CHECK, so the table is made anew and its entries copied, ids and all (the triggers that
    keep it append-only go first and come back last: the copy never updates or deletes an entry)."""
    kinds = ", ".join(f"'{k}'" for k in _KINDS_V7)
    if isinstance(db, peewee.PostgresqlDatabase):
        db.execute_sql("ALTER TABLE activity DROP CONSTRAINT activity_kind_check")
        db.execute_sql(f"ALTER TABLE activity ADD CONSTRAINT activity_kind_check CHECK (kind IN ({kinds}))")
        return
    for event in ("update", "delete"):
        db.execute_sql(f"DROP TRIGGER IF EXISTS activity_no_{event}")
    for index in _ACTIVITY_INDEXES:
        db.execute_sql(f"DROP INDEX IF EXISTS {index}")
    db.execute_sql("ALTER TABLE activity RENAME TO activity_before_v7")
    columns = "id, at, kind, batch_id, batch_name, code, till, staff, details"
    with db.bind_ctx([_ActivityV7]):
        _ActivityV7.create_table(safe=False)
    db.execute_sql(f"INSERT INTO activity ({columns}) SELECT {columns} FROM activity_before_v7")
    db.execute_sql("DROP TABLE activity_before_v7")
    _forbid_activity_changes(db)


class _BatchV8(peewee.Model):
    """The columns versions 8 and 9 add to the batch table, as they were then."""

    starts_at = peewee.DateTimeField(null=True)
    ends_at = peewee.DateTimeField(null=True, constraints=[peewee.Check(SCHEDULE_CHECK)])
    name_key = peewee.CharField(max_length=255, constraints=[peewee.SQL("DEFAULT ''")])

    class Meta:
        table_name = "batch"
        legacy_table_names = False


def _add_claim_window(db: peewee.Database) -> None:
    """Version 8 gives a batch a claim window: claims open at starts_at and end for good at ends_at
    (both empty for every batch made before: open now, no end, as they were)."""
    _add_column(db, _BatchV8, _BatchV8.starts_at)
    _add_column(db, _BatchV8, _BatchV8.ends_at)


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
    """Version 9 makes batch names unique (trimmed, any case: models.name_key), backed by a unique
    index on the compared form. Two batches of one name made before keep the older one's name; each
    later one is renamed "Name (2)", "Name (3)" ..., and the log records the rename, so a manager who
    looks for it finds why."""
    _add_column(db, _BatchV8, _BatchV8.name_key)
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
    if isinstance(db, peewee.PostgresqlDatabase):
        db.execute_sql("ALTER TABLE batch ALTER COLUMN name_key DROP DEFAULT")  # (SQLite cannot: KNOWN)
    db.execute_sql('CREATE UNIQUE INDEX "batch_name_key" ON "batch" ("name_key")')


def _log_rename(db: peewee.Database, batch_id: int, before: str, after: str) -> None:
    """The activity entry of a rename made by the update (by this PC, as version 7's log stores it)."""
    details = json.dumps({"name": [before, after], "reason": "another batch had this name"}, ensure_ascii=False)
    values = (Activity.at.db_value(utcnow()), batch_id, after, (socket.gethostname() or "this PC")[:64], details)
    mark = "%s" if isinstance(db, peewee.PostgresqlDatabase) else "?"
    db.execute_sql(
        "INSERT INTO activity (at, kind, batch_id, batch_name, code, till, staff, details)"
        f" VALUES ({mark}, 'batch_edited', {mark}, {mark}, NULL, {mark}, '', {mark})",
        values,
    )


class _TemplateV10(peewee.Model):
    archived_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "template"
        legacy_table_names = False


def _add_template_archive(db: peewee.Database) -> None:
    """Version 10 lets a template be archived: hidden from New batch, its batches untouched."""
    _add_column(db, _TemplateV10, _TemplateV10.archived_at)


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
    """Version 11: the offer of a template with claimed vouchers is fixed, by the database too."""
    _forbid_claimed_offer_changes(db)


def _add_sorting_and_expiry_indexes(db: peewee.Database) -> None:
    """Version 12 sorts the vouchers view by claim and redemption time with keyset pages, counts the
    vouchers still out there by expiry from a partial index of the claimed-not-redeemed ones, and
    sorts the Members page by when members joined: an index for each, so each stays one index range
    on a million rows."""
    db.execute_sql('CREATE INDEX "voucher_batch_id_claimed_at_id" ON "voucher" ("batch_id", "claimed_at", "id")')
    db.execute_sql('CREATE INDEX "voucher_batch_id_redeemed_at_id" ON "voucher" ("batch_id", "redeemed_at", "id")')
    db.execute_sql('CREATE INDEX "voucher_unredeemed_expiry" ON "voucher" ("batch_id", "expires_at") WHERE status = 1')
    db.execute_sql('CREATE INDEX "member_created_at" ON "member" ("created_at")')


def _count_unredeemed_by_expiry(db: peewee.Database) -> None:
    """Version 13 keeps, per batch and quarter hour, how many claimed vouchers not redeemed expire
    then (models.ExpiryCount), so a batch's page and the Channels page say what is still out there
    from a few hundred rows; the vouchers already claimed are counted once here."""
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


# MIGRATIONS[n] brings a database from version n to n + 1.
MIGRATIONS = {
    1: _v1_to_v2,
    2: _v2_to_v3,
    3: _add_activity_log,
    4: _add_batch_title,
    5: _add_analytics_counts,
    6: _widen_activity_kinds,
    7: _add_claim_window,
    8: _unique_batch_names,
    9: _add_template_archive,
    10: _fix_claimed_offers,
    11: _add_sorting_and_expiry_indexes,
    12: _count_unredeemed_by_expiry,
}


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
    return row.version if row else None


def backup_copy(path: Path, version: int) -> Path:
    """Copy a SQLite database aside (consistently, WAL included) before it is migrated."""
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.v{version}-{stamp}.bak")
    try:
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
    a copy of a SQLite file beside it, a pg_dump of a PostgreSQL database in the data folder's backups."""
    version = schema_version(db)
    if version is None:
        with db.atomic():
            db.create_tables(ALL_MODELS)
            _forbid_activity_changes(db)
            _forbid_claimed_offer_changes(db)
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
    if path is not None:
        backup: Path | None = backup_copy(path, version)
    elif isinstance(db, peewee.PostgresqlDatabase):
        backup = dump_before_migrating(db, version, have_backup)
    else:
        backup = None
    with db.atomic():
        for step in range(version, CURRENT_VERSION):
            MIGRATIONS[step](db)
        SchemaVersion.update(version=CURRENT_VERSION).execute()
    return backup
