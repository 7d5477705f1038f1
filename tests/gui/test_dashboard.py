"""The dashboard as a manager uses it: cards, filters, the actions menu, live numbers, delete."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from app.core import batches, claims
from app.core.errors import NotFound
from app.core.store.models import Voucher
from app.gui.dialogs.delete_batch import DeleteChoice
from app.gui.dialogs.new_batch import NewBatchDialog
from app.gui.pages.cards import BatchCard

from .helpers import card_of, dialog_of, menu_action, settle, shown, status_of


def cards_shown(window) -> list[BatchCard]:
    """The cards on screen, in reading order."""
    return sorted(shown(window.dashboard.grid, BatchCard), key=lambda card: (card.y(), card.x()))


def ids_shown(window) -> list[int]:
    return [card.summary.id for card in cards_shown(window)]


def test_empty_state_invites_a_new_batch(qtbot, window):
    assert window.dashboard.stack.currentWidget() is window.dashboard.empty
    assert window.dashboard.empty.title.text() == "No batches yet"
    assert window.pages.breadcrumb.text() == "Campaigns  ›  Batches"
    button = window.dashboard.empty.new_button
    assert button.isVisibleTo(window) and button.text() == "New batch"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog_of(qtbot, window, NewBatchDialog)


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
    assert card.rate.text() == "25%" and card.rate.buddy() is None
    assert [label.text() for label in shown(card, QLabel) if label.buddy() is card.rate] == ["Redemption Rate:"]
    assert card.available.text() == "496"
    assert [label.text() for label in shown(card, QLabel) if label.buddy() is card.available] == ["Available:"]
    assert card.channel.text() == "Email"
    assert status_of(card) == "Active"
    assert card.vouchers_button.text() == "Vouchers"
    assert card.qr_button.toolTip().startswith("Share")
    visible = [a.text() for a in card.menu.actions() if a.isVisible() and a.text()]
    assert visible == [
        "Details",
        "Edit…",
        "New batch like this…",
        "Pause Batch",
        "Schedule…",
        "End campaign…",
        "Export vouchers…",
        "Open claim page",
        "Public title…",
        "Delete Batch",
    ]


def test_rate_is_a_dash_without_claims(qtbot, make_batch, window):
    card = card_of(qtbot, window, make_batch().id)
    assert card.rate.text() == "—"


def test_rate_is_rounded_once_from_the_counts(qtbot, make_batch, make_member, window):
    batch = make_batch(quantity=20)
    for n in range(11):
        voucher = claims.claim(batch.token, make_member().id).voucher
        if n < 5:
            claims.redeem(voucher.code)
    card = card_of(qtbot, window, batch.id)
    qtbot.waitUntil(lambda: card.claimed.value.text() == "11")
    assert card.rate.text() == "45%"  # 45.45…%, not 45.5 rounded again to 46


def test_newest_first_search_and_filters(qtbot, make_batch, window):
    email = make_batch(name="Summer 2025 - Email List", channel="Email")
    social = make_batch(name="Summer 2025 - Instagram Post", channel="Social media")
    store = make_batch(name="Winter - Store Signage", channel="In-store QR")
    batches.pause_batch(social.id)
    qtbot.waitUntil(lambda: ids_shown(window) == [store.id, social.id, email.id])
    assert window.dashboard.count_label.text() == "3 batches"

    qtbot.keyClicks(window.dashboard.search, "summer")
    qtbot.waitUntil(lambda: ids_shown(window) == [social.id, email.id])
    window.dashboard.status_filter.setCurrentIndex(window.dashboard.status_filter.findData("paused"))
    qtbot.waitUntil(lambda: ids_shown(window) == [social.id])
    assert window.dashboard.count_label.text() == "1 batch"
    window.dashboard.channel_filter.setCurrentIndex(window.dashboard.channel_filter.findData("Email"))
    qtbot.waitUntil(lambda: window.dashboard.stack.currentWidget() is window.dashboard.empty)
    assert window.dashboard.empty.title.text() == "No batches match"
    qtbot.mouseClick(window.dashboard.empty.clear_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(ids_shown(window)) == 3)
    assert window.dashboard.search.text() == ""


def test_cards_reflow_with_the_width(qtbot, make_batch, window):
    made = [make_batch(name=f"Batch {n}") for n in range(6)]
    card = card_of(qtbot, window, made[-1].id)
    first_row_y = card.y()
    in_first_row = lambda: sum(1 for c in cards_shown(window) if c.y() == first_row_y)  # noqa: E731
    wide = in_first_row()
    window.resize(760, 800)
    qtbot.waitUntil(lambda: in_first_row() < wide)
    assert in_first_row() >= 1


def test_pause_and_resume_flip_the_badge_with_a_spinner(qtbot, make_batch, window):
    batch = make_batch()
    card = card_of(qtbot, window, batch.id)
    icon = card.actions_button.icon().cacheKey()
    for _ in range(2):
        with qtbot.waitSignal(window.batch_actions.busy_changed) as busy:
            menu_action(card, "Pause Batch").trigger()
        assert busy.args == [batch.id, True]
        assert not card.actions_button.isEnabled() and card.actions_button.icon().cacheKey() != icon  # the spinner
        qtbot.waitUntil(lambda: status_of(card) == "Paused" and card.actions_button.isEnabled())
        assert batches.get_batch(batch.id).status == "paused"
        assert card.badge.property("status") == "paused"
        assert card.actions_button.icon().cacheKey() == icon

        menu_action(card, "Resume Batch").trigger()
        qtbot.waitUntil(lambda: status_of(card) == "Active" and card.actions_button.isEnabled())
        assert batches.get_batch(batch.id).status == "active"


def test_delete_cancel_keeps_everything(qtbot, make_batch, window, prompts):
    batch = make_batch(quantity=25)
    card = card_of(qtbot, window, batch.id)
    prompts.delete_answers += [DeleteChoice.CANCEL, DeleteChoice.CANCEL]
    menu_action(card, "Delete Batch").trigger()
    menu_action(card, "Delete Batch").trigger()
    assert prompts.asked_delete == [(batch.id, ""), (batch.id, "")]
    window.refresh_action.trigger()
    settle()
    assert batches.get_batch(batch.id).total == 25
    assert Voucher.select().where(Voucher.batch == batch.id).count() == 25
    assert window.dashboard.grid.card_for(batch.id) is not None


def test_delete_confirm_removes_the_batch_and_its_vouchers(qtbot, make_batch, make_member, window, prompts):
    batch = make_batch(quantity=25)
    keep = make_batch(quantity=5, name="Keep me")
    claims.claim(batch.token, make_member().id)
    card = card_of(qtbot, window, batch.id)
    prompts.delete_answers.append(DeleteChoice.CONFIRM)
    menu_action(card, "Delete Batch").trigger()
    qtbot.waitUntil(lambda: ids_shown(window) == [keep.id])
    with pytest.raises(NotFound):
        batches.get_batch(batch.id)
    assert Voucher.select().where(Voucher.batch == batch.id).count() == 0
    assert window.message_bar.text() == "Deleted “Summer 2025 - Email List” and its 25 vouchers."


def test_delete_can_export_first(qtbot, make_batch, window, prompts, tmp_path):
    batch = make_batch(quantity=12)
    card = card_of(qtbot, window, batch.id)
    target = tmp_path / "before-delete.csv"
    prompts.delete_answers += [DeleteChoice.EXPORT_FIRST, DeleteChoice.CONFIRM]
    prompts.file_names.append(str(target))
    menu_action(card, "Delete Batch").trigger()
    qtbot.waitUntil(lambda: ids_shown(window) == [])
    assert prompts.asked_delete == [(batch.id, ""), (batch.id, str(target))]
    assert len(target.read_text().splitlines()) == 13  # header and 12 vouchers


def test_open_claim_page_asks_the_browser_and_offers_the_link(qtbot, make_batch, window, prompts):
    batch = make_batch()
    card = card_of(qtbot, window, batch.id)
    copy = window.message_bar.findChild(QPushButton, "CopyLinkButton")
    for _ in range(2):
        menu_action(card, "Open claim page").trigger()
        assert (
            window.message_bar.text() == f"Opening {batch.claim_url} in your web browser. If none opens, copy the link."
        )
        assert copy is not None and copy.isVisible() and copy.text() == "Copy link"
    assert prompts.opened == [batch.claim_url, batch.claim_url]


def test_open_claim_page_without_a_browser_says_so_and_copies_the_link(qtbot, make_batch, window, prompts):
    batch = make_batch()
    card = card_of(qtbot, window, batch.id)
    prompts.browser_opens = False
    for _ in range(2):
        QGuiApplication.clipboard().clear()
        menu_action(card, "Open claim page").trigger()
        assert window.message_bar.text() == f"No web browser could be opened for {batch.claim_url}."
        assert window.message_bar.property("kind") == "error"
        copy = window.message_bar.findChild(QPushButton, "CopyLinkButton")
        qtbot.mouseClick(copy, Qt.MouseButton.LeftButton)
        assert QGuiApplication.clipboard().text() == batch.claim_url
        assert copy.text() == "Copied!"


def test_a_claim_through_the_core_shows_on_its_card_without_reload(qtbot, make_batch, make_member, window):
    batch = make_batch(quantity=10)
    other = make_batch(quantity=10, name="Other")
    card = card_of(qtbot, window, batch.id)
    other_card = card_of(qtbot, window, other.id)
    grid_cards = set(map(id, cards_shown(window)))
    claims.claim(batch.token, make_member().id)  # as the claim site does, from outside the window
    qtbot.waitUntil(lambda: card.claimed.value.text() == "1", timeout=2_000)
    assert card.available.text() == "9"
    assert window.dashboard.grid.card_for(batch.id) is card  # the same card, updated in place
    assert window.dashboard.grid.card_for(other.id) is other_card
    assert set(map(id, cards_shown(window))) == grid_cards


def test_a_thousand_batches_build_only_the_cards_on_screen(qtbot, template, window):
    for n in range(120):
        batches.create_batch(f"Campaign {n:03d}", template, 1, "Other")
    grid = window.dashboard.grid
    qtbot.waitUntil(lambda: window.dashboard.count_label.text() == "120 batches")
    assert len(grid.findChildren(BatchCard)) < 30
    bar = grid.verticalScrollBar()
    bar.setValue(bar.maximum())
    qtbot.waitUntil(lambda: cards_shown(window)[-1].title.text() == "Campaign 000")
    assert len(grid.findChildren(BatchCard)) < 30


def test_database_errors_become_a_sentence(qtbot, make_batch, window, monkeypatch):
    from app.core import store
    from app.core.errors import DatabaseProblem

    batch = make_batch()
    card = card_of(qtbot, window, batch.id)

    def locked(_batch_id, _actor=None):
        raise DatabaseProblem(store.explain(Exception("database is locked")))

    monkeypatch.setattr(batches, "pause_batch", locked)
    menu_action(card, "Pause Batch").trigger()
    qtbot.waitUntil(lambda: "is locked by another program" in window.message_bar.text())
    assert window.message_bar.property("kind") == "error"
    assert status_of(card) == "Active" and card.actions_button.isEnabled()


def test_keyboard_shortcuts(qtbot, make_batch, window):
    card_of(qtbot, window, make_batch().id)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.dashboard.search.hasFocus()
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.till_field.hasFocus()


def test_a_database_that_recovers_takes_its_error_back(qtbot, make_batch, window, monkeypatch):
    from app.core import store
    from app.core.errors import DatabaseProblem

    real = batches.list_batches
    monkeypatch.setattr(
        batches,
        "list_batches",
        lambda *a: (_ for _ in ()).throw(DatabaseProblem(store.explain(Exception("disk I/O error")))),
    )
    qtbot.waitUntil(lambda: "could not be read or written" in window.message_bar.text())
    monkeypatch.setattr(batches, "list_batches", real)
    qtbot.waitUntil(lambda: not window.message_bar.isVisible())


def test_double_click_on_a_card_opens_its_vouchers(qtbot, make_batch, window):
    batch = make_batch(quantity=3)
    card = card_of(qtbot, window, batch.id)
    qtbot.mouseDClick(card, Qt.MouseButton.LeftButton, pos=card.rect().center())
    view = window.pages.vouchers_view
    assert view is not None and view.summary.id == batch.id and view.isVisible()
