"""The dialogs, driven as a manager does: the delete confirmation, the QR modal, New batch, Settings."""

from __future__ import annotations

import pytest
import zxingcpp
from PIL import Image
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QDialog

from app.core import batches, settings, templates
from app.core.models import Voucher
from app.gui.delete_dialog import DeleteChoice, DeleteDialog
from app.gui.new_batch_dialog import QUANTITY_HINT, NewBatchDialog
from app.gui.prompts import Prompts
from app.gui.settings_dialog import SettingsDialog

from .test_dashboard import card_of, menu_action

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
            button = {"cancel": dialog.cancel_button, "confirm": dialog.confirm_button, "export": dialog.export_button}[press]
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert dialog.choice() is expected


def test_the_real_confirmation_guards_delete_from_the_menu(qtbot, make_batch, window, monkeypatch):
    """Through the real Prompts service and dialog: Escape keeps the batch, Confirm deletes it."""
    window.batch_actions.prompts = Prompts()
    batch = make_batch(quantity=9)
    card = card_of(qtbot, window, batch.id)
    shown = []

    def answer_with(key_or_button):
        def exec_(dialog):
            shown.append(dialog.question.text())
            dialog.show()
            if key_or_button == "escape":
                QTimer.singleShot(0, lambda: qtbot.keyClick(dialog, Qt.Key.Key_Escape))
            else:
                QTimer.singleShot(0, dialog.confirm_button.click)
            qtbot.waitUntil(lambda: not dialog.isVisible())
            return dialog.result()

        return exec_

    monkeypatch.setattr(DeleteDialog, "exec", answer_with("escape"))
    menu_action(card, "Delete Batch").trigger()
    assert shown == [batches.delete_confirmation(batch)]
    assert batches.get_batch(batch.id).total == 9

    monkeypatch.setattr(DeleteDialog, "exec", answer_with("confirm"))
    menu_action(card, "Delete Batch").trigger()
    qtbot.waitUntil(lambda: window.dashboard.summary(batch.id) is None)
    assert Voucher.select().where(Voucher.batch == batch.id).count() == 0


# The QR modal ----------------------------------------------------------------------------------


@pytest.fixture
def qr_dialog(qtbot, make_batch, window):
    batch = make_batch(name="Q1 2025 Email Campaign")
    card = card_of(qtbot, window, batch.id)
    qtbot.mouseClick(card.qr_button, Qt.MouseButton.LeftButton)
    dialog = window.batch_actions.qr_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(dialog.has_image)
    return dialog


def test_qr_modal_shows_the_link_and_copies_it(qtbot, qr_dialog):
    url = qr_dialog.summary.claim_url
    assert url.startswith("http://shop.test:8080/en-us/claim/")
    assert qr_dialog.link.text() == url and qr_dialog.link.isReadOnly()
    assert [b.text() for b in (qr_dialog.copy_button, qr_dialog.download_button, qr_dialog.visit_button)] == [
        "Copy Link", "Download QR", "Visit Page",
    ]  # fmt: skip
    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(qr_dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == url
    assert qr_dialog.copy_button.text() == "Copied!"


def test_download_qr_writes_a_print_ready_png_that_scans_back(qtbot, qr_dialog, prompts, tmp_path):
    prompts.file_names.append(str(tmp_path / "q1-qr"))
    qtbot.mouseClick(qr_dialog.download_button, Qt.MouseButton.LeftButton)
    target = tmp_path / "q1-qr.png"
    qtbot.waitUntil(lambda: target.exists() and "Saved" in qr_dialog.status.text())
    image = Image.open(target)
    assert image.size[0] >= 1000 and image.size[1] >= 1000
    decoded = zxingcpp.read_barcodes(image)
    assert [code.text for code in decoded] == [qr_dialog.summary.claim_url]


def test_download_qr_suggests_a_name_from_the_batch(qtbot, qr_dialog, prompts, monkeypatch):
    asked = []
    monkeypatch.setattr(prompts, "save_file_name", lambda parent, caption, suggested, flt: asked.append(suggested))
    qtbot.mouseClick(qr_dialog.download_button, Qt.MouseButton.LeftButton)
    assert asked == ["q1-2025-email-campaign-qr.png"]


def test_download_qr_into_a_missing_folder_says_why(qtbot, qr_dialog, prompts, tmp_path):
    prompts.file_names.append(str(tmp_path / "no" / "such" / "folder" / "qr.png"))
    qtbot.mouseClick(qr_dialog.download_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "not saved" in qr_dialog.status.text())
    assert "No such file or directory" in qr_dialog.status.text()


def test_visit_page_opens_the_default_browser(qtbot, qr_dialog, monkeypatch):
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString()) or True)
    qtbot.mouseClick(qr_dialog.visit_button, Qt.MouseButton.LeftButton)
    assert opened == [qr_dialog.summary.claim_url]


# New batch -------------------------------------------------------------------------------------


def open_new_batch(qtbot, window) -> NewBatchDialog:
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.new_batch_dialog is not None and window.new_batch_dialog.isVisible())
    return window.new_batch_dialog


