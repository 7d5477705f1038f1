"""The dashboard as a manager uses it: cards, filters, the actions menu, live numbers, delete."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication

from app.core import batches, claims
from app.core.errors import NotFound
from app.core.models import Voucher
from app.gui.delete_dialog import DeleteChoice


def menu_action(card, text):
    """The action of the card's ··· menu with that text, as the manager sees it."""
    card.menu.aboutToShow.emit()
    found = [a for a in card.menu.actions() if a.text() == text and a.isVisible()]
    assert found, f"no visible menu item {text!r}: {[a.text() for a in card.menu.actions() if a.isVisible()]}"
    return found[0]


def card_of(qtbot, window, batch_id):
    qtbot.waitUntil(lambda: window.dashboard.card_for(batch_id) is not None)
    return window.dashboard.card_for(batch_id)


def test_empty_state_invites_a_new_batch(qtbot, window):
    assert window.dashboard.stack.currentWidget() is window.dashboard.empty
    assert window.dashboard.empty.title.text() == "No batches yet"
    assert window.breadcrumb.text() == "Campaigns  ›  Batches"
    button = window.dashboard.empty.new_button
    assert button.isVisibleTo(window) and button.text() == "New batch"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.new_batch_dialog is not None and window.new_batch_dialog.isVisible())


def test_card_shows_what_the_spec_draws(qtbot, make_batch, make_member, window):
    batch = make_batch(quantity=500, name="Q1 2025 Email Campaign")
    for n in range(4):
        result = claims.claim(batch.token, make_member().id)
        if n == 0:
            claims.redeem(result.voucher.code)
    card = card_of(qtbot, window, batch.id)
    qtbot.waitUntil(lambda: card.claimed.value.text() == "4")
    assert card.title.text() == "Q1 2025 Email Campaign"
    assert (card.total.caption.text(), card.total.value.text()) == ("Total", "500")
    assert (card.claimed.caption.text(), card.redeemed.caption.text()) == ("Claimed", "Redeemed")
    assert card.redeemed.value.text() == "1"
    assert card.rate.text() == "Redemption Rate: <b>25%</b>"
    assert card.available.text() == "Available: <b>496</b>"
    assert card.channel.text() == "Email"
    assert card.status_text() == "Active"
    assert card.vouchers_button.text() == "Vouchers"
    assert card.qr_button.toolTip().startswith("Share")
    visible = [a.text() for a in card.menu.actions() if a.isVisible() and a.text()]
    assert visible == ["Pause Batch", "Export vouchers…", "Open claim page", "Delete Batch"]


def test_rate_is_a_dash_without_claims(qtbot, make_batch, window):
    card = card_of(qtbot, window, make_batch().id)
    assert card.rate.text() == "Redemption Rate: <b>—</b>"


def test_newest_first_search_and_filters(qtbot, make_batch, window):
    email = make_batch(name="Summer 2025 - Email List", channel="Email")
    social = make_batch(name="Summer 2025 - Instagram Post", channel="Social media")
    store = make_batch(name="Winter - Store Signage", channel="In-store QR")
    batches.pause_batch(social.id)
    grid = window.dashboard.grid
    qtbot.waitUntil(lambda: len(grid.summaries()) == 3)
    assert [s.id for s in grid.summaries()] == [store.id, social.id, email.id]

    qtbot.keyClicks(window.dashboard.search, "summer")
    qtbot.waitUntil(lambda: {s.id for s in grid.summaries()} == {email.id, social.id})
    window.dashboard.status_filter.setCurrentIndex(window.dashboard.status_filter.findData("paused"))
    qtbot.waitUntil(lambda: [s.id for s in grid.summaries()] == [social.id])
    window.dashboard.channel_filter.setCurrentIndex(window.dashboard.channel_filter.findData("Email"))
    qtbot.waitUntil(lambda: window.dashboard.stack.currentWidget() is window.dashboard.empty)
    assert window.dashboard.empty.title.text() == "No batches match"
    qtbot.mouseClick(window.dashboard.empty.clear_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(grid.summaries()) == 3)
    assert window.dashboard.search.text() == ""


