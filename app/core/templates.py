"""Voucher templates: the offer (discount, minimum purchase, expiry, terms) that a batch hands out;
editing one (its offer only while none of its vouchers is claimed), archiving and deleting one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import peewee

from app.core.store.models import Template, utcnow

from . import settings, times
from .activity import Actor, record
from .errors import InvalidInput, NotFound
from .store import guarded, run_sql, write_transaction

_DISCOUNT_RE = re.compile(r"^\s*(\d+(?:[.,]\d{1,2})?)\s*(%?)\s*$")
_MONEY_RE = re.compile(r"^\d+(?:[.,]\d{1,2})?$")


def parse_discount(text: str) -> tuple[str, Decimal]:
    """'10%' -> ('percent', 10); '5' or '5.50' -> ('amount', 5.50)."""
    match = _DISCOUNT_RE.match(str(text).lstrip("$€£"))
    if not match:
        raise InvalidInput(f"A discount is a percentage like 10% or an amount like 5.00, not {text!r}.")
    value = Decimal(match.group(1).replace(",", "."))
    kind = "percent" if match.group(2) else "amount"
    if value <= 0 or (kind == "percent" and value > 100):
        raise InvalidInput("A percentage discount is more than 0% and at most 100%; an amount is more than 0.")
    return kind, value


def parse_money(text: str | Decimal) -> Decimal:
    """'20', '20.50', '20,50' or '$20'; empty is 0. A comma is a decimal mark, so '1,000' is refused
    rather than read as 1 (Decimal alone took it, and took 'nan' and '1e3' too)."""
    typed = str(text).strip().lstrip("$€£").strip() or "0"
    if not _MONEY_RE.match(typed):
        raise InvalidInput(f"{text!r} is not an amount of money (at most two decimals, not negative).")
    return Decimal(typed.replace(",", "."))


def _valid_title(title: str) -> str:
    title = (title or "").strip()
    if not title or len(title) > 120:
        raise InvalidInput("A template needs a title of 1 to 120 characters.")
    return title


def _valid_expiry(valid_days: int | None, expires_on: date | None) -> None:
    if valid_days is not None and expires_on is not None:
        raise InvalidInput("A template expires either on a fixed date or some days after claim, not both.")
    if valid_days is not None and not 1 <= int(valid_days) <= 3650:
        raise InvalidInput("Days of validity after claim must be from 1 to 3650.")


@guarded
def create_template(
    title: str,
    discount: str,
    min_purchase: str | Decimal = "0",
    valid_days: int | None = None,
    expires_on: date | None = None,
    terms: str = "",
    actor: Actor | None = None,
) -> Template:
    title = _valid_title(title)
    kind, value = parse_discount(discount)
    _valid_expiry(valid_days, expires_on)
    try:
        with write_transaction():
            template = Template.create(
                title=title,
                discount_kind=kind,
                discount_value=value,
                min_purchase=parse_money(min_purchase),
                valid_days=valid_days,
                expires_on=expires_on,
                terms=(terms or "").strip(),
            )
            record("template_created", actor, title=title)
            return template
    except peewee.IntegrityError:
        raise InvalidInput(f"A template called {title!r} already exists.") from None


@guarded
def list_templates(archived: bool = False) -> list[Template]:
    """The templates New batch offers, by title; archived=True: every template, archived ones too."""
    query = Template.select().order_by(Template.title)
    return list(query if archived else query.where(Template.archived_at.is_null()))


KEEP: Any = object()  # edit_template: leave this as it is
NEVER = "never"  # edit_template's expiry: the offer never expires


@dataclass(frozen=True)
class Use:
    """What a template is used for: its batches, and how many of their vouchers are claimed."""

    batches: int
    claimed: int


def _use(template_id: int, lock: bool = False) -> Use:
    """Its batches and their claims; lock: their rows locked first, so no claim of its offer is in
    flight or comes between this and the change (the lock order: batch rows before vouchers)."""
    params = {"template": template_id}
    if lock:
        run_sql("SELECT id FROM batch WHERE template_id = :template ORDER BY id", params, lock_rows=True).fetchall()
    row = run_sql(
        "SELECT COUNT(*), COALESCE(SUM(claimed_count), 0) FROM batch WHERE template_id = :template", params
    ).fetchone()
    return Use(int(row[0]), int(row[1]))


@guarded
def template_use(template_id: int) -> Use:
    return _use(template_id)


def _locked_template(template_id: int) -> Template:
    run_sql("SELECT id FROM template WHERE id = :id", {"id": template_id}, lock_rows=True).fetchone()
    template = Template.get_or_none(Template.id == template_id)
    if template is None:
        raise NotFound(f"There is no template with id {template_id}.")
    return template


def _said(template: Template) -> dict[str, object]:
    """A template's offer as the log records it before and after an edit."""
    offer = describe_offer(template)
    return {"name": template.title, **offer}


