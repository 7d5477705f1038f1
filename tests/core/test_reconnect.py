"""A connection the database server ended (a restart, an administrator, the network) is noticed by
the driver's codes and replaced on the next use, in the thread that found out and in every other."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import closing

import pytest

from app.core import settings, store
from app.core.errors import DatabaseProblem
from app.core.store import reconnect


def _end_every_other_session(url: str) -> None:
    import psycopg2

    with closing(psycopg2.connect(url)) as con:
        con.autocommit = True
        with con.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'"
            )


def test_a_connection_the_server_ended_is_replaced_in_every_thread(cluster):
    store.open_database(cluster.url)
    settings.save(settings.Settings(store_name="Corner Shop"))
    with ThreadPoolExecutor(1) as other_thread:
        assert (
            other_thread.submit(lambda: settings.load().store_name).result() == "Corner Shop"
        )  # it holds a connection
        _end_every_other_session(cluster.url)

        with pytest.raises(DatabaseProblem) as lost:
            settings.load()
        assert store.is_connection_lost(lost.value)
        assert settings.load().store_name == "Corner Shop"  # the next use connects anew

        # the other thread never fails: told by this one, it replaces its connection before using it
        assert other_thread.submit(store.replace_lost_connection).result() is True
        assert other_thread.submit(lambda: settings.load().store_name).result() == "Corner Shop"


def test_a_server_that_is_down_is_a_lost_connection_and_a_locked_row_is_not(cluster):
    import psycopg2

    store.open_database(cluster.url)
    settings.save(settings.Settings(store_name="Corner Shop"))
    with closing(psycopg2.connect(cluster.url)) as holder:
        with holder.cursor() as cursor:
            cursor.execute("SELECT * FROM setting FOR UPDATE")
            with pytest.raises(DatabaseProblem) as locked:
                store.run_sql("SET lock_timeout = 100")
                with store.translated_errors():
                    store.run_sql("SELECT * FROM setting FOR UPDATE NOWAIT")
            assert not store.is_connection_lost(locked.value)
        holder.rollback()
    store.close_database()
    cluster.stop()
    with pytest.raises(DatabaseProblem) as away:
        store.open_database(cluster.url)
    assert store.is_connection_lost(away.value)


def test_a_connection_the_server_ended_a_moment_ago_is_replaced_before_its_next_use(cluster, monkeypatch):
    """A worker that served nobody while the server restarted finds out before its next member's
    request, not by failing it, however quick the restart: the server's goodbye is waiting on the
    connection's socket. (CI's 2-worker restart test, a restart well under a second, saw a 503.)"""
    import time

    monkeypatch.setattr(reconnect, "PING_AFTER_IDLE", 3600.0)  # never asked: found by the socket alone
    store.open_database(cluster.url)
    settings.save(settings.Settings(store_name="Corner Shop"))
    assert store.replace_lost_connection() is False
    assert settings.load().store_name == "Corner Shop"
    _end_every_other_session(cluster.url)
    deadline = time.monotonic() + 5  # the backend ends a moment after it is told to
    while not store.replace_lost_connection():
        assert time.monotonic() < deadline, "a connection the server ended was not noticed"
        time.sleep(0.01)
    assert settings.load().store_name == "Corner Shop"  # the request itself never fails
    assert store.replace_lost_connection() is False  # the new connection is fine


def test_an_idle_connection_lost_without_a_word_is_replaced_before_its_first_use(cluster, monkeypatch):
    """A connection that died silently (a network that dropped it, no goodbye on the socket): one
    unused for a while is asked first (a busy one is not)."""
    import time

    monkeypatch.setattr(reconnect, "PING_AFTER_IDLE", 0.2)
    monkeypatch.setattr(reconnect, "_server_spoke", lambda connection: False)  # the socket says nothing
    store.open_database(cluster.url)
    settings.save(settings.Settings(store_name="Corner Shop"))
    assert store.replace_lost_connection() is False  # a request starts on a working connection
    assert settings.load().store_name == "Corner Shop"
    _end_every_other_session(cluster.url)

    assert store.replace_lost_connection() is False  # used a moment ago: no round trip to ask
    time.sleep(0.3)
    assert store.replace_lost_connection() is True  # idle: asked, found ended, dropped
    assert settings.load().store_name == "Corner Shop"  # the request itself never fails
