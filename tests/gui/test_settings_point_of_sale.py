"""Settings → Scanner (Test your scanner) and Settings → Point of sale (API keys, webhooks and their
deliveries), driven through the window's own Settings action, each twice."""

from __future__ import annotations

from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication
from zxingcpp import read_barcodes

from app.core import activity, api_keys, claims, scans, webhooks
from app.gui.dialogs.point_of_sale import PointOfSalePage
from app.gui.dialogs.scanner_test import LabelPreview, ScannerTestPage
from app.web import create_app
from tests.helpers.pos_api import Client

from .helpers import escape, open_settings, poppler, shown


def scanner_page(qtbot, window) -> tuple:
    dialog = open_settings(qtbot, window)
    dialog.show_page("Scanner")
    page = dialog.findChild(ScannerTestPage)
    qtbot.waitUntil(page.isVisible)
    return dialog, page


def scan_into(qtbot, page, text: str, enter: bool = True) -> None:
    page.field.setFocus()
    page.field.selectAll()
    qtbot.keyClicks(page.field, text)
    if enter:
        qtbot.keyClick(page.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.layout_said.isVisible() and page.field.selectedText() == page.field.text())


def test_the_test_label_reads_back_from_the_screen(qtbot, window, tmp_path):
    dialog, page = scanner_page(qtbot, window)
    page.label.grab().toImage().save(str(tmp_path / "label.png"))
    read = {found.format.name: found.text for found in read_barcodes(Image.open(tmp_path / "label.png"))}
    assert read == {"Code128": scans.TEST_LABEL, "QRCode": scans.TEST_LABEL}
    escape(qtbot, dialog)


def test_the_scanner_test_says_enter_and_layout(qtbot, window):
    for _ in range(2):
        dialog, page = scanner_page(qtbot, window)
        scan_into(qtbot, page, scans.TEST_LABEL)
        assert page.enter.text().startswith("The scanner sends Enter after each code")
        assert page.layout_said.text() == "It types in this PC's keyboard layout: codes arrive exactly as printed."
        assert dialog.isVisible()  # the scanner's Enter never pressed Save
        german = scans.TEST_LABEL.translate(str.maketrans("YZ-", "ZYß"))
        scan_into(qtbot, page, german, enter=False)  # no Enter: said after a quiet second
        assert page.enter.text().startswith("The scanner does not send Enter after a code")
        assert page.layout_said.text().startswith("This is a scanner set to US keys on a German (QWERTZ) PC")
        scan_into(qtbot, page, scans.TEST_LABEL.lower())
        assert page.layout_said.text().startswith("Caps lock is on")
        scan_into(qtbot, page, "SOMETHING ELSE")
        assert "is not the test label" in page.layout_said.text()
        escape(qtbot, dialog)


def test_the_test_label_prints(qtbot, window, tmp_path):
    dialog, page = scanner_page(qtbot, window)
    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(shown(page, LabelPreview)))
    preview = shown(page, LabelPreview)[0]
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "label.pdf"))
    preview._paint(printer)  # what Print sends to the printer, to a PDF instead
    poppler("pdftoppm", "-r", "200", "-png", "-singlefile", str(tmp_path / "label.pdf"), str(tmp_path / "page"))
    read = {found.format.name: found.text for found in read_barcodes(Image.open(tmp_path / "page.png"))}
    assert read == {"Code128": scans.TEST_LABEL, "QRCode": scans.TEST_LABEL}
    preview.close()
    escape(qtbot, dialog)


def pos_page(qtbot, window) -> tuple:
    dialog = open_settings(qtbot, window)
    dialog.show_page("Point of sale")
    page = dialog.findChild(PointOfSalePage)
    qtbot.waitUntil(page.isVisible)
    return dialog, page


def test_api_keys_are_made_shown_once_and_revoked_in_settings(qtbot, window, claimed):
    _batch, voucher = claimed
    for name in ("Till 1", "Till 2"):
        dialog, page = pos_page(qtbot, window)
        qtbot.keyClicks(page.key_name, name)
        qtbot.keyClick(page.key_name, Qt.Key.Key_Return)  # makes the key; never presses Save
        qtbot.waitUntil(lambda: page.new_key.text().startswith(api_keys.KEY_START))  # noqa: B023
        assert dialog.isVisible() and page.key_notice.text().startswith(f"API key “{name}” made.")
        secret = page.new_key.text()
        qtbot.waitUntil(lambda: page.key_table.rowCount() == (1 if name == "Till 1" else 2))  # noqa: B023
        answer = Client(secret, flask_client=create_app({"SETTINGS_MAX_AGE": 0}).test_client()).voucher(voucher.code)
        assert answer.status == 200  # the key works
        escape(qtbot, dialog)
    dialog, page = pos_page(qtbot, window)
    qtbot.waitUntil(lambda: page.key_table.rowCount() == 2)
    assert page.new_key.text() == ""  # shown once: never again
    page.key_table.selectRow(0)
    qtbot.mouseClick(page.revoke_key, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.key_notice.text() == "API key “Till 1” revoked: it no longer works.")
    qtbot.waitUntil(lambda: page.key_table.item(0, 4).text().startswith("revoked"))
    assert [k.active for k in api_keys.every_key()] == [False, True]
    assert {e.summary for e in activity.entries(activity.Filter(kind="settings_changed"))} >= {
        "API key “Till 1” created",
        "API key “Till 1” revoked",
    }
    escape(qtbot, dialog)


def test_webhooks_with_their_deliveries_in_settings(qtbot, window, make_batch, make_member):
    for url in ("https://pos.example.com/hooks", "https://books.example.com/in"):
        dialog, page = pos_page(qtbot, window)
        page.events["undone"].setChecked(False)
        qtbot.keyClicks(page.hook_url, url)
        qtbot.mouseClick(page.add_hook, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page.hook_notice.text().startswith(f"Webhook added: {url} gets claimed, redeemed."))  # noqa: B023
        assert "whsec_" in page.hook_notice.text()
        escape(qtbot, dialog)
    batch = make_batch(quantity=3)
    claims.claim(batch.token, make_member().id)  # no sender runs in these tests: the event waits
    dialog, page = pos_page(qtbot, window)
    qtbot.waitUntil(lambda: page.hook_table.rowCount() == 2 and page.delivery_table.rowCount() == 1)
    assert page.hook_table.item(0, 1).text() == "claimed, redeemed"
    assert page.hook_table.item(0, 3).text() == "1"  # waiting
    assert page.delivery_table.item(0, 1).text() == "claimed" and page.delivery_table.item(0, 2).text() == "pending"
    page.hook_table.selectRow(1)
    qtbot.mouseClick(page.remove_hook, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.hook_table.rowCount() == 1)
    assert [h.url for h in webhooks.hooks()] == ["https://pos.example.com/hooks"]
    qtbot.keyClicks(page.hook_url, "ftp://nowhere")
    qtbot.mouseClick(page.add_hook, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.hook_notice.property("kind") == "error")
    assert page.hook_url.text() == "ftp://nowhere"  # nothing typed is lost
    escape(qtbot, dialog)
    assert QApplication.activeModalWidget() is None
