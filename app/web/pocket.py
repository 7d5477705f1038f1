"""A member's voucher in their pocket: kept for the till where there is no signal.

- "Save voucher image": a phone-screen picture of a valid voucher (drawn as the posters are);
- "Add to calendar": its last day, with a reminder the day before;
- "Add to Apple Wallet": a signed pass, where the store has set its certificate;
- over https, a web app manifest and a service worker (static/sw.js, served at /sw.js for its
  scope) that keeps My Cards and each valid voucher's QR code for use offline: pocket.json tells it
  which, and the offline page is what it shows for any other page without signal.

Each file of a voucher is only for the member who holds it (anyone else's: not found), and the
picture, the QR code and the calendar entry only while it can be used (member_cards.usable)."""

from __future__ import annotations

import concurrent.futures
import re
import threading
import time
from collections import OrderedDict
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    send_from_directory,
    url_for,
)

from app.core import ics, member_cards, templates, times, voucher_card, vouchers, wallet
from app.core.settings import Settings
from app.core.signage import Page
from app.render import pictures
from app.resources import resource_path

from .accounts import current_member, members_only
from .security import WORKER_POLICY

bp = Blueprint("pocket", __name__)

THEME = "#0f766e"  # the site's brand colour (site.css --brand): the phone's bar on My Cards
GROUND = "#f4f1ec"  # site.css --ground: behind the page while it opens
PICTURE_WAIT = 20.0  # seconds a voucher picture may wait for the ones drawn before it


def _settings() -> Settings:
    return current_app.extensions["voucher_settings"].get()  # (site.SettingsCache: cheap)


def _attachment(response: Response, filename: str) -> Response:
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _usable_voucher(member, code: str) -> vouchers.VoucherDetail:
    voucher = vouchers.member_voucher(member.id, code)
    if voucher is None or not member_cards.usable(voucher):
        abort(404)
    return voucher


_PICTURE_PATH = re.compile(r"/en-us/my-cards/[^/]+/card\.png")  # voucher_image's route


def is_picture(path: str) -> bool:
    """Whether a request's path asks for a voucher picture, which waits for the render thread: the
    server gives those threads of their own, so that a rush of them never holds up other pages."""
    return _PICTURE_PATH.fullmatch(path) is not None


PICTURES_KEPT = 32  # drawn pictures kept (each about 100 KB): a member saving one twice, a page reloaded
PICTURES_WAITING = 4  # server threads that may wait for the render thread at once; the rest answer others
_pictures: OrderedDict[Page, bytes] = OrderedDict()
_pictures_lock = threading.Lock()
_waiting = threading.BoundedSemaphore(PICTURES_WAITING)


def _picture(page: Page) -> bytes:
    """A voucher's picture, drawn once: a page is what is drawn, whole, so a changed offer, store name
    or logo is a new page. A rush of new ones takes at most PICTURES_WAITING server threads, each
    waiting its turn on the render thread; past that, "busy, try again" at once (503)."""
    with _pictures_lock:
        found = _pictures.get(page)
        if found is not None:
            _pictures.move_to_end(page)
            return found
    if not _waiting.acquire(blocking=False):
        abort(503)
    try:
        data = pictures.png(page, voucher_card.DPI, timeout=PICTURE_WAIT)
    except concurrent.futures.TimeoutError:  # a queue of pictures longer than anyone waits for
        abort(503)
    finally:
        _waiting.release()
    with _pictures_lock:
        _pictures[page] = data
        while len(_pictures) > PICTURES_KEPT:
            _pictures.popitem(last=False)
    return data


@bp.get("/en-us/my-cards/<code>/card.png")
@members_only
def voucher_image(member, code: str):
    voucher = _usable_voucher(member, code)
    data = _picture(voucher_card.page_for(voucher, _settings()))
    return _attachment(Response(data, mimetype="image/png"), f"voucher-{voucher.code}.png")


def _my_cards_link() -> str:
    """My Cards at the public address (what a calendar entry or a pass links to)."""
    return f"{_settings().base_url}{url_for('pages.my_cards')}"