def test_cards_reflow_with_the_width(qtbot, make_batch, window):
    made = [make_batch(name=f"Batch {n}") for n in range(6)]
    card = card_of(qtbot, window, made[-1].id)
    first_row_y = card.y()
    in_first_row = lambda: sum(1 for c in window.dashboard.grid.cards() if c.y() == first_row_y)  # noqa: E731
    wide = in_first_row()
    window.resize(760, 800)
    qtbot.waitUntil(lambda: in_first_row() < wide)
    assert in_first_row() >= 1


def test_pause_and_resume_flip_the_badge_with_a_spinner(qtbot, make_batch, window):
    batch = make_batch()
    card = card_of(qtbot, window, batch.id)
    with qtbot.waitSignal(window.batch_actions.busy_changed) as busy:
        menu_action(card, "Pause Batch").trigger()
    assert busy.args == [batch.id, True]
    assert card.spinner.is_spinning() and not card.actions_button.isEnabled()
    qtbot.waitUntil(lambda: card.status_text() == "Paused")
    assert batches.get_batch(batch.id).status == "paused"
    assert card.badge.property("status") == "paused"
    qtbot.waitUntil(lambda: not card.spinner.is_spinning())

    menu_action(card, "Resume Batch").trigger()
    qtbot.waitUntil(lambda: card.status_text() == "Active")
    assert batches.get_batch(batch.id).status == "active"


def test_delete_cancel_keeps_everything(qtbot, make_batch, window, prompts):
    batch = make_batch(quantity=25)
    card = card_of(qtbot, window, batch.id)
    prompts.delete_answers.append(DeleteChoice.CANCEL)
    menu_action(card, "Delete Batch").trigger()
    assert prompts.asked_delete == [(batch.id, "")]
    window.refresh()
    qtbot.wait_until(lambda: not window._refreshing)
    assert batches.get_batch(batch.id).total == 25
    assert Voucher.select().where(Voucher.batch == batch.id).count() == 25
    assert window.dashboard.card_for(batch.id) is not None


def test_delete_confirm_removes_the_batch_and_its_vouchers(qtbot, make_batch, make_member, window, prompts):
    batch = make_batch(quantity=25)
    keep = make_batch(quantity=5, name="Keep me")
    claims.claim(batch.token, make_member().id)
    card = card_of(qtbot, window, batch.id)
    prompts.delete_answers.append(DeleteChoice.CONFIRM)
    menu_action(card, "Delete Batch").trigger()
    qtbot.waitUntil(lambda: window.dashboard.summary(batch.id) is None)
    with pytest.raises(NotFound):
        batches.get_batch(batch.id)
    assert Voucher.select().where(Voucher.batch == batch.id).count() == 0
    assert window.dashboard.summary(keep.id) is not None
    assert window.message_bar.text() == "Deleted “Summer 2025 - Email List” and its 25 vouchers."


def test_delete_can_export_first(qtbot, make_batch, window, prompts, tmp_path):
    batch = make_batch(quantity=12)
    card = card_of(qtbot, window, batch.id)
    target = tmp_path / "before-delete.csv"
    prompts.delete_answers += [DeleteChoice.EXPORT_FIRST, DeleteChoice.CONFIRM]
    prompts.file_names.append(str(target))
    menu_action(card, "Delete Batch").trigger()
    qtbot.waitUntil(lambda: window.dashboard.summary(batch.id) is None)
    assert prompts.asked_delete == [(batch.id, ""), (batch.id, str(target))]
    assert len(target.read_text().splitlines()) == 13  # header and 12 vouchers


