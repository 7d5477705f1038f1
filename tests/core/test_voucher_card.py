"""The voucher's picture as data: a phone-screen page that says the store, the promotion, the offer, its
terms, the expiry and the code, with a QR code of the code; none for a voucher that cannot be used."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.core import claims, settings, voucher_card, vouchers
from app.core.errors import NotFound
from app.core.signage import QrCode, Text
from app.core.store.models import Voucher, utcnow


def test_the_picture_says_everything_the_till_needs(make_batch, make_member):
    voucher = claims.claim(make_batch(title="Summer treat").token, make_member().id).voucher
    page = voucher_card.page_for(voucher, settings.load())
    assert page.width / page.height == pytest.approx(9 / 16)
    assert round(page.width * voucher_card.DPI / 72) >= 1080
    items = page.panels[0].items
    said = {item.role: item.text for item in items if isinstance(item, Text)}
    assert said["store"] == "Corner Shop" and said["title"] == "Summer treat"
    assert said["offer"] == "10% off" and said["minimum"] == "Minimum purchase $20.00"
    assert said["code"] == voucher.code and said["terms"] == "Terms: One per visit"
    assert said["validity"].startswith("Valid until ")
    (qr,) = [item for item in items if isinstance(item, QrCode)]
    assert qr.code_width >= 150  # points: about 2 inches, as a till's scanner likes


def test_a_redeemed_or_expired_voucher_has_no_picture(make_batch, make_member):
    member = make_member()
    used = claims.claim(make_batch(name="used").token, member.id).voucher
    claims.redeem(used.code)
    old = claims.claim(make_batch(name="old").token, member.id).voucher
    Voucher.update(expires_at=utcnow() - timedelta(seconds=1)).where(Voucher.id == old.id).execute()
    for code in (used.code, old.code):
        with pytest.raises(NotFound, match="can no longer be used"):
            voucher_card.page_for(vouchers.lookup(code), settings.load())


def test_the_picture_says_the_discount_once_and_no_expiry_plainly(make_member):
    from app.core import batches, templates

    forever = templates.create_template("Summer basket", "10%")  # never expires
    batch = batches.create_batch("Summer - Email", forever, 5, "Email", title="10% off your summer basket")
    voucher = claims.claim(batch.token, make_member().id).voucher
    items = voucher_card.page_for(voucher, settings.load()).panels[0].items
    said = {item.role: item.text for item in items if isinstance(item, Text)}
    assert said["title"] == "10% off your summer basket" and "offer" not in said  # not "10% off" again under it
    assert said["validity"] == "No expiry"
