"""`voucher-batches serve --workers N`: N processes on one port, whose rules hold across processes
(the database's own locks, unique index and checked counters, not the in-process write lock)."""

from __future__ import annotations

import os
import signal
import sys
import threading

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
