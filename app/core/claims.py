"""Claiming a voucher (a member on the claim site) and redeeming it (the till): the two races."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from peewee import IntegrityError

from app.core.store.models import (
    CLAIMED,
    REDEEMED,
    TEMPLATE_COLUMNS,
    UNCLAIMED,
    Batch,
    Template,
    Voucher,
    as_datetime,
    database_now,
    from_row,
    utcnow,
)

from . import analytics, codes, money, schedule, settings, times, webhooks, wording
from .activity import Actor, record, redeemed_by
from .errors import InvalidInput, NotFound
from .store import database, guarded, run_sql, write_transaction
from .templates import expiry_for_claim, public_title
from .vouchers import NotACode, VoucherDetail, lookup, voucher_of


class ClaimOutcome(enum.Enum):
    CLAIMED = "claimed"
    ALREADY_CLAIMED = "already_claimed"
    PAUSED = "paused"
    NOT_STARTED = "not_started"  # scheduled: claims open at the batch's start
    ENDED = "ended"  # the campaign's end has come, or the offer's fixed last day is over
    NO_VOUCHERS = "no_vouchers_available"
    NOT_FOUND = "not_found"


class RedeemOutcome(enum.Enum):
    REDEEMED = "redeemed"
    NOT_CLAIMED = "not_claimed"
    ALREADY_REDEEMED = "already_redeemed"
    EXPIRED = "expired"
    UNKNOWN_CODE = "unknown_code"
    BELOW_MINIMUM = "below_minimum"  # the order total given is below the offer's minimum purchase


@dataclass(frozen=True)
class ClaimResult:
    outcome: ClaimOutcome
    voucher: VoucherDetail | None = None  # the member's voucher when claimed or already claimed


@dataclass(frozen=True)
class RedeemResult:
    outcome: RedeemOutcome
    voucher: VoucherDetail | None = None
    redeemed_at: datetime | None = None
    redeemed_by: Actor | None = None  # who redeemed it, when it was already redeemed (and the log knows)
    order_cents: int | None = None  # the order total given (redeemed, or below the minimum)
    discount_cents: int | None = None  # what the voucher took off it, when redeemed with a total

    @property
    def message(self) -> str:
        """What the till shows."""
        code = self.voucher.code if self.voucher else ""
        if self.outcome is RedeemOutcome.REDEEMED:
            if self.discount_cents is not None:
                off, total = wording.money(self.discount_cents), wording.money(self.order_cents)
                return f"Voucher {code} redeemed: {off} off {total}."
            return f"Voucher {code} redeemed."
        if self.outcome is RedeemOutcome.BELOW_MINIMUM:
            offer = cast(Template, cast(VoucherDetail, self.voucher).template)  # a voucher found carries its offer
            return (
                f"The order total {wording.money(self.order_cents)} is below this offer's minimum purchase of "
                f"{wording.money(money.minimum_cents(offer))}, so voucher {code} was not redeemed."
            )
        if self.outcome is RedeemOutcome.NOT_CLAIMED:
            return f"Voucher {code} has not been claimed yet, so it cannot be redeemed."
        if self.outcome is RedeemOutcome.ALREADY_REDEEMED:
            by = self.redeemed_by.words if self.redeemed_by else ""
            return f"Voucher {code} was already redeemed on {_on_at(self.redeemed_at)}{by}."
        if self.outcome is RedeemOutcome.EXPIRED:
            return f"Voucher {code} expired on {_on_at(cast(VoucherDetail, self.voucher).expires_at)}."
        return UNKNOWN_CODE_SENTENCE


UNKNOWN_CODE_SENTENCE = "No voucher has this code. Check it and try again."


def _on_at(value: datetime | None) -> str:
    """'2026-12-01 at 14:06 EST': the store's local time, its zone named (a till message is read alone)."""
    day, _, clock = times.local_text(value, zone=True).partition(" ")
    return f"{day} at {clock}"


_REFUSED_BY_STATE = {
    schedule.ENDED: ClaimOutcome.ENDED,
    schedule.PAUSED: ClaimOutcome.PAUSED,
    schedule.SCHEDULED: ClaimOutcome.NOT_STARTED,
}