def test_export_from_the_menu(qtbot, make_batch, window, prompts, tmp_path):
    batch = make_batch(quantity=7)
    card = card_of(qtbot, window, batch.id)
    prompts.file_names.append(str(tmp_path / "out"))
    menu_action(card, "Export vouchers…").trigger()
    qtbot.waitUntil(lambda: (tmp_path / "out.csv").exists())
    qtbot.waitUntil(lambda: "Exported 7 vouchers" in window.message_bar.text())
    assert window.batch_actions.progress_dialog is None


def test_open_claim_page_opens_the_browser(qtbot, make_batch, window, monkeypatch):
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString()) or True)
    batch = make_batch()
    menu_action(card_of(qtbot, window, batch.id), "Open claim page").trigger()
    assert opened == [batch.claim_url]


def test_a_claim_through_the_core_shows_on_its_card_without_reload(qtbot, make_batch, make_member, window):
    batch = make_batch(quantity=10)
    other = make_batch(quantity=10, name="Other")
    card = card_of(qtbot, window, batch.id)
    other_card = card_of(qtbot, window, other.id)
    grid_cards = set(map(id, window.dashboard.grid.cards()))
    claims.claim(batch.token, make_member().id)  # as the claim site does, from outside the window
    qtbot.waitUntil(lambda: card.claimed.value.text() == "1", timeout=2_000)
    assert card.available.text() == "Available: <b>9</b>"
    assert window.dashboard.card_for(batch.id) is card  # the same card, updated in place
    assert window.dashboard.card_for(other.id) is other_card
    assert set(map(id, window.dashboard.grid.cards())) == grid_cards


def test_a_thousand_batches_build_only_the_cards_on_screen(qtbot, template, window):
    for n in range(120):
        batches.create_batch(f"Campaign {n:03d}", template, 1, "Other")
    grid = window.dashboard.grid
    qtbot.waitUntil(lambda: len(grid.summaries()) == 120)
    assert len(grid.cards()) < 30
    bar = grid.verticalScrollBar()
    bar.setValue(bar.maximum())
    qtbot.waitUntil(lambda: grid.card_for(grid.summaries()[-1].id) is not None)
    assert grid.card_for(grid.summaries()[-1].id).title.text() == "Campaign 000"


def test_database_errors_become_a_sentence(qtbot, make_batch, window, monkeypatch):
    from app.core import db
    from app.core.errors import DatabaseProblem

    batch = make_batch()
    card = card_of(qtbot, window, batch.id)

    def locked(_batch_id):
        raise DatabaseProblem(db.explain(Exception("database is locked")))

    monkeypatch.setattr(batches, "pause_batch", locked)
    menu_action(card, "Pause Batch").trigger()
    qtbot.waitUntil(lambda: "is locked by another program" in window.message_bar.text())
    assert window.message_bar.kind() == "error"
    assert card.status_text() == "Active" and card.actions_button.isEnabled()


def test_keyboard_shortcuts(qtbot, make_batch, window):
    card_of(qtbot, window, make_batch().id)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.dashboard.search.hasFocus()
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.find_field.hasFocus()


def test_a_database_that_recovers_takes_its_error_back(qtbot, make_batch, window, monkeypatch):
    from app.core import db
    from app.core.errors import DatabaseProblem

    real = batches.list_batches
    monkeypatch.setattr(batches, "list_batches", lambda *a: (_ for _ in ()).throw(DatabaseProblem(db.explain(Exception("disk I/O error")))))
    qtbot.waitUntil(lambda: "could not be read or written" in window.message_bar.text())
    monkeypatch.setattr(batches, "list_batches", real)
    qtbot.waitUntil(lambda: not window.message_bar.isVisible())


def test_double_click_on_a_card_opens_its_vouchers(qtbot, make_batch, window):
    batch = make_batch(quantity=3)
    card = card_of(qtbot, window, batch.id)
    qtbot.mouseDClick(card, Qt.MouseButton.LeftButton, pos=card.rect().center())
    assert window.vouchers_view is not None and window.vouchers_view.summary.id == batch.id
