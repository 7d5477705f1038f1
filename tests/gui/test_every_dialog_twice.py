"""Every dialog of the window opens, closes and opens again, as often as a shift needs: each is
driven through the window's own actions, twice in a row, with Qt's deletions delivered in between."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QPushButton

from app.core import claims, store
from app.gui.dialogs.delete_batch import DeleteDialog
from app.gui.dialogs.find_voucher import FindVoucherDialog
from app.gui.dialogs.new_batch import NewBatchDialog
from app.gui.dialogs.qr import QrDialog
from app.gui.dialogs.settings import SettingsDialog
from app.gui.kit.prompts import Prompts

from .helpers import answer_modal, card_of, dialog_of, escape, flush_deletions, menu_action, shown, shown_text


def no_bug_said(window) -> bool:
    return "Something unexpected" not in window.message_bar.text()


def test_new_batch_opens_again_after_cancel_and_after_create(qtbot, template, window):
    for _ in range(2):
        window.new_action.trigger()
        escape(qtbot, dialog_of(qtbot, window, NewBatchDialog))
    for name in ("Summer 2025 - Email List", "Summer 2025 - Store Signage"):
        window.new_action.trigger()
        dialog = dialog_of(qtbot, window, NewBatchDialog)
        qtbot.keyClicks(dialog.name, name)
        dialog.channel.setCurrentText("Email")
        dialog.quantity.setValue(5)
        qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda name=name: window.message_bar.text() == f"Created “{name}” with 5 vouchers.")
        flush_deletions()
    assert no_bug_said(window)


def test_new_batch_twice_quickly_opens_one_dialog(qtbot, template, window):
    window.new_action.trigger()
    window.new_action.trigger()  # a double press: the second waits for the first
    dialog = dialog_of(qtbot, window, NewBatchDialog)
    window.new_action.trigger()  # while open: it comes forward, no second one
    qtbot.wait_until(lambda: dialog.isActiveWindow())
    assert len(shown(window, NewBatchDialog)) == 1
    escape(qtbot, dialog)


def test_find_voucher_opens_again_after_close(qtbot, window, make_batch, make_member):
    batch = make_batch(quantity=3)
    code = claims.claim(batch.token, make_member().id).voucher.code
    for _ in range(2):
        window.find_action.trigger()
        qtbot.keyClicks(window.till_field, code)
        qtbot.keyClick(window.till_field, Qt.Key.Key_Return)
        dialog = dialog_of(qtbot, window, FindVoucherDialog)
        qtbot.waitUntil(lambda dialog=dialog: dialog.notice.text() == "This voucher can be redeemed.")
        escape(qtbot, dialog)
        qtbot.waitUntil(window.till_field.hasFocus)  # back at the field for the next scan
    assert no_bug_said(window)


def test_settings_open_again_after_cancel_and_after_save(qtbot, window):
    for press in ("cancel", "cancel", "save", "save"):
        window.settings_action.trigger()
        dialog = dialog_of(qtbot, window, SettingsDialog)
        if press == "cancel":
            escape(qtbot, dialog)
        else:
            dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
            qtbot.waitUntil(lambda: not shown(window, SettingsDialog))
            flush_deletions()
    assert window.message_bar.text() == "Settings saved."


def test_share_opens_again(qtbot, make_batch, window):
    batch = make_batch()
    card = card_of(qtbot, window, batch.id)
    for _ in range(2):
        qtbot.mouseClick(card.qr_button, Qt.MouseButton.LeftButton)
        dialog = dialog_of(qtbot, window, QrDialog)
        qtbot.waitUntil(lambda dialog=dialog: not dialog.image.pixmap().isNull())
        escape(qtbot, dialog)
    qtbot.mouseClick(card.qr_button, Qt.MouseButton.LeftButton)
    escape(qtbot, dialog_of(qtbot, window, QrDialog))  # closed before its picture is drawn
    qtbot.waitUntil(lambda: not shown(window, QrDialog))
    assert no_bug_said(window)


def test_the_delete_confirmation_opens_again(qtbot, make_batch, window):
    window.batch_actions.prompts = Prompts()  # the real one, with its modal dialog
    batch = make_batch()
    card = card_of(qtbot, window, batch.id)
    for _ in range(2):
        timer = answer_modal(
            DeleteDialog, lambda dialog: qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
        )
        menu_action(card, "Delete Batch").trigger()
        assert not timer.isActive()
        flush_deletions()
        assert not window.findChildren(DeleteDialog)
    assert window.dashboard.grid.card_for(batch.id) is card


def test_the_export_progress_opens_again(qtbot, make_batch, window, prompts, tmp_path):
    batch = make_batch(quantity=5)
    card = card_of(qtbot, window, batch.id)
    for name in ("first", "second.csv"):  # the suffix is added when not typed
        prompts.file_names.append(str(tmp_path / name))
        menu_action(card, "Export vouchers…").trigger()
        progress = dialog_of(qtbot, window, QProgressDialog)
        assert progress.findChild(QPushButton).text() == "Cancel"
        written = tmp_path / f"{name.removesuffix('.csv')}.csv"
        qtbot.waitUntil(lambda written=written: window.message_bar.text() == f"Exported 5 vouchers to {written}.")
        assert len(written.read_text().splitlines()) == 6  # the header and 5 vouchers
        qtbot.waitUntil(lambda: not shown(window, QProgressDialog))
        flush_deletions()
    assert not window.findChildren(QProgressDialog)


def test_about_opens_again_and_names_the_database_and_the_log(qtbot, window, log_folder):
    for _ in range(2):
        window.about_action.trigger()
        box = dialog_of(qtbot, window, QMessageBox)
        on_screen = shown_text(box.text(), box.textFormat())  # a socket URL's & is shown as &, written &amp;
        assert f"Database: {store.location()}" in on_screen
        assert f"Log file: {log_folder / 'voucher-batches.log'}" in on_screen
        qtbot.mouseClick(box.button(QMessageBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda box=box: not box.isVisible())
        flush_deletions()
    assert not window.findChildren(QMessageBox)


def test_a_batchs_vouchers_open_again(qtbot, make_batch, window):
    batch = make_batch(quantity=4)
    card = card_of(qtbot, window, batch.id)
    for _ in range(2):
        qtbot.mouseClick(card.vouchers_button, Qt.MouseButton.LeftButton)
        view = window.pages.vouchers_view
        qtbot.waitUntil(lambda view=view: view.model.row_at(3) is not None)
        qtbot.keyClick(view.table, Qt.Key.Key_Escape)
        flush_deletions()
        assert window.pages.stack.currentWidget() is window.dashboard


def test_undo_redemption_opens_again_after_cancel(qtbot, window, make_batch, make_member):
    from app.gui.dialogs.undo import UndoDialog

    batch = make_batch(quantity=3)
    code = claims.claim(batch.token, make_member().id).voucher.code
    claims.redeem(code)
    window.find_action.trigger()
    qtbot.keyClicks(window.till_field, code)
    qtbot.keyClick(window.till_field, Qt.Key.Key_Return)
    dialog = dialog_of(qtbot, window, FindVoucherDialog)
    qtbot.waitUntil(lambda: dialog.undo_button.isVisible())
    for _ in range(2):
        qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
        undo = dialog_of(qtbot, window, UndoDialog)
        assert undo.reason.currentText() == "" and not undo.undo_button.isEnabled()
        escape(qtbot, undo)
    escape(qtbot, dialog)
    assert claims.redeem(code).outcome is claims.RedeemOutcome.ALREADY_REDEEMED  # cancelled: nothing undone
    assert no_bug_said(window)


def test_activity_opens_again_after_close(qtbot, window):
    from app.gui.dialogs.activity import ActivityDialog

    for _ in range(2):
        window.activity_action.trigger()
        dialog = dialog_of(qtbot, window, ActivityDialog)
        qtbot.waitUntil(lambda dialog=dialog: dialog.count_label.text() != "")
        escape(qtbot, dialog)
    assert no_bug_said(window)
