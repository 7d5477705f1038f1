"""The QR modal's code can be scanned off the screen in the state every new store sees first: its claim
link on this PC's address on the store's network, so the local-link warning appears after the dialog is
shown. The dialog lays itself out again: a grab of it decodes to the link."""

from __future__ import annotations

import zxingcpp
from PySide6.QtCore import Qt

from app.core import batches, links, settings, templates
from app.gui.dialogs.qr import QrDialog

from .helpers import card_of, dialog_of, escape


def grab_decodes(dialog: QrDialog) -> list[str]:
    """What zxing reads in a picture of the whole dialog as it is on screen."""
    image = dialog.grab().toImage()
    return [found.text for found in zxingcpp.read_barcodes(image)]


def test_a_new_stores_qr_modal_decodes_on_screen_below_its_warning(qtbot, db_path, make_window, tmp_path):
    settings.save(settings.Settings())  # a new store: no public address yet, links on this PC's LAN address
    offer = templates.create_template("10% off", "10%")
    batch = batches.create_batch("First batch", offer, 10, "In-store QR")
    verdict = links.judge(batch.claim_url)
    assert verdict.local_only, batch.claim_url  # the warning every new store sees
    window = make_window()
    for _ in range(2):
        qtbot.mouseClick(card_of(qtbot, window, batch.id).qr_button, Qt.MouseButton.LeftButton)
        dialog = dialog_of(qtbot, window, QrDialog)
        qtbot.waitUntil(lambda dialog=dialog: not dialog.image.pixmap().isNull() and dialog.reach.isVisible())
        qtbot.waitUntil(lambda dialog=dialog: grab_decodes(dialog) == [batch.claim_url], timeout=3000)
        image = dialog.image.geometry()
        assert not image.intersects(dialog.reach.geometry()) and not image.intersects(dialog.link.geometry())
        assert dialog.reach.text().startswith(verdict.message)
        escape(qtbot, dialog)
