"""Undoing a redemption in the window (Find voucher, the till's last redemptions, the vouchers view),
who stands at the till, and the Activity window."""

from __future__ import annotations

import csv
from datetime import timedelta

from PySide6.QtCore import Qt

from app.core import activity, batches, claims, codes
from app.core.activity import Actor
from app.core.store.models import Voucher, utcnow
from app.gui.dialogs.activity import ActivityDialog
from app.gui.dialogs.till_panel import TillPanel
from app.gui.dialogs.undo import UndoDialog

from .helpers import card_of, dialog_of, escape, filter_by, flush_deletions, open_view, scan, shown


def undo_with(qtbot, window, reason: str | None = None, pick: int | None = None) -> UndoDialog:
    """Give the reason (a common one by its place, or typed) and press Undo redemption."""
    dialog = dialog_of(qtbot, window, UndoDialog)
    assert [dialog.reason.itemText(i) for i in range(3)] == [
        "scanned by mistake",
        "sale cancelled",
        "customer returned goods",
    ]
    assert not dialog.undo_button.isEnabled()  # no reason yet
    if pick is not None:
        dialog.reason.setCurrentIndex(pick)
    else:
        qtbot.keyClicks(dialog.reason.lineEdit(), reason)
    assert dialog.undo_button.isEnabled()
    qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
    return dialog


def test_redeem_then_undo_in_find_voucher_and_the_numbers_follow(qtbot, window, claimed):
    batch, voucher = claimed
    card = card_of(qtbot, window, batch.id)
    dialog = scan(qtbot, window, voucher.code)
    panel = dialog.findChild(TillPanel)
    qtbot.keyClicks(panel.staff.lineEdit(), "Anna")
    panel.staff.lineEdit().editingFinished.emit()
    assert not dialog.undo_button.isVisible()  # claimed, not redeemed: nothing to undo
    qtbot.mouseClick(dialog.redeem_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: card.redeemed.value.text() == "1")
    assert dialog.undo_button.isVisible()
    qtbot.waitUntil(lambda: len(panel.undo_buttons()) == 1)  # the last redemptions at this till
    assert panel.table.item(0, 1).text() == voucher.code and "Anna" in panel.table.item(0, 0).text()

    qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
    undo_with(qtbot, window, pick=1)  # "sale cancelled"
    qtbot.waitUntil(lambda: not shown(window, UndoDialog))
    qtbot.waitUntil(lambda: card.redeemed.value.text() == "0")
    assert card.rate.text() == "0%"
    qtbot.waitUntil(lambda: dialog.notice.text() == "This voucher can be redeemed.")
    assert not dialog.undo_button.isVisible()
    qtbot.waitUntil(lambda: panel.undo_buttons() == [] and panel.table.item(0, 3).text() == "Undone")
    assert (
        window.message_bar.text()
        == f"Redemption of voucher {voucher.code} undone: it is claimed again and can be redeemed."
    )
    (entry,) = activity.entries(activity.Filter(kind="redemption_undone"))
    assert (entry.staff, entry.till, entry.details["reason"]) == ("Anna", activity.this_pc(), "sale cancelled")
    assert window.prefs.store.value("till/staff") == "Anna"  # remembered on this PC


def test_undo_from_the_last_redemptions_with_a_reason_typed(qtbot, window, claimed, prefs):
    batch, voucher = claimed
    prefs.store.setValue("till/name", "Front till")
    claims.redeem(voucher.code, Actor("Front till", "Ben"))
    dialog = scan(qtbot, window, voucher.code)
    panel = dialog.findChild(TillPanel)
    assert panel.till_name.text() == "Front till"
    qtbot.waitUntil(lambda: len(panel.undo_buttons()) == 1)
    qtbot.mouseClick(panel.undo_buttons()[0], Qt.MouseButton.LeftButton)
    undo_with(qtbot, window, "  wrong customer  ")
    qtbot.waitUntil(lambda: not shown(window, UndoDialog))
    qtbot.waitUntil(lambda: panel.undo_buttons() == [])
    (entry,) = activity.entries(activity.Filter(kind="redemption_undone"))
    assert (entry.till, entry.details["reason"]) == ("Front till", "wrong customer")


