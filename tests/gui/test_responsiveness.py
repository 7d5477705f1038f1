"""The GUI thread only paints: every core call the window makes runs on a worker thread."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt

from app.core import batches, claims, vouchers

from .test_dashboard import card_of, menu_action
from .test_find_voucher import scan


@pytest.fixture
def core_threads(monkeypatch):
    """Record the thread of every call to the slow core services."""
    seen: list[tuple[str, bool]] = []
    for module, name in [
        (batches, "list_batches"), (batches, "pause_batch"), (vouchers, "page"), (vouchers, "page_from"),
        (vouchers, "page_starts"), (vouchers, "count"), (vouchers, "lookup"), (claims, "redeem"),
    ]:  # fmt: skip
        real = getattr(module, name)

        def spy(*args, _real=real, _name=name, **kwargs):
            seen.append((_name, threading.current_thread() is threading.main_thread()))
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, name, spy)
    return seen


def test_no_core_call_on_the_gui_thread(qtbot, make_batch, make_member, window, core_threads):
    batch = make_batch(quantity=300)
    voucher = claims.claim(batch.token, make_member().id).voucher
    card = card_of(qtbot, window, batch.id)
    menu_action(card, "Pause Batch").trigger()
    qtbot.waitUntil(lambda: card.status_text() == "Paused")
    qtbot.mouseClick(card.vouchers_button, Qt.MouseButton.LeftButton)
    view = window.vouchers_view
    qtbot.waitUntil(view.first_rows_shown)
    view.table.scrollToBottom()
    qtbot.waitUntil(lambda: view.model.row_at(299) is not None)
    window.show_dashboard()
    dialog = scan(qtbot, window, voucher.code)
    dialog.redeem_button.click()
    qtbot.waitUntil(lambda: dialog.notice_text() == f"Voucher {voucher.code} redeemed.")
    called = {name for name, _ in core_threads}
    assert {"list_batches", "pause_batch", "page", "page_from", "page_starts", "count", "lookup", "redeem"} <= called
    assert [name for name, on_gui in core_threads if on_gui] == []


def test_switching_to_dark_redraws_the_cards(qtbot, make_batch, window, qapp):
    from app.gui import style
    from tests.gui.make_screenshots import dark_palette

    batch = make_batch()
    before = card_of(qtbot, window, batch.id)
    light = qapp.palette()
    try:
        qapp.setPalette(dark_palette())
        style.apply(qapp)
        qtbot.waitUntil(lambda: window.dashboard.card_for(batch.id) is not before)
        assert style.is_dark()
        assert "#173a24" in qapp.styleSheet()  # the dark green of the Active badge
        assert window.dashboard.card_for(batch.id).status_text() == "Active"
    finally:
        qapp.setPalette(light)
        style.apply(qapp)
