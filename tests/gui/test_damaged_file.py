"""The window on a damaged database file: it says so at start, every change made through its own
actions (Edit… and End campaign… too) is refused with the sentence naming the file and its latest
backup, each twice, and the file's bytes stay as they were."""

from __future__ import annotations

import hashlib

import pytest
from PySide6.QtCore import Qt

from app.core import batches, claims, members, store, templates
from app.core.store import backups
from app.gui.dialogs.campaign import EditBatchDialog
from app.gui.dialogs.delete_batch import DeleteChoice
from app.gui.dialogs.members import MembersDialog
from app.gui.dialogs.new_batch import NewBatchDialog

from .helpers import card_of, dialog_of, escape, menu_action, open_settings, save, scan

pytestmark = pytest.mark.sqlite_only  # a SQLite file's pages


def digest(path) -> str:
    return "".join(
        hashlib.sha256(part.read_bytes()).hexdigest()
        for part in (path, path.with_name(path.name + "-wal"))
        if part.exists() and part.stat().st_size
    )


@pytest.fixture
def damaged(db_path, tmp_path, monkeypatch, make_window):
    """The window on a store whose big batch's pages were overwritten while it was closed (the
    batches and members themselves still read)."""
    monkeypatch.setattr(backups, "default_folder", lambda: tmp_path / "backups")
    offer = templates.create_template("10% off", "10%", valid_days=30)
    batch = batches.create_batch("Summer", offer, 20_000, "Email")
    member = members.create_member("ann@example.com", "hash", "Ann")
    code = claims.claim(batch.token, member.id).voucher.code
    made = backups.daily()
    store.close_database()
    data = bytearray(db_path.read_bytes())
    for page in range(len(data) // 4096 * 3 // 4, len(data) // 4096, 8):
        data[page * 4096 : page * 4096 + 4096] = bytes((n * 37 + 11) % 256 for n in range(4096))
    db_path.write_bytes(bytes(data))
    store.open_database(db_path, create=False)
    window = make_window()
    said = f"The database {db_path} is damaged ("
    return {"window": window, "batch": batch, "code": code, "said": said, "backup": made.path}


def refused(text: str, shop: dict) -> bool:
    return (
        text.startswith(shop["said"])
        and "nothing was written" in text
        and text.endswith(f"`voucher-batches restore {shop['backup']}`.")
    )


def test_the_window_says_the_file_is_damaged_and_changes_nothing(qtbot, damaged, db_path, prompts):
    window, batch = damaged["window"], damaged["batch"]
    qtbot.waitUntil(lambda: refused(window.message_bar.text(), damaged))  # at start
    before = digest(db_path)
    card = card_of(qtbot, window, batch.id)
    for _ in range(2):
        window.message_bar.hide()
        qtbot.waitUntil(lambda: card.actions_button.isEnabled())
        menu_action(card, "Pause Batch").trigger()
        qtbot.waitUntil(lambda: window.message_bar.isVisible() and refused(window.message_bar.text(), damaged))

        window.message_bar.hide()
        prompts.delete_answers.append(DeleteChoice.CONFIRM)
        qtbot.waitUntil(lambda: card.actions_button.isEnabled())
        menu_action(card, "Delete Batch").trigger()
        qtbot.waitUntil(lambda: window.message_bar.isVisible() and refused(window.message_bar.text(), damaged))

        window.message_bar.hide()
        dialog = open_settings(qtbot, window)
        dialog.store_name.setText("Corner Shop Two")
        save(dialog)
        qtbot.waitUntil(lambda dialog=dialog: refused(dialog.notice.text(), damaged))
        escape(qtbot, dialog)

        window.activateWindow()  # (offscreen, a closed dialog does not always hand activation back)
        finding = scan(qtbot, window, damaged["code"])
        qtbot.mouseClick(finding.redeem_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda finding=finding: refused(finding.notice.text(), damaged))
        escape(qtbot, finding)

        window.new_action.trigger()
        new = dialog_of(qtbot, window, NewBatchDialog)
        qtbot.keyClicks(new.name, "More")
        new.channel.setCurrentText("Email")
        new.quantity.setValue(5)
        qtbot.mouseClick(new.create_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(
            lambda new=new: any(refused(text, damaged) for text in (new.notice.text(), window.message_bar.text()))
        )
        if new.isVisible():
            escape(qtbot, new)

        window.message_bar.hide()
        qtbot.waitUntil(lambda: card.actions_button.isEnabled())
        menu_action(card, "Edit…").trigger()
        edit = dialog_of(qtbot, window, EditBatchDialog)
        edit.name.edit.setText("Summer 2031")
        edit.buttons.button(edit.buttons.StandardButton.Save).click()
        qtbot.waitUntil(
            lambda edit=edit: any(refused(text, damaged) for text in (edit.notice.text(), window.message_bar.text()))
        )
        if edit.isVisible():
            escape(qtbot, edit)

        window.message_bar.hide()
        prompts.end_answers.append(True)
        qtbot.waitUntil(lambda: card.actions_button.isEnabled())
        menu_action(card, "End campaign…").trigger()
        qtbot.waitUntil(lambda: window.message_bar.isVisible() and refused(window.message_bar.text(), damaged))

        window.members_action.trigger()
        page = dialog_of(qtbot, window, MembersDialog)
        page.search.setText("ann")
        qtbot.keyClick(page.search, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda page=page: bool(page.rows))
        page.table.selectRow(0)
        page.sign_out_button.click()
        qtbot.waitUntil(lambda page=page: refused(page.notice.text(), damaged))
        escape(qtbot, page)
    assert digest(db_path) == before
    assert [b.name for b in batches.list_batches()] == ["Summer"] and batches.get_batch(batch.id).status == "active"
    assert batches.get_batch(batch.id).ends_at is None