def test_too_late_the_till_says_why_not(qtbot, window, claimed):
    batch, voucher = claimed
    claims.redeem(voucher.code)
    long_ago = utcnow() - timedelta(days=8)
    Voucher.update(redeemed_at=long_ago, claimed_at=long_ago).where(
        Voucher.code == codes.normalise(voucher.code)
    ).execute()
    dialog = scan(qtbot, window, voucher.code)
    qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
    undo = undo_with(qtbot, window, pick=0)
    qtbot.waitUntil(lambda: "can only be undone within 7 days" in undo.notice.text())
    assert undo.isVisible() and undo.undo_button.isEnabled()
    assert batches.get_batch(batch.id).redeemed == 1
    escape(qtbot, undo)


def test_undo_from_the_vouchers_view(qtbot, window, claimed):
    batch, voucher = claimed
    claims.redeem(voucher.code)
    view = open_view(qtbot, window, batch)
    filter_by(view, "Redeemed")
    qtbot.waitUntil(lambda: view.model.rowCount() == 1 and view.model.row_at(0) is not None)
    menu = view.menu_for(0)
    assert [a.text() for a in menu.actions()] == ["Copy code", "Undo redemption…"]
    menu.actions()[1].trigger()
    undo_with(qtbot, window, pick=2)
    qtbot.waitUntil(lambda: not shown(window, UndoDialog))
    qtbot.waitUntil(lambda: window.pages.vouchers_view.model.rowCount() == 0)  # the view reads again
    assert batches.get_batch(batch.id).redeemed == 0


