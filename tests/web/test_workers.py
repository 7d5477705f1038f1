"""`voucher-batches serve --workers N`: N processes on one port, whose rules hold across processes
(the database's own locks, unique index and checked counters, not the in-process write lock)."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.core import batches, store
from tests.helpers.ports import free_port
from tests.helpers.serving import children, start_serve, stop_serve, until

from .helpers import Browser, claim_path, visible

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="several worker processes need fork (Linux, macOS)")


def _claim_at_once(base: str, batch, emails: list[str], tries: int = 2) -> list[tuple[int, str]]:
    """Every member posts the claim `tries` times at the same moment; the answers."""
    shoppers = []
    for email in emails:
        shopper = Browser(base)
        shopper.log_in(email)
        shoppers.append((shopper, shopper.get(claim_path(batch)).csrf))
    answers: list[tuple[int, str]] = []
    start = threading.Barrier(len(shoppers) * tries)

    def post(shopper, token):
        start.wait()
        page = Browser.post(shopper, claim_path(batch), {"csrf_token": token}, csrf=False)
        answers.append((page.status, visible(page.text)))

    threads = [threading.Thread(target=post, args=pair) for pair in shoppers for _ in range(tries)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_two_worker_processes_hand_out_each_voucher_once_and_one_per_member(db_path, make_batch, member_with_password):
    batch = make_batch(quantity=20)
    emails = [member_with_password().email for _ in range(30)]
    port = free_port()
    site = start_serve(str(db_path), port, "--workers", "2")
    try:
        assert until(lambda: len(children(site.pid)) == 3, 10)  # two workers and the webhook sender
        answers = _claim_at_once(f"http://127.0.0.1:{port}", batch, emails)
    finally:
        code, out, err = stop_serve(site)
    assert code == 0 and "Claim site stopped." in out and "Traceback" not in err, err
    claimed = [text for status, text in answers if status == 200 and "Voucher claimed!" in text]
    assert len(claimed) == 20  # every voucher, once
    assert {status for status, _ in answers} <= {200, 409}  # the rest: already yours, or none left
    holders = store.run_sql(
        "SELECT COUNT(*), COUNT(DISTINCT member_id) FROM voucher WHERE batch_id = :batch AND member_id IS NOT NULL",
        {"batch": batch.id},
    ).fetchone()
    summary = batches.get_batch(batch.id)
    assert tuple(holders) == (20, 20) and summary.claimed == 20  # the counter agrees with the rows


def test_a_worker_that_dies_is_replaced_and_the_site_keeps_answering(db_path):
    port = free_port()
    site = start_serve(str(db_path), port, "--workers", "2")
    try:
        assert until(lambda: len(children(site.pid)) == 3, 10)  # two workers and the webhook sender
        first = children(site.pid)
        os.kill(first[0], signal.SIGKILL)  # the first forked: worker 1
        replaced = until(lambda: len(children(site.pid)) == 3 and first[0] not in children(site.pid), 10)
        answers = [Browser(f"http://127.0.0.1:{port}").get("/healthz").status for _ in range(10)]
    finally:
        code, _, err = stop_serve(site)
    assert replaced and answers == [200] * 10
    assert "Claim site worker 1 was ended by signal 9; starting another." in err
    assert code == 0


def test_two_workers_let_one_address_make_twenty_accounts_an_hour_not_forty_and_a_restart_forgets_nothing(db_path):
    """Issue 21: under `serve --workers 2` each process counted in its own memory, so one address
    made 40 accounts an hour instead of 20; a restart started again from none."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"

    def register_at_once(emails: list[str]) -> Counter:
        visitors = [Browser(base) for _ in emails]
        tokens = [visitor.get("/en-us/register").csrf for visitor in visitors]
        start = threading.Barrier(len(emails))

        def register(n: int) -> int:
            start.wait(timeout=60)
            fields = {"email": emails[n], "password": "long enough and new", "csrf_token": tokens[n]}
            return visitors[n].post("/en-us/register", fields, csrf=False).status

        with ThreadPoolExecutor(len(emails)) as pool:
            return Counter(pool.map(register, range(len(emails))))

    site = start_serve(str(db_path), port, "--workers", "2")
    try:
        assert until(lambda: len(children(site.pid)) == 3, 10)  # two workers and the webhook sender
        first = register_at_once([f"new{n}@example.com" for n in range(26)])
    finally:
        code, _, err = stop_serve(site)
    assert code == 0, err
    assert first == {200: 20, 429: 6}  # (made: on to My Cards) whichever process each one reached
    site = start_serve(str(db_path), port, "--workers", "2")
    try:
        again = register_at_once(["after-restart@example.com"])
    finally:
        stop_serve(site)
    assert again == {429: 1}


def test_killing_the_supervisor_stops_its_workers_and_its_sender_and_the_next_start_is_not_blocked(db_path):
    """Issue 21: with the supervisor killed (SIGKILL, which it cannot pass on), its workers went on
    serving unsupervised and held the port, so the next `serve` could not start; the webhook
    sender, its third child, stops the same way (else two senders would take turns with the lease)."""
    port = free_port()
    site = start_serve(str(db_path), port, "--workers", "2")
    workers = []
    try:
        assert until(lambda: len(children(site.pid)) == 3, 10)  # two workers and the webhook sender
        workers = children(site.pid)
        os.kill(site.pid, signal.SIGKILL)
        site.wait(timeout=10)
        assert until(lambda: not any(_running(pid) for pid in workers), 10)
    finally:
        for pid in workers:  # (whatever is left, on a failure)
            if _running(pid):
                os.kill(pid, signal.SIGKILL)
        site.stdout.close()
        site.stderr.close()
    again = start_serve(str(db_path), port, "--workers", "2")
    try:
        assert Browser(f"http://127.0.0.1:{port}").get("/healthz").status == 200
    finally:
        code, _, err = stop_serve(again)
    assert code == 0, err


def _running(pid: int) -> bool:
    """Whether the process runs (a zombie, ended but not yet reaped by its new parent, does not)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except FileNotFoundError:
        return False
