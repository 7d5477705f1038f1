"""The till with any scanner, and money at the till: a scanner typing for the wrong keyboard layout
still finds its voucher (and the till says so), a claim link says its batch, and an order total given
at redemption is kept, refused below the minimum purchase unless the staff member redeems anyway."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.core import analytics, batches, claims, vouchers

from .helpers import scan


def german(code: str) -> str:
    """What a scanner set to US keys types on a German PC: Y and Z swapped, ß for a dash."""
    return code.translate(str.maketrans("YZ-", "ZYß"))


def test_a_scanner_on_a_german_pc_finds_the_voucher_and_the_till_says_why(qtbot, window, claimed):
    _batch, voucher = claimed
    for _ in range(2):
        dialog = scan(qtbot, window, german(voucher.code))
        assert dialog.fields["code"].text() == voucher.code
        assert dialog.scanned.isVisible()
        assert dialog.scanned.text().startswith("Read as typed by a scanner set to US keys on a German (QWERTZ) PC.")
        dialog.close()
    dialog = scan(qtbot, window, voucher.code)
    assert not dialog.scanned.isVisible()


def test_a_scanned_claim_link_says_which_batch_it_belongs_to(qtbot, window, claimed):
    batch, _voucher = claimed
    dialog = scan(qtbot, window, batches.get_batch(batch.id).claim_url)
    assert dialog.notice.text().startswith(f"This is the claim link of the batch “Spring Fair” (id {batch.id})")
    assert not dialog.redeem_button.isVisible() and not dialog.details.isVisible()


def redeem_with(qtbot, dialog, total: str, button=None) -> None:
    dialog.order_total.clear()
    qtbot.keyClicks(dialog.order_total, total)
    qtbot.mouseClick(button or dialog.redeem_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.notice.text() != "Redeeming…")


def test_an_order_total_is_kept_with_the_redemption(qtbot, window, make_batch, make_member):
    batch = make_batch(quantity=5, name="Spring Fair")  # 10% off, minimum purchase $20.00
    held = [claims.claim(batch.token, make_member().id).voucher for _ in range(2)]
    for voucher, total, said in ((held[0], "25.00", "$2.50 off $25.00"), (held[1], "80", "$8.00 off $80.00")):
        dialog = scan(qtbot, window, voucher.code)
        assert dialog.order_total.isVisible()
        redeem_with(qtbot, dialog, total)
        assert dialog.notice.text() == f"Voucher {voucher.code} redeemed: {said}."
        assert not dialog.order_total.isVisible()
        dialog.close()
    money = analytics.batch_stats(batch.id).money
    assert (money.totalled, money.sales_cents, money.discount_cents) == (2, 10500, 1050)


def test_below_the_minimum_purchase_the_staff_member_decides(qtbot, window, claimed):
    batch, voucher = claimed
    dialog = scan(qtbot, window, voucher.code)
    redeem_with(qtbot, dialog, "15")
    assert dialog.notice.text().startswith("The order total $15.00 is below this offer's minimum purchase of $20.00")
    assert dialog.notice.property("kind") == "warning"
    assert dialog.anyway_button.isVisible() and dialog.redeem_button.isVisible()
    assert vouchers.lookup(voucher.code).state == "claimed"
    qtbot.mouseClick(dialog.anyway_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.notice.text() == f"Voucher {voucher.code} redeemed: $1.50 off $15.00.")
    assert not dialog.anyway_button.isVisible()
    assert batches.get_batch(batch.id).redeemed == 1


def test_an_order_total_that_is_no_amount_is_said_and_nothing_redeemed(qtbot, window, claimed):
    batch, voucher = claimed
    dialog = scan(qtbot, window, voucher.code)
    redeem_with(qtbot, dialog, "twenty")
    assert "is not an amount of money" in dialog.notice.text()
    assert dialog.redeem_button.isEnabled() and dialog.order_total.text() == "twenty"  # nothing typed is lost
    assert batches.get_batch(batch.id).redeemed == 0
    redeem_with(qtbot, dialog, "20")
    assert dialog.notice.text() == f"Voucher {voucher.code} redeemed: $2.00 off $20.00."
    dialog.close()
    dialog = scan(qtbot, window, voucher.code)  # looked up again: the status says the order
    assert dialog.fields["status"].text().endswith("· order $20.00")


def test_the_batch_page_and_the_channels_page_show_sales_and_discount(qtbot, window, make_batch, make_member):
    from app.gui.pages.batch import BatchPage
    from app.gui.pages.channels import DISCOUNT_COLUMN, SALES_COLUMN, ChannelsPage

    from .helpers import card_of

    batch = make_batch(quantity=5, name="Spring Fair", channel="Email")
    for total in ("25.00", "80"):
        voucher = claims.claim(batch.token, make_member().id).voucher
        dialog = scan(qtbot, window, voucher.code)
        redeem_with(qtbot, dialog, total)
        dialog.close()
    for _ in range(2):
        qtbot.mouseClick(card_of(qtbot, window, batch.id).title, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: isinstance(window.pages.page, BatchPage) and window.pages.page.stats is not None)
        page = window.pages.page
        qtbot.waitUntil(page.money.isVisible)
        assert page.money.text() == "Sales with vouchers: $105.00 on 2 orders · Discount given: $10.50"
        qtbot.mouseClick(page.back, Qt.MouseButton.LeftButton)
        window.analytics.channels_action.trigger()
        qtbot.waitUntil(lambda: isinstance(window.pages.page, ChannelsPage) and bool(window.pages.page.rows))
        channels = window.pages.page
        email = [r for r in range(channels.table.rowCount()) if channels.table.item(r, 0).text() == "Email"][0]
        assert channels.table.item(email, SALES_COLUMN).text() == "$105.00"
        assert channels.table.item(email, DISCOUNT_COLUMN).text() == "$10.50"
        sms = [r for r in range(channels.table.rowCount()) if channels.table.item(r, 0).text() == "SMS"][0]
        assert channels.table.item(sms, SALES_COLUMN).text() == "—"
        qtbot.mouseClick(channels.back, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.pages.stack.currentWidget() is window.dashboard)
