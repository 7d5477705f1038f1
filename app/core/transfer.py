"""Moving a store onto PostgreSQL: the open database copied whole into an empty server database.

Everything is copied: settings, templates, members (their password hashes, so they log in as
before), reset codes, batches (their claim tokens, so the links and posters already out keep
working where the same address reaches the new claim site), vouchers, the activity log, the
analytics counts, the erasure ledger, the point of sale's API keys (hashed: the tills' keys keep
working) and the webhooks (their undelivered events stay behind in the source). Rows keep their
ids, and the server's id sequences are moved past every id the source ever handed out (a deleted
batch's too: its id never comes back, as the activity log and exported files keep it). The one
thing not copied is the database's own random name (database-id): the copy is another database,
and a claim site serving one must not be taken for one serving the other.

The copy is read in one transaction (a consistent snapshot of the source) and written in one: the
target ends up with all of it or, on any failure, with nothing. It is refused while this PC's claim
site serves the source (claims made meanwhile would be missing from the copy), and into a database
that already holds a store."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import peewee

from app.core.store.identity import DATABASE_ID, PATH_KEY, secret_key
from app.core.store.migrations import init_db, schema_version
from app.core.store.models import (
    ALL_MODELS,
    Activity,
    ApiKey,
    Batch,
    DelayCount,
    Erasure,
    ExpiryCount,
    Member,
    ResetCode,
    Setting,
    SlotCount,
    Template,
    Voucher,
    Webhook,
)

from . import batches, doctor, erasures, settings, store
from .errors import InvalidInput
from .store import database, translated_errors

# In the order their foreign keys need; the schema_version row is the target's own (made by init_db).
COPIED = (
    Setting,
    Template,
    Member,
    ResetCode,
    Batch,
    Voucher,
    Activity,
    SlotCount,
    DelayCount,
    ExpiryCount,
    Erasure,
    ApiKey,
    Webhook,
)
# all settings but the database's own name, and the path its file was opened at
NOT_COPIED = f"\"key\" NOT IN ('{secret_key(DATABASE_ID)}', '{PATH_KEY}')"
# Where the claim site is: when the server's database has these already (the hosted guide sets the
# public URL there before the first `serve`), the server's are kept; every other setting is the store's.
SERVER_SETTINGS = (
    "public_base_url",
    "claim_site",
    "host",
    "port",
    "trusted_proxy",
    settings.secret_key(settings.SESSION_KEY),
)
# A target holding any of these holds a store: it is not written into. (Its activity log may hold
# the settings made there; the copied entries join them, with ids of the target's.)
STORE_TABLES = (Template, Member, Batch)
CHUNK = 20_000  # rows read, then written, at a time (progress is reported between chunks)


@dataclass(frozen=True)
class Copied:
    target: str  # the target as it may be shown (no password)
    rows: dict[str, int]  # table name -> rows copied
    kept: tuple[str, ...] = ()  # SERVER_SETTINGS the target had already: kept, not copied
    links_before: str = ""  # the claim links' base in the source (what links and posters already out carry)
    links_now: str = ""  # ... and in the copy (the server's own public URL when it had one)
    erased_again: int = 0  # members the erasure ledger names, erased in the copy

    def summary(self) -> str:
        n = self.rows
        return (
            f"Copied to {self.target}: {_some(n['template'], 'template')}, {_some(n['batch'], 'batch', 'batches')} "
            f"with {_some(n['voucher'], 'voucher')}, {_some(n['member'], 'member')} and "
            f"{_some(n['activity'], 'activity entry', 'activity entries')}, with the settings and the analytics counts."
            + (f" The server's own claim-site settings were kept: {', '.join(self.kept)}." if self.kept else "")
            + (
                f" {_some(self.erased_again, 'member')} that the erasure ledger names "
                f"{'was' if self.erased_again == 1 else 'were'} erased in the copy."
                if self.erased_again
                else ""
            )
        )


def _some(count: int, one: str, many: str = "") -> str:
    return f"{count:,} {one if count == 1 else many or one + 's'}"


def copy_to(target_url: str, password: str | None = None, progress: Callable[[int, int], None] | None = None) -> Copied:
    """Copy the open database into the empty PostgreSQL database at target_url (see the module).
    For the command line: while the target's schema is made, the models are bound to it, in every
    thread (Peewee's bind_ctx), so nothing else may be using them then."""
    if not target_url.startswith(("postgresql://", "postgres://")):
        raise InvalidInput(
            f"{target_url} is not a PostgreSQL address: copy to one written as postgresql://user@host:5432/database."
        )
    shown = store.without_password(target_url)
    if store.describe(target_url) == store.location():
        raise InvalidInput(f"{shown} is the database open now: copy it to another, empty, database.")
    _refuse_while_serving()
    batches.purge_deleted()  # the vouchers a deleted batch left (unseen, but the copy's keys would refuse them)
    source = database.obj
    target = store.server_handle(target_url, password)
    try:
        with translated_errors():
            target.connect()
            with target.bind_ctx(ALL_MODELS):  # the schema's helpers work on the models' database
                _refuse_a_store(target, shown)
                init_db(target, None)
            return _copy(source, target, shown, progress)
    finally:
        target.close()


def _refuse_while_serving() -> None:
    config = settings.load()
    site = doctor.local_site(config.port)
    if site is not None and site.ours:
        raise InvalidInput(
            f"The claim site on port {config.port} of this PC serves this database: members could claim while it is "
            "copied, and their vouchers would be missing from the copy. Stop it first (File → Quit in the window, or "
            "Ctrl+C where `voucher-batches serve` runs), then copy. Nothing was copied."
        )


def _refuse_a_store(target: peewee.Database, shown: str) -> None:
    if schema_version(target) is None:
        return
    for model in STORE_TABLES:
        if target.execute_sql(f'SELECT 1 FROM "{model._meta.table_name}" LIMIT 1').fetchone():
            raise InvalidInput(
                f"{shown} already holds a store's data ({model._meta.table_name} rows): the copy goes into an empty "
                "database only, so that nothing there is mixed up or overwritten. Nothing was copied."
            )


# Fields whose stored value goes to PostgreSQL as its text unchanged (SQLite's text of a timestamp is
# what PostgreSQL reads too); any other is converted as Peewee reads and writes it.
_AS_STORED = (peewee.IntegerField, peewee.CharField, peewee.TextField, peewee.DateTimeField, peewee.ForeignKeyField)
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]").search


