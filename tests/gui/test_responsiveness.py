"""The GUI thread only paints: every core call the window makes runs on a worker thread."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt

from app.core import batches, claims, qr, settings, templates, times, vouchers
from app.gui.dialogs.delete_batch import DeleteChoice
from app.gui.dialogs.new_batch import NewBatchDialog
from app.gui.dialogs.qr import QrDialog
from app.gui.dialogs.settings import SettingsDialog

from .helpers import card_of, dialog_of, escape, menu_action, scan, status_of

WATCHED = [
    (batches, "list_batches"),
    (batches, "pause_batch"),
    (batches, "create_batch"),
    (batches, "delete_batch"),
    (vouchers, "page"),
    (vouchers, "page_from"),
    (vouchers, "page_starts"),
    (vouchers, "count"),
    (vouchers, "lookup"),
    (vouchers, "export_csv"),
    (claims, "redeem"),
    (templates, "list_templates"),
    (templates, "create_template"),
    (templates, "describe_offer"),
    (settings, "load"),
    (settings, "save"),
    (times, "zone_choices"),
    (qr, "qr_png_bytes"),
    (qr, "save_qr_png"),
]


@pytest.fixture
def core_threads(monkeypatch):
    """Record the thread of every call to the slow core services."""
    seen: list[tuple[str, bool]] = []
    for module, name in WATCHED:
        real = getattr(module, name)

        def spy(*args, _real=real, _name=name, **kwargs):
            seen.append((_name, threading.current_thread() is threading.main_thread()))
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, name, spy)
    return seen


def test_no_core_call_on_the_gui_thread(qtbot, make_batch, make_member, window, prompts, tmp_path, core_threads):
    batch = make_batch(quantity=300)
    voucher = claims.claim(batch.token, make_member().id).voucher
    core_threads.clear()  # the test's own setup ran here; from now on only the window calls
    card = card_of(qtbot, window, batch.id)
    menu_action(card, "Pause Batch").trigger()
    qtbot.waitUntil(lambda: status_of(card) == "Paused")
    qtbot.mouseClick(card.vouchers_button, Qt.MouseButton.LeftButton)
    view = window.pages.vouchers_view
    qtbot.waitUntil(lambda: view.model.row_at(0) is not None)
    view.table.scrollToBottom()
    qtbot.waitUntil(lambda: view.model.row_at(299) is not None)
    prompts.file_names.append(str(tmp_path / "all.csv"))
    qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Exported 300 vouchers" in window.message_bar.text())
    qtbot.keyClick(view.table, Qt.Key.Key_Escape)
    window.activateWindow()  # offscreen has no window manager to hand it back after the progress dialog

    dialog = scan(qtbot, window, voucher.code)
    dialog.redeem_button.click()
    qtbot.waitUntil(lambda: dialog.notice.text() == f"Voucher {voucher.code} redeemed.")
    escape(qtbot, dialog)

    qtbot.mouseClick(card.qr_button, Qt.MouseButton.LeftButton)
    share = dialog_of(qtbot, window, QrDialog)
    prompts.file_names.append(str(tmp_path / "qr.png"))
    share.download_button.click()
    qtbot.waitUntil(lambda: "Saved" in share.status.text())
    escape(qtbot, share)

    window.new_action.trigger()
    new = dialog_of(qtbot, window, NewBatchDialog)
    new.new_template_button.click()
    new.template_form.title.setText("5 off")
    new.template_form.discount.setText("5")
    new.template_form.create_button.click()
    qtbot.waitUntil(lambda: new.notice.text() == "Template “5 off” created.")
    new.name.setText("Second")
    new.channel.setCurrentText("SMS")
    new.quantity.setValue(3)
    new.create_button.click()
    qtbot.waitUntil(lambda: window.message_bar.text() == "Created “Second” with 3 vouchers.")

    window.settings_action.trigger()
    edit = dialog_of(qtbot, window, SettingsDialog)
    edit.buttons.button(edit.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: window.message_bar.text() == "Settings saved.")

    prompts.delete_answers.append(DeleteChoice.CONFIRM)
    menu_action(card, "Delete Batch").trigger()
    qtbot.waitUntil(lambda: window.message_bar.text().startswith("Deleted"))

    called = {name for name, _ in core_threads}
    assert {name for _, name in WATCHED} <= called
    assert [name for name, on_gui in core_threads if on_gui] == []


def test_switching_to_dark_redraws_the_cards(qtbot, make_batch, window, qapp):
    from app.gui.kit import style
    from tests.gui.helpers import dark_palette

    batch = make_batch()
    before = card_of(qtbot, window, batch.id)
    light = qapp.palette()
    try:
        qapp.setPalette(dark_palette())
        style.apply(qapp)
        qtbot.waitUntil(lambda: window.dashboard.grid.card_for(batch.id) is not before)
        assert style.is_dark()
        assert "#173a24" in qapp.styleSheet()  # the dark green of the Active badge
        assert status_of(window.dashboard.grid.card_for(batch.id)) == "Active"
    finally:
        qapp.setPalette(light)
        style.apply(qapp)
