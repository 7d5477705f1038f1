"""The window outlives its database server: with PostgreSQL stopped the status bar says the database
cannot be reached and is retried, the window keeps answering, and once the server is back the live
numbers and the next action just work, without restarting the window."""

from __future__ import annotations

import pytest

from app.core import batches, claims, members, settings, store, templates

from .helpers import card_of, menu_action, status_of

BACK_WITHIN = 10_000  # ms after the database returns by which the window has noticed


@pytest.fixture
def pg_window(cluster, make_window):
    store.open_database(cluster.url)
    settings.save(settings.Settings(store_name="Corner Shop", public_base_url="http://shop.test:8080"))
    return make_window()


def test_the_window_says_the_database_is_away_and_carries_on_when_it_returns(qtbot, cluster, pg_window):
    window = pg_window
    offer = templates.create_template("10% off", "10%", min_purchase="20", valid_days=30, terms="")
    batch = batches.create_batch("Restart batch", offer, 10, "Email", "")
    member = members.create_member("m@example.com", "not-a-real-hash", "")
    card = card_of(qtbot, window, batch.id)

    cluster.stop()
    qtbot.waitUntil(lambda: "cannot be reached, retrying" in window.database_label.text(), timeout=10_000)
    assert "cannot be reached just now" in window.message_bar._label.text()
    menu_action(card, "Pause Batch").trigger()  # refused with a sentence, the window answering all along
    qtbot.waitUntil(lambda: card.actions_button.isEnabled(), timeout=10_000)

    cluster.start()
    qtbot.waitUntil(lambda: window.database_label.text() == f"Database: {store.location()}", timeout=BACK_WITHIN)
    assert not window.message_bar.isVisible() or "cannot be reached" not in window.message_bar._label.text()

    store.replace_lost_connection()  # this (the test's) thread too: its connection died with the server
    claims.claim(batch.token, member.id)
    qtbot.waitUntil(lambda: card.summary.claimed == 1, timeout=5_000)  # the live numbers
    menu_action(card, "Pause Batch").trigger()  # the next action just works
    qtbot.waitUntil(lambda: status_of(card) == "Paused" and card.actions_button.isEnabled(), timeout=5_000)
    assert batches.get_batch(batch.id).status == "paused"
