"""Find voucher at the till: typed sloppily or scanned (keys, then Enter), redeemed once."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from app.core import batches, claims, settings, templates
from app.core.activity import Actor
from app.core.store.models import Voucher
from app.gui.pages.voucher_model import CLAIMED_AT, REDEEMED_AT

from .helpers import card_of, escape, scan, shown


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
    assert dialog.notice.text() == "This voucher can be redeemed."
    assert dialog.redeem_button.isVisible()

    qtbot.mouseClick(dialog.redeem_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.notice.text() == f"Voucher {voucher.code} redeemed.")
    assert not dialog.redeem_button.isVisible()
    qtbot.waitUntil(lambda: card.redeemed.value.text() == "1")  # the card's numbers follow
    assert card.rate.text() == "100%"

    dialog.close()
    dialog = scan(qtbot, window, voucher.code)
    assert dialog.notice.text().startswith(f"Voucher {voucher.code} was already redeemed on ")
    assert not dialog.redeem_button.isVisible()
    assert batches.get_batch(batch.id).redeemed == 1


def test_a_second_scan_goes_to_the_open_dialog_and_never_redeems(qtbot, window, claimed, make_batch):
    _batch, voucher = claimed
    dialog = scan(qtbot, window, voucher.code)
    assert dialog.code.hasFocus() and dialog.code.selectedText() == dialog.code.text()
    qtbot.keyClicks(dialog.code, "NO-SUCH-CODE")
    qtbot.keyClick(dialog.code, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.notice.text() == "No voucher has the code NO-SUCH-CODE.")
    assert not dialog.redeem_button.isVisible()
    assert batches.get_batch(_batch.id).redeemed == 0


def test_unclaimed_voucher_is_refused_plainly(qtbot, window, make_batch):
    from app.core import vouchers

    batch = make_batch(quantity=3)
    code = vouchers.page(batch.id, limit=1)[0].code
    dialog = scan(qtbot, window, code)
    assert dialog.notice.text() == f"Voucher {code} has not been claimed yet, so it cannot be redeemed."
    assert not dialog.redeem_button.isVisible()


def test_another_till_was_quicker(qtbot, window, claimed):
    _batch, voucher = claimed
    dialog = scan(qtbot, window, voucher.code)
    claims.redeem(voucher.code)  # meanwhile, at the other till
    dialog.redeem_button.click()
    qtbot.waitUntil(lambda: "was already redeemed" in dialog.notice.text())
    assert dialog.notice.property("kind") == "error"


def test_long_lines_wrap_and_show_whole(qtbot, window, make_member):
    """A long batch name, member email, terms or notice wraps; the dialog grows so no line is cut."""
    offer = templates.create_template(
        "Long terms", "10%", valid_days=30, terms=" ".join(["One per visit, not with other offers."] * 12)
    )
    batch = batches.create_batch(("Spring Fair and the whole town's summer festival " * 3)[:120], offer, 3, "Events")
    email = "carol.long-surname@" + "an-unusually-long-domain-name." * 4 + "example.com"
    voucher = claims.claim(batch.token, make_member(email).id).voucher

    def assert_nothing_cut(dialog):
        labels = [label for label in shown(dialog, QLabel) if label.wordWrap() and label.text()]
        assert dialog.notice in labels
        for label in labels:
            qtbot.waitUntil(lambda label=label: label.height() >= label.heightForWidth(label.width()))

    dialog = scan(qtbot, window, voucher.code)
    assert dialog.notice.text() == "This voucher can be redeemed."
    assert_nothing_cut(dialog)
    dialog.code.setText(" ".join([voucher.code] * 8))  # a scanner that repeated itself: a long notice
    qtbot.keyClick(dialog.code, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.notice.text().startswith("No voucher has the code"))
    assert_nothing_cut(dialog)


def test_times_at_the_till_are_the_stores_with_its_zone(qtbot, window, claimed):
    """The store is in New York: a voucher redeemed at 19:06 UTC was redeemed at 14:06 EST."""
    batch, voucher = claimed
    settings.save(dataclasses.replace(settings.load(), time_zone="America/New_York"))
    claims.redeem(voucher.code, Actor("2", "Anna"))
    Voucher.update(claimed_at=datetime(2026, 11, 30, 15, 0), redeemed_at=datetime(2026, 12, 1, 19, 6)).where(
        Voucher.id == voucher.id
    ).execute()
    for _ in range(2):
        dialog = scan(qtbot, window, voucher.code)
        assert (
            dialog.notice.text()
            == f"Voucher {voucher.code} was already redeemed on 2026-12-01 at 14:06 EST by Anna, till 2."
        )
        assert dialog.fields["status"].text() == "Redeemed on 2026-12-01 14:06 EST"
        escape(qtbot, dialog)

    card = card_of(qtbot, window, batch.id)
    qtbot.mouseClick(card.vouchers_button, Qt.MouseButton.LeftButton)
    view = window.pages.vouchers_view
    qtbot.waitUntil(lambda: view.model.rowCount() == 20 and view.model.row_at(0) is not None)
    row = next(n for n in range(20) if view.model.row_at(n).code == voucher.code)
    cell = lambda column: view.model.data(view.model.index(row, column))  # noqa: E731
    assert (cell(CLAIMED_AT), cell(REDEEMED_AT)) == ("2026-11-30 10:00", "2026-12-01 14:06")
    tip = view.model.headerData(REDEEMED_AT, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("In the store's time zone: America/New_York. Click to sort by it")
