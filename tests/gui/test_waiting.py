"""Waiting is visible and bounded: while another program holds the database, the till and every window
action say so while they wait, and give up with the core's sentence after the wait limit."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.core import batches, claims, store
from app.core.store import WAITING, waits
from tests.helpers.other_program import OtherProgram

from .helpers import card_of, menu_action, scan

LIMIT = 1.0  # seconds: the core's wait limit for these tests (5 in use)


@pytest.fixture
def other_program(db_path, monkeypatch):
    monkeypatch.setattr(waits, "_wait_limit", LIMIT)
    other = OtherProgram(db_path)
    yield other
    other.close()


def gave_up() -> str:
    return (
        f"The database {store.location()} is locked by another program (waited {LIMIT:g} s); nothing was changed. "
        "Try again in a moment."
    )


def test_the_till_says_it_waits_and_gives_up_in_time(qtbot, window, make_batch, make_member, other_program):
    batch = make_batch(quantity=5, name="Spring Fair")
    voucher = claims.claim(batch.token, make_member().id).voucher
    till = scan(qtbot, window, voucher.code)
    for _ in range(2):
        qtbot.keyClick(till.code, Qt.Key.Key_Return)  # looked up again: reading never waits
        qtbot.waitUntil(lambda: till.notice.text() == "This voucher can be redeemed.")
        other_program.hold()
        qtbot.mouseClick(till.redeem_button, Qt.MouseButton.LeftButton)
        assert till.notice.text() == "Redeeming…"
        # Said while it waits, not after: the give-up replaces this text once the wait limit is over, so
        # seeing it at all means it came first (an order; a clock bound here measured the CI machine).
        qtbot.waitUntil(lambda: till.notice.text() == WAITING, timeout=3000)
        assert not till.redeem_button.isEnabled()
        # Gives up in time: by 3 x the limit, the room a busy machine's event loop needs to deliver the
        # result (test_database.py holds the core itself to the limit).
        qtbot.waitUntil(lambda: till.notice.text() != WAITING, timeout=3 * 1000 * LIMIT)
        assert till.notice.text() == gave_up()
        assert till.notice.property("kind") == "error"
        assert till.redeem_button.isEnabled()  # try again, once the other program is done
        other_program.release()
    qtbot.mouseClick(till.redeem_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: till.notice.text() == f"Voucher {voucher.code} redeemed.")


def test_a_window_action_says_it_waits_and_gives_up_in_time(qtbot, window, make_batch, other_program):
    batch = make_batch(quantity=5)
    card = card_of(qtbot, window, batch.id)
    bar = window.message_bar
    for _ in range(2):
        other_program.hold()
        menu_action(card, "Pause Batch").trigger()
        # said while it waits (the give-up replaces it), then the give-up by 3 x the limit: as for the till
        qtbot.waitUntil(lambda: bar.text() == WAITING, timeout=3000)
        qtbot.waitUntil(lambda: bar.text() != WAITING, timeout=3 * 1000 * LIMIT)
        assert bar.text() == gave_up()
        assert bar.property("kind") == "error"
        other_program.release()
        assert batches.get_batch(batch.id).status == "active"


def test_the_waiting_is_taken_back_when_the_database_comes_free(qtbot, window, make_batch, other_program):
    batch = make_batch(quantity=5)
    card = card_of(qtbot, window, batch.id)
    bar = window.message_bar
    for action, status in (("Pause Batch", "paused"), ("Resume Batch", "active")):
        other_program.hold()
        menu_action(card, action).trigger()
        qtbot.waitUntil(lambda: bar.text() == WAITING, timeout=3000)
        other_program.release()
        qtbot.waitUntil(lambda status=status: card.badge.property("status") == status, timeout=3000)
        qtbot.waitUntil(lambda: bar.text() == "")  # nothing is left saying it waits
        assert batches.get_batch(batch.id).status == status
