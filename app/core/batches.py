"""Batches: generate one (all or nothing), read every batch's metrics, pause, resume, delete; names
unique among them (any case, spaces trimmed)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from itertools import repeat
from operator import itemgetter
from typing import Any

import peewee
from peewee import fn

from app.core.store.models import (
    CHANNELS,
    MAX_QUANTITY,
    TEMPLATE_COLUMNS,
    Batch,
    DelayCount,
    ExpiryCount,
    SlotCount,
    Template,
    Voucher,
    as_datetime,
    from_row,
    name_key,
    utcnow,
)

from . import codes, rates, schedule, settings, times, wording
from .activity import Actor, record
from .errors import GenerationCancelled, InvalidInput, NotFound
from .store import bulk_cache, database, guarded, run_many, run_sql, write_transaction
from .templates import public_title
from .vouchers import batch_row

CHUNK = 50_000  # vouchers written between two progress reports

Progress = Callable[[int, int], None]


class BatchSummary(tuple[tuple[Any, ...], str, str]):
    """A batch with its metrics, as the dashboard card, `batch list` and the JSON show it.

    The dashboard reads a thousand of these every second, so one is made by a single C call: it
    holds the batch's row as read (_SUMMARY_FIELDS' columns, as the driver gives them), where the
    batch stands as of that read (schedule.STATES) and the claim site's address. Its fields read
    from them, and what is made from them (the claim link, the public title, the times as datetimes)
    is made when asked. Two summaries are equal when their rows, states and addresses are."""

    __slots__ = ()

    def __new__(cls, row: Sequence[Any], status: str, base_url: str) -> BatchSummary:
        return tuple.__new__(cls, (tuple(row), status, base_url))

    @property
    def id(self) -> int:
        return self[0][0]

    @property
    def name(self) -> str:
        return self[0][1]

    @property
    def description(self) -> str:
        return self[0][2]

    @property
    def status(self) -> str:
        """Where it stands as of when it was read: schedule.STATES (scheduled, active, paused, ended)."""
        return self[1]

    @property
    def paused(self) -> bool:
        """The manager's pause (an ended batch may have been paused too)."""
        return self[0][3] == "paused"

    @property
    def channel(self) -> str:
        return self[0][4]

    @property
    def total(self) -> int:
        return self[0][5]

    @property
    def claimed(self) -> int:
        return self[0][6]

    @property
    def redeemed(self) -> int:
        return self[0][7]

    @property
    def token(self) -> str:
        return self[0][8]

    @property
    def claim_url(self) -> str:
        return settings.claim_link(self[2], self[0][8])

    @property
    def created_at(self) -> datetime:
        return as_datetime(self[0][9])

    @property
    def template_id(self) -> int:
        return self[0][10]

    @property
    def custom_title(self) -> str:
        """The title as set; empty: none."""
        return self[0][11]

    @property
    def title(self) -> str:
        """The public title members read (the offer's name until one is set)."""
        return public_title(self[0][11], self[0][12])

    @property
    def starts_at(self) -> datetime | None:
        """Claims open then (naive UTC); None: at once."""
        return as_datetime(self[0][13])

    @property
    def ends_at(self) -> datetime | None:
        """Claims end for good then; None: no end."""
        return as_datetime(self[0][14])

    @property
    def available(self) -> int:
        return self.total - self.claimed

    @property
    def redemption_rate(self) -> float | None:
        """Redeemed ÷ Claimed × 100, exact, or None while nothing is claimed."""
        return rates.redemption_rate(self.claimed, self.redeemed)

    @property
    def rate_text(self) -> str:
        """The rate as people read it (card, `batch list`): wording.rate_text."""
        return wording.rate_text(self.claimed, self.redeemed)

    def _fields(self) -> tuple[Any, ...]:
        return (
            self.id,
            self.name,
            self.description,
            self.status,
            self.channel,
            self.total,
            self.claimed,
            self.redeemed,
            self.claim_url,
            self.created_at,
            self.template_id,
            self.token,
            self.title,
            self.custom_title,
            self.starts_at,
            self.ends_at,
            self.paused,
        )

    # Equal when their fields are (a batch read from SQLite, whose driver gives text for times, equals
    # the same batch read from a server database); the same row, state and address say so at once.
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BatchSummary):
            return NotImplemented
        return tuple.__eq__(self, other) or self._fields() == other._fields()

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = None  # type: ignore[assignment]  # (as the dataclass it was: equal by fields, not hashable)

    def __repr__(self) -> str:
        return f"BatchSummary(id={self.id!r}, name={self.name!r}, status={self.status!r})"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "status": self.status,
            "channel": self.channel,
            "total": self.total,
            "claimed": self.claimed,
            "redeemed": self.redeemed,
            "claim_url": self.claim_url,
            "created_at": times.iso(self.created_at),
            "title": self.title,
            "starts_at": times.iso(self.starts_at),
            "ends_at": times.iso(self.ends_at),
            "available": self.available,
            "redemption_rate": rates.rate_json(self.claimed, self.redeemed),  # machines get a decimal
        }