def _copy_text(value: Any) -> str:
    """A value as a field of COPY's text format."""
    if value is None:
        return "\\N"
    if value.__class__ is not str:
        if isinstance(value, bool):
            return "t" if value else "f"
        if isinstance(value, bytes | bytearray | memoryview):
            return "\\\\x" + bytes(value).hex()
        value = str(value)
    return value.translate(_COPY_ESCAPES) if _NEEDS_ESCAPE(value) else value


def _cell_writer(field: peewee.Field) -> Callable[[Any], str]:
    if isinstance(field, _AS_STORED) and not (
        isinstance(field, peewee.ForeignKeyField) and not isinstance(field.rel_field, peewee.IntegerField)
    ):
        return _copy_text
    return lambda value: _copy_text(field.db_value(field.python_value(value)))


def _copy_rows(
    cursor: Any, table: str, fields: list[peewee.Field], writers: list[Callable[[Any], str]], chunk: list[Any]
) -> None:
    """COPY the rows in: PostgreSQL's bulk path (execute_values made an INSERT of them, 2-3x slower).
    A table whose every field goes as stored and whose text is never NULL goes as CSV, written by the
    csv module (every value quoted: a NULL is an empty value, said NULL again by FORCE_NULL for the
    columns that may hold one, none of them text); any other as COPY's text, a value at a time."""
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    if all(write is _copy_text for write in writers) and not any(
        f.null and isinstance(f, peewee.CharField | peewee.TextField) for f in fields
    ):
        buffer = io.StringIO()
        csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(chunk)
        buffer.seek(0)
        nullable = ", ".join(f'"{f.column_name}"' for f in fields if f.null)
        options = f"FORMAT csv, FORCE_NULL ({nullable})" if nullable else "FORMAT csv"
        cursor.copy_expert(f'COPY "{table}" ({columns}) FROM STDIN WITH ({options})', buffer)
        return
    text = "".join("\t".join([write(v) for write, v in zip(writers, row, strict=True)]) + "\n" for row in chunk)
    cursor.copy_expert(f'COPY "{table}" ({columns}) FROM STDIN', io.StringIO(text))