@bp.get("/en-us/my-cards/<code>/calendar.ics")
@members_only
def voucher_calendar(member, code: str):
    voucher = _usable_voucher(member, code)
    if voucher.expires_at is None or voucher.template is None:
        abort(404)
    config = _settings()
    offer = templates.describe_offer(voucher.template, config.currency)["discount"]
    host = urlsplit(config.base_url).hostname or ""
    text = ics.last_day_event(voucher, config.store_name, offer, _my_cards_link(), host)
    return _attachment(Response(text, mimetype="text/calendar"), f"voucher-{voucher.code}.ics")


WALLET_KEPT = 2.0  # seconds the certificate's readiness is remembered (a settings row and the password)


def wallet_ready() -> wallet.Signer | None:
    """The certificate to sign passes with, when this claim site can (set, its password kept on
    this PC, the Pass Type ID and team set); looked at every WALLET_KEPT seconds."""
    kept = current_app.extensions.get("wallet_ready")
    now = time.monotonic()
    if kept is None or now - kept[1] >= WALLET_KEPT:
        config = _settings()
        found = wallet.signer() if config.wallet_pass_type_id and config.wallet_team_id else None
        kept = current_app.extensions["wallet_ready"] = (found, now)
    return kept[0]


@bp.get("/en-us/my-cards/<code>/voucher.pkpass")
@members_only
def voucher_pass(member, code: str):
    """The voucher's Apple Wallet pass; a redeemed one's is voided (adding it again updates the pass)."""
    signer = wallet_ready()
    voucher = vouchers.member_voucher(member.id, code)
    if signer is None or voucher is None:
        abort(404)
    data = wallet.pkpass(voucher, _settings(), _my_cards_link(), signer)
    return _attachment(Response(data, mimetype=wallet.MEDIA_TYPE), f"voucher-{voucher.code}.pkpass")


# -- without signal (https only: browsers run service workers on secure pages alone) -------------


@bp.get("/en-us/my-cards/pocket.json")
def pocket():
    """What the service worker keeps for the logged-in member: My Cards, and each valid voucher's
    QR code until it expires. Anyone else: 401, and the worker forgets what it kept."""
    member = current_member()
    if member is None:
        response = jsonify({"page": None, "vouchers": []})
        response.status_code = 401
    else:
        found = member_cards.my_cards(member.id)
        response = jsonify(
            {
                "page": url_for("pages.my_cards"),
                "vouchers": [
                    {
                        "code": card.voucher.code,
                        "qr": url_for("pages.voucher_qr", code=card.voucher.code),
                        "until": times.iso(card.voucher.expires_at),
                    }
                    for card in found.valid
                ],
            }
        )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/en-us/offline")
def offline():
    """What the service worker shows for a page it cannot fetch and did not keep."""
    # kept by the worker for any member of this phone: nothing of the member in it
    return render_template("offline.html", member=None, pocket=False)


@bp.get("/manifest.webmanifest")
def manifest():
    store_name = _settings().store_name
    icon = lambda name, size, purpose="any": {  # noqa: E731
        "src": url_for("static", filename=name),
        "sizes": f"{size}x{size}",
        "type": "image/png",
        "purpose": purpose,
    }
    response = jsonify(
        {
            "name": f"{store_name} vouchers",
            "short_name": store_name[:12] or "Vouchers",
            "description": f"Your vouchers from {store_name}, ready at the till, with or without signal.",
            "start_url": url_for("pages.my_cards"),
            "scope": f"{request.script_root}/",
            "display": "standalone",
            "background_color": GROUND,
            "theme_color": THEME,
            "icons": [
                icon("icon-192.png", 192),
                icon("icon-512.png", 512),
                icon("icon-maskable-512.png", 512, "maskable"),
            ],
        }
    )
    response.mimetype = "application/manifest+json"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/sw.js")
def worker():
    """The service worker, from the site's root so that its scope is the whole site."""
    response = send_from_directory(resource_path("static"), "sw.js", mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"  # a new version is picked up on the next visit
    response.headers["Content-Security-Policy"] = WORKER_POLICY
    return response
