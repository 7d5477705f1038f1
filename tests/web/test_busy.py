"""A busy or absent database: the claim site says so briefly (503, Retry-After), never hangs, and
its read-only pages keep answering while a claim waits."""

from __future__ import annotations

import threading
import time

import pytest

from app.core import store
from app.core.store import waits
from tests.helpers.other_program import OtherProgram

from .helpers import claim_path, csrf_from, visible


@pytest.fixture
def short_wait(monkeypatch):
    monkeypatch.setattr(waits, "_wait_limit", 1.0)


def test_a_claim_that_cannot_get_the_database_is_answered_busy_try_again(
    short_wait, client, db_path, make_batch, member_with_password
):
    from .helpers import log_in

    batch = make_batch()
    log_in(client, member_with_password().email)
    token = csrf_from(client.get(claim_path(batch)).text)
    other = OtherProgram(db_path)
    try:
        other.hold()  # a backup, the CLI, a long delete ...
        started = time.monotonic()
        page = client.post(claim_path(batch), data={"csrf_token": token})
        waited = time.monotonic() - started
    finally:
        other.close()
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    text = visible(page.text)
    assert "busy" in text and "Try again" in text and "Nothing was changed" in text
    assert f'href="{claim_path(batch)}"' in page.text  # Try again: the claim page
    assert waited < 4.0
    again = client.post(claim_path(batch), data={"csrf_token": token})
    assert again.status_code == 200 and "Voucher claimed" in visible(again.text)  # free again: the claim goes through


def test_read_only_pages_answer_while_claims_wait(
    short_wait, server, db_path, make_batch, member_with_password, monkeypatch
):
    """Several claims waiting on a held database used to take every server thread for 30-40 s."""
    from .helpers import Browser

    # The claims wait 3 s before they give up: the page must answer before any of them does (an
    # order), and 3 s leaves a busy machine room to serve one page while they wait.
    monkeypatch.setattr(waits, "_wait_limit", 3.0)
    batch = make_batch(quantity=50)
    browsers = []
    for n in range(6):
        browser = Browser(server.url)
        browser.log_in(member_with_password(email=f"waiter{n}@example.com").email, next_path=claim_path(batch))
        browsers.append((browser, browser.get(claim_path(batch)).csrf))
    other = OtherProgram(db_path)
    try:
        other.hold()
        answers = []
        waiting = [
            threading.Thread(
                target=lambda b=b, t=t: answers.append(b.post(claim_path(batch), {"csrf_token": t}, csrf=False).status)
            )
            for b, t in browsers
        ]
        for thread in waiting:
            thread.start()
        time.sleep(0.2)  # the claims are now waiting on the database
        page = Browser(server.url).get(claim_path(batch))
        claims_answered_before_the_page = list(answers)
        for thread in waiting:
            thread.join()
    finally:
        other.close()
    assert page.status == 200 and claims_answered_before_the_page == []  # answered while every claim waited
    assert sorted(answers) == [503] * 6


def test_sixty_claims_waiting_fifteen_seconds_for_a_lock_never_delay_the_read_only_pages(
    server, db_path, make_batch, member_with_password, monkeypatch
):
    """Issue 21: 60 claims waiting on a lock held by another program took all 16 server threads, and
    the home page, a claim page and My Cards waited up to 15 s behind them. Now they answer while
    every claim still waits (the other program lets go only once they have)."""
    from .helpers import Browser

    monkeypatch.setattr(waits, "_wait_limit", 15.0)
    batch = make_batch(quantity=100)
    browsers = []
    for n in range(60):
        browser = Browser(server.url)
        browser.log_in(member_with_password(email=f"queue{n}@example.com").email, next_path=claim_path(batch))
        browsers.append((browser, browser.get(claim_path(batch)).csrf))
    reader = Browser(server.url)
    reader.log_in(member_with_password(email="reader@example.com").email)
    other = OtherProgram(db_path)
    answers: list[int] = []
    try:
        other.hold()
        waiting = [
            threading.Thread(
                target=lambda b=b, t=t: answers.append(b.post(claim_path(batch), {"csrf_token": t}, csrf=False).status)
            )
            for b, t in browsers
        ]
        for thread in waiting:
            thread.start()
        time.sleep(1.0)  # every claim is in the server now, waiting on the database
        pages = {path: reader.get(path) for path in ("/en-us/", claim_path(batch), "/en-us/my-cards")}
        answered_before_the_pages = list(answers)
        other.release()
        for thread in waiting:
            thread.join()
    finally:
        other.close()
    assert {path: page.status for path, page in pages.items()} == dict.fromkeys(pages, 200)
    assert "My Cards" in visible(pages["/en-us/my-cards"].text)
    assert answered_before_the_pages == []  # the pages answered while all sixty claims still waited
    assert sorted(answers) == [200] * 60  # and once the lock was free, every claim went through


