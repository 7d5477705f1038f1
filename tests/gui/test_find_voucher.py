"""Find voucher at the till: typed sloppily or scanned (keys, then Enter), redeemed once."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.core import batches, claims

from .test_dashboard import card_of


def scan(qtbot, window, text):
    """A barcode scanner: it types into the focused field and ends with Enter."""
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)  # a closed dialog hands activation back
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.find_field.hasFocus()
    qtbot.keyClicks(window.find_field, text)
    qtbot.keyClick(window.find_field, Qt.Key.Key_Return)
    dialog = window.find_dialog
    qtbot.waitUntil(lambda: dialog.notice_text() not in ("", "Looking up…"))
    return dialog


@pytest.fixture
def claimed(make_batch, make_member):
    batch = make_batch(quantity=20, name="Spring Fair")
    return batch, claims.claim(batch.token, make_member("carol@example.com").id).voucher


def test_redeems_once_and_refuses_the_second_time(qtbot, window, claimed):
    batch, voucher = claimed
    card = card_of(qtbot, window, batch.id)
    sloppy = voucher.code.lower().replace("-", " ")
    dialog = scan(qtbot, window, sloppy)
    assert dialog.fields["code"].text() == voucher.code
    assert dialog.fields["batch"].text() == "Spring Fair"
    assert dialog.fields["member"].text() == "carol@example.com"
    assert dialog.fields["offer"].text() == "10% off · Minimum purchase $20.00"
    assert dialog.fields["status"].text().startswith("Claimed on")
    assert dialog.notice_text() == "This voucher can be redeemed."
    assert dialog.redeem_button.isVisible()

    qtbot.mouseClick(dialog.redeem_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.notice_text() == f"Voucher {voucher.code} redeemed.")
    assert not dialog.redeem_button.isVisible()
    qtbot.waitUntil(lambda: card.redeemed.value.text() == "1")  # the card's numbers follow
    assert card.rate.text() == "Redemption Rate: <b>100%</b>"

    dialog.close()
    dialog = scan(qtbot, window, voucher.code)
    assert dialog.notice_text().startswith(f"Voucher {voucher.code} was already redeemed on ")
    assert not dialog.redeem_button.isVisible()
    assert batches.get_batch(batch.id).redeemed == 1


def test_a_second_scan_goes_to_the_open_dialog_and_never_redeems(qtbot, window, claimed, make_batch):
    _batch, voucher = claimed
    dialog = scan(qtbot, window, voucher.code)
    assert dialog.code.hasFocus() and dialog.code.selectedText() == dialog.code.text()
    qtbot.keyClicks(dialog.code, "NO-SUCH-CODE")
    qtbot.keyClick(dialog.code, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.notice_text() == "No voucher has the code NO-SUCH-CODE.")
    assert not dialog.redeem_button.isVisible()
    assert batches.get_batch(_batch.id).redeemed == 0


def test_unclaimed_voucher_is_refused_plainly(qtbot, window, make_batch):
    from app.core import vouchers

    batch = make_batch(quantity=3)
    code = vouchers.page(batch.id, limit=1)[0].code
    dialog = scan(qtbot, window, code)
    assert dialog.notice_text() == f"Voucher {code} has not been claimed yet, so it cannot be redeemed."
    assert not dialog.redeem_button.isVisible()


def test_another_till_was_quicker(qtbot, window, claimed):
    _batch, voucher = claimed
    dialog = scan(qtbot, window, voucher.code)
    claims.redeem(voucher.code)  # meanwhile, at the other till
    dialog.redeem_button.click()
    qtbot.waitUntil(lambda: "was already redeemed" in dialog.notice_text())
    assert dialog.notice.property("kind") == "error"
