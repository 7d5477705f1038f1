"""Voucher templates: the offer (discount, minimum purchase, expiry, terms) that a batch hands out."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import peewee

from app.core.store.models import Template

from . import settings, times
from .activity import Actor, record
from .errors import InvalidInput, NotFound
from .store import guarded, write_transaction

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
    title = (title or "").strip()
    if not title or len(title) > 120:
        raise InvalidInput("A template needs a title of 1 to 120 characters.")
    kind, value = parse_discount(discount)
    if valid_days is not None and expires_on is not None:
        raise InvalidInput("A template expires either on a fixed date or some days after claim, not both.")
    if valid_days is not None and not 1 <= int(valid_days) <= 3650:
        raise InvalidInput("Days of validity after claim must be from 1 to 3650.")
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
def list_templates() -> list[Template]:
    return list(Template.select().order_by(Template.title))


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


def public_title(title: str, discount_kind: str, discount_value: Decimal | float | str) -> str:
    """What members read as a batch's headline: its public title, or the offer until one is set."""
    return title or discount_text(discount_kind, discount_value)