def test_healthz_says_ok_and_which_database(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200
    data = answer.get_json()
    assert data["status"] == "ok" and data["database"] == "ok" and len(data["database_id"]) >= 8
    assert client.get("/healthz").get_json()["database_id"] == data["database_id"]


def test_healthz_says_what_kind_of_failure_but_never_where_the_database_is(client, monkeypatch):
    """Issue 21: anyone asking /healthz while the database was away was told its address."""
    import peewee

    from app.core.errors import DatabaseProblem

    def away():
        raise DatabaseProblem("The database server of postgresql://shop@db.example/vouchers does not answer.") from (
            peewee.OperationalError('could not translate host name "db.example" to address')
        )

    monkeypatch.setattr(store, "check_reachable", away)
    answer = client.get("/healthz")
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "5"
    assert answer.get_json() == {"status": "unavailable", "database": "unreachable"}
    assert "db.example" not in answer.text and "postgresql" not in answer.text


@pytest.mark.sqlite_only  # a file's path
def test_healthz_never_names_the_database_file(client, db_path, monkeypatch):
    import sqlite3

    from app.core.errors import DatabaseProblem

    def damaged():
        raise DatabaseProblem(f"The file {db_path} is not a Voucher Batches database, or it is damaged.") from (
            sqlite3.DatabaseError("file is not a database")
        )

    monkeypatch.setattr(store, "check_reachable", damaged)
    answer = client.get("/healthz")
    assert answer.status_code == 503 and answer.get_json() == {"status": "unavailable", "database": "damaged"}
    assert str(db_path.parent) not in answer.text


def test_voucher_pictures_waiting_for_the_render_thread_leave_every_reading_thread_to_members_pages(
    db_path, make_batch, member_with_password, monkeypatch
):
    """Pictures are drawn one at a time on the render thread; the requests waiting for it took
    reading threads (4 of the 8), and a rush of them queued ahead of members' pages. Now, with as
    many pictures waiting as may, all eight reading threads still serve pages at once."""
    from app.core import claims
    from app.render import pictures
    from app.web import create_app
    from app.web.pocket import PICTURES_WAITING
    from app.web.server import READ_THREADS, start_server

    from .helpers import Browser

    member = member_with_password()
    codes = [
        claims.claim(make_batch(quantity=1, name=f"Treat {n}").token, member.id).voucher.code
        for n in range(PICTURES_WAITING)
    ]
    drawing, let_go = threading.Semaphore(0), threading.Event()

    def held_drawing(page, dpi, timeout=None):
        drawing.release()
        let_go.wait(30)
        return b"\x89PNG"

    monkeypatch.setattr(pictures, "png", held_drawing)
    together = threading.Barrier(READ_THREADS, timeout=10)  # broken unless every reading thread serves one
    app = create_app({"SETTINGS_MAX_AGE": 0})
    app.add_url_rule("/en-us/together", "together", lambda: str(together.wait()))
    running = start_server("127.0.0.1", 0, app=app)
    try:
        holders = [Browser(running.url) for _ in codes]
        for holder in holders:
            holder.log_in(member.email)
        waiting = [
            threading.Thread(target=lambda h=h, c=c: h.get(f"/en-us/my-cards/{c}/card.png"))
            for h, c in zip(holders, codes, strict=True)
        ]
        for thread in waiting:
            thread.start()
        assert all(drawing.acquire(timeout=10) for _ in codes)  # every picture that may wait waits
        answers: list[int] = []
        readers = [
            threading.Thread(target=lambda: answers.append(Browser(running.url).get("/en-us/together").status))
            for _ in range(READ_THREADS)
        ]
        for thread in readers:
            thread.start()
        for thread in readers:
            thread.join()
        let_go.set()
        for thread in waiting:
            thread.join()
    finally:
        let_go.set()
        running.stop()
    assert answers == [200] * READ_THREADS
