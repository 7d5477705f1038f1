"""The vouchers view: opened from the card, filtered, searched; a code copied; an export."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QProgressDialog, QPushButton

from app.core import claims
from app.gui.pages.voucher_model import CLAIM, CODE, MEMBER, REDEEMED_AT, REDEMPTION

from .helpers import card_of, dialog_of, filter_by, open_view, shown


def cell(view, row, column):
    model = view.model
    return model.data(model.index(row, column))


def test_filters_and_search(qtbot, make_batch, make_member, window):
    batch = make_batch(quantity=40, name="Spring Fair")
    alice, bob = make_member("alice@example.com"), make_member("bob@example.com")
    alice_code = claims.claim(batch.token, alice.id).voucher.code
    bob_code = claims.claim(batch.token, bob.id).voucher.code
    claims.redeem(bob_code)
    view = open_view(qtbot, window, batch)
    assert "Spring Fair" in window.pages.breadcrumb.text() and window.pages.breadcrumb.text().endswith("Vouchers")
    assert view.model.rowCount() == 40
    assert view.count_label.text() == "40 vouchers"
    headers = [view.model.headerData(c, Qt.Orientation.Horizontal) for c in range(view.model.columnCount())]
    assert headers == ["Code", "Claim status", "Member", "Claimed at", "Redemption", "Redeemed at"]

    filter_by(view, "Unclaimed")
    qtbot.waitUntil(lambda: view.model.rowCount() == 38)
    filter_by(view, "Claimed")
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    assert [cell(view, 0, CODE), cell(view, 0, CLAIM), cell(view, 0, MEMBER)] == [
        alice_code,
        "Claimed",
        "alice@example.com",
    ]
    filter_by(view, "Redeemed")
    qtbot.waitUntil(lambda: view.model.rowCount() == 1 and cell(view, 0, CODE) == bob_code)
    assert cell(view, 0, REDEMPTION) == "Redeemed" and cell(view, 0, REDEEMED_AT) != ""
    assert view.count_label.text() == "1 redeemed voucher"

    filter_by(view, "All")
    qtbot.keyClicks(view.search, "alice")
    qtbot.waitUntil(lambda: view.model.rowCount() == 1 and cell(view, 0, CODE) == alice_code)
    view.search.clear()
    qtbot.keyClicks(view.search, bob_code.lower().replace("-", "")[:8])
    qtbot.waitUntil(lambda: view.model.rowCount() == 1 and cell(view, 0, CODE) == bob_code)
    assert view.count_label.text().startswith("1 voucher matching")


def test_copy_a_code(qtbot, make_batch, window):
    batch = make_batch(quantity=5)
    view = open_view(qtbot, window, batch)
    view.table.selectRow(2)
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(view.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == cell(view, 2, CODE)
    assert window.message_bar.text() == "Copied 1 code to the clipboard."


def test_export_to_csv_with_progress(qtbot, make_batch, make_member, window, prompts, tmp_path):
    batch = make_batch(quantity=30)
    claims.claim(batch.token, make_member().id)
    view = open_view(qtbot, window, batch)
    filter_by(view, "Unclaimed")
    qtbot.waitUntil(lambda: view.model.rowCount() == 29)
    for name in ("unclaimed.csv", "unclaimed-again.csv"):
        prompts.file_names.append(str(tmp_path / name))
        qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton)
        assert dialog_of(qtbot, window, QProgressDialog).windowTitle() == "Export vouchers"
        qtbot.waitUntil(lambda name=name: window.message_bar.text() == f"Exported 29 vouchers to {tmp_path / name}.")
        qtbot.waitUntil(lambda: not shown(window, QProgressDialog))
        lines = (tmp_path / name).read_text(encoding="utf-8-sig").splitlines()
        assert lines[0] == "code,status,member_email,claimed_at,redeemed_at" and len(lines) == 30


def test_export_can_be_cancelled(qtbot, make_batch, window, prompts, tmp_path, monkeypatch):
    from app.core import vouchers

    batch = make_batch(quantity=50)
    view = open_view(qtbot, window, batch)
    prompts.file_names.append(str(tmp_path / "all.csv"))
    real_export = vouchers.export_csv
    gate = threading.Event()  # the export's first progress report waits until Cancel is pressed

    def gated(progress):
        return lambda done, total: gate.wait(10) and progress(done, total)

    monkeypatch.setattr(
        vouchers, "export_csv", lambda *a, **k: real_export(*a, **{**k, "chunk": 5, "progress": gated(k["progress"])})
    )
    qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton)
    cancel_button = dialog_of(qtbot, window, QProgressDialog).findChild(QPushButton)
    assert cancel_button.text() == "Cancel"
    qtbot.mouseClick(cancel_button, Qt.MouseButton.LeftButton)
    gate.set()
    qtbot.waitUntil(lambda: window.message_bar.text() == "Export cancelled; no file was written.")
    assert list(tmp_path.glob("*.csv")) == [] and list(tmp_path.glob(".all.csv*")) == []


def test_back_to_the_batches(qtbot, make_batch, window):
    view = open_view(qtbot, window, make_batch())
    qtbot.keyClick(view.table, Qt.Key.Key_Escape)
    assert window.pages.stack.currentWidget() is window.dashboard
    assert window.pages.vouchers_view is None


def test_export_into_a_missing_folder_is_a_sentence(qtbot, make_batch, window, prompts, tmp_path):
    batch = make_batch(quantity=4)
    view = open_view(qtbot, window, batch)
    prompts.file_names.append(str(tmp_path / "gone" / "vouchers.csv"))
    qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: window.message_bar.property("kind") == "error" and "Cannot write" in window.message_bar.text()
    )
    qtbot.waitUntil(lambda: not shown(window, QProgressDialog))


def test_a_batch_deleted_elsewhere_is_said_plainly(qtbot, make_batch, window):
    from app.core import batches

    batch = make_batch(quantity=4)
    card_of(qtbot, window, batch.id)
    batches.delete_batch(batch.id)  # by another program, before the manager clicks
    card = window.dashboard.grid.card_for(batch.id)
    qtbot.mouseClick(card.vouchers_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.message_bar.text() == f"There is no batch with id {batch.id}.")
    qtbot.waitUntil(lambda: window.dashboard.grid.card_for(batch.id) is None)
