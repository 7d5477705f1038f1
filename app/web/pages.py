"""What members see: the home page, a batch's claim page, My Cards and their vouchers' QR codes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property, lru_cache
from typing import cast

from flask import Blueprint, Response, abort, current_app, render_template, request, session, url_for

from app.core import batches, claims, member_cards, qr, schedule, templates, times, vouchers, wording
from app.core import settings as core_settings
from app.core.claims import ClaimOutcome
from app.core.errors import DatabaseProblem
from app.core.store.models import Template, utcnow

from . import pocket, prerendered
from .accounts import current_member, members_only
from .security import csrf_token

bp = Blueprint("pages", __name__)

QR_PIXELS = 360  # shown at 200 CSS pixels: sharp on a phone's dense screen, light to send


@bp.get("/")
@bp.get("/en-us/")
def home():
    return render_template("home.html")


def voucher_view(voucher: vouchers.VoucherDetail, card: member_cards.Card | None = None) -> dict:
    """A voucher as a card shows it: the store, the promotion, the offer (its discount said once),
    valid / redeemed / expired, and for a valid one its QR code, the reminder of its last day and the
    ways to keep it."""
    card = card or member_cards.card(voucher)
    usable = card.state == member_cards.VALID
    code = voucher.code
    offer = _offer(voucher.template, voucher.batch_title) if voucher.template is not None else None
    return {
        "code": code,
        "batch_name": voucher.batch_name,
        "title": voucher.batch_title,
        "offer": offer,
        "expires_at": voucher.expires_at,
        "redeemed_at": voucher.redeemed_at,
        "ended_at": card.ended_at,
        "status": card.state,
        "badge": wording.CARD_BADGES[card.state],
        "usable": usable,
        "expires_in": _expires_in(card),
        # what only a voucher that can still be used has: nothing to scan once it is used or expired
        "qr_url": code_url("pages.voucher_qr", code) if usable else None,
        "image_url": code_url("pocket.voucher_image", code) if usable else None,
        "calendar_url": code_url("pocket.voucher_calendar", code) if usable and voucher.expires_at else None,
        "wallet_url": code_url("pocket.voucher_pass", code) if usable and pocket.wallet_ready() else None,
    }


def _expires_in(card: member_cards.Card) -> str:
    """The reminder of a voucher's last day, when it comes soon ("" otherwise)."""
    return wording.expires_in(card.days_left) if card.expiring and card.days_left is not None else ""


def _offer(template: Template, title: str) -> dict:
    """The offer as a page says it, its discount said once with the promotion's title."""
    offer = templates.describe_offer(template)
    offer["discount"] = templates.discount_line(title, offer["discount"])
    return offer


_CODE = "VOUCHERCODE"  # stands for the code in an address built once (a code is letters, digits and dashes)


def code_url(endpoint: str, code: str) -> str:
    """The address of one voucher's QR code, picture, calendar entry or pass: the endpoint's address
    built once (the site's url_for keeps it), the code put in."""
    if not (code.isascii() and code.replace("-", "").isalnum()):
        return url_for(endpoint, code=code)
    kept_url_for = cast(Callable[..., str], current_app.jinja_env.globals["url_for"])  # (the site's own: site.py)
    return kept_url_for(endpoint, code=_CODE).replace(_CODE, code)


# What the page says for each refused claim, and the status it answers with.
_REFUSED = {
    ClaimOutcome.PAUSED: "paused",
    ClaimOutcome.ENDED: "ended",
    ClaimOutcome.NOT_STARTED: "not_started",
    ClaimOutcome.NO_VOUCHERS: "sold_out",
}


@dataclass(frozen=True)
class Promotion:
    """What a claim page shows of its batch. Read afresh on every visit (the read before is kept while
    it says the same, with its pages: _promotion); the claim's answer uses the last read (so a title
    changed a moment ago shows from the next visit on)."""

    id: int
    token: str
    name: str
    title: str
    description: str
    template: Template
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    # its claim pages with a voucher, rendered with holes (see _voucher_page); dropped with the promotion
    skeletons: dict = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def offer(self) -> dict:
        """The offer as the claim page says it (worked out once for this visit's promotion)."""
        return _offer(self.template, self.title)

    def opens(self) -> str:
        return wording.opens_sentence(self.starts_at)

    def ended(self) -> str:
        """How it ended: on the offer's last day, or at the end the manager set (or chose now)."""
        if self.template.expires_on is not None and templates.has_ended(self.template, utcnow()):
            return f"Its last day was {self.template.expires_on}."
        if self.ends_at is not None:
            return wording.ended_sentence(self.ends_at)
        return "It is no longer running."


