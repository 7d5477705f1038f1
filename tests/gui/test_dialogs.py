"""The dialogs, driven as a manager does: the delete confirmation, the QR modal, New batch, Settings."""

from __future__ import annotations

import pytest
import zxingcpp
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from app.core import batches, settings, templates
from app.core.store.models import Voucher
from app.gui.controllers.new_batch import read_offers
from app.gui.dialogs.delete_batch import DeleteChoice, DeleteDialog
from app.gui.dialogs.new_batch import QUANTITY_HINT, NewBatchDialog
from app.gui.dialogs.qr import QrDialog
from app.gui.dialogs.settings import SettingsDialog
from app.gui.kit.prompts import Prompts

from .helpers import (
    answer_modal,
    card_of,
    dialog_of,
    escape,
    flush_deletions,
    menu_action,
    open_settings,
    save,
    settle,
    shown,
)

# The delete confirmation -----------------------------------------------------------------------


def test_delete_dialog_says_the_spec_sentence_and_cancel_is_the_default(qtbot, make_batch):
    summary = make_batch(quantity=1500)
    dialog = DeleteDialog(summary)
    qtbot.addWidget(dialog)
    assert dialog.question.text() == (
        "Are you sure you want to permanently delete this batch? 1,500 vouchers will be permanently deleted."
    )
    assert [dialog.cancel_button.text(), dialog.confirm_button.text()] == ["Cancel", "Confirm"]
    assert dialog.cancel_button.isDefault() and not dialog.confirm_button.isDefault()
    assert not dialog.confirm_button.autoDefault()


@pytest.mark.parametrize(
    ("press", "expected"),
    [
        ("escape", DeleteChoice.CANCEL),
        ("enter", DeleteChoice.CANCEL),
        ("cancel", DeleteChoice.CANCEL),
        ("confirm", DeleteChoice.CONFIRM),
        ("export", DeleteChoice.EXPORT_FIRST),
    ],
)
def test_delete_dialog_answers(qtbot, make_batch, press, expected):
    dialog = DeleteDialog(make_batch())
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitExposed(dialog)
    with qtbot.waitSignal(dialog.finished):
        if press == "escape":
            qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        elif press == "enter":
            qtbot.keyClick(dialog.cancel_button, Qt.Key.Key_Return)
        else:
            button = {"cancel": dialog.cancel_button, "confirm": dialog.confirm_button, "export": dialog.export_button}[
                press
            ]
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert dialog.choice() is expected


def test_the_real_confirmation_guards_delete_from_the_menu(qtbot, make_batch, window):
    """Through the real Prompts service and dialog: Escape keeps the batch (twice), Confirm deletes it."""
    window.batch_actions.prompts = Prompts()
    batch = make_batch(quantity=9)
    card = card_of(qtbot, window, batch.id)
    asked = []

    def press(key_or_button):
        def answer(dialog):
            asked.append(dialog.question.text())
            if key_or_button == "escape":
                qtbot.keyClick(dialog, Qt.Key.Key_Escape)
            else:
                dialog.confirm_button.click()

        return answer

    for _ in range(2):
        timer = answer_modal(DeleteDialog, press("escape"))
        menu_action(card, "Delete Batch").trigger()  # returns once the dialog is answered
        assert not timer.isActive()
        flush_deletions()
        assert batches.get_batch(batch.id).total == 9
        assert not shown(window, DeleteDialog)
    assert asked == [batches.delete_confirmation(batch)] * 2

    timer = answer_modal(DeleteDialog, press("confirm"))
    menu_action(card, "Delete Batch").trigger()
    qtbot.waitUntil(lambda: window.dashboard.grid.card_for(batch.id) is None)
    # its vouchers are purged in the background, after the batch is gone from every view
    qtbot.waitUntil(lambda: Voucher.select().where(Voucher.batch == batch.id).count() == 0, timeout=30_000)


# The QR modal ----------------------------------------------------------------------------------


def has_image(dialog: QrDialog) -> bool:
    return not dialog.image.pixmap().isNull()


@pytest.fixture
def qr_dialog(qtbot, make_batch, window):
    batch = make_batch(name="Q1 2025 Email Campaign")
    card = card_of(qtbot, window, batch.id)
    qtbot.mouseClick(card.qr_button, Qt.MouseButton.LeftButton)
    dialog = dialog_of(qtbot, window, QrDialog)
    qtbot.waitUntil(lambda: has_image(dialog))
    return dialog