def test_new_batch_generates_the_quantity_asked(qtbot, template, window):
    dialog = open_new_batch(qtbot, window)
    assert dialog.template.currentData() == template.id
    assert "Expect 200 claims? Generate 300–400" in QUANTITY_HINT
    qtbot.keyClicks(dialog.name, "Summer 2025 - Store Signage")
    dialog.channel.setCurrentText("In-store QR")
    dialog.quantity.setValue(1234)
    qtbot.keyClicks(dialog.prefix, "sum")
    assert dialog.prefix.text() == "SUM"
    with qtbot.waitSignal(dialog.created, timeout=10_000) as created:
        qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    summary = created.args[0]
    assert (summary.name, summary.total, summary.channel) == ("Summer 2025 - Store Signage", 1234, "In-store QR")
    assert Voucher.select().where(Voucher.batch == summary.id).count() == 1234
    assert Voucher.select().where(Voucher.batch == summary.id).first().code.startswith("SUM")
    qtbot.waitUntil(lambda: window.dashboard.card_for(summary.id) is not None)
    assert window.dashboard.card_for(summary.id).total.value.text() == "1,234"


def test_new_batch_creates_a_template_in_place(qtbot, window):
    dialog = open_new_batch(qtbot, window)
    assert dialog.template_form.isVisible()  # no templates yet: the form is open
    form = dialog.template_form
    qtbot.keyClicks(form.title, "Five off twenty")
    qtbot.keyClicks(form.discount, "5.00")
    qtbot.keyClicks(form.min_purchase, "20")
    qtbot.keyClicks(form.terms, "One per visit")
    with qtbot.waitSignal(dialog.template_created) as made:
        qtbot.mouseClick(form.create_button, Qt.MouseButton.LeftButton)
    template = made.args[0]
    assert (template.title, template.discount_kind, template.valid_days) == ("Five off twenty", "amount", 30)
    assert dialog.template.currentData() == template.id
    assert "$5.00 off" in dialog.template.currentText()
    assert not form.isVisible()


def test_new_batch_shows_the_cores_refusal(qtbot, template, window):
    dialog = open_new_batch(qtbot, window)
    assert not dialog.template_form.isVisible()  # a template exists: it is chosen, the form is closed
    dialog.new_template_button.click()
    qtbot.keyClicks(dialog.template_form.title, template.title)
    qtbot.keyClicks(dialog.template_form.discount, "10%")
    dialog.template_form.create_button.click()
    qtbot.waitUntil(lambda: dialog.notice.isVisible())
    assert dialog.notice.text() == "A template called '10% off' already exists."


def test_new_batch_generation_can_be_cancelled(qtbot, template, window, monkeypatch):
    dialog = open_new_batch(qtbot, window)
    qtbot.keyClicks(dialog.name, "Too big")
    dialog.quantity.setValue(1_000_000)
    monkeypatch.setattr(batches, "CHUNK", 2_000)  # many progress reports, so Stop lands mid-way
    with qtbot.waitSignal(dialog.progress.valueChanged, timeout=10_000):
        dialog.create_button.click()
    assert dialog.is_generating() and dialog.cancel_button.text() == "Stop"
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: not dialog.is_generating(), timeout=20_000)
    assert dialog.notice.text() == "Generation cancelled; no batch was created."
    assert batches.list_batches() == []
    assert dialog.isVisible() and dialog.create_button.isEnabled()


# Settings --------------------------------------------------------------------------------------


def test_settings_are_saved_and_the_server_restarts_on_a_new_port(qtbot, window, servers, prefs, tmp_path):
    qtbot.waitUntil(lambda: window.server.is_running())
    qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.settings_dialog is not None and window.settings_dialog.isVisible())
    dialog: SettingsDialog = window.settings_dialog
    dialog.store_name.setText("Corner Shop Two")
    dialog.base_url.setText("https://vouchers.example.com/")
    dialog.port.setValue(8099)
    dialog.database.setText(str(tmp_path / "next.db"))
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: "Settings saved." in window.message_bar.text())
    saved = settings.load()
    assert (saved.store_name, saved.public_base_url, saved.port) == ("Corner Shop Two", "https://vouchers.example.com", 8099)
    assert prefs.database_location() == str(tmp_path / "next.db")
    qtbot.waitUntil(lambda: len(servers.started) == 2 and window.server.is_running())
    assert servers.started[0].stopped and servers.started[1].port == 8099
    assert window.server_label.text() == "● Claim site running at https://vouchers.example.com"
    assert window.windowTitle() == "Voucher Batches — Corner Shop Two"


def test_settings_refuse_a_bad_public_url(qtbot, db_path):
    dialog = SettingsDialog(settings.load(), str(db_path))
    qtbot.addWidget(dialog)
    dialog.base_url.setText("shop.example.com")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert dialog.notice.isVisibleTo(dialog)
    assert dialog.notice.text().startswith("The public base URL must start with http:// or https://")
    assert dialog.result() != QDialog.DialogCode.Accepted


def test_templates_module_is_what_the_dialog_lists(qtbot, template, db_path):
    dialog = NewBatchDialog(templates.list_templates(), "$")
    qtbot.addWidget(dialog)
    assert dialog.template.count() == 1
    assert dialog.template.currentText().startswith("10% off  —  10% off, minimum purchase $20.00")