PROMOTIONS_KEPT = 256


def _promotions() -> dict[str, Promotion]:
    return current_app.extensions.setdefault("promotions", {})


def _promotion(batch) -> Promotion:
    found = Promotion(
        batch.id,
        batch.token,
        batch.name,
        batches.batch_public_title(batch),
        batch.description,
        batch.template,
        batch.starts_at,
        batch.ends_at,
    )
    kept = _promotions()
    before = kept.get(batch.token)
    if before is not None and _same(before, found):
        return before  # and its pages with holes, still good: every visit reads the batch, few change it
    if len(kept) >= PROMOTIONS_KEPT:
        kept.clear()
    kept[batch.token] = found
    return found


def _same(one: Promotion, other: Promotion) -> bool:
    """Whether two reads of a promotion say the same: its offer included, every column of it, and as
    said now (the store's currency may have changed since the one read before)."""
    return one == other and one.template.__data__ == other.template.__data__ and one.offer == other.offer


def _claim_page(promotion: Promotion, state: str, voucher=None, batch_state: str = "", status: int = 200):
    """batch_state: where the batch stands (schedule.STATES), said beside a voucher already claimed."""
    return _render_claim(promotion, state, batch_state, voucher_view(voucher) if voucher is not None else None), status


def _render_claim(promotion: Promotion, state: str, batch_state: str, view, **overrides) -> str:
    """The claim page as Jinja renders it (overrides: the prerendered page's holes for the member's parts)."""
    return render_template(
        "claim.html",
        batch=promotion,
        offer=promotion.offer,
        state=state,
        paused=batch_state == schedule.PAUSED,
        ended=batch_state == schedule.ENDED,
        voucher=view,
        **overrides,
    )


@bp.get("/en-us/claim/<token>")
def claim(token: str):
    batch = batches.find_by_token(token)
    if batch is None:
        abort(404)
    member = current_member()
    member_id = member.id if member is not None else None
    voucher = vouchers.voucher_of(member_id, batch.id) if member_id is not None else None
    now = utcnow()
    standing = schedule.state(batch.status, batch.starts_at, batch.ends_at, batch.template, now)
    refused = claims.claim_refusal(
        batch.status, batch.quantity, batch.claimed_count, batch.template, now, batch.starts_at, batch.ends_at
    )
    if voucher is not None:
        state = "already_claimed"
    elif refused is not None:
        state = _REFUSED[refused]
    else:
        state = "ready" if member_id is not None else "login"
    return _claim_page(_promotion(batch), state, voucher, standing)


@bp.post("/en-us/claim/<token>")
@members_only
def claim_voucher(member, token: str):
    """Claim at once; the batch's state comes from the claim itself, so nothing is read twice."""
    result = claims.claim(token, member.id)
    if result.outcome is ClaimOutcome.NOT_FOUND:  # unknown, or deleted since the page was read
        abort(404)
    promotion = _promotions().get(token)
    if promotion is None:
        batch = batches.find_by_token(token)
        if batch is None:
            abort(404)
        promotion = _promotion(batch)
    if result.outcome in _REFUSED:
        fresh = batches.find_by_token(token)  # the schedule as the claim saw it, said with its dates
        if fresh is not None:
            promotion = _promotion(fresh)
        return _claim_page(promotion, _REFUSED[result.outcome], status=409)
    state = "claimed" if result.outcome is ClaimOutcome.CLAIMED else "already_claimed"
    mine = cast(vouchers.VoucherDetail, result.voucher)
    standing = schedule.state(mine.batch_status, promotion.starts_at, promotion.ends_at, promotion.template, utcnow())
    return _voucher_page(promotion, state, mine, standing)


# The holes of a claim page with a voucher: what differs from one member's claim to the next.
_HOLES = ("code", "expires", "soon", "email", "csrf")
SKELETONS_KEPT = 64  # per promotion: one per look of the page (states, the store's name, https or not ...)


