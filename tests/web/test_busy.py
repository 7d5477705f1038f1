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


def test_healthz_says_ok_and_which_database(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200
    data = answer.get_json()
    assert data["status"] == "ok" and data["database"] == "ok" and len(data["database_id"]) >= 8
    assert client.get("/healthz").get_json()["database_id"] == data["database_id"]


def test_healthz_says_what_is_wrong_when_the_database_is_away(client, monkeypatch):
    from app.core.errors import DatabaseProblem

    def away():
        raise DatabaseProblem("The database db.example is unreachable.")

    monkeypatch.setattr(store, "check_reachable", away)
    answer = client.get("/healthz")
    assert answer.status_code == 503
    assert answer.get_json() == {"status": "unavailable", "database": "The database db.example is unreachable."}
