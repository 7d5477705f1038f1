"""A batch's claim window and its state: scheduled, active, paused or ended. The one rule (state) that
the claim decides by, inside its transaction, and that the window, the command line and the claim page
show; setting the window (set_schedule) and ending a campaign now (end_campaign).

Nothing starts or ends by itself except at the moments the manager set: a claim compares them with
the database's clock (models.database_now) when it is made, so no timer has to run anywhere."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from typing import Any

from app.core.store.models import Batch, Template, database_now

from . import settings, times
from .activity import Actor, record
from .errors import InvalidInput, NotFound
from .store import guarded, run_sql, write_transaction
from .templates import has_ended

SCHEDULED, ACTIVE, PAUSED, ENDED = "scheduled", "active", "paused", "ended"
STATES = (SCHEDULED, ACTIVE, PAUSED, ENDED)


def state(
    status: str, starts_at: datetime | None, ends_at: datetime | None, offer: Template | None, now: datetime
) -> str:
    """Where a batch stands at `now` (naive UTC): ended once its end has come (or its offer's fixed
    last day is over) — for good; else paused while the manager paused it; else scheduled before its
    start; else active. A paused batch says paused before its start too: it will not open then."""
    if ends_at is not None and now >= ends_at:
        return ENDED
    if offer is not None and has_ended(offer, now):
        return ENDED
    if status == "paused":
        return PAUSED
    if starts_at is not None and now < starts_at:
        return SCHEDULED
    return ACTIVE


# -- what a person types: a local date, or a date and time -------------------------------------


def _local_to_utc(moment: datetime) -> datetime:
    """A moment typed in the store's time (or with its own offset) as stored: naive UTC."""
    if moment.tzinfo is None:
        moment = times.in_store_zone(moment)
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def parse_moment(text: str, *, end: bool = False) -> datetime:
    """'2026-06-01' or '2026-06-01 09:30' (or 09:30:15, or with T, or with an offset) in the store's
    time zone, as stored (naive UTC). A date alone is its first instant as a start, and the end of it
    as an end (an end on 30 June takes claims all through 30 June)."""
    settings.cached()  # the store's zone, read once if never yet
    typed = " ".join((text or "").split())
    if not typed:
        raise InvalidInput("Give a date like 2026-06-01, or a date and time like 2026-06-01 09:00.")
    try:
        day = date.fromisoformat(typed)
    except ValueError:
        pass
    else:
        if end:
            return times.end_of_day_utc(day)
        return _local_to_utc(datetime.combine(day, time()))
    try:
        moment = datetime.fromisoformat(typed.replace(" ", "T", 1))
    except ValueError:
        raise InvalidInput(
            f"{text.strip()!r} is not a date like 2026-06-01 or a date and time like 2026-06-01 09:00."
        ) from None
    return _local_to_utc(moment.replace(microsecond=0))


# -- the database's clock -----------------------------------------------------------------------


def database_time() -> datetime:
    """Now by the clock claims are decided by (models.database_now), as stored: naive UTC."""
    sql, params = database_now()
    value = run_sql(f"SELECT {sql}", params).fetchone()[0]
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


# -- setting the window and ending ---------------------------------------------------------------

KEEP: Any = object()  # set_schedule: leave this end of the window as it is


def _window_row(batch_id: int) -> tuple[str, datetime | None, datetime | None]:
    """The batch's name, start and end, its row locked first (the lock order: the batch row before its
    vouchers; claims in flight finish first, the ones after see the change)."""
    row = run_sql(
        "SELECT name, starts_at, ends_at FROM batch WHERE id = :batch", {"batch": batch_id}, lock_rows=True
    ).fetchone()
    if row is None:
        raise NotFound(f"There is no batch with id {batch_id}.")
    name, starts_at, ends_at = row
    return name, Batch.starts_at.python_value(starts_at), Batch.ends_at.python_value(ends_at)


def _ended_sentence(name: str) -> str:
    return f"“{name}” has ended: it takes no claims ever again. Make a new batch like it to run the campaign again."


@guarded
def set_schedule(
    batch_id: int, starts_at: datetime | None = KEEP, ends_at: datetime | None = KEEP, actor: Actor | None = None
) -> None:
    """Open claims at starts_at (None: now, no start) and end them for good at ends_at (None: no
    end); KEEP leaves one as it is. An end must be in the future (End campaign ends one now) and
    after the start; a campaign that has ended keeps its dates. Recorded when anything changed."""
    with write_transaction():
        name, old_start, old_end = _window_row(batch_id)
        now = database_time()
        if old_end is not None and old_end <= now:
            raise InvalidInput(_ended_sentence(name))
        new_start = old_start if starts_at is KEEP else starts_at
        new_end = old_end if ends_at is KEEP else ends_at
        if ends_at is not KEEP and new_end is not None and new_end <= now:
            raise InvalidInput(
                f"The end {times.local_text(new_end, zone=True)} has passed; to end “{name}” now, use End campaign."
            )
        if new_start is not None and new_end is not None and new_end <= new_start:
            raise InvalidInput("A campaign must end after it starts.")
        if (new_start, new_end) == (old_start, old_end):
            return
        run_sql(
            "UPDATE batch SET starts_at = :starts, ends_at = :ends WHERE id = :batch",
            {"starts": Batch.starts_at.db_value(new_start), "ends": Batch.ends_at.db_value(new_end), "batch": batch_id},
        )
        record(
            "batch_scheduled",
            actor,
            batch_id=batch_id,
            batch_name=name,
            starts_at=times.iso(new_start),
            ends_at=times.iso(new_end),
        )


@guarded
def end_campaign(batch_id: int, actor: Actor | None = None) -> None:
    """End the campaign now, for good: no new claims, ever; the vouchers members hold stay valid until
    their own expiry and can be redeemed; the batch stays, with its numbers. Its end is now by the
    database's clock (a start still to come goes: it never opened). Ending an ended batch changes
    nothing and records nothing."""
    with write_transaction():
        name, starts_at, ends_at = _window_row(batch_id)
        now = database_time()
        if ends_at is not None and ends_at <= now:
            return
        run_sql(
            "UPDATE batch SET ends_at = :now, starts_at = :starts WHERE id = :batch",
            {
                "now": Batch.ends_at.db_value(now),
                "starts": Batch.starts_at.db_value(starts_at if starts_at is not None and starts_at < now else None),
                "batch": batch_id,
            },
        )
        record("batch_ended", actor, batch_id=batch_id, batch_name=name, ended_at=times.iso(now))


def refuse_when_ended(batch_id: int) -> None:
    """InvalidInput when the campaign has ended (resuming it would say Active while it takes no claims).
    Inside the resume's transaction, its row locked."""
    name, _, ends_at = _window_row(batch_id)
    if ends_at is not None and ends_at <= database_time():
        raise InvalidInput(_ended_sentence(name))


def end_confirmation(name: str, held: int) -> str:
    """What End campaign asks first: what ends, and what stays."""
    kept = f"the {held:,} vouchers members hold" if held != 1 else "the voucher a member holds"
    return (
        f"End “{name}” now? No new claims, ever: the claim page will say the promotion has ended. "
        f"{kept[:1].upper()}{kept[1:]} and have not used stay valid until they expire, and the batch stays "
        "with its numbers."
    )