def _plain(code: str) -> bool:
    """A code that reads the same escaped and in an address (letters, digits and dashes, as every code is)."""
    return code.isascii() and code.replace("-", "").isalnum()


def _voucher_look(voucher: vouchers.VoucherDetail, card: member_cards.Card, soon: str) -> tuple:
    """All that voucher_view reads of a voucher and its card, but for what a page with holes leaves
    out (the code, the expiry's time and the reminder's words): two vouchers with the same look
    show the same card but for those."""
    offer = voucher.template
    return (
        voucher.batch_name,
        voucher.batch_title,
        voucher.status,
        voucher.redeemed_at,
        voucher.expires_at is None,
        card.state,
        card.ended_at,
        bool(soon),
        tuple(offer.__data__.items()) if offer is not None else None,
        core_settings.cached().currency,  # (templates.describe_offer says amounts in it)
        pocket.wallet_ready() is not None,
    )


def _voucher_page(promotion: Promotion, state: str, voucher: vouchers.VoucherDetail, batch_state: str = ""):
    """The claim page with the member's voucher, as _claim_page renders it: rendered by Jinja once per
    promotion and look of the page with holes for what is the member's own (the code, its expiry,
    the member's email and CSRF token), then filled for each claim."""
    member = current_member()
    if member is None or not _plain(voucher.code) or "_flashes" in session:  # (flashes are shown once, by Jinja)
        return _claim_page(promotion, state, voucher, batch_state)
    try:
        store_name = current_app.extensions["voucher_settings"].get().store_name  # (site.SettingsCache: cheap)
    except DatabaseProblem:  # never read, and the database is away: the page as Jinja says it
        return _claim_page(promotion, state, voucher, batch_state)
    card = member_cards.card(voucher)
    soon = _expires_in(card)
    look = (
        state,
        batch_state,
        store_name,
        request.script_root,
        request.is_secure,
        _voucher_look(voucher, card, soon),
    )
    skeleton = promotion.skeletons.get(look)
    if skeleton is None:
        view = voucher_view(replace(voucher, code=prerendered.hole("code")), card)
        if view["expires_at"] is not None:
            view["expires_at"] = prerendered.hole("expires")
        if soon:
            view["expires_in"] = prerendered.hole("soon")
        page = _render_claim(
            promotion,
            state,
            batch_state,
            view,
            store_name=store_name,
            member=_MemberHole(prerendered.hole("email")),
            csrf_token=lambda: prerendered.hole("csrf"),
        )
        if len(promotion.skeletons) >= SKELETONS_KEPT:
            promotion.skeletons.clear()
        skeleton = promotion.skeletons[look] = prerendered.Skeleton(page, _HOLES)
    filled = {
        "code": voucher.code,
        "expires": times.spoken(voucher.expires_at),
        "soon": soon,
        "email": member.email,
        "csrf": csrf_token(),
    }
    return skeleton.fill(filled), 200


@dataclass(frozen=True)
class _MemberHole:
    """The logged-in member as the page's one render sees them: an email to be filled in."""

    email: str


@bp.get("/en-us/my-cards")
@members_only
def my_cards(member):
    found = member_cards.my_cards(member.id)
    expiring = [(card.voucher.batch_title, card.days_left) for card in found.expiring if card.days_left is not None]
    return render_template(
        "my_cards.html",
        cards=[voucher_view(card.voucher, card) for card in found.valid],
        done=[voucher_view(card.voucher, card) for card in found.done],
        reminder=wording.expiring_banner(expiring, member_cards.SOON.days),
    )


@lru_cache(maxsize=512)
def _qr_png(code: str) -> bytes:
    return qr.qr_png_bytes(code, size=QR_PIXELS)


@bp.get("/en-us/my-cards/qr/<code>.png")
def voucher_qr(code: str):
    """The QR code of one of the logged-in member's own vouchers while it can be used: anyone
    else's, and a redeemed or expired one, is 'not found' (the till must never be shown one)."""
    member = current_member()
    if member is None:
        abort(404)
    voucher = vouchers.member_voucher(member.id, code)
    if voucher is None or not member_cards.usable(voucher):
        abort(404)
    response = Response(_qr_png(voucher.code), mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=86400"  # a code's picture never changes
    return response