_SUMMARY_FIELDS = (
    Batch.id,
    Batch.name,
    Batch.description,
    Batch.status,
    Batch.channel,
    Batch.quantity,
    Batch.claimed_count,
    Batch.redeemed_count,
    Batch.token,
    Batch.created_at,
    Batch.template,
    Batch.title,
    Template.title,
    Batch.starts_at,
    Batch.ends_at,
    Template.expires_on,
)


def batch_public_title(batch: Batch) -> str:
    """public_title of a Batch read with its template (find_by_token's)."""
    return public_title(batch.title, batch.template.title)


def _summaries(rows: Iterable[Sequence[Any]], base_url: str) -> list[BatchSummary]:
    # Straight from the driver's cursor: Peewee's per-row conversion costs more than the query.
    # The dashboard reads a thousand rows a second, so no Python runs per row: each summary is the
    # row with its state, made by tuple.__new__ mapped over them. Most batches have no start, no
    # end and no fixed last day: their state depends on the stored status alone, and
    # schedule.state says it once per status; a batch with any of those is said by it alone.
    rows = list(rows)
    if not rows:
        return []
    now = utcnow()
    statuses, starts, ends, expires = (list(map(itemgetter(i), rows)) for i in (3, 13, 14, 15))
    plain = {status: schedule.state(status, None, None, None, now) for status in set(statuses)}
    states: Iterable[str] = map(plain.__getitem__, statuses)
    n = len(rows)
    if starts.count(None) != n or ends.count(None) != n or expires.count(None) != n:
        states = [
            schedule.state(status, as_datetime(start), as_datetime(end), _offer(last_day), now)
            if (start or end or last_day)
            else plain[status]
            for status, start, end, last_day in zip(statuses, starts, ends, expires, strict=True)
        ]
    return list(map(tuple.__new__, repeat(BatchSummary, n), zip(rows, states, repeat(base_url, n), strict=True)))


def _offer(expires_on: Any) -> Template | None:
    """The offer's fixed last day, as schedule.state reads it from a Template."""
    return Template(expires_on=Template.expires_on.python_value(expires_on)) if expires_on is not None else None


def _status_choice(status: str | None) -> str | None:
    if status and status not in schedule.STATES:
        raise InvalidInput(f"A batch's status is one of: {', '.join(schedule.STATES)}.")
    return status or None


@guarded
def list_batches(search: str = "", status: str | None = None, channel: str | None = None) -> list[BatchSummary]:
    """Every batch with its metrics and where it stands now, newest first, from one query (the counts
    live on the batch row). status: only the batches in that state (schedule.STATES)."""
    wanted = _status_choice(status)
    if search or channel:
        query = Batch.select(*_SUMMARY_FIELDS).join(Template).order_by(Batch.created_at.desc(), Batch.id.desc())
        if search:
            query = query.where(fn.LOWER(Batch.name).contains(search.strip().lower()))
        if channel:
            query = query.where(Batch.channel == channel)
        rows = database.execute(query)
    else:  # the dashboard's read, every second: the statement built once
        rows = database.obj.execute_sql(_every_batch_sql(type(database.obj).__name__))
    found = _summaries(rows, settings.load().base_url)
    return [b for b in found if b.status == wanted] if wanted else found