def claim_refusal(
    status: str,
    quantity: int,
    claimed_count: int,
    offer: Template,
    now: datetime,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> ClaimOutcome | None:
    """Why a new claim on this batch would be refused at `now` (ended, paused, not started yet, none
    left), or None: the batch's state (schedule.state), then its count. claim() decides with this rule
    inside its transaction, by the database's clock; the claim page uses it to show the state."""
    refused = _REFUSED_BY_STATE.get(schedule.state(status, starts_at, ends_at, offer, now))
    if refused is not None:
        return refused
    if claimed_count >= quantity:
        return ClaimOutcome.NO_VOUCHERS
    return None


# Lock order, everywhere on PostgreSQL: the batch row first, then its vouchers. A claim, a
# redemption and an undo take the weakest lock on the batch row (KEY SHARE: they never wait on
# each other there) before a voucher, and the counter's UPDATE of that row last; delete, pause
# and resume take FOR UPDATE on it first, so they wait for the claims in flight, and the claims
# after them see the batch gone or paused. No transaction holds a voucher and then waits for the
# batch row that a deleter holds: no deadlock. (SQLite: one writer at a time, no row locks.)
_LOCK_BATCH = "KEY SHARE OF b"


def _lock_batch(batch_id: int) -> bool:
    """Lock the batch row as claims and redemptions do; False when the batch is gone."""
    return (
        run_sql("SELECT b.id FROM batch b WHERE b.id = :batch", {"batch": batch_id}, lock_rows=_LOCK_BATCH).fetchone()
        is not None
    )


@guarded
def claim(token: str, member_id: int) -> ClaimResult:
    """Give the member one voucher of the batch behind token, or say why not.

    One transaction: a member never gets two vouchers of a batch and the claims never exceed the
    total, however many claim at once (the schema enforces both as well)."""
    try:
        return _claim(token, member_id)
    except IntegrityError:
        # The unique (member, batch) index, the last guard: the same member claiming twice at once
        # (another process or thread) got their voucher in the other transaction; this one is undone.
        batch = run_sql("SELECT id FROM batch WHERE token = :token", {"token": token}).fetchone()
        mine = voucher_of(member_id, batch[0]) if batch else None
        if mine is None:
            raise
        return ClaimResult(ClaimOutcome.ALREADY_CLAIMED, mine)


# The claim's constants (the voucher statuses, the webhook event's pattern) are written into its
# statements, not bound: SQLite compiles a statement anew on every run when a bound value is a LIKE
# pattern or is compared with the column of a partial index (voucher_unredeemed_expiry: status = 1),
# as the value could change the plan: that compiling took longer than running the statements.
_UNCLAIMED, _CLAIMED = str(int(UNCLAIMED)), str(int(CLAIMED))

# What a claim reads first, in one statement: the batch and its offer (all a claimed voucher's answer
# needs), the member's voucher of it if any, the member's email, whether a webhook wants "claimed"
# events, and the database's clock.
_BATCH_FOR_CLAIM = (
    "SELECT b.id, b.status, b.quantity, b.claimed_count, b.starts_at, b.ends_at, b.name, b.title, b.code_prefix,"
    " (SELECT v.code FROM voucher v WHERE v.member_id = :member AND v.batch_id = b.id),"
    " (SELECT m.email FROM member m WHERE m.id = :member),"
    " EXISTS (SELECT 1 FROM webhook w WHERE w.events LIKE '%,claimed,%'),"
    " {now}, {template}"
    " FROM batch b JOIN template t ON t.id = b.template_id WHERE b.token = :token"
)
_TEMPLATE_AT = 13  # where the offer's columns begin in that row


def _claim(token: str, member_id: int) -> ClaimResult:
    now_sql, now_params = database_now()  # the schedule's edges by one clock, however many programs claim
    sql = _BATCH_FOR_CLAIM.format(now=now_sql, template=", ".join("t." + name for name in TEMPLATE_COLUMNS))
    with write_transaction():
        batch = run_sql(
            sql,
            {"token": token, "member": member_id, **now_params},
            lock_rows=_LOCK_BATCH,
        ).fetchone()
        if batch is None:
            return ClaimResult(ClaimOutcome.NOT_FOUND)
        batch_id, status, quantity, claimed_count, starts_at, ends_at, name, title, prefix = batch[:9]
        mine, email, hooked, now = batch[9:_TEMPLATE_AT]
        if mine is not None:
            return ClaimResult(ClaimOutcome.ALREADY_CLAIMED, lookup(mine))
        now = as_datetime(now)
        offer = _offer_of(batch[_TEMPLATE_AT:])
        refused = claim_refusal(
            status,
            quantity,
            claimed_count,
            offer,
            now,
            Batch.starts_at.python_value(starts_at),
            Batch.ends_at.python_value(ends_at),
        )
        if refused is not None:
            return ClaimResult(refused)
        expires = expiry_for_claim(offer, now)
        taken = _take_and_count(batch_id, member_id, now, expires)
        if taken is None:  # the counter and the rows disagree: never hand out more than exist
            return ClaimResult(ClaimOutcome.NO_VOUCHERS)
        # the answer is made from what this transaction read and wrote: a batch deleted the moment
        # after still answers "claimed" to the claims its delete counted
        claimed = VoucherDetail(
            id=taken[0],
            code=codes.display(taken[1], len(prefix)),
            status="claimed",
            member=email,
            claimed_at=now,
            redeemed_at=None,
            expires_at=expires,
            batch_id=batch_id,
            batch_name=name,
            batch_title=public_title(title, offer.title),
            batch_status=status,
            template=offer,
        )
        if hooked:
            webhooks.announce("claimed", claimed)
        return ClaimResult(ClaimOutcome.CLAIMED, claimed)


_OFFERS_KEPT = 256
_offers: dict[tuple[Any, ...], Template] = {}


def _offer_of(columns: Sequence[Any]) -> Template:
    """The offer as the claim's first read gives its columns, built once for the same columns (Peewee
    takes longer to build a model than the claim's other Python): one instance shared by the claims
    of a promotion, which only read it. An offer changed in the window reads as other columns."""
    key = tuple(columns)
    found = _offers.get(key)
    if found is None:
        if len(_offers) >= _OFFERS_KEPT:
            _offers.clear()
        found = _offers[key] = from_row(Template, TEMPLATE_COLUMNS, columns)
    return found


_TAKE = (
    f"UPDATE voucher SET status = {_CLAIMED}, member_id = :member, claimed_at = :now, expires_at = :expires"
    f" WHERE id = {{which}} AND status = {_UNCLAIMED} RETURNING id, code"
)
_FIRST_FREE = f"(SELECT id FROM voucher WHERE batch_id = :batch AND status = {_UNCLAIMED} ORDER BY id LIMIT 1)"


# PostgreSQL: the first free voucher taken, the batch's counter and the analytics counts in one
# statement (one round trip while the hot rows are held). Each part reads the one before it, and the
# query reads the last, so they run in this order (unread, PostgreSQL would run them in any order,
# and a redemption taking the same rows in the usual order could deadlock with it): the voucher,
# the batch's counter, then the counts, after the batch row's lock taken by the claim's first read.
_TAKE_AND_COUNT = (
    f"WITH free AS (SELECT id FROM voucher WHERE batch_id = :batch AND status = {_UNCLAIMED} ORDER BY id LIMIT 1"
    " FOR UPDATE SKIP LOCKED),"
    f" taken AS (UPDATE voucher v SET status = {_CLAIMED}, member_id = :member, claimed_at = :now,"
    f" expires_at = :expires FROM free WHERE v.id = free.id AND v.status = {_UNCLAIMED} RETURNING v.id, v.code),"
    " counted AS (UPDATE batch SET claimed_count = claimed_count + 1 FROM taken WHERE batch.id = :batch RETURNING 1),"
    " {counts}"
    " SELECT taken.id, taken.code FROM taken, (SELECT COUNT(*) FROM {last}) AS done"
)


def _take_and_count(batch_id: int, member_id: int, now: datetime, expires: datetime | None) -> Sequence[Any] | None:
    """Give the member the batch's first free voucher and count the claim (the batch's counter, the
    analytics): the voucher's (id, code), or None when none is left, nothing counted. On SQLite the
    voucher is found and taken by one statement (the write lock covers the rows); on PostgreSQL
    one statement does it all, unless every free row is being taken by other claims at that moment
    (then _free_voucher waits for one of them, and the counts follow one by one)."""
    params = {"member": member_id, "now": _stamp(now), "expires": _stamp(expires), "batch": batch_id}
    if getattr(database.obj, "for_update", False):
        counts, last, counting = analytics.claim_counts_with("counted", batch_id, now, expires)
        taken = run_sql(_TAKE_AND_COUNT.format(counts=counts, last=last), {**params, **counting}).fetchone()
        if taken is not None:
            return taken
        # SKIP LOCKED passed over the rows other claims are taking right now: wait for one of them
        free = _free_voucher(batch_id)
        if free is None:
            return None
        taken = run_sql(_TAKE.format(which=":id"), {**params, "id": free[0]}).fetchone()
    else:
        taken = run_sql(_TAKE.format(which=_FIRST_FREE), params).fetchone()
    if taken is None:
        return None
    run_sql("UPDATE batch SET claimed_count = claimed_count + 1 WHERE id = :batch", {"batch": batch_id})
    analytics.count_claim(batch_id, now)
    analytics.count_unredeemed(batch_id, expires, 1)
    return taken


_FREE = f"SELECT id, code FROM voucher WHERE batch_id = :batch AND status = {_UNCLAIMED} ORDER BY id LIMIT 1"
_STILL_FREE = f"SELECT id, code FROM voucher WHERE id = :id AND status = {_UNCLAIMED}"
_WAITS = 64  # claims in flight waited for, one after another, before "none left" (16 threads a worker)


def _free_voucher(batch_id: int) -> Sequence[Any] | None:
    """A free voucher of the batch, locked for this claim, or None when none is left. On PostgreSQL
    SKIP LOCKED passes over the rows other claims are taking; when it finds none (every free row is
    being taken, or one was taken between LIMIT's pick and its lock), the lowest row that still
    reads as free is waited for alone, and if that claim is undone the row is this one's. Never
    more than that one row is waited for: a claim that waited holding the rows a blocking
    `ORDER BY id LIMIT 1 FOR UPDATE` locks on its way could deadlock with another doing the same
    (CI saw a member's claim answered 503 at a sell-out, and the server log deadlocks)."""
    params = {"batch": batch_id}
    if not getattr(database.obj, "for_update", False):  # SQLite: the write lock covers the rows
        return run_sql(_FREE, params).fetchone()
    for _ in range(_WAITS):
        free = run_sql(_FREE, params, lock_rows="UPDATE SKIP LOCKED").fetchone()
        if free is not None:
            return free
        in_flight = run_sql(_FREE, params).fetchone()  # unlocked: a row being claimed still reads as free
        if in_flight is None:
            return None
        free = run_sql(_STILL_FREE, {"id": in_flight[0]}, lock_rows=True).fetchone()
        if free is not None:  # that claim was undone: the row is free again, and locked for this one
            return free
    return None


def _stamp(value: datetime | None) -> object:
    """A timestamp as every other write stores it (Peewee's own conversion for the column type)."""
    return Voucher.claimed_at.db_value(value) if value is not None else None


def refusal(voucher: VoucherDetail) -> RedeemResult | None:
    """Why the till would refuse this voucher now (not claimed, already redeemed, expired), or
    None when it can be redeemed. redeem() decides with this same rule, inside its transaction."""
    if voucher.status == "unclaimed":
        return RedeemResult(RedeemOutcome.NOT_CLAIMED, voucher)
    if voucher.status == "redeemed":
        return _already_redeemed(voucher)
    if voucher.expired:
        return RedeemResult(RedeemOutcome.EXPIRED, voucher)
    return None


def _typed(typed_code: str) -> str:
    """What the till typed or scanned, as it came (lookup reads it, and repairs a keyboard mix-up);
    InvalidInput for nothing at all."""
    if not codes.normalise(typed_code):
        raise InvalidInput("Type or scan a voucher code.")
    return typed_code.strip()


def _found(code: str) -> VoucherDetail | None:
    """The voucher, None for an unknown code; a scan that is no code (a claim link, a code two
    keyboard mix-ups read as two vouchers) raises NotACode, whose sentence says what it is."""
    try:
        return lookup(code)
    except NotACode:
        raise
    except NotFound:
        return None


def _found_and_locked(code: str) -> VoucherDetail | None:
    """The voucher with this code, its batch locked for the rest of the transaction (the lock
    order: the batch row before its vouchers); None for an unknown code, or one whose batch was
    deleted meanwhile with its vouchers."""
    voucher = _found(code)
    if voucher is None or not _lock_batch(voucher.batch_id):
        return None
    return voucher


def _already_redeemed(voucher: VoucherDetail) -> RedeemResult:
    return RedeemResult(RedeemOutcome.ALREADY_REDEEMED, voucher, voucher.redeemed_at, redeemed_by(voucher.code))


@guarded
def redeem(
    typed_code: str, actor: Actor | None = None, order: money.Order | None = None, **details: object
) -> RedeemResult:
    """Use a claimed voucher at the till, once, recording who and where. Paused batches still redeem.
    With an order total below the offer's minimum purchase it is not redeemed (BELOW_MINIMUM) unless
    the order says to override; the total and the discount given are kept with the redemption and
    counted with it. details: more for the activity entry (a point of sale's own till name)."""
    code = _typed(typed_code)
    order = order or money.Order()
    with write_transaction():
        voucher = _found_and_locked(code)
        if voucher is None:
            return RedeemResult(RedeemOutcome.UNKNOWN_CODE)
        refused = refusal(voucher)
        if refused is not None:
            return refused
        offer = cast(Template, voucher.template)  # a voucher found carries its offer
        total = order.total_cents
        if total is not None and not order.override and money.below_minimum(offer, total):
            return RedeemResult(RedeemOutcome.BELOW_MINIMUM, voucher, order_cents=total)
        discount = money.discount_cents(offer, total) if total is not None else None
        now = utcnow()
        changed = run_sql(
            "UPDATE voucher SET status = :redeemed, redeemed_at = :now, order_cents = :total"
            " WHERE id = :id AND status = :claimed",
            {"redeemed": REDEEMED, "now": _stamp(now), "total": total, "id": voucher.id, "claimed": CLAIMED},
        ).rowcount
        if not changed:  # another till got there first (a server database without our in-process lock)
            return _already_redeemed(lookup(voucher.code))
        run_sql("UPDATE batch SET redeemed_count = redeemed_count + 1 WHERE id = :batch", {"batch": voucher.batch_id})
        claimed_at = cast(datetime, voucher.claimed_at)  # claimed: it has a time
        analytics.count_redemption(voucher.batch_id, claimed_at, now, total, discount)
        analytics.count_unredeemed(voucher.batch_id, voucher.expires_at, -1)
        record(
            "voucher_redeemed",
            actor,
            batch_id=voucher.batch_id,
            batch_name=voucher.batch_name,
            code=voucher.code,
            **_order_details(order, discount),
            **details,
        )
        redeemed = lookup(voucher.code)
        webhooks.announce("redeemed", redeemed, actor, **webhooks.money_fields(total, discount))
        return RedeemResult(RedeemOutcome.REDEEMED, redeemed, now, order_cents=total, discount_cents=discount)


def _order_details(order: money.Order, discount: int | None) -> dict[str, object]:
    """What the activity entry of a redemption says of its order (nothing when none was given)."""
    details: dict[str, object] = {}
    if order.total_cents is not None:
        details.update(order_total=money.to_json(order.total_cents), discount=money.to_json(discount))
    if order.reference:
        details["order_reference"] = order.reference
    if order.override:
        details["override"] = True
    return details


class UndoOutcome(enum.Enum):
    UNDONE = "undone"
    NOT_REDEEMED = "not_redeemed"
    TOO_LATE = "too_late"
    UNKNOWN_CODE = "unknown_code"


COMMON_REASONS = ("scanned by mistake", "sale cancelled", "customer returned goods")
MAX_REASON = 500


@dataclass(frozen=True)
class UndoResult:
    outcome: UndoOutcome
    voucher: VoucherDetail | None = None
    redeemed_at: datetime | None = None  # the redemption undone, or the one too old to undo
    undo_days: int = 0

    @property
    def message(self) -> str:
        """What the till shows."""
        if self.outcome is UndoOutcome.TOO_LATE:
            days = f"{self.undo_days} day{'s' if self.undo_days != 1 else ''}"
            return (
                f"Voucher {cast(VoucherDetail, self.voucher).code} was redeemed on {_on_at(self.redeemed_at)}: "
                f"a redemption can only be undone within {days}, so this one stays redeemed."
            )
        return _UNDO_SENTENCES[self.outcome].format(code=self.voucher.code if self.voucher else "")


_UNDO_SENTENCES = {
    UndoOutcome.UNDONE: "Redemption of voucher {code} undone: it is claimed again and can be redeemed.",
    UndoOutcome.NOT_REDEEMED: "Voucher {code} is not redeemed, so there is no redemption to undo.",
    UndoOutcome.UNKNOWN_CODE: UNKNOWN_CODE_SENTENCE,
}


def undo_reason(reason: str | None) -> str:
    """The reason as recorded, or InvalidInput: an undo always says why."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidInput("Give a reason for undoing the redemption.")
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"A reason is at most {MAX_REASON} characters.")
    return reason


@guarded
def undo_redemption(typed_code: str, reason: str, actor: Actor | None = None, **details: object) -> UndoResult:
    """Put a redeemed voucher back to claimed (still the member's, redeemable again), within the
    undo window after its redemption, once however many tills try at once; recorded with the reason."""
    reason = undo_reason(reason)
    code = _typed(typed_code)
    with write_transaction():
        voucher = _found_and_locked(code)
        if voucher is None:
            return UndoResult(UndoOutcome.UNKNOWN_CODE)
        if voucher.status != "redeemed":
            return UndoResult(UndoOutcome.NOT_REDEEMED, voucher)
        days = settings.load().undo_days
        redeemed_at = cast(datetime, voucher.redeemed_at)  # redeemed: the schema's check says it has a time
        if utcnow() - redeemed_at > timedelta(days=days):
            return UndoResult(UndoOutcome.TOO_LATE, voucher, redeemed_at, days)
        changed = run_sql(
            "UPDATE voucher SET status = :claimed, redeemed_at = NULL, order_cents = NULL"
            " WHERE id = :id AND status = :redeemed",
            {"claimed": CLAIMED, "id": voucher.id, "redeemed": REDEEMED},
        ).rowcount
        if not changed:  # another till undid it first (a server database without our in-process lock)
            return UndoResult(UndoOutcome.NOT_REDEEMED, lookup(voucher.code))
        run_sql("UPDATE batch SET redeemed_count = redeemed_count - 1 WHERE id = :batch", {"batch": voucher.batch_id})
        total = voucher.order_cents
        discount = money.discount_cents(cast(Template, voucher.template), total) if total is not None else None
        analytics.uncount_redemption(voucher.batch_id, cast(datetime, voucher.claimed_at), redeemed_at, total, discount)
        analytics.count_unredeemed(voucher.batch_id, voucher.expires_at, 1)
        record(
            "redemption_undone",
            actor,
            batch_id=voucher.batch_id,
            batch_name=voucher.batch_name,
            code=voucher.code,
            reason=reason,
            redeemed_at=times.iso(redeemed_at),
            **details,
        )
        undone = lookup(voucher.code)
        webhooks.announce("undone", undone, actor, reason=reason, redeemed_at=redeemed_at)
        return UndoResult(UndoOutcome.UNDONE, undone, redeemed_at, days)