def test_the_activity_window_filters_searches_and_exports(qtbot, window, claimed, prompts, tmp_path):
    batch, voucher = claimed
    claims.redeem(voucher.code, Actor("2", "Anna"))
    claims.undo_redemption(voucher.code, "scanned by mistake", Actor("2", "Ben"))
    other = batches.create_batch("<b>Autumn</b>", batch.template_id, 3, "Email", actor=Actor("office", "Cleo"))
    batches.delete_batch(other.id, Actor("office", "Cleo"))
    for _ in range(2):
        window.activity_action.trigger()
        dialog = dialog_of(qtbot, window, ActivityDialog)
        qtbot.waitUntil(lambda dialog=dialog: dialog.model.rowCount() >= 6)
        escape(qtbot, dialog)
    window.activity_action.trigger()
    dialog = dialog_of(qtbot, window, ActivityDialog)
    qtbot.waitUntil(lambda: dialog.staff.count() == 4 and dialog.model.rowCount() >= 6)  # staff: all, Anna, Ben, Cleo
    first = dialog.model.entries[0]
    assert (first.kind, first.batch_name, first.details["vouchers"]) == ("batch_deleted", "<b>Autumn</b>", 3)
    assert dialog.model.data(dialog.model.index(0, 2)) == "<b>Autumn</b>"  # plain text in a view
    dialog.kind.setCurrentIndex(dialog.kind.findData("redemption_undone"))
    dialog.kind.activated.emit(dialog.kind.currentIndex())
    qtbot.waitUntil(lambda: [e.kind for e in dialog.model.entries] == ["redemption_undone"])
    assert dialog.model.data(dialog.model.index(0, 6)) == "Reason: scanned by mistake"
    dialog.kind.setCurrentIndex(0)
    dialog.staff.setCurrentIndex(dialog.staff.findData("Anna"))
    dialog.staff.activated.emit(dialog.staff.currentIndex())
    qtbot.waitUntil(lambda: [e.kind for e in dialog.model.entries] == ["voucher_redeemed"])
    dialog.staff.setCurrentIndex(0)
    dialog.search.setText("autumn")
    qtbot.waitUntil(lambda: [e.kind for e in dialog.model.entries] == ["batch_deleted", "batch_created"])
    prompts.file_names.append(str(tmp_path / "log"))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.notice.text() == f"Exported 2 entries to {tmp_path / 'log.csv'}.")
    with open(tmp_path / "log.csv", newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert [row[1] for row in rows[1:]] == ["Batch deleted", "Batch created"]
    escape(qtbot, dialog)


def test_a_batchs_vouchers_page_opens_its_own_activity(qtbot, window, claimed):
    batch, voucher = claimed
    claims.redeem(voucher.code)
    for _ in range(2):
        view = open_view(qtbot, window, batch)
        qtbot.mouseClick(view.activity_button, Qt.MouseButton.LeftButton)
        dialog = dialog_of(qtbot, window, ActivityDialog)
        qtbot.waitUntil(
            lambda dialog=dialog: [e.kind for e in dialog.model.entries] == ["voucher_redeemed", "batch_created"]
        )
        assert dialog.batch.currentData() == batch.id
        escape(qtbot, dialog)
        window.pages.show_dashboard()
        flush_deletions()


def test_a_batch_made_after_the_newest_was_deleted_shows_only_its_own_history(qtbot, window, make_batch, prompts):
    from app.gui.dialogs.delete_batch import DeleteChoice

    from .helpers import menu_action

    make_batch(quantity=2, name="Kept")
    alpha = make_batch(quantity=3, name="Alpha (mistake)")
    card = card_of(qtbot, window, alpha.id)
    menu_action(card, "Pause Batch").trigger()
    qtbot.waitUntil(lambda: batches.get_batch(alpha.id).status == "paused")
    prompts.delete_answers.append(DeleteChoice.CONFIRM)
    qtbot.waitUntil(lambda: card.actions_button.isEnabled())
    menu_action(card, "Delete Batch").trigger()
    qtbot.waitUntil(lambda: [b.name for b in batches.list_batches()] == ["Kept"])
    beta = make_batch(quantity=2, name="Beta")
    assert beta.id != alpha.id
    for _ in range(2):
        view = open_view(qtbot, window, beta)
        qtbot.mouseClick(view.activity_button, Qt.MouseButton.LeftButton)
        dialog = dialog_of(qtbot, window, ActivityDialog)
        qtbot.waitUntil(lambda dialog=dialog: dialog.model.entries != [])
        assert [(e.kind, e.batch_name) for e in dialog.model.entries] == [("batch_created", "Beta")]
        escape(qtbot, dialog)
        window.pages.show_dashboard()
        flush_deletions()


def test_the_windows_changes_record_this_tills_names(qtbot, window, make_batch, prompts, prefs):
    from app.gui.dialogs.delete_batch import DeleteChoice

    from .helpers import menu_action

    prefs.store.setValue("till/name", "Office")
    prefs.store.setValue("till/staff", "Maria")
    batch = make_batch(quantity=3)
    card = card_of(qtbot, window, batch.id)
    menu_action(card, "Pause Batch").trigger()
    qtbot.waitUntil(lambda: batches.get_batch(batch.id).status == "paused")
    prompts.delete_answers.append(DeleteChoice.CONFIRM)
    qtbot.waitUntil(lambda: card.actions_button.isEnabled())
    menu_action(card, "Delete Batch").trigger()
    qtbot.waitUntil(lambda: not batches.list_batches())
    found = activity.entries(activity.Filter(batch_id=batch.id))
    assert [(e.kind, e.till, e.staff) for e in found] == [
        ("batch_deleted", "Office", "Maria"),
        ("batch_paused", "Office", "Maria"),
        ("batch_created", activity.this_pc(), ""),
    ]  # (the batch was made by the test, not at this till)


def test_a_batch_made_in_the_window_records_this_tills_names(qtbot, window, template, prefs):
    from app.gui.dialogs.new_batch import NewBatchDialog

    prefs.store.setValue("till/staff", "Maria")
    window.new_action.trigger()
    dialog = dialog_of(qtbot, window, NewBatchDialog)
    qtbot.keyClicks(dialog.name, "Made here")
    dialog.channel.setCurrentText("Events")
    dialog.quantity.setValue(5)
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.message_bar.text() == "Created “Made here” with 5 vouchers.")
    (entry,) = activity.entries(activity.Filter(kind="batch_created"))
    assert (entry.batch_name, entry.till, entry.staff, entry.details) == (
        "Made here",
        activity.this_pc(),
        "Maria",
        {"quantity": 5},
    )