@lru_cache(maxsize=4)
def _every_batch_sql(_kind: str) -> str:
    """list_batches' statement without filters, as the open database's kind writes it."""
    query = Batch.select(*_SUMMARY_FIELDS).join(Template).order_by(Batch.created_at.desc(), Batch.id.desc())
    sql, params = database.get_sql_context().sql(query).query()
    assert not params  # nothing to bind: the text alone is the statement
    return sql


@guarded
def get_batch(batch_id: int) -> BatchSummary:
    found = _summaries(
        database.execute(Batch.select(*_SUMMARY_FIELDS).join(Template).where(Batch.id == batch_id)),
        settings.load().base_url,
    )
    if not found:
        raise NotFound(f"There is no batch with id {batch_id}.")
    return found[0]


_BATCH_COLUMNS = (
    "id",
    "name",
    "starts_at",
    "ends_at",
    "title",
    "description",
    "channel",
    "template",
    "quantity",
    "status",
    "token",
    "code_prefix",
    "code_length",
    "claimed_count",
    "redeemed_count",
    "created_at",
)


@guarded
def find_by_token(token: str) -> Batch | None:
    """The batch behind a claim link, with its template, or None (unknown or deleted).

    Plain SQL: every visit to a claim page starts here."""
    if not token or len(token) > 64:
        return None
    columns = ", ".join(f"b.{Batch._meta.fields[name].column_name}" for name in _BATCH_COLUMNS)
    row = run_sql(
        f"SELECT {columns}, {', '.join('t.' + name for name in TEMPLATE_COLUMNS)}"
        " FROM batch b JOIN template t ON t.id = b.template_id WHERE b.token = :token",
        {"token": token},
    ).fetchone()
    if row is None:
        return None
    batch = from_row(Batch, _BATCH_COLUMNS, row[: len(_BATCH_COLUMNS)])
    batch.template = from_row(Template, TEMPLATE_COLUMNS, row[len(_BATCH_COLUMNS) :])
    return batch


def validate_title(title: str) -> str:
    title = " ".join((title or "").split())
    if len(title) > 120:
        raise InvalidInput("A public title is at most 120 characters.")
    return title


def validate_name(name: str) -> str:
    """The name as kept: trimmed, inner spaces collapsed (two names that look alike are alike)."""
    name = " ".join((name or "").split())
    if not name or len(name) > 120:
        raise InvalidInput("A batch needs a name of 1 to 120 characters.")
    return name


def validate_channel(channel: str) -> str:
    if channel not in CHANNELS:
        raise InvalidInput(f"The channel must be one of: {', '.join(CHANNELS)}.")
    return channel


def validate_description(description: str) -> str:
    description = (description or "").strip()
    if len(description) > 2000:
        raise InvalidInput("The description is at most 2,000 characters.")
    return description


def _validate(name: str, quantity: int, channel: str, description: str) -> tuple[str, str]:
    name = validate_name(name)
    if type(quantity) is not int or not 1 <= quantity <= MAX_QUANTITY:  # (True is an int too)
        raise InvalidInput(f"The quantity must be a whole number from 1 to {MAX_QUANTITY:,}.")
    validate_channel(channel)
    return name, validate_description(description)


def _taken_sentence(name: str, holder: str) -> str:
    also = "" if holder == name else f" (“{holder}”)"
    return f"The name “{name}” is already taken by another batch{also}; choose another."


@guarded
def name_taken(name: str, except_batch: int | None = None) -> str | None:
    """Why this name cannot be a batch's (already taken, in any case and spacing, by another than
    except_batch), as the sentence to show; None when it is free. The window asks while the name is
    typed; create, edit and clone refuse with the same sentence."""
    key = name_key(name)
    if not key:
        return None
    query = Batch.select(Batch.name).where(Batch.name_key == key)
    if except_batch is not None:
        query = query.where(Batch.id != except_batch)
    holder = query.scalar()
    return _taken_sentence(" ".join(name.split()), holder) if holder is not None else None