@guarded
def edit_template(
    template_id: int,
    title: str = KEEP,
    terms: str = KEEP,
    discount: str = KEEP,
    min_purchase: str | Decimal = KEEP,
    expiry: int | date | str = KEEP,
    actor: Actor | None = None,
) -> Template:
    """Change a template. Its title and terms, always; its offer — discount, minimum purchase, expiry
    (days after claim, a last day, or NEVER) — only while none of its vouchers is claimed: members hold
    what they claimed (the database refuses it too). Recorded when anything changed."""
    changes: dict[str, Any] = {}
    if title is not KEEP:
        changes["title"] = _valid_title(title)
    if terms is not KEEP:
        changes["terms"] = (terms or "").strip()
    offer: dict[str, Any] = {}
    if discount is not KEEP:
        offer["discount_kind"], offer["discount_value"] = parse_discount(discount)
    if min_purchase is not KEEP:
        offer["min_purchase"] = parse_money(min_purchase)
    if expiry is not KEEP:
        valid_days = expiry if isinstance(expiry, int) and not isinstance(expiry, bool) else None
        expires_on = expiry if isinstance(expiry, date) else None
        if valid_days is None and expires_on is None and expiry != NEVER:
            raise InvalidInput("An expiry is a number of days after claim, a last day, or never.")
        _valid_expiry(valid_days, expires_on)
        offer.update(valid_days=valid_days, expires_on=expires_on)
    try:
        with write_transaction():
            use = _use(template_id, lock=bool(offer))
            template = _locked_template(template_id)
            before = _said(template)
            offer = {k: v for k, v in offer.items() if getattr(template, k) != v}
            if offer and use.claimed:
                raise InvalidInput(
                    f"The offer of “{template.title}” can no longer change: {use.claimed:,} of its vouchers "
                    f"{'has' if use.claimed == 1 else 'have'} been claimed, and members keep what they claimed. "
                    "Its name and terms still can; for another offer, create a new template."
                )
            changes = {k: v for k, v in {**changes, **offer}.items() if getattr(template, k) != v}
            if not changes:
                return template
            Template.update(**changes).where(Template.id == template_id).execute()
            template = Template.get_by_id(template_id)
            after = _said(template)
            changed: dict[str, Any] = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
            record("template_edited", actor, title=template.title, template_id=template_id, **changed)
            return template
    except peewee.IntegrityError:
        if "title" in changes and Template.select().where(Template.title == changes["title"]).exists():
            raise InvalidInput(f"A template called {changes['title']!r} already exists.") from None
        raise


@guarded
def archive_template(template_id: int, restore: bool = False, actor: Actor | None = None) -> Template:
    """Hide a template from New batch (its batches go on as they were), or bring it back (restore)."""
    with write_transaction():
        template = _locked_template(template_id)
        if (template.archived_at is None) == restore:
            return template  # already as asked: nothing changes, nothing is recorded
        Template.update(archived_at=None if restore else utcnow()).where(Template.id == template_id).execute()
        kind = "template_restored" if restore else "template_archived"
        record(kind, actor, title=template.title, template_id=template_id)
        return Template.get_by_id(template_id)


