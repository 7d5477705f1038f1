"""What members and managers type is data, never markup: a batch name or an email with tags in it
shows as typed, in every label and tooltip of the window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QProgressDialog

from app.core import batches, claims
from app.gui.dialogs.delete_batch import DeleteChoice, DeleteDialog
from app.gui.dialogs.qr import QrDialog

from .helpers import card_of, dialog_of, escape, label_shows, menu_action, scan, shown, shown_text

NAME = "<h1>x</h1> <script>alert(1)</script>"
DESCRIPTION = "<b>bold</b> & <i>more</i>"
EMAIL = "<script>@example.com"


def labels_showing(parent, text: str) -> list[QLabel]:
    return [label for label in shown(parent, QLabel) if text in label_shows(label)]


def test_markup_in_a_batch_name_and_an_email_shows_as_typed(qtbot, template, make_member, window, prompts, tmp_path):
    batch = batches.create_batch(NAME, template, 4, "Email", DESCRIPTION)
    voucher = claims.claim(batch.token, make_member(EMAIL).id).voucher
    card = card_of(qtbot, window, batch.id)
    assert label_shows(card.title) == NAME and shown_text(card.title.toolTip()) == NAME
    assert label_shows(card.description) == DESCRIPTION and shown_text(card.description.toolTip()) == DESCRIPTION

    for _ in range(2):
        qtbot.mouseClick(card.qr_button, Qt.MouseButton.LeftButton)
        share = dialog_of(qtbot, window, QrDialog)
        assert labels_showing(share, NAME)
        escape(qtbot, share)

    confirm = DeleteDialog(batch, window)
    confirm.show()
    assert labels_showing(confirm, f"Delete “{NAME}”?")
    confirm.close()

    qtbot.mouseClick(card.vouchers_button, Qt.MouseButton.LeftButton)
    view = window.pages.vouchers_view
    qtbot.waitUntil(lambda: view.model.row_at(0) is not None)
    assert labels_showing(view, f"{NAME} — Vouchers")
    assert " ".join(shown_text(window.pages.breadcrumb.text()).split()) == f"Campaigns › Batches › {NAME} › Vouchers"
    qtbot.keyClicks(view.search, EMAIL)
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    assert labels_showing(view, f"1 voucher matching “{EMAIL}”")
    prompts.file_names.append(str(tmp_path / "x.csv"))
    qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton)
    assert labels_showing(dialog_of(qtbot, window, QProgressDialog), f"Exporting the vouchers of “{NAME}”")
    qtbot.waitUntil(lambda: not shown(window, QProgressDialog))
    qtbot.keyClick(view.table, Qt.Key.Key_Escape)
    window.activateWindow()  # offscreen has no window manager to hand it back after the progress dialog

    for _ in range(2):
        till = scan(qtbot, window, voucher.code)
        assert label_shows(till.fields["batch"]) == NAME
        assert label_shows(till.fields["member"]) == EMAIL
        escape(qtbot, till)

    prompts.delete_answers.append(DeleteChoice.CONFIRM)
    menu_action(card, "Delete Batch").trigger()
    qtbot.waitUntil(lambda: bool(labels_showing(window.message_bar, f"Deleted “{NAME}” and its 4 vouchers.")))


def test_markup_in_the_activity_shows_as_typed(qtbot, template, window):
    from app.core.activity import Actor
    from app.gui.dialogs.activity import ActivityDialog

    batches.create_batch(NAME, template, 2, "Email", actor=Actor("<b>till</b>", EMAIL))
    window.activity_action.trigger()
    dialog = dialog_of(qtbot, window, ActivityDialog)
    qtbot.waitUntil(lambda: dialog.model.rowCount() >= 1 and dialog.staff.count() == 2)
    model = dialog.model
    for column, typed in ((2, NAME), (4, "<b>till</b>"), (5, EMAIL)):
        index = model.index(0, column)
        assert model.data(index) == typed
        assert shown_text(model.data(index, Qt.ItemDataRole.ToolTipRole)) == typed
    assert dialog.staff.itemText(1) == EMAIL and dialog.batch.itemText(1).startswith(NAME)
    escape(qtbot, dialog)


def test_the_real_confirmations_show_text_as_typed_and_default_to_no(qtbot):
    """The questions quote members' emails and addresses; Enter keeps things as they are."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app.gui.kit.prompts import Prompts

    seen = []

    def press_enter():
        box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible())
        seen.append((box.textFormat(), box.text()))
        qtbot.keyClick(box, Qt.Key.Key_Return)

    prompts = Prompts()
    for ask in (
        lambda: prompts.confirm_erase(None, "Erase the member <b>x</b>@a.bc for good?"),
        lambda: prompts.confirm_base_change(None, "Links starting <i>http://shop</i> stop working."),
        lambda: prompts.confirm_quit(None, "http://shop.test:8080"),
    ):
        QTimer.singleShot(0, press_enter)
        assert ask() is False
    assert [fmt for fmt, _ in seen] == [Qt.TextFormat.PlainText] * 3
    assert "<b>x</b>@a.bc" in seen[0][1]
