"""The window as a manager expects it, each action twice: the Templates dialog (edit, archive, restore,
delete), columns that sort (vouchers, activity, members) by what the database can order, the Members
page's real count, buttons that look disabled when they are, and the first start's questions."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor

from app.core import activity, batches, claims, settings, templates
from app.core.store import models
from app.gui.controllers.new_batch import read_offers
from app.gui.dialogs.activity import ActivityDialog
from app.gui.dialogs.members import MembersDialog
from app.gui.dialogs.templates import TemplatesDialog
from app.gui.dialogs.welcome import WelcomeDialog
from app.gui.kit import style
from app.gui.main_window import MainWindow
from app.gui.preferences import Preferences

from .helpers import card_of, dialog_of, escape, settle, shown

# Templates ------------------------------------------------------------------------------------


def open_templates(qtbot, window) -> TemplatesDialog:
    window.templates_action.trigger()
    dialog = dialog_of(qtbot, window, TemplatesDialog)
    qtbot.waitUntil(lambda: bool(dialog.rows))
    return dialog


def choose(qtbot, dialog: TemplatesDialog, title: str) -> None:
    """Select the template of that title, once the list shows it: after a save the notice comes first
    and the list is read again on a worker (on PostgreSQL the edited title was not there yet)."""
    qtbot.waitUntil(lambda: any(row.template.title == title for row in dialog.rows))
    dialog.table.selectRow(next(n for n, row in enumerate(dialog.rows) if row.template.title == title))


def test_templates_are_edited_archived_restored_and_deleted_in_their_dialog(
    qtbot, template, make_batch, make_member, window, prompts
):
    assert window.templates_action.shortcut().toString() == "Ctrl+Shift+T"
    batch = make_batch(quantity=5)
    spare = templates.create_template("Spare", "5")
    for terms in ("Members only", "Members only, one per visit"):
        dialog = open_templates(qtbot, window)
        choose(qtbot, dialog, "10% off")
        dialog.edit_button.click()
        assert dialog.form.discount.isEnabled() and not dialog.locked.isVisible()  # nothing claimed yet
        dialog.form.terms.setPlainText(terms)
        dialog.form.discount.setText("15%")
        dialog.form.create_button.click()
        qtbot.waitUntil(lambda dialog=dialog: dialog.notice.text() == "Saved the template “10% off”.")
        assert (templates.find_template(template.id).terms, templates.find_template(template.id).discount_value) == (
            terms,
            15,
        )
        escape(qtbot, dialog)
    claims.claim(batch.token, make_member().id)
    dialog = open_templates(qtbot, window)
    choose(qtbot, dialog, "10% off")
    dialog.edit_button.click()
    assert not dialog.form.discount.isEnabled() and dialog.locked.isVisible()  # its offer is what members hold
    assert dialog.locked.text().startswith("1 of its vouchers is claimed: its offer is what members hold")
    dialog.form.title.setText("Summer welcome")
    dialog.form.create_button.click()
    qtbot.waitUntil(lambda: dialog.notice.text() == "Saved the template “Summer welcome”.")
    assert batches.get_batch(batch.id).title == "Summer welcome"  # members read the offer's new name
    # archive twice: hidden from New batch, its batch untouched; then restored
    for _ in range(2):
        choose(qtbot, dialog, "Summer welcome")
        assert dialog.archive_button.text() in ("Archive", "Restore")
        was_archived = dialog.archive_button.text() == "Restore"
        dialog.archive_button.click()
        qtbot.waitUntil(lambda was=was_archived: dialog.selected() is not None and dialog.selected().archived != was)
    assert [t.title for t in templates.list_templates()] == ["Spare", "Summer welcome"]  # archived, restored
    choose(qtbot, dialog, "Summer welcome")
    dialog.archive_button.click()
    qtbot.waitUntil(lambda: dialog.selected() is not None and dialog.selected().archived)
    assert [text.split("  —  ")[0] for _, text in read_offers()] == ["Spare"]
    assert batches.get_batch(batch.id).status == "active"
    # delete: a used one cannot be (its button is greyed), an unused one after the question
    choose(qtbot, dialog, "Summer welcome")
    assert not dialog.delete_button.isEnabled()
    prompts.template_delete_answers += [False, True]
    for _ in range(2):
        choose(qtbot, dialog, "Spare")
        dialog.delete_button.click()
        settle()
    qtbot.waitUntil(lambda: [row.template.title for row in dialog.rows] == ["Summer welcome"])
    assert prompts.asked_template_delete == ["Delete the template “Spare” for good?"] * 2
    assert dialog.notice.text() == "Deleted the template “Spare”."
    assert [e.kind for e in activity.entries(activity.Filter(kind="template_deleted"))] == ["template_deleted"]
    assert templates.list_templates(archived=True)[0].id == template.id and spare.id not in [
        t.id for t in templates.list_templates(archived=True)
    ]


# Sorting ------------------------------------------------------------------------------------------


def test_the_vouchers_view_sorts_by_claim_time_either_way_and_back(qtbot, make_batch, make_member, window):
    batch = make_batch(quantity=12, name="Sorted")
    start = datetime(2026, 5, 1, 9, 0)
    claimed_in = {}
    try:
        for minutes in (30, 5, 50, 20):  # claimed in this order: ids ascend, times do not
            models.set_clock(start + timedelta(minutes=minutes))
            voucher = claims.claim(batch.token, make_member().id).voucher
            claimed_in[voucher.code] = minutes
    finally:
        models.set_clock(None)
    qtbot.mouseClick(card_of(qtbot, window, batch.id).vouchers_button, Qt.MouseButton.LeftButton)
    view = window.pages.vouchers_view
    qtbot.waitUntil(lambda: view.model.row_at(0) is not None)

    def first_codes(n=4):
        qtbot.waitUntil(lambda: all(view.model.row_at(r) is not None for r in range(n)))
        return [view.model.row_at(r).code for r in range(n)]

    by_id = first_codes()
    assert [claimed_in[c] for c in by_id] == [30, 5, 50, 20]
    for expected, indicator in (([5, 20, 30, 50], Qt.SortOrder.AscendingOrder), ([50, 30, 20, 5], None)):
        view._on_header_clicked(3)  # "Claimed at", as a click on it does
        qtbot.waitUntil(lambda expected=expected: [claimed_in.get(c) for c in first_codes()] == expected)
        if indicator is not None:
            assert view.table.horizontalHeader().sortIndicatorOrder() == indicator
        assert view.table.horizontalHeader().sortIndicatorSection() == 3
        assert view.model.row_at(4).status == "unclaimed"  # those with no claim time come after
    view._on_header_clicked(3)  # a third click: as generated again
    qtbot.waitUntil(lambda: first_codes() == by_id)
    assert view.table.horizontalHeader().sortIndicatorSection() == -1
    view._on_header_clicked(2)  # Member: no index to sort a million by: nothing changes
    settle()
    assert first_codes() == by_id and view.model.sort_order().column == "id"


def test_a_real_header_click_sorts_the_vouchers(qtbot, make_batch, make_member, window):
    batch = make_batch(quantity=6, name="Clicked")
    try:
        for minutes in (9, 1):
            models.set_clock(datetime(2026, 5, 1, 9, minutes))
            claims.claim(batch.token, make_member().id)
    finally:
        models.set_clock(None)
    qtbot.mouseClick(card_of(qtbot, window, batch.id).vouchers_button, Qt.MouseButton.LeftButton)
    view = window.pages.vouchers_view
    qtbot.waitUntil(lambda: view.model.row_at(1) is not None)
    header = view.table.horizontalHeader()
    point = header.rect().center()
    point.setX(header.sectionViewportPosition(3) + header.sectionSize(3) // 2)
    for descending in (False, True):
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=point)
        qtbot.waitUntil(lambda descending=descending: view.model.sort_order().descending == descending)
        qtbot.waitUntil(lambda: view.model.row_at(1) is not None)
        minutes = [view.model.row_at(r).claimed_at.minute for r in range(2)]
        assert minutes == ([9, 1] if descending else [1, 9])


def test_the_activity_sorts_by_time_and_by_action(qtbot, make_batch, window):
    batch = make_batch(name="Logged")
    batches.pause_batch(batch.id)
    batches.resume_batch(batch.id)
    window.activity_action.trigger()
    dialog = dialog_of(qtbot, window, ActivityDialog)
    qtbot.waitUntil(lambda: dialog.model.rowCount() >= 4)
    newest_first = [e.id for e in dialog.model.entries]
    assert newest_first == sorted(newest_first, reverse=True)
    for descending in (False, True):  # Time: oldest first, then newest first again
        dialog._on_header_clicked(0)
        qtbot.waitUntil(
            lambda descending=descending: (
                [e.id for e in dialog.model.entries] == sorted(newest_first, reverse=descending)
            )
        )
    for descending in (False, True):  # Action: A to Z, then Z to A
        dialog._on_header_clicked(1)
        qtbot.waitUntil(
            lambda descending=descending: (
                [e.kind for e in dialog.model.entries]
                == sorted((e.kind for e in dialog.model.entries), reverse=descending)
                and dialog.sort.column == "kind"
                and dialog.sort.descending == descending
            )
        )
    assert dialog.model.entries[0].kind == "template_created"
    escape(qtbot, dialog)


def test_the_members_page_counts_every_member_and_sorts(qtbot, make_member, window):
    start = datetime(2026, 1, 1)
    try:
        for n in range(60):
            models.set_clock(start + timedelta(hours=n))
            make_member(f"member{n:02d}@example.com")
    finally:
        models.set_clock(None)
    for _ in range(2):
        window.members_action.trigger()
        page = dialog_of(qtbot, window, MembersDialog)
        qtbot.waitUntil(lambda page=page: page.count_label.text() != "")
        assert page.count_label.text() == "60 members, the first 50 shown: type more to narrow it"
        assert page.rows[0].email == "member00@example.com"
        page._on_header_clicked(3)  # Joined: newest first
        qtbot.waitUntil(lambda page=page: page.rows[0].email == "member59@example.com")
        page._on_header_clicked(3)  # again: oldest first
        qtbot.waitUntil(lambda page=page: page.rows[0].email == "member00@example.com")
        page._on_header_clicked(0)  # Email
        page._on_header_clicked(0)  # Email, Z to A
        qtbot.waitUntil(lambda page=page: page.rows[0].email == "member59@example.com")
        page.search.setText("member1")
        qtbot.waitUntil(lambda page=page: page.count_label.text() == "10 members")
        escape(qtbot, page)


# Disabled buttons look disabled ---------------------------------------------------------------


def test_a_disabled_erase_button_looks_disabled(qtbot, make_member, window):
    make_member("ann@example.com")
    window.members_action.trigger()
    page = dialog_of(qtbot, window, MembersDialog)
    qtbot.waitUntil(lambda: bool(page.rows))

    def fill(button) -> QColor:
        image = button.grab().toImage()
        return image.pixelColor(image.width() // 2, 3)

    danger = QColor(style.colors()["danger"])
    assert not page.erase_button.isEnabled()
    disabled = fill(page.erase_button)
    page.table.selectRow(0)
    qtbot.waitUntil(page.erase_button.isEnabled)
    enabled = fill(page.erase_button)
    assert enabled == danger and disabled != danger
    assert disabled == QColor(style.colors()["subtle"])
    assert "QPushButton#DangerButton:disabled" in style.style_sheet()
    escape(qtbot, page)


# The first start -------------------------------------------------------------------------------


def test_a_first_start_asks_once_and_can_be_skipped(qtbot, db_path, tmp_path, servers, prompts):
    settings.save(settings.Settings())  # a new store: still "Our Store"
    prefs = Preferences(QSettings(str(tmp_path / "first.ini"), QSettings.Format.IniFormat))

    def start(welcome: bool) -> MainWindow:
        window = MainWindow(prefs, start_server=servers, prompts=prompts, refresh_ms=200, welcome=welcome)
        qtbot.addWidget(window)
        window.show()
        window.start()
        return window

    quiet = start(welcome=False)  # what the tests' windows are: never asked
    settle()
    assert not shown(quiet, WelcomeDialog)
    quiet.close()
    quiet.background.shutdown()
    first = start(welcome=True)
    dialog = dialog_of(qtbot, first, WelcomeDialog)
    assert "they open only on the store's Wi-Fi" in dialog.links.text()
    assert dialog.store_name.text() == "" and dialog.currency.text() == "$"
    dialog.skip_button.click()
    assert prefs.welcomed() and settings.load().store_name == "Our Store"
    first.close()
    first.background.shutdown()
    second = start(welcome=True)  # asked once: not again
    settle()
    assert not shown(second, WelcomeDialog)
    second.close()
    second.background.shutdown()


def test_a_first_start_saves_the_stores_name_currency_and_zone(qtbot, db_path, tmp_path, servers, prompts):
    settings.save(settings.Settings())
    prefs = Preferences(QSettings(str(tmp_path / "first.ini"), QSettings.Format.IniFormat))
    window = MainWindow(prefs, start_server=servers, prompts=prompts, refresh_ms=200, welcome=True)
    qtbot.addWidget(window)
    window.show()
    window.start()
    dialog = dialog_of(qtbot, window, WelcomeDialog)
    dialog.store_name.setText("Harbour Deli")
    dialog.currency.setText("€")
    for typed in ("Europe/Dubl", "Mars/Base"):  # only a zone from the list
        dialog.time_zone.setCurrentText(typed)
        dialog.save_button.click()
        assert dialog.notice.text().startswith(f"“{typed}” is not a time zone from the list")
    dialog.time_zone.setCurrentText("europe/dublin")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: not shown(window, WelcomeDialog))
    saved = settings.load()
    assert (saved.store_name, saved.currency, saved.time_zone) == ("Harbour Deli", "€", "Europe/Dublin")
    assert prefs.welcomed() and window.windowTitle() == "Harbour Deli"
    assert window.message_bar.text().startswith("Welcome, Harbour Deli")
    window.close()
    window.background.shutdown()