@guarded
def delete_template(template_id: int, actor: Actor | None = None) -> str:
    """Delete a template no batch uses (a batch keeps its offer: the database refuses to delete one in
    use as well); returns its title."""
    try:
        with write_transaction():
            template = _locked_template(template_id)
            use = _use(template_id, lock=True)
            if use.batches:
                raise InvalidInput(
                    f"“{template.title}” is the offer of {use.batches:,} batch{'es' if use.batches != 1 else ''}, "
                    "so it cannot be deleted; archive it to hide it from New batch."
                )
            Template.delete().where(Template.id == template_id).execute()
            record("template_deleted", actor, title=template.title, template_id=template_id)
            return template.title
    except peewee.IntegrityError:  # a batch made with it a moment ago by another program
        raise InvalidInput(
            f"The template {template_id} is now the offer of a batch, so it cannot be deleted; archive it instead."
        ) from None


@guarded
def find_template(title_or_id: str | int) -> Template:
    query = Template.select()
    template = None
    if str(title_or_id).isdigit():
        template = query.where(Template.id == int(title_or_id)).first()
    if template is None:
        template = query.where(Template.title == str(title_or_id).strip()).first()
    if template is None:
        raise NotFound(f"There is no template {title_or_id!r}.")
    return template


def expiry_for_claim(template: Template, claimed_at: datetime) -> datetime | None:
    """When a voucher claimed at claimed_at (UTC) stops being valid (UTC, exclusive), or None."""
    if template.valid_days:
        return claimed_at + timedelta(days=template.valid_days)
    if template.expires_on:
        last_day = (
            template.expires_on
            if isinstance(template.expires_on, date)
            else date.fromisoformat(str(template.expires_on))
        )
        return times.end_of_day_utc(last_day)  # valid through the whole last day, in the store's time
    return None


def has_ended(template: Template, now: datetime) -> bool:
    """Whether the offer's fixed last day is over (offers valid N days after claim never end)."""
    expires_at = expiry_for_claim(template, now)
    return template.expires_on is not None and expires_at is not None and expires_at <= now


def discount_text(kind: str, value: Decimal | float | str, currency: str | None = None) -> str:
    """The discount in words: "10% off", "$5.00 off" (also a batch's public title until one is set)."""
    if currency is None:
        currency = settings.cached().currency
    value = Decimal(value)
    shown = f"{value.normalize():f}" if value == value.to_integral() else f"{value:.2f}"
    return f"{shown}% off" if kind == "percent" else f"{currency}{value:.2f} off"


def describe_offer(template: Template, currency: str | None = None) -> dict[str, str]:
    """The offer in words, as the claim page, My Cards, the till and the CLI show it (in the
    store's currency unless one is given)."""
    if currency is None:
        currency = settings.cached().currency
    discount = discount_text(template.discount_kind, template.discount_value, currency)
    minimum = Decimal(template.min_purchase or 0)
    if template.valid_days:
        expiry = f"Valid for {template.valid_days} day{'s' if template.valid_days != 1 else ''} after you claim it"
    elif template.expires_on:
        expiry = f"Valid until {template.expires_on}"
    else:
        expiry = "No expiry date"
    return {
        "discount": discount,
        "min_purchase": f"Minimum purchase {currency}{minimum:.2f}" if minimum > 0 else "No minimum purchase",
        "expiry": expiry,
        "terms": template.terms,
    }


def public_title(title: str, template_title: str) -> str:
    """What members read as a batch's headline: its public title, or the offer's own name ("Free tote
    bag") until one is set."""
    return title or template_title


def discount_line(headline: str, discount: str) -> str:
    """The discount as said under a headline, or "" when the headline says it already: members never
    read the discount twice ("10% off" over "10% off")."""
    return "" if discount.casefold() in headline.casefold() else discount