def test_qr_modal_shows_the_link_and_copies_it(qtbot, qr_dialog):
    url = qr_dialog.summary.claim_url
    assert url.startswith("http://shop.test:8080/en-us/claim/")
    assert qr_dialog.link.text() == url and qr_dialog.link.isReadOnly()
    assert [b.text() for b in (qr_dialog.copy_button, qr_dialog.download_button, qr_dialog.visit_button)] == [
        "Copy Link",
        "Download QR",
        "Visit Page",
    ]
    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(qr_dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == url
    assert qr_dialog.copy_button.text() == "Copied!"


def test_download_qr_writes_a_print_ready_png_that_scans_back_and_says_its_size(qtbot, qr_dialog, prompts, tmp_path):
    for name in ("q1-qr", "q1-qr-again.png"):
        prompts.file_names.append(str(tmp_path / name))
        qtbot.mouseClick(qr_dialog.download_button, Qt.MouseButton.LeftButton)
        target = tmp_path / (name if name.endswith(".png") else f"{name}.png")
        qtbot.waitUntil(lambda target=target: target.name in qr_dialog.status.text())
        image = Image.open(target)
        width, height = image.size
        assert width >= 1000 and height >= 1000
        assert [round(dpi) for dpi in image.info["dpi"]] == [300, 300]
        assert qr_dialog.status.text() == f"Saved a print-ready QR code ({width}×{height} px, 300 dpi) to {target}."
        decoded = zxingcpp.read_barcodes(image)
        assert [code.text for code in decoded] == [qr_dialog.summary.claim_url]


def test_download_qr_suggests_a_name_from_the_batch(qtbot, qr_dialog, prompts):
    prompts.file_names += [None, None]  # cancelled
    qtbot.mouseClick(qr_dialog.download_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(qr_dialog.download_button, Qt.MouseButton.LeftButton)
    assert prompts.asked_file_names == ["q1-2025-email-campaign-qr.png"] * 2
    assert qr_dialog.download_button.isEnabled()


def test_download_qr_into_a_missing_folder_says_why(qtbot, qr_dialog, prompts, tmp_path):
    for _ in range(2):
        prompts.file_names.append(str(tmp_path / "no" / "such" / "folder" / "qr.png"))
        qtbot.mouseClick(qr_dialog.download_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: qr_dialog.download_button.isEnabled() and qr_dialog.status.property("kind") == "error")
        assert qr_dialog.status.text() == "Could not save the QR code: No such file or directory."


def test_visit_page_asks_the_browser_and_says_so(qtbot, qr_dialog, prompts):
    for _ in range(2):
        qtbot.mouseClick(qr_dialog.visit_button, Qt.MouseButton.LeftButton)
        assert qr_dialog.status.text() == "Opening the claim page in your web browser. If none opens, copy the link."
    assert prompts.opened == [qr_dialog.link.text()] * 2


def test_visit_page_without_a_browser_offers_to_copy_the_link(qtbot, qr_dialog, prompts):
    prompts.browser_opens = False
    for _ in range(2):
        QGuiApplication.clipboard().clear()
        qtbot.mouseClick(qr_dialog.visit_button, Qt.MouseButton.LeftButton)
        assert qr_dialog.status.text() == "No web browser could be opened for the link. Copy it instead."
        assert qr_dialog.status.property("kind") == "error"
        assert qr_dialog.copy_button.isDefault() and qr_dialog.copy_button.hasFocus()
        qtbot.keyClick(qr_dialog.copy_button, Qt.Key.Key_Return)
        assert QGuiApplication.clipboard().text() == qr_dialog.link.text()


# New batch -------------------------------------------------------------------------------------


def open_new_batch(qtbot, window) -> NewBatchDialog:
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = dialog_of(qtbot, window, NewBatchDialog)
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def test_new_batch_generates_the_quantity_asked(qtbot, template, window):
    dialog = open_new_batch(qtbot, window)
    assert dialog.template.currentData() == template.id
    assert "Expect 200 claims? Generate 300–400" in QUANTITY_HINT
    qtbot.keyClicks(dialog.name, "Summer 2025 - Store Signage")
    dialog.channel.setCurrentText("In-store QR")
    dialog.quantity.setValue(1234)
    qtbot.keyClicks(dialog.prefix, "sum")
    assert dialog.prefix.text() == "SUM"
    with qtbot.waitSignal(window.new_batch_flow.created, timeout=10_000) as created:
        qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    summary = created.args[0]
    assert (summary.name, summary.total, summary.channel) == ("Summer 2025 - Store Signage", 1234, "In-store QR")
    assert Voucher.select().where(Voucher.batch == summary.id).count() == 1234
    assert Voucher.select().where(Voucher.batch == summary.id).first().code.startswith("SUM")
    qtbot.waitUntil(lambda: window.dashboard.grid.card_for(summary.id) is not None)
    assert window.dashboard.grid.card_for(summary.id).total.value.text() == "1,234"
    assert not shown(window, NewBatchDialog)


def test_new_batch_creates_a_template_in_place(qtbot, window):
    dialog = open_new_batch(qtbot, window)
    assert dialog.template_form.isVisible()  # no templates yet: the form is open
    form = dialog.template_form
    qtbot.keyClicks(form.title, "Five off twenty")
    qtbot.keyClicks(form.discount, "5.00")
    qtbot.keyClicks(form.min_purchase, "20")
    qtbot.keyClicks(form.terms, "One per visit")
    qtbot.mouseClick(form.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not form.isVisible())
    template = templates.find_template("Five off twenty")
    assert (template.discount_kind, template.valid_days, template.terms) == ("amount", 30, "One per visit")
    assert dialog.template.currentData() == template.id and dialog.template.count() == 1
    assert "$5.00 off" in dialog.template.currentText()
    assert dialog.notice.text() == "Template “Five off twenty” created."


def test_new_batch_shows_the_cores_refusal(qtbot, template, window):
    dialog = open_new_batch(qtbot, window)
    assert not dialog.template_form.isVisible()  # a template exists: it is chosen, the form is closed
    dialog.new_template_button.click()
    qtbot.keyClicks(dialog.template_form.title, template.title)
    qtbot.keyClicks(dialog.template_form.discount, "10%")
    for _ in range(2):
        dialog.template_form.create_button.click()
        qtbot.waitUntil(lambda: dialog.notice.isVisible() and dialog.template_form.isEnabled())
        assert dialog.notice.text() == "A template called '10% off' already exists."
        dialog.notice.hide()


def test_new_batch_says_the_cores_rules_and_keeps_what_was_typed(qtbot, window):
    """No channel, no name, no offer: a sentence for each, twice, and the dialog stays as it was."""
    dialog = open_new_batch(qtbot, window)
    qtbot.keyClicks(dialog.description, "Kept")
    for _ in range(2):
        dialog.create_button.click()
        assert dialog.notice.text().startswith("Choose the channel this batch is for")
        assert dialog.channel.hasFocus() or not dialog.isActiveWindow()
    dialog.channel.setCurrentText("Social media")
    for _ in range(2):
        dialog.create_button.click()
        qtbot.waitUntil(lambda: dialog.notice.isVisible() and dialog.create_button.isEnabled())
        assert dialog.notice.text() == "A batch needs a name of 1 to 120 characters."
        assert dialog.isVisible()
    qtbot.keyClicks(dialog.name, "Autumn")
    for _ in range(2):
        dialog.create_button.click()
        qtbot.waitUntil(lambda: dialog.notice.isVisible() and dialog.create_button.isEnabled())
        assert dialog.notice.text() == "Choose the offer, or create a template for it."
    assert (dialog.name.text(), dialog.description.toPlainText()) == ("Autumn", "Kept")
    assert batches.list_batches() == []


def test_new_batch_generation_can_be_stopped(qtbot, template, window, monkeypatch):
    dialog = open_new_batch(qtbot, window)
    qtbot.keyClicks(dialog.name, "Too big")
    dialog.channel.setCurrentText("Other")
    dialog.quantity.setValue(1_000_000)
    monkeypatch.setattr(batches, "CHUNK", 2_000)  # many progress reports, so Stop lands mid-way
    for _ in range(2):
        with qtbot.waitSignal(dialog.progress.valueChanged, timeout=10_000):
            dialog.create_button.click()
        assert dialog.progress.isVisible() and dialog.cancel_button.text() == "Stop"
        dialog.cancel_button.click()
        assert dialog.cancel_button.text() == "Stopping…"
        qtbot.waitUntil(lambda: dialog.create_button.isEnabled(), timeout=20_000)
        assert dialog.notice.text() == "Generation cancelled; no batch was created."
        assert dialog.notice.property("kind") == "warning"
        assert batches.list_batches() == []
        assert dialog.isVisible() and dialog.cancel_button.text() == "Cancel"


def test_escape_while_generating_stops_it(qtbot, template, window, monkeypatch):
    dialog = open_new_batch(qtbot, window)
    qtbot.keyClicks(dialog.name, "Too big")
    dialog.channel.setCurrentText("Other")
    dialog.quantity.setValue(1_000_000)
    monkeypatch.setattr(batches, "CHUNK", 2_000)
    with qtbot.waitSignal(dialog.progress.valueChanged, timeout=10_000):
        dialog.create_button.click()
    escape(qtbot, dialog)
    settle()
    assert batches.list_batches() == []
    assert "Created" not in window.message_bar.text()


def test_tab_in_description_and_terms_moves_focus_on(qtbot, window):
    dialog = open_new_batch(qtbot, window)  # no template yet: the template form is open
    for box in (dialog.description, dialog.template_form.terms, dialog.description):
        box.setFocus()
        qtbot.waitUntil(box.hasFocus)
        qtbot.keyClick(box, Qt.Key.Key_Tab)
        assert not box.hasFocus()
        assert "\t" not in box.toPlainText()


def test_enter_in_the_template_form_makes_the_template_never_the_batch(qtbot, window):
    dialog = open_new_batch(qtbot, window)
    form = dialog.template_form
    qtbot.keyClicks(dialog.name, "Autumn 2025 - Email List")
    qtbot.keyClicks(form.title, "15% off")
    for _ in range(2):  # no discount yet: the core says why, twice; no batch is tried
        qtbot.keyClick(form.title, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: dialog.notice.isVisible() and form.isEnabled())
        assert dialog.notice.text() == "A discount is a percentage like 10% or an amount like 5.00, not ''."
        assert dialog.isVisible() and batches.list_batches() == []
        dialog.notice.hide()
    qtbot.keyClicks(form.discount, "15%")
    qtbot.keyClick(form.discount, Qt.Key.Key_Enter)
    qtbot.waitUntil(lambda: not form.isVisible())
    assert [t.title for t in templates.list_templates()] == ["15% off"]
    assert dialog.notice.text() == "Template “15% off” created."
    assert dialog.isVisible() and batches.list_batches() == []


def test_the_dialog_lists_every_template_with_its_offer(qtbot, template, db_path):
    dialog = NewBatchDialog(read_offers())
    qtbot.addWidget(dialog)
    assert dialog.template.count() == 1
    assert dialog.template.currentText().startswith("10% off  —  10% off, minimum purchase $20.00")


# Settings --------------------------------------------------------------------------------------


def test_settings_are_saved_and_the_server_restarts_on_a_new_port(qtbot, window, servers, prefs, tmp_path):
    qtbot.waitUntil(lambda: window.server.is_running())
    dialog = open_settings(qtbot, window, by_key=True)
    dialog.store_name.setText("Corner Shop Two")
    dialog.base_url.setText("https://vouchers.example.com/")
    dialog.port.setValue(8099)
    dialog.database.setText(str(tmp_path / "next.db"))
    save(dialog)
    qtbot.waitUntil(lambda: "Settings saved." in window.message_bar.text())
    assert not shown(window, SettingsDialog)
    saved = settings.load()
    assert (saved.store_name, saved.public_base_url, saved.port) == (
        "Corner Shop Two",
        "https://vouchers.example.com",
        8099,
    )
    assert prefs.database_location() == str(tmp_path / "next.db")
    qtbot.waitUntil(lambda: len(servers.started) == 2 and window.server.is_running())
    qtbot.waitUntil(lambda: servers.started[0].stopped)  # once the new one listens
    assert servers.started[1].port == 8099 and not servers.started[1].stopped
    assert window.server_label.text() == "● Claim site running at https://vouchers.example.com"
    assert window.windowTitle() == "Corner Shop Two"  # shown as "Corner Shop Two — Voucher Batches"


@pytest.mark.parametrize(
    ("field", "typed", "sentence"),
    [
        ("base_url", "shop.example.com", "The public base URL must start with http:// or https://"),
        ("store_name", "   ", "The store needs a name."),
        ("time_zone", "Mars/Olympus_Mons", "“Mars/Olympus_Mons” is not a time zone from the list: choose one"),
        ("time_zone", "Europe/Par", "“Europe/Par” is not a time zone from the list: choose one"),  # half typed
    ],
)
def test_settings_refused_by_the_core_stay_open_with_what_was_typed(qtbot, window, field, typed, sentence):
    dialog = open_settings(qtbot, window)
    dialog.host.setText("127.0.0.1")
    widget = getattr(dialog, field)
    for _ in range(2):
        widget.setCurrentText(typed) if field == "time_zone" else widget.setText(typed)
        save(dialog)
        qtbot.waitUntil(lambda: dialog.notice.isVisible() and dialog.buttons.isEnabled())
        assert dialog.notice.text().startswith(sentence)
        assert dialog.isVisible() and dialog.host.text() == "127.0.0.1"
        assert (widget.currentText() if field == "time_zone" else widget.text()) == typed
    assert settings.load().host == "0.0.0.0"  # nothing was saved
    assert "Settings saved." not in window.message_bar.text()


@pytest.mark.qt_log_ignore(
    "^This plugin does not support grabbing the keyboard"
)  # offscreen, for the completer's popup
def test_settings_choose_the_stores_time_zone(qtbot, window):
    dialog = open_settings(qtbot, window)
    assert dialog.time_zone.currentText() == "This PC's time zone"
    assert dialog.time_zone.findText("America/New_York") > 0 and dialog.time_zone.isEditable()
    dialog.time_zone.setFocus()
    qtbot.waitUntil(dialog.time_zone.lineEdit().hasFocus)
    dialog.time_zone.lineEdit().clear()
    qtbot.keyClicks(dialog.time_zone.lineEdit(), "new_y")  # a part of the name, in any case
    popup = dialog.time_zone.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    assert popup.model().data(popup.model().index(0, 0)) == "America/New_York"
    dialog.time_zone.setCurrentText("America/New_York")
    save(dialog)
    qtbot.waitUntil(lambda: "Settings saved." in window.message_bar.text())
    assert settings.load().time_zone == "America/New_York"
    dialog = open_settings(qtbot, window)
    assert dialog.time_zone.currentText() == "America/New_York"
    dialog.time_zone.setCurrentIndex(0)
    save(dialog)
    qtbot.waitUntil(lambda: not shown(window, SettingsDialog))
    assert settings.load().time_zone == ""


def test_the_till_name_and_the_undo_window_are_set_in_settings(qtbot, window, prefs):
    """Each PC has a till name (default: its host name), recorded with every redemption and undo."""
    from app.core.activity import this_pc
    from app.gui.controllers.till_identity import TillIdentity

    dialog = open_settings(qtbot, window)
    assert dialog.till_name.text() == "" and this_pc() in dialog.till_name.placeholderText()
    assert dialog.undo_days.value() == 7
    dialog.till_name.setText("Till 2")
    dialog.undo_days.setValue(3)
    save(dialog)
    qtbot.waitUntil(lambda: "Settings saved." in window.message_bar.text())
    assert TillIdentity(prefs).actor().till == "Till 2" and settings.load().undo_days == 3
    dialog = open_settings(qtbot, window)  # and again: it shows what was saved
    assert (dialog.till_name.text(), dialog.undo_days.value()) == ("Till 2", 3)
    dialog.till_name.clear()
    save(dialog)
    qtbot.waitUntil(lambda: not shown(window, SettingsDialog))
    assert TillIdentity(prefs).actor().till == this_pc()


def test_the_apple_wallet_certificate_is_set_in_settings_and_a_wrong_password_keeps_what_was_typed(
    qtbot, window, prompts, tmp_path
):
    from app.core import wallet
    from tests.helpers.wallet_certificate import PASS_TYPE_ID, TEAM_ID, make_certificate

    made = make_certificate()
    path = tmp_path / "Certificates.p12"
    path.write_bytes(made.p12)
    dialog = open_settings(qtbot, window)
    assert dialog.wallet_status.text().startswith("Not set up")
    prompts.file_names.append(str(path))
    dialog.wallet_browse_button.click()  # Choose…
    assert dialog.wallet_certificate.text() == str(path)
    dialog.wallet_password.setText("not the password")
    save(dialog)
    qtbot.waitUntil(lambda: dialog.notice.isVisible() and dialog.buttons.isEnabled())
    assert "the password is wrong" in dialog.notice.text() and dialog.wallet_certificate.text() == str(path)
    assert wallet.status().startswith("Not set up")
    dialog.wallet_password.setText(made.password)
    save(dialog)
    qtbot.waitUntil(lambda: "Settings saved." in window.message_bar.text())
    assert "Apple Wallet passes" in window.message_bar.text()
    saved = settings.load()
    assert (saved.wallet_pass_type_id, saved.wallet_team_id) == (PASS_TYPE_ID, TEAM_ID)
    assert wallet.signer() is not None
    dialog = open_settings(qtbot, window)  # and again: it says how passes are signed, with the IDs
    assert dialog.wallet_status.text().startswith("Passes are signed with")
    assert (dialog.wallet_pass_type_id.text(), dialog.wallet_certificate.text()) == (PASS_TYPE_ID, "")
    save(dialog)
    qtbot.waitUntil(lambda: not shown(window, SettingsDialog))
