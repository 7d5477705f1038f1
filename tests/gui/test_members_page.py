"""The Members page: find a member, their vouchers, a reset link, sign out everywhere, export, erase."""

from __future__ import annotations

import io
import json

import pytest
import zxingcpp
from PIL import Image
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtWidgets import QMenu, QToolBar

from app.core import batches, claims, members
from app.gui.dialogs.members import MembersDialog

from .helpers import dialog_of, escape


@pytest.fixture
def ann(make_batch, make_member):
    batch = make_batch(quantity=5)
    member = make_member("ann.lee@example.com", "Ann Lee")
    code = claims.claim(batch.token, member.id).voucher.code
    make_member("bob@example.com", "Bob Stone")
    return member, batch, code


def open_page(qtbot, window) -> MembersDialog:
    window.members_action.trigger()
    page = dialog_of(qtbot, window, MembersDialog)
    qtbot.waitUntil(lambda: page.count_label.text() != "")
    return page


def find(qtbot, page, text: str) -> None:
    page.search.setText(text)
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(page.rows) and all(text.lower() in (r.email + r.name).lower() for r in page.rows))


def choose(qtbot, page, email: str):
    find(qtbot, page, email)
    row = next(n for n, r in enumerate(page.rows) if r.email == email)
    page.table.selectRow(row)
    return page.rows[row]


def cells(table, column: int) -> list[str]:
    return [table.item(row, column).text() for row in range(table.rowCount())]


def test_members_opens_twice_in_a_row(qtbot, window, ann):
    assert window.members_action.shortcut().toString() == "Ctrl+Shift+M"
    # (the menu itself, not QAction.menu(): PySide6 6.9, which the Windows pass runs, drops that wrapper)
    view = next(menu for menu in window.menuBar().findChildren(QMenu) if menu.title() == "&View")
    assert window.members_action in view.actions()
    assert window.members_action in window.findChild(QToolBar, "MainToolbar").actions()
    for _ in range(2):
        page = open_page(qtbot, window)
        assert sorted(cells(page.table, 0)) == ["ann.lee@example.com", "bob@example.com"]
        escape(qtbot, page)


def test_find_by_part_of_email_and_by_name_shows_their_vouchers(qtbot, window, ann):
    member, batch, code = ann
    page = open_page(qtbot, window)
    find(qtbot, page, "lee@exa")
    assert cells(page.table, 0) == ["ann.lee@example.com"]
    find(qtbot, page, "bob st")
    assert cells(page.table, 1) == ["Bob Stone"]
    choose(qtbot, page, "ann.lee@example.com")
    qtbot.waitUntil(lambda: page.vouchers_table.rowCount() == 1)
    assert [page.vouchers_table.item(0, c).text() for c in range(3)] == [batch.name, code, "Claimed"]
    assert page.vouchers_table.item(0, 3).text()  # when it was claimed
    assert cells(page.table, 2) == ["1"]


def test_reset_gives_a_one_time_link_for_the_member(qtbot, window, ann):
    page = open_page(qtbot, window)
    choose(qtbot, page, "ann.lee@example.com")
    page.reset_button.click()
    qtbot.waitUntil(page.reset_box.isVisible)
    url = page.reset_link.text()
    assert url.startswith("http://shop.test:8080/en-us/reset/") and page.reset_link.isReadOnly()
    assert members.reset_code_email(url.rsplit("/", 1)[1]) == "ann.lee@example.com"
    assert "once" in page.reset_note.text() and "24 hours" in page.reset_note.text()
    assert "scan the QR code" in page.reset_note.text()
    # the same link as a QR code on screen, for the member's phone: it reads back as the link
    assert page.reset_qr.isVisible()
    shown = page.reset_qr.grab().toImage()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    shown.save(buffer, "PNG")
    assert [found.text for found in zxingcpp.read_barcodes(Image.open(io.BytesIO(bytes(data.data()))))] == [url]
    page.copy_button.click()
    assert page.copy_button.text() == "Copied!"


def test_sign_out_everywhere_ends_the_sessions(qtbot, window, ann):
    member = ann[0]
    before = members.get_member(member.id).session_generation
    page = open_page(qtbot, window)
    choose(qtbot, page, member.email)
    page.sign_out_button.click()
    qtbot.waitUntil(lambda: "signed out everywhere" in page.notice.text())
    assert members.get_member(member.id).session_generation > before


def test_export_writes_the_members_data(qtbot, window, prompts, ann, tmp_path):
    target = tmp_path / "ann"
    prompts.file_names.append(str(target))
    page = open_page(qtbot, window)
    choose(qtbot, page, "ann.lee@example.com")
    page.export_button.click()
    written = tmp_path / "ann.json"
    qtbot.waitUntil(lambda: "Exported" in page.notice.text())
    data = json.loads(written.read_text(encoding="utf-8"))
    assert data["member"]["email"] == "ann.lee@example.com" and len(data["vouchers"]) == 1


def test_erase_asks_first_then_the_member_is_gone(qtbot, window, prompts, ann):
    member, batch, _code = ann
    claimed = batches.get_batch(batch.id).claimed
    page = open_page(qtbot, window)
    choose(qtbot, page, member.email)
    prompts.erase_answers.append(False)
    page.erase_button.click()
    qtbot.waitUntil(lambda: len(prompts.asked_erase) == 1)
    assert "ann.lee@example.com" in prompts.asked_erase[0]
    assert members.get_member(member.id).erased_at is None
    prompts.erase_answers.append(True)
    page.erase_button.click()
    qtbot.waitUntil(lambda: "erased" in page.notice.text())
    page.search.clear()
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: cells(page.table, 0) == ["bob@example.com"])
    assert members.find_members("ann") == []
    assert batches.get_batch(batch.id).claimed == claimed


def test_an_email_that_looks_like_markup_shows_as_typed(qtbot, window, make_member):
    make_member("<b>x</b>@a.bc", "<i>Ann</i>")
    page = open_page(qtbot, window)
    choose(qtbot, page, "<b>x</b>@a.bc")
    assert cells(page.table, 0) == ["<b>x</b>@a.bc"]
    assert page.member_label.textFormat() == Qt.TextFormat.PlainText
    assert page.member_label.text() == "<b>x</b>@a.bc — <i>Ann</i>"
