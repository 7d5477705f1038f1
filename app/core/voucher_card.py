"""A member's voucher as a picture to keep on the phone ("Save voucher image"): a phone-screen page
with the store, the promotion, the offer, its terms, the expiry, the code and a QR code of it, as
pure data for the signage painter (app/render/painting), which draws the posters the same way.

The picture opens from the phone's photos where there is no signal, whatever the claim site is
served over; only a voucher that can still be used is drawn (member_cards.usable)."""

from __future__ import annotations

from . import member_cards, settings, templates, times
from .errors import NotFound
from .qr import qr_modules
from .signage import ACCENT, INK, MUTED, Box, Item, Logo, Page, Panel, QrCode, Rule, Text
from .vouchers import VoucherDetail

WIDTH, HEIGHT = 360.0, 640.0  # points: a 9:16 phone screen
DPI = 216  # 360 points at 216 dpi: 1080 × 1920 pixels, a phone's full-HD screen
CODE_LABEL = "Voucher code"
AT_THE_TILL = "Show this picture at the till"


def _header(store_name: str, logo_path: str, box: Box) -> list[Item]:
    """The store's name, after its logo when there is one (as the posters head themselves)."""
    if not logo_path:
        return [Text("store", store_name, box, 16, 10, True, MUTED, "center", 1)]
    logo_w = box.h * 1.6
    name = Box(box.x + logo_w + 8, box.y, box.w - logo_w - 8, box.h)
    return [
        Logo(Box(box.x, box.y, logo_w, box.h), logo_path),
        Text("store", store_name, name, 16, 10, True, MUTED, "left", 1),
    ]


def page_for(voucher: VoucherDetail, config: settings.Settings) -> Page:
    """The picture of a voucher that can still be used (NotFound for a redeemed or expired one)."""
    if not member_cards.usable(voucher) or voucher.template is None:
        raise NotFound(f"Voucher {voucher.code} can no longer be used, so it has no picture.")
    offer = templates.describe_offer(voucher.template, config.currency)
    discount = templates.discount_line(voucher.batch_title, offer["discount"])
    until = f"Valid until {times.spoken(voucher.expires_at)}" if voucher.expires_at else "No expiry"
    m = 24.0
    inner = WIDTH - 2 * m
    side = 216.0
    items: list[Item] = [Rule(Box(0, 0, WIDTH, 10))]
    items += _header(config.store_name, config.logo_path, Box(m, 28, inner, 26))
    if discount:
        items += [
            Text("title", voucher.batch_title, Box(m, 62, inner, 66), 24, 14, True, INK, "center", 3),
            Text("offer", discount, Box(m, 130, inner, 50), 40, 20, True, ACCENT, "center", 1),
        ]
    else:  # the discount once: a title that says it already takes the offer's room too
        items.append(Text("title", voucher.batch_title, Box(m, 62, inner, 118), 30, 14, True, INK, "center", 3))
    items += [
        Text("minimum", offer["min_purchase"], Box(m, 182, inner, 22), 13, 9, False, INK, "center", 1),
        QrCode(Box((WIDTH - side) / 2, 212, side, side), qr_modules(voucher.code)),
        Text("code_label", CODE_LABEL, Box(m, 436, inner, 16), 10, 8, False, MUTED, "center", 1),
        Text("code", voucher.code, Box(m, 452, inner, 38), 26, 12, True, INK, "center", 1, True),
        Text("validity", until, Box(m, 496, inner, 24), 14, 9, True, INK, "center", 2),
    ]
    if offer["terms"]:
        items.append(
            Text("terms", f"Terms: {offer['terms']}", Box(m, 524, inner, 74), 11, 7, False, MUTED, "center", 5)
        )
    items.append(Text("cta", AT_THE_TILL, Box(m, 604, inner, 20), 12, 9, False, MUTED, "center", 1))
    return Page(
        WIDTH,
        HEIGHT,
        "custom",
        panels=(Panel(Box(0, 0, WIDTH, HEIGHT), tuple(items)),),
        accent=config.accent_color or settings.DEFAULT_ACCENT,
        min_qr=0,
    )
