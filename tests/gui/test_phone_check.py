""" "Check with a phone" in Settings: a QR code of the check's link, green once a phone opens it."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtWidgets import QApplication

from app.gui.dialogs.phone_check import WAITING, PhoneCheckDialog
from app.web.site import create_app

from .helpers import escape, open_settings


def phone_check_of(qtbot) -> PhoneCheckDialog:
    found: list[PhoneCheckDialog] = []

    def shown() -> bool:
        found[:] = [w for w in QApplication.topLevelWidgets() if isinstance(w, PhoneCheckDialog) and w.isVisible()]
        return len(found) == 1

    qtbot.waitUntil(shown)
    return found[0]


def decoded(dialog: PhoneCheckDialog) -> list[str]:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    dialog.image.pixmap().toImage().save(buffer, "PNG")
    return [code.text for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(bytes(data.data()))))]


def test_a_phone_opening_the_qr_codes_link_turns_the_check_green(qtbot, window):
    phone = create_app({"SETTINGS_MAX_AGE": 0}).test_client()
    links = []
    for address in ("192.168.1.23", "192.168.1.40"):  # twice: each check starts from nothing
        settings_dialog = open_settings(qtbot, window)
        qtbot.mouseClick(settings_dialog.phone_button, Qt.MouseButton.LeftButton)
        dialog = phone_check_of(qtbot)
        assert dialog.windowTitle() == "Check with a phone" and dialog.status.text() == WAITING
        assert dialog.url.startswith("http://shop.test:8080/en-us/phone-check/") and dialog.url not in links
        assert decoded(dialog) == [dialog.url]  # what the phone's camera reads
        links.append(dialog.url)
        path = dialog.url.removeprefix("http://shop.test:8080")
        assert phone.get(path, environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 200  # this PC: not yet
        qtbot.wait(1500)
        assert dialog.status.text() == WAITING
        assert phone.get(path, environ_base={"REMOTE_ADDR": address}).status_code == 200
        qtbot.waitUntil(
            lambda a=address, d=dialog: d.status.text().startswith(f"✓ A phone at {a} reached the claim site")
        )
        assert dialog.status.property("kind") == "success"
        escape(qtbot, dialog)
        escape(qtbot, settings_dialog)
