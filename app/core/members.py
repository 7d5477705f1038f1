"""Member accounts: the password rule, sessions the server can end, one-time password resets from
the store, and what the store owes a member (their data, and erasing them).

Passwords arrive here already hashed for storage; only validate_password sees one in clear."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import peewee

from app.core.store.models import Member, ResetCode, Voucher, as_datetime, utcnow
from app.resources import resource_path

from . import activity, erasures, files, settings, times, vouchers
from .errors import AccountExists, DatabaseProblem, InvalidInput, NotFound
from .store import backups, database, guarded, run_sql, write_transaction
from .store import explain as store_sentence

# What was done to whose account goes to the log by member id, never by email or name: the log is
# kept for months, and an erased member must not live on in it.
log = logging.getLogger(__name__)

_EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")

MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # hashing a huge "password" is a cheap way to tie up a thread
# The rule as a member reads it before choosing (the register, reset and change forms), so that a
# refusal after submitting is no surprise.
PASSWORD_RULE = (
    f"At least {MIN_PASSWORD} characters. Common passwords (like password123) and your email address are refused: "
    "they are the first anyone would guess."
)
# A member who keeps using the site stays logged in: a session ends this long after the member's last
# visit, not after logging in. Its cookie is renewed at most once a SESSION_RENEWED (a page that
# re-signs it on every view would cost every request), and ending it is unchanged: logout, a new
# password or the store's "sign out everywhere" raise the generation that every copy of it carries.
SESSION_LASTS = timedelta(days=30)
SESSION_RENEWED = timedelta(days=1)
RESET_VALID = timedelta(hours=24)
RESET_REFUSED = (
    "This password reset link cannot be used: it was used already, it is more than 24 hours old, "
    "or a newer one was made. Ask the store for a new one."
)


@dataclass(frozen=True)
class MemberRow:
    """A member as the Members page and `member find` list them."""

    id: int
    email: str
    name: str
    created_at: datetime
    vouchers: int  # claimed or redeemed, in batches that still exist

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "email": self.email,
            "name": self.name,
            "created_at": times.iso(self.created_at),
            "vouchers": self.vouchers,
        }


@dataclass(frozen=True)
class SessionMember:
    """The member a claim-site session belongs to, while that session is still good."""

    id: int
    email: str
    name: str
    generation: int  # what a session must carry to be this member's


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def validate_email(email: str) -> str:
    email = normalise_email(email)
    if len(email) > 254 or not _EMAIL_RE.match(email):
        raise InvalidInput("Enter a valid email address, like name@example.com.")
    return email


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    text = resource_path("passwords", "common.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def validate_password(password: str, email: str = "") -> str:
    """The one password rule (register, reset, change): 8 to 1024 characters, not one of the most
    common passwords (which are guessed first) and not the email itself."""
    password = password or ""
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"Use at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(f"Use at most {MAX_PASSWORD} characters.")
    lowered = password.lower()
    email = normalise_email(email)
    if lowered in _common_passwords() or (email and lowered in (email, email.partition("@")[0])):
        raise InvalidInput("This password is one of the first that anyone would guess; choose another.")
    return password


@guarded
def create_member(email: str, password_hash: str, name: str = "") -> Member:
    email = validate_email(email)
    name = (name or "").strip()
    if len(name) > 120:
        raise InvalidInput("A name is at most 120 characters.")
    try:
        with write_transaction():
            return Member.create(email=email, name=name, password_hash=password_hash)
    except peewee.IntegrityError:
        raise AccountExists("An account with this email already exists; log in instead.") from None


_LIVE = Member.erased_at.is_null()


@guarded
def find_member(email: str) -> Member | None:
    """The account with this email, if there is one (an erased member has none)."""
    return Member.get_or_none((Member.email == normalise_email(email)) & _LIVE)


@guarded
def get_member(member_id: int) -> Member | None:
    return Member.get_or_none((Member.id == member_id) & _LIVE)


@guarded
def member_with_email(email: str) -> Member:
    """The account with this email, or NotFound saying so (for the manager's commands)."""
    member = find_member(email)
    if member is None:
        raise NotFound(f"No member has the email {normalise_email(email) or '(none)'}.")
    return member


def _live(member_id: int) -> Member:
    member = get_member(member_id)
    if member is None:
        raise NotFound(f"There is no member with id {member_id} (any more).")
    return member


MEMBER_SORTS = ("email", "created_at")  # each read from an index of its own (email's unique one, created_at's)


def _matching(text: str) -> peewee.ModelSelect[Member]:
    query = Member.select().where(_LIVE)
    text = (text or "").strip().lower()
    if text:
        query = query.where(Member.email.contains(text) | peewee.fn.LOWER(Member.name).contains(text))
    return query


@guarded
def find_members(text: str = "", limit: int = 50, sort: str = "email", descending: bool = False) -> list[MemberRow]:
    """Members whose email or name contains the text (any case), by email (or by when they joined:
    sort="created_at"), either way; at most `limit`."""
    if sort not in MEMBER_SORTS:
        raise InvalidInput(f"Members are sorted by one of: {', '.join(MEMBER_SORTS)}.")
    held = Voucher.select(peewee.fn.COUNT(Voucher.id)).where(Voucher.member == Member.id)
    query = _matching(text).select(Member.id, Member.email, Member.name, Member.created_at, held.alias("held"))
    column = getattr(Member, sort)
    order = [column.desc(), Member.id.desc()] if descending else [column, Member.id]
    # rows of plain tuples (peewee-stubs type .tuples() as giving models)
    rows = cast(
        "Iterable[tuple[int, str, str, Any, int | None]]",
        query.order_by(*order).limit(max(1, int(limit))).tuples(),
    )
    return [MemberRow(mid, email, name, as_datetime(created), held or 0) for mid, email, name, created, held in rows]


@guarded
def count_members(text: str = "") -> int:
    """How many members find_members would find with no limit: the Members page's real count."""
    return _matching(text).count()


# -- sessions ----------------------------------------------------------------------------------


@guarded
def session_member(member_id: int, generation: int) -> SessionMember | None:
    """The member of a session begun in `generation`, or None once that session has been ended
    (logout, a new password, signed out everywhere, erased). One read by primary key, no write."""
    row = run_sql(
        "SELECT email, name FROM member WHERE id = :id AND session_generation = :generation AND erased_at IS NULL",
        {"id": member_id, "generation": generation},
    ).fetchone()
    return SessionMember(member_id, row[0], row[1], generation) if row else None


def _end_sessions(member_id: int, **changes: Any) -> SessionMember:
    """Inside a write transaction: raise the member's generation (every earlier session is then
    worthless) with any other changes, and return the member as a new session would carry them."""
    changed = (
        Member.update(session_generation=Member.session_generation + 1, **changes)
        .where((Member.id == member_id) & _LIVE)
        .execute()
    )
    if not changed:
        raise NotFound(f"There is no member with id {member_id} (any more).")
    member = Member.get_by_id(member_id)
    return SessionMember(member.id, member.email, member.name, member.session_generation)


@guarded
def sign_out_everywhere(member_id: int) -> None:
    """End every session of the member, on every phone and browser (logout does the same)."""
    with write_transaction():
        _end_sessions(member_id)


@guarded
def change_password(member_id: int, new_hash: str) -> SessionMember:
    """Store a new password (already checked with validate_password, then hashed) and end every
    earlier session; the returned generation is the one a new session carries."""
    with write_transaction():
        return _end_sessions(member_id, password_hash=new_hash)


# -- one-time password resets ------------------------------------------------------------------


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8", "replace")).hexdigest()


@guarded
def issue_reset_code(email: str, actor: activity.Actor | None = None) -> tuple[str, datetime]:
    """A one-time code for the member to choose a new password, valid for 24 hours (until the
    returned time, naive UTC like every stored time). Only its hash is stored, and it replaces any
    earlier code of the member: the newest link handed over is the one that works."""
    code = secrets.token_urlsafe(24)
    now = utcnow()
    with write_transaction():
        member = member_with_email(email)
        ResetCode.delete().where((ResetCode.member == member.id) | (ResetCode.expires_at <= now)).execute()
        ResetCode.create(member=member.id, code_hash=_code_hash(code), created_at=now, expires_at=now + RESET_VALID)
        activity.record("member_reset", actor, member_id=member.id)  # by id: the log keeps no email
    log.info("A password reset link was made for member %d", member.id)
    return code, now + RESET_VALID


def reset_url(code: str) -> str:
    """The link the manager hands over: <public base URL>/en-us/reset/<code>."""
    return f"{settings.load().base_url}/en-us/reset/{code}"


def _reset_holder(code: str, lock: bool = False) -> tuple[int, str] | None:
    """The member (id, email) a usable reset code belongs to, or None."""
    if not code or len(code) > 200:
        return None
    row = run_sql(
        "SELECT r.member_id, m.email, r.expires_at FROM reset_code r JOIN member m ON m.id = r.member_id"
        " WHERE r.code_hash = :hash AND m.erased_at IS NULL",
        {"hash": _code_hash(code)},
        lock_rows=lock,
    ).fetchone()
    if row is None or as_datetime(row[2]) <= utcnow():
        return None
    return row[0], row[1]


@guarded
def reset_code_email(code: str) -> str | None:
    """The email whose password the link resets while it can still be used, else None (the
    reset page asks before showing its form, and names the account to the one who holds the link)."""
    holder = _reset_holder(code)
    return holder[1] if holder else None


@guarded
def reset_password(code: str, new_hash: str) -> SessionMember:
    """Use a reset code once: store the new password (checked with validate_password, then hashed),
    end every earlier session, and return the member as a new session carries them.
    NotFound (RESET_REFUSED) for a code that was used, has expired, or never existed."""
    with write_transaction():
        holder = _reset_holder(code, lock=True)
        if holder is None:
            raise NotFound(RESET_REFUSED)
        ResetCode.delete().where(ResetCode.member == holder[0]).execute()
        member = _end_sessions(holder[0], password_hash=new_hash)
    log.info("Member %d chose a new password with a reset link", member.id)
    return member


# -- what the store holds about a member, and erasing it ----------------------------------------


@guarded
def export_member(member_id: int) -> dict[str, Any]:
    """Everything the database holds about the member, as JSON-able data (times ISO 8601 with
    their offset). The password is kept only as a salted hash, which is not handed out."""
    with database.atomic():  # one consistent reading
        member = _live(member_id)
        held = vouchers.for_member(member_id)
        resets = list(ResetCode.select().where(ResetCode.member == member_id).order_by(ResetCode.id))
    return {
        "exported_at": times.iso(utcnow()),
        "member": {
            "id": member.id,
            "email": member.email,
            "name": member.name,
            "created_at": times.iso(member.created_at),
            "password": "set; stored only as a salted hash, which is not exported",
        },
        "vouchers": [voucher.to_json() for voucher in held],
        "password_resets": [
            {"created_at": times.iso(reset.created_at), "expires_at": times.iso(reset.expires_at)} for reset in resets
        ],
    }


@guarded
def save_export(member_id: int, target: str | Path) -> Path:
    """Write export_member's data to a JSON file, whole or not at all."""
    data = export_member(member_id)
    target = Path(target)
    with files.written_whole(target, " Nothing was exported.") as handle:
        json.dump(data, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
    log.info("The data of member %d was exported", member_id)
    return target


@guarded
def erase_confirmation(member: Member) -> str:
    """What to ask before erasing (the window and `member erase` ask the same)."""
    held = Voucher.select().where(Voucher.member == member.id).count()
    if held:
        whose = "their voucher stays" if held == 1 else f"their {held:,} vouchers stay"
        kept = f"{whose} counted in the batches' numbers but no longer point{'s' if held == 1 else ''} to anyone"
    else:
        kept = "they hold no vouchers"
    return (
        f"Erase the member {member.email} for good? Their account, email and name are deleted and every "
        f"session ends; {kept}. This cannot be undone. {_what_stays()}"
    )


def _what_stays() -> str:
    """Where the erased values live on after the erasure, and for how long."""
    if isinstance(database.obj, peewee.PostgresqlDatabase):
        return (
            "The database server keeps the old values in its write-ahead log until it recycles it (at its next "
            "checkpoints; longer where it archives the log or feeds a standby), and backups made with pg_dump "
            "keep them for as long as they are kept: pg_restore of one brings the member back."
        )
    return (
        f"Backups made before now keep them for up to {backups.longest_kept()} days, while a backup is made every "
        "day; putting one of them back erases the member again."
    )


@guarded
def erase_member(member_id: int, actor: activity.Actor | None = None) -> int:
    """Erase the member: the account and every piece of personal data go, every session ends. The
    claims and redemptions happened, so their vouchers stay counted, pointing to a row that holds
    nothing of the person (email 'erased-<id>', no name, no password). The email joins the erasure
    ledger (as a keyed hash), so that no backup brings the member back (app.core.erasures). Then
    the old values are made to leave the file or the table (see overwriting_what_is_deleted and
    _rewriting_the_member_table). Returns how many vouchers stay."""
    with overwriting_what_is_deleted(), write_transaction():
        member = _live(member_id)
        erasures.record(member.email)
        erasures.erase_rows(database.obj, [member_id], utcnow())
        kept = Voucher.select().where(Voucher.member == member_id).count()
        activity.record("member_erased", actor, member_id=member_id, vouchers_kept=kept)
    log.info("Member %d was erased; %d of their vouchers stay counted", member_id, kept)
    _rewriting_the_member_table()
    return kept


def _rewriting_the_member_table() -> None:
    """On PostgreSQL an UPDATE leaves the old row (the email, the name) behind as a dead tuple, in
    the table's pages and in the email index, until a vacuum; even then its bytes stay in the page's
    free space. VACUUM FULL writes the table and its indexes anew and drops the old files. It takes
    the table's exclusive lock for a moment (logins and claims wait; a few milliseconds for
    thousands of members), waiting for it at most the wait limit. What stays is in the server's
    write-ahead log, until the server recycles it (see erase_confirmation)."""
    db = database.obj
    if not isinstance(db, peewee.PostgresqlDatabase) or db.in_transaction():
        return
    try:
        db.execute_sql("VACUUM FULL member")
    except peewee.DatabaseError as exc:
        raise DatabaseProblem(
            "The member was erased and every session ended, but the member table could not be rewritten now "
            f"({store_sentence(exc)}): the old values stay in its free space until the server reuses it. "
            "Erasing another member later rewrites it."
        ) from exc


@contextmanager
def overwriting_what_is_deleted() -> Iterator[None]:
    """On SQLite, text that is changed or deleted stays in the file's free space unless
    secure_delete is on (builds differ), and in the write-ahead log until a checkpoint: for an
    erasure both are forced, so the old email and name are not left in the bytes of the file."""
    db = database.obj
    if not isinstance(db, peewee.SqliteDatabase):
        yield
        return
    before = int(db.execute_sql("PRAGMA secure_delete").fetchone()[0])
    db.execute_sql("PRAGMA secure_delete = 1")
    try:
        yield
    finally:
        db.execute_sql(f"PRAGMA secure_delete = {before}")
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()  # waits for readers at most the busy timeout