@guarded
def free_name(name: str) -> str:
    """A name like this one that no batch has: "Spring - Email (2)", "(3)" ... (for a batch like it)."""
    base = validate_name(name)
    number = 2
    while True:
        suffix = f" ({number})"
        candidate = base[: 120 - len(suffix)].rstrip() + suffix
        if name_taken(candidate) is None:
            return candidate
        number += 1


def _refuse_taken(name: str, except_batch: int | None = None) -> None:
    said = name_taken(name, except_batch)
    if said is not None:
        raise InvalidInput(said)


@contextmanager
def _names_checked(name: str, except_batch: int | None = None) -> Iterator[None]:
    """A write that gives a batch this name: refused in a sentence when the name is taken, also when
    another program took it a moment before (the unique index on name_key, the last guard)."""
    try:
        yield
    except peewee.IntegrityError:
        said = name_taken(name, except_batch)
        if said is None:
            raise
        raise InvalidInput(said) from None


def channel_named(text: str) -> str:
    """The channel a person or a script means: 'email', 'in-store-qr', 'Social media' ..."""
    wanted = "".join(ch for ch in (text or "").lower() if ch.isalnum())
    for channel in CHANNELS:
        if "".join(ch for ch in channel.lower() if ch.isalnum()) == wanted:
            return channel
    raise InvalidInput(f"Unknown channel {text!r}; choose one of: {', '.join(CHANNELS)}.")


@guarded
def create_batch(
    name: str,
    template: Template | int | None,
    quantity: int,
    channel: str = "Other",
    description: str = "",
    prefix: str = "",
    code_length: int | None = None,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
    actor: Actor | None = None,
    title: str = "",
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    like: int | None = None,
) -> BatchSummary:
    """Generate a batch and exactly `quantity` unique vouchers in one transaction: all or nothing.

    progress(done, total) is called between chunks; should_stop() returning True (or a
    KeyboardInterrupt) rolls everything back. starts_at / ends_at: its claim window (naive UTC; see
    app.core.schedule). like: the batch it was made like (clone_batch), which may use an archived offer."""
    name, description = _validate(name, quantity, channel, description)
    title = validate_title(title)
    settings.choose_claim_base()  # the first link printed fixes where every link points
    try:
        prefix = codes.normalise_prefix(prefix)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    if template is None:
        raise InvalidInput("Choose the offer, or create a template for it.")
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        raise InvalidInput("A campaign must end after it starts.")
    template_id = template.id if isinstance(template, Template) else int(template)
    with _names_checked(name), write_transaction():
        offer = Template.select(Template.title, Template.archived_at).where(Template.id == template_id).first()
        if offer is None:
            raise NotFound(f"There is no template with id {template_id}.")
        if offer.archived_at is not None and like is None:
            raise InvalidInput(
                f"The template “{offer.title}” is archived; restore it to make new batches with it "
                f"(voucher-batches template archive {template_id} --restore)."
            )
        _refuse_taken(name)
        if ends_at is not None and ends_at <= schedule.database_time():
            raise InvalidInput(f"The end {times.local_text(ends_at, zone=True)} has passed; choose a later one.")
        length = code_length or codes.DEFAULT_LENGTH
        if not codes.MIN_LENGTH <= length <= codes.MAX_LENGTH:
            raise InvalidInput(
                f"Codes are {codes.MIN_LENGTH} to {codes.MAX_LENGTH} characters long (after the prefix)."
            )
        sharing = (
            Batch.select(fn.COALESCE(fn.SUM(Batch.quantity), 0))
            .where(Batch.code_prefix == prefix, Batch.code_length == length)
            .scalar()
        )
        if codes.guess_chance(sharing + quantity, length) >= codes.MAX_GUESS_CHANCE:
            raise InvalidInput(
                f"Codes of {length} characters would be guessable with {sharing + quantity:,} vouchers in use: "
                f"use at least {codes.minimum_length(sharing + quantity)} characters."
            )
        batch = Batch.create(
            name=name,
            name_key=name_key(name),
            starts_at=starts_at,
            ends_at=ends_at,
            title=title,
            description=description,
            channel=channel,
            template=template_id,
            quantity=quantity,
            token=secrets.token_urlsafe(24),
            code_prefix=prefix,
            code_length=length,
        )
        with bulk_cache():
            _insert_vouchers(batch.id, quantity, length, prefix, progress, should_stop)
        window: dict[str, Any] = (
            {"starts_at": times.iso(starts_at), "ends_at": times.iso(ends_at)} if starts_at or ends_at else {}
        )
        cloned: dict[str, Any] = {"like": like} if like is not None else {}
        record("batch_created", actor, batch_id=batch.id, batch_name=name, quantity=quantity, **window, **cloned)
    return get_batch(batch.id)