def _copy(
    source: peewee.Database, target: peewee.Database, shown: str, progress: Callable[[int, int], None] | None
) -> Copied:
    from psycopg2.extras import execute_values

    rows: dict[str, int] = {}
    kept: tuple[str, ...] = ()
    with source.atomic(), target.atomic():  # one snapshot read, one transaction written
        total = sum(_count(source, model) for model in COPIED)  # (what is read: database-id left out)
        done = 0
        if progress:
            progress(0, total)
        cursor = target.cursor()
        for model in COPIED:
            table = model._meta.table_name
            fields = list(model._meta.sorted_fields)
            if model is Activity:  # an entry is named by (at, id): new ids, in the same order, after the target's
                fields = [f for f in fields if f is not Activity.id]
            columns = ", ".join(f'"{f.column_name}"' for f in fields)
            order = ", ".join(f'"{f.column_name}"' for f in _key_fields(model))
            where = f" WHERE {NOT_COPIED}" if model is Setting else ""
            insert = f'INSERT INTO "{table}" ({columns}) VALUES %s'
            if model is Setting:
                server = ", ".join(f"'{k}'" for k in SERVER_SETTINGS)
                kept = tuple(
                    k
                    for (k,) in target.execute_sql(f'SELECT "key" FROM "{table}" WHERE "key" IN ({server}) ORDER BY 1')
                )
                insert += (
                    f' ON CONFLICT ("key") DO UPDATE SET "value" = EXCLUDED."value" WHERE "{table}"."key" NOT '
                    f"IN ({server})"
                )
            already = target.execute_sql(f'SELECT COUNT(*) FROM "{table}"{where}').fetchone()[0]
            read = source.execute_sql(f'SELECT {columns} FROM "{table}"{where} ORDER BY {order}')
            rows[table] = 0
            writers = [_cell_writer(f) for f in fields]
            while chunk := read.fetchmany(CHUNK):
                if model is Setting:  # an upsert (the server's own settings kept): a few rows
                    values = [
                        tuple(f.db_value(f.python_value(v)) for f, v in zip(fields, row, strict=True)) for row in chunk
                    ]
                    execute_values(cursor, insert, values, page_size=1000)
                else:
                    _copy_rows(cursor, table, fields, writers, chunk)
                rows[table] += len(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
            written = target.execute_sql(f'SELECT COUNT(*) FROM "{table}"{where}').fetchone()[0]
            if written - already != rows[table] and model is not Setting:  # (a setting made there is updated)
                raise InvalidInput(
                    f"The copy of {table} holds {written:,} rows, not {rows[table]:,}; nothing was copied."
                )
            if isinstance(model._meta.primary_key, peewee.AutoField):
                # the next id comes after every id the source ever handed out (a deleted row's too)
                target.execute_sql(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'GREATEST(COALESCE((SELECT MAX(id) FROM "{table}"), 0), %s) + 1, false)',
                    (_highest_id(source, table) if model is not Activity else 0,),
                )
        their_base = target.execute_sql(
            'SELECT "value" FROM "setting" WHERE "key" = %s', ("public_base_url",)
        ).fetchone()
        # the ledger came along; a member it names (brought back by an older restore) is erased there
        again = erasures.reapply(target, erasures.read_open(source))
    if again:
        target.execute_sql("VACUUM FULL member")  # (as members.erase_member: no dead row keeps the email)
    kept = tuple(k for k in kept if k in _keys(source))  # (only what the store had a setting of)
    return Copied(
        shown,
        rows,
        kept,
        links_before=settings.load().base_url,
        links_now=(their_base or ("",))[0].rstrip("/"),
        erased_again=len(again),
    )


def _highest_id(source: peewee.Database, table: str) -> int:
    """The highest id the source ever handed out in the table, its deleted rows' included (SQLite's
    AUTOINCREMENT keeps it in sqlite_sequence, PostgreSQL in the table's sequence); 0 if none."""
    if isinstance(source, peewee.SqliteDatabase):
        row = source.execute_sql("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).fetchone()
    else:
        sequence = source.execute_sql("SELECT pg_get_serial_sequence(%s, 'id')", (f'"{table}"',)).fetchone()[0]
        row = source.execute_sql(f"SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {sequence}").fetchone()
    return int(row[0]) if row and row[0] else 0


def _keys(source: peewee.Database) -> set[str]:
    return {k for (k,) in source.execute_sql(f'SELECT "key" FROM "{Setting._meta.table_name}"')}


def _count(source: peewee.Database, model: type[peewee.Model]) -> int:
    where = f" WHERE {NOT_COPIED}" if model is Setting else ""
    return source.execute_sql(f'SELECT COUNT(*) FROM "{model._meta.table_name}"{where}').fetchone()[0]


def _key_fields(model: type[peewee.Model]) -> list[peewee.Field[Any]]:
    key = model._meta.primary_key
    if isinstance(key, peewee.CompositeKey):
        return [model._meta.fields[name] for name in key.field_names]
    return [cast("peewee.Field[Any]", key)]  # every table copied has a primary key (never False)
