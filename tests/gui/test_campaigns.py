"""Campaigns in the window, driven through its own actions, each twice in a row: a card's Edit…, New
batch like this…, Schedule… and End campaign…; New batch's channel, Enter and "already taken"; the
almost-sold-out hint's New batch like this…; what is still out there on a batch's page and the
Channels page."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QDateTime, Qt

from app.core import activity, analytics, batches, claims, schedule, settings
from app.core.store import models
from app.gui.dialogs.campaign import DATE_TIME, EditBatchDialog, ScheduleDialog
from app.gui.dialogs.new_batch import NewBatchDialog
from app.gui.pages.batch import BatchPage

from .helpers import card_of, dialog_of, escape, flush_deletions, menu_action, settle, shown, status_of


def save(dialog) -> None:
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()


def names_on_screen(window) -> list[str]:
    return sorted(card.title.text() for card in window.dashboard.grid._shown.values())


# Edit… -----------------------------------------------------------------------------------------


def test_edit_renames_rechannels_and_retitles_a_batch_from_its_card(qtbot, make_batch, window):
    batch = make_batch(name="Sumer 2025 - Email", channel="Email")
    for name, channel, title in (("Summer 2025 - Email", "SMS", "Sun's out"), ("Summer 2025 - SMS", "SMS", "")):
        card = card_of(qtbot, window, batch.id)
        menu_action(card, "Edit…").trigger()
        dialog = dialog_of(qtbot, window, EditBatchDialog)
        dialog.name.edit.setText(name)
        dialog.channel.setCurrentText(channel)
        dialog.title.setText(title)
        save(dialog)
        qtbot.waitUntil(lambda name=name: card_of(qtbot, window, batch.id).title.text() == name)
        assert window.message_bar.text() == f"Saved “{name}”."
        summary = batches.get_batch(batch.id)
        assert (summary.name, summary.channel, summary.custom_title, summary.total) == (name, channel, title, 10)
        qtbot.waitUntil(lambda: not shown(window, EditBatchDialog))
        flush_deletions()
    assert [e.kind for e in activity.entries(activity.Filter(batch_id=batch.id))][:2] == ["batch_edited"] * 2


def test_edit_says_a_taken_name_before_save_and_saves_nothing(qtbot, make_batch, window):
    make_batch(name="Winter Sale")
    batch = make_batch(name="Mine")
    for typed in ("winter sale", "  WINTER  SALE "):
        menu_action(card_of(qtbot, window, batch.id), "Edit…").trigger()
        dialog = dialog_of(qtbot, window, EditBatchDialog)
        dialog.name.edit.clear()
        qtbot.keyClicks(dialog.name.edit, typed)
        qtbot.waitUntil(dialog.name.check.isVisible)
        said = " ".join(typed.split())
        assert dialog.name.check.text() == (
            f"The name “{said}” is already taken by another batch (“Winter Sale”); choose another."
        )
        save(dialog)  # refused in the dialog: nothing is sent
        settle()
        assert dialog.isVisible()
        assert batches.get_batch(batch.id).name == "Mine"
        escape(qtbot, dialog)


# New batch like this… --------------------------------------------------------------------------


def test_new_batch_like_this_is_filled_in_from_the_card_and_gets_its_own_link(qtbot, make_batch, window):
    source = make_batch(quantity=40, name="Spring - Email", channel="Email", title="Spring treat", prefix="SPR")
    made = []
    for suggested in ("Spring - Email (2)", "Spring - Email (3)"):
        menu_action(card_of(qtbot, window, source.id), "New batch like this…").trigger()
        dialog = dialog_of(qtbot, window, NewBatchDialog)
        assert dialog.windowTitle() == "New batch like “Spring - Email”"
        assert (dialog.name.text(), dialog.channel.currentText(), dialog.title.text()) == (
            suggested,
            "Email",
            "Spring treat",
        )
        assert (dialog.description.toPlainText(), dialog.prefix.text(), dialog.quantity.value()) == (
            source.description,
            "SPR",
            40,
        )
        assert dialog.template.currentData() == source.template_id
        dialog.quantity.setValue(25)
        with qtbot.waitSignal(window.new_batch_flow.created, timeout=10_000) as created:
            dialog.create_button.click()
        made.append(created.args[0])
        qtbot.waitUntil(lambda: not shown(window, NewBatchDialog))
        flush_deletions()
    assert [(m.name, m.total, m.channel, m.custom_title) for m in made] == [
        ("Spring - Email (2)", 25, "Email", "Spring treat"),
        ("Spring - Email (3)", 25, "Email", "Spring treat"),
    ]
    assert len({source.token, *(m.token for m in made)}) == 3
    assert activity.entries(activity.Filter(batch_id=made[0].id))[0].details["like"] == source.id


def test_the_almost_sold_out_hint_offers_a_new_batch_like_this(qtbot, make_batch, make_member, window):
    batch = make_batch(quantity=20, name="Fair - Events", channel="Events")
    for _ in range(19):
        claims.claim(batch.token, make_member().id)
    for _ in range(2):
        window.analytics.open_batch(batch.id, batch.name)
        page = window.pages.page
        assert isinstance(page, BatchPage)
        qtbot.waitUntil(lambda page=page: page.like_button is not None)
        assert [label.property("code") for label in page.findChildren(type(page.notice)) if label.property("code")] == [
            "almost_sold_out"
        ]
        page.like_button.click()
        dialog = dialog_of(qtbot, window, NewBatchDialog)
        assert dialog.name.text() == "Fair - Events (2)" and dialog.channel.currentText() == "Events"
        escape(qtbot, dialog)
        window.pages.show_dashboard()


# New batch: the channel, Enter, "already taken" ----------------------------------------------


def test_enter_in_a_field_of_new_batch_never_creates_a_batch(qtbot, template, make_batch, window):
    make_batch(name="Taken")
    window.new_action.trigger()
    dialog = dialog_of(qtbot, window, NewBatchDialog)
    qtbot.waitUntil(dialog.isActiveWindow)
    assert dialog.channel.currentIndex() == -1 and dialog.channel.placeholderText() == "Choose a channel…"
    qtbot.keyClicks(dialog.name, "taken")
    qtbot.waitUntil(dialog.name_field.check.isVisible)
    assert dialog.name_field.check.text() == (
        "The name “taken” is already taken by another batch (“Taken”); choose another."
    )
    for field in (dialog.name, dialog.title, dialog.prefix, dialog.quantity):
        for _ in range(2):
            field.setFocus()
            qtbot.keyClick(field, Qt.Key.Key_Return)
            qtbot.keyClick(field, Qt.Key.Key_Enter)
    settle()
    assert dialog.isVisible() and [b.name for b in batches.list_batches()] == ["Taken"]
    dialog.name.setText("Autumn")
    qtbot.waitUntil(lambda: not dialog.name_field.check.isVisible())
    for _ in range(2):
        dialog.create_button.click()  # no channel yet
        assert dialog.notice.text().startswith("Choose the channel this batch is for")
    settle()
    assert len(batches.list_batches()) == 1
    dialog.channel.setCurrentText("Website")
    with qtbot.waitSignal(window.new_batch_flow.created, timeout=10_000) as created:
        dialog.create_button.click()
    assert (created.args[0].name, created.args[0].channel) == ("Autumn", "Website")


def test_new_batch_with_a_schedule_shows_a_scheduled_card(qtbot, template, window):
    settings.save(settings.Settings(store_name="Corner Shop", time_zone="Europe/Paris"))
    opens = QDateTime.currentDateTime().addDays(3).toString("yyyy-MM-dd") + " 09:00"
    for name in ("Posters - Monday", "Posters - Tuesday"):
        window.new_action.trigger()
        dialog = dialog_of(qtbot, window, NewBatchDialog)
        dialog.name.setText(name)
        dialog.channel.setCurrentText("In-store QR")
        dialog.window_fields.starts_on.setChecked(True)
        dialog.window_fields.starts.setDateTime(QDateTime.fromString(opens, DATE_TIME))
        with qtbot.waitSignal(window.new_batch_flow.created, timeout=10_000) as created:
            dialog.create_button.click()
        summary = created.args[0]
        assert summary.status == "scheduled" and summary.starts_at == schedule.parse_moment(opens)
        card = card_of(qtbot, window, summary.id)
        qtbot.waitUntil(lambda card=card: status_of(card) == "Scheduled")
        day = datetime.strptime(opens, "%Y-%m-%d %H:%M")
        assert card.window_line.text() == f"Opens {day.day} {day:%b %Y}, 09:00"
        assert card.badge.property("status") == "scheduled"
        flush_deletions()


# Schedule… and End campaign ----------------------------------------------------------------------


def test_schedule_from_the_card_then_end_the_campaign(qtbot, make_batch, make_member, window, prompts):
    settings.save(settings.Settings(store_name="Corner Shop", time_zone="Europe/Paris"))
    batch = make_batch(quantity=30, name="June - Email")
    held = claims.claim(batch.token, make_member().id).voucher
    base = QDateTime.currentDateTime().addDays(2)
    for days in (2, 4):
        starts = base.addDays(days - 2).toString("yyyy-MM-dd") + " 10:30"
        menu_action(card_of(qtbot, window, batch.id), "Schedule…").trigger()
        dialog = dialog_of(qtbot, window, ScheduleDialog)
        dialog.fields.starts_on.setChecked(True)
        dialog.fields.starts.setDateTime(QDateTime.fromString(starts, DATE_TIME))
        dialog.fields.ends_on.setChecked(False)
        save(dialog)
        qtbot.waitUntil(lambda: not shown(window, ScheduleDialog))  # it closes once saved
        assert batches.get_batch(batch.id).starts_at == schedule.parse_moment(starts)
        qtbot.waitUntil(lambda: status_of(card_of(qtbot, window, batch.id)) == "Scheduled")
        flush_deletions()
    # an end before the start is refused in the dialog, which stays open with what was typed
    menu_action(card_of(qtbot, window, batch.id), "Schedule…").trigger()
    dialog = dialog_of(qtbot, window, ScheduleDialog)
    dialog.fields.ends_on.setChecked(True)
    dialog.fields.ends.setDateTime(dialog.fields.starts.dateTime().addSecs(-3600))
    for _ in range(2):
        save(dialog)
        qtbot.waitUntil(lambda: dialog.notice.isVisible() and dialog.buttons.isEnabled())
        assert dialog.notice.text() == "A campaign must end after it starts."
    escape(qtbot, dialog)
    # End campaign: asked first; "keep it running" keeps it, then it ends, and the menu offers it no more
    prompts.end_answers += [False, True]
    for _ in range(2):
        menu_action(card_of(qtbot, window, batch.id), "End campaign…").trigger()
        settle()
    assert prompts.asked_end == [schedule.end_confirmation("June - Email", 1)] * 2
    card = card_of(qtbot, window, batch.id)
    qtbot.waitUntil(lambda: status_of(card) == "Ended")
    assert card.window_line.text().startswith("Ended ")
    visible = [a.text() for a in card.menu.actions() if a.isVisible() and a.text()]
    for gone in ("Pause Batch", "Resume Batch", "Schedule…", "End campaign…"):
        assert gone not in visible
    assert "New batch like this…" in visible and "Edit…" in visible
    assert window.message_bar.text().startswith("“June - Email” has ended: no new claims.")
    assert claims.claim(batch.token, make_member().id).outcome is claims.ClaimOutcome.ENDED
    assert claims.redeem(held.code).outcome is claims.RedeemOutcome.REDEEMED


# What is still out there ----------------------------------------------------------------------


def test_the_batch_page_and_channels_say_what_is_still_out_there(qtbot, make_batch, make_member, window):
    batch = make_batch(quantity=20, name="Autumn - Email", channel="Email")  # valid 30 days after claim
    past = models.utcnow()
    try:
        for days_ago in (26, 27, 40):  # two expire within the week, one expired unused
            models.set_clock(past - timedelta(days=days_ago))
            claims.claim(batch.token, make_member().id)
    finally:
        models.set_clock(None)
    for _ in range(2):
        window.analytics.open_batch(batch.id, batch.name)
        page = window.pages.page
        qtbot.waitUntil(lambda page=page: page.stats is not None)
        assert (page.expiring.caption.text(), page.expiring.value.text()) == ("Expiring in 7 days", "2")
        assert (page.expired.caption.text(), page.expired.value.text()) == ("Expired unused", "1")
        channels = window.analytics.open_channels()
        qtbot.waitUntil(lambda channels=channels: bool(channels.rows))
        email = next(n for n, row in enumerate(channels.rows) if row.channel == "Email")
        cells = [channels.table.item(email, column).text() for column in (8, 9)]
        assert cells == ["2", "1"]
        assert [channels.table.horizontalHeaderItem(c).text() for c in (8, 9)] == [
            "Expiring in 7 days",
            "Expired unused",
        ]
        window.pages.show_dashboard()
    stats = analytics.batch_stats(batch.id)
    assert (stats.expiring_7d, stats.expired_unredeemed) == (2, 1)