KEEP: Any = schedule.KEEP  # edit_batch: leave this as it is


@guarded
def edit_batch(
    batch_id: int,
    name: str = KEEP,
    channel: str = KEEP,
    description: str = KEEP,
    title: str = KEEP,
    actor: Actor | None = None,
) -> BatchSummary:
    """Fix what was typed: the name (unique), the channel, the description, the public title (empty:
    the offer's name again). The Total stays as generated. Recorded in the activity log with what
    changed, from what to what; nothing is recorded when nothing changed."""
    wanted: dict[str, str] = {}
    if name is not KEEP:
        wanted["name"] = validate_name(name)
    if channel is not KEEP:
        wanted["channel"] = validate_channel(channel)
    if description is not KEEP:
        wanted["description"] = validate_description(description)
    if title is not KEEP:
        wanted["title"] = validate_title(title)
    with _names_checked(wanted.get("name", ""), batch_id), write_transaction():
        _lock_batch(batch_id)
        row = (
            Batch.select(Batch.name, Batch.channel, Batch.description, Batch.title).where(Batch.id == batch_id).first()
        )
        if row is None:
            raise NotFound(f"There is no batch with id {batch_id}.")
        changes: dict[str, Any] = {
            field: [getattr(row, field), value] for field, value in wanted.items() if getattr(row, field) != value
        }
        if changes:
            if "name" in changes:
                _refuse_taken(wanted["name"], batch_id)
            update = {field: new for field, (_, new) in changes.items()}
            if "name" in update:
                update["name_key"] = name_key(update["name"])
            Batch.update(**update).where(Batch.id == batch_id).execute()
            record("batch_edited", actor, batch_id=batch_id, batch_name=wanted.get("name", row.name), **changes)
    return get_batch(batch_id)


@guarded
def clone_batch(
    batch_id: int,
    name: str,
    quantity: int | None = None,
    actor: Actor | None = None,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> BatchSummary:
    """A new batch like this one — the same offer, channel, public title, description and code
    style — under a new name, with its own claim link and vouchers (quantity: the same as this one's
    unless given). For more vouchers than a batch was made with: its Total stays fixed."""
    source = run_sql(
        "SELECT template_id, quantity, channel, description, code_prefix, code_length, title FROM batch WHERE id = :id",
        {"id": batch_id},
    ).fetchone()
    if source is None:
        raise NotFound(f"There is no batch with id {batch_id}.")
    template_id, total, channel, description, prefix, length, title = source
    return create_batch(
        name,
        template_id,
        total if quantity is None else quantity,
        channel,
        description,
        prefix=prefix,
        code_length=length,
        progress=progress,
        should_stop=should_stop,
        actor=actor,
        title=title,
        like=batch_id,
    )


def _insert_vouchers(
    batch_id: int,
    quantity: int,
    length: int,
    prefix: str,
    progress: Progress | None,
    should_stop: Callable[[], bool] | None,
) -> None:
    """Bulk insert through the driver (Peewee's insert_many is 4x slower here). SQLite: the driver's
    executemany, one statement run per row inside the process; a code already taken is skipped (ON
    CONFLICT DO NOTHING) and drawn again: the row count says how many went in. PostgreSQL: COPY, the
    server's bulk path, a chunk at a time (_copy_chunk)."""
    on_server = isinstance(database.obj, peewee.PostgresqlDatabase)
    done = 0
    if progress:
        progress(0, quantity)
    while done < quantity:
        if should_stop and should_stop():
            raise GenerationCancelled("Generation cancelled; no batch was created.")
        batch_codes = codes.random_codes(min(CHUNK, quantity - done), length, prefix)
        if on_server:
            done += _copy_chunk(batch_id, batch_codes)
        else:
            cursor = run_many(
                "INSERT INTO voucher (batch_id, code, status) VALUES (:batch, :code, 0) ON CONFLICT DO NOTHING",
                ({"batch": batch_id, "code": code} for code in batch_codes),
            )
            done += cursor.rowcount
        if progress:
            progress(done, quantity)


def _copy_chunk(batch_id: int, batch_codes: list[str]) -> int:
    """COPY a chunk of new vouchers in (psycopg2's copy_expert); how many went in. COPY cannot skip a
    code already taken: then the chunk is undone alone (a savepoint) and 0 returned, so that the caller
    draws it anew (with 10-character codes, about once in millions of chunks; the codes of one chunk
    are made unique first)."""
    import io

    from psycopg2 import errors  # (only here: the server's driver, present when a server database is open)

    text = "".join(f"{batch_id}\t{code}\t0\n" for code in batch_codes)
    with database.obj.atomic():  # a savepoint inside the batch's transaction
        try:
            with database.obj.atomic():
                database.obj.cursor().copy_expert("COPY voucher (batch_id, code, status) FROM STDIN", io.StringIO(text))
        except (errors.UniqueViolation, peewee.IntegrityError):
            return 0
    return len(batch_codes)


def _lock_batch(batch_id: int) -> None:
    """FOR UPDATE on the batch row, first (the lock order: app.core.claims): a pause, a resume or a
    delete waits for the claims and redemptions in flight, and the ones after it see its result."""
    run_sql("SELECT id FROM batch WHERE id = :batch", {"batch": batch_id}, lock_rows=True).fetchone()


def _set_status(batch_id: int, status: str, kind: str, actor: Actor | None) -> BatchSummary:
    with write_transaction():
        _lock_batch(batch_id)
        batch = batch_row(batch_id)
        if status == "active":
            schedule.refuse_when_ended(batch_id)
        if batch.status != status:  # pausing a paused batch changes nothing, and records nothing
            Batch.update(status=status).where(Batch.id == batch_id).execute()
            record(kind, actor, batch_id=batch_id, batch_name=batch.name)
    return get_batch(batch_id)


def set_title(batch_id: int, title: str, actor: Actor | None = None) -> BatchSummary:
    """Change the public title (empty: the offer's name again); claim pages and new prints show it at once."""
    return edit_batch(batch_id, title=title, actor=actor)


@guarded
def pause_batch(batch_id: int, actor: Actor | None = None) -> BatchSummary:
    """Stop new claims; claimed vouchers stay valid and redeemable. Pausing twice is harmless."""
    return _set_status(batch_id, "paused", "batch_paused", actor)


@guarded
def resume_batch(batch_id: int, actor: Actor | None = None) -> BatchSummary:
    """Allow claims again, silently. Resuming an active batch is harmless."""
    return _set_status(batch_id, "active", "batch_resumed", actor)


@guarded
def delete_batch(batch_id: int, actor: Actor | None = None, purge_now: bool = True) -> int:
    """Delete the batch and all its vouchers (claimed ones too) for good; returns how many vouchers went.
    The activity log keeps the batch's entries, and one more saying how many went.

    On SQLite the batch goes at once, in one transaction: its row (so it is gone from every view:
    every read of a voucher goes through its batch) and its counts, its vouchers left for
    purge_deleted, which deletes them a chunk at a time, each chunk a transaction of its own, so
    that claims and the till go on meanwhile. purge_now: purge them before returning (the command
    line); the window purges in the background. A kill at any moment leaves the batch whole or gone,
    and the vouchers of a gone batch unseen until a purge finishes them. On a server database (its
    keys cannot be set aside) the vouchers go in the same transaction as the batch."""
    if not isinstance(database.obj, peewee.SqliteDatabase) or database.obj.in_transaction():
        return _delete_whole(batch_id, actor)
    with write_transaction(foreign_keys=False):  # the vouchers stay behind on purpose, for the purge
        _lock_batch(batch_id)
        batch = batch_row(batch_id)
        left = run_sql("SELECT COUNT(*) FROM voucher WHERE batch_id = :batch", {"batch": batch_id}).fetchone()[0]
        for counts in (SlotCount, DelayCount, ExpiryCount):  # (with the keys off, nothing cascades)
            run_sql(f"DELETE FROM {counts._meta.table_name} WHERE batch_id = :batch", {"batch": batch_id})
        Batch.delete().where(Batch.id == batch_id).execute()
        _record_deleted(batch, actor, left)
    if purge_now:
        purge_deleted()
    return left


def _delete_whole(batch_id: int, actor: Actor | None) -> int:
    with write_transaction():
        _lock_batch(batch_id)  # before its vouchers, as a claim locks them
        batch = batch_row(batch_id)
        deleted = Voucher.delete().where(Voucher.batch == batch_id).execute()
        Batch.delete().where(Batch.id == batch_id).execute()
        _record_deleted(batch, actor, deleted)
    return deleted


def _record_deleted(batch: Batch, actor: Actor | None, vouchers: int) -> None:
    record(
        "batch_deleted",
        actor,
        batch_id=batch.id,
        batch_name=batch.name,
        vouchers=vouchers,
        claimed=batch.claimed_count,
        redeemed=batch.redeemed_count,
    )


PURGE_CHUNK = 20_000  # vouchers of a deleted batch deleted in one transaction (about 0.1 s on SQLite)


@guarded
def purge_deleted(chunk: int = PURGE_CHUNK, should_stop: Callable[[], bool] | None = None) -> int:
    """Delete the vouchers that deleted batches left (delete_batch), a chunk at a time, each in a
    transaction of its own; how many went. Safe to run at any time, from any program, again after
    a kill: what a chunk deleted stays deleted. Such vouchers are found by their batch's id, which
    no batch has any more (ids are never handed out again)."""
    purged = 0
    with bulk_cache():  # every index of the vouchers loses entries: kept in memory from chunk to chunk
        for batch_id in _left_behind():
            while True:
                if should_stop and should_stop():
                    return purged
                with write_transaction():
                    gone = run_sql(
                        "DELETE FROM voucher WHERE id IN"
                        " (SELECT id FROM voucher WHERE batch_id = :batch LIMIT :chunk)"
                        " AND NOT EXISTS (SELECT 1 FROM batch WHERE id = :batch)",
                        {"batch": batch_id, "chunk": chunk},
                    ).rowcount
                purged += gone
                if gone < chunk:
                    break
    return purged


def _left_behind() -> list[int]:
    """The batch ids that vouchers have and no batch has: one look-up on the voucher(batch_id) index
    per batch id there (a few milliseconds for a thousand batches), not a scan of the vouchers."""
    if not isinstance(database.obj, peewee.SqliteDatabase):
        return []  # (a server database deletes a batch's vouchers with it)
    batches = {row[0] for row in run_sql("SELECT id FROM batch").fetchall()}
    found: list[int] = []
    after = 0
    while True:
        row = run_sql("SELECT MIN(batch_id) FROM voucher WHERE batch_id > :after", {"after": after}).fetchone()
        if row is None or row[0] is None:
            return found
        after = row[0]
        if after not in batches:
            found.append(after)


def delete_confirmation(summary: BatchSummary) -> str:
    """The spec's confirmation sentence, with the batch's count."""
    return (
        "Are you sure you want to permanently delete this batch? "
        f"{summary.total:,} vouchers will be permanently deleted."
    )
