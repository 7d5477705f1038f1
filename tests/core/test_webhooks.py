"""Webhooks: each claim, redemption and undo is written to the outbox in its own transaction, POSTed
signed to a receiver, retried while the receiver is down, sent again when the sender died mid-
delivery, and sent by one sender however many run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta

import pytest

from app.core import claims, money, store, webhook_sender, webhooks
from app.core.errors import InvalidInput, NotFound
from app.core.store import run_sql
from tests.helpers import ROOT
from tests.helpers.receiver import Receiver
from tests.helpers.serving import until


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.stop()


@pytest.fixture
def hook(db_path, receiver):
    added = webhooks.add(receiver.url, "claimed,redeemed,undone")
    receiver.secret = added.secret
    return added


@pytest.fixture
def sender():
    """Sending in the background of this process, as beside the claim site (quick retries)."""
    running = webhook_sender.start(lease_seconds=4, poll=0.1, timeout=2, backoff=(1,))
    yield running
    running.stop()


def outbox():
    return run_sql("SELECT event, next_try_at IS NOT NULL, attempts FROM webhook_delivery ORDER BY id").fetchall()


def test_a_webhook_is_added_listed_and_removed(db_path):
    hook = webhooks.add("https://pos.example.com/hooks", "redeemed, claimed")
    assert hook.events == ("claimed", "redeemed") and hook.secret.startswith("whsec_")
    assert [h.url for h in webhooks.hooks()] == ["https://pos.example.com/hooks"]
    with pytest.raises(InvalidInput):
        webhooks.add("https://pos.example.com/hooks", "claimed")  # one per address
    for url, events in (("ftp://x", "claimed"), ("https://x.test", "refunded"), ("https://x.test", "")):
        with pytest.raises(InvalidInput):
            webhooks.add(url, events)
    with pytest.raises(InvalidInput):
        webhooks.add("https://y.test", "claimed", secret="short")
    assert webhooks.remove("https://pos.example.com/hooks") == "https://pos.example.com/hooks"
    with pytest.raises(NotFound):
        webhooks.remove("https://pos.example.com/hooks")


def test_each_change_writes_its_event_in_its_own_transaction(hook, make_batch, make_member):
    only_redeemed = webhooks.add("https://other.test/hook", "redeemed")
    batch = make_batch(quantity=3)
    voucher = claims.claim(batch.token, make_member().id).voucher
    assert claims.redeem(voucher.code, order=money.order("10")).outcome is claims.RedeemOutcome.BELOW_MINIMUM
    assert outbox() == [("claimed", True, 0)]  # a refusal changed nothing: no event
    claims.redeem(voucher.code, order=money.order("30"))
    claims.undo_redemption(voucher.code, "sale cancelled")
    assert [row[0] for row in outbox()] == ["claimed", "redeemed", "redeemed", "undone"]
    told = run_sql("SELECT webhook_id, event FROM webhook_delivery WHERE webhook_id = :id", {"id": only_redeemed.id})
    assert told.fetchall() == [(only_redeemed.id, "redeemed")]
    # a change that fails rolls its event back with it
    with pytest.raises(InvalidInput), store.write_transaction():
        webhooks.announce("claimed", voucher)
        raise InvalidInput("changed my mind")
    assert len(outbox()) == 4


def test_events_arrive_signed_with_what_happened(hook, receiver, sender, make_batch, make_member):
    batch = make_batch(quantity=3, name="Spring Fair")
    voucher = claims.claim(batch.token, make_member().id).voucher
    from app.core.activity import Actor

    claims.redeem(voucher.code, Actor("Till 2", "Ann"), money.order("25.00", reference="POS-9"))
    claims.undo_redemption(voucher.code, "sale cancelled", Actor("Till 2", "Ann"))
    got = receiver.wait_for(3)
    assert [r.event for r in got] == ["claimed", "redeemed", "undone"]
    assert all(r.signed for r in got)
    assert len({r.event_id for r in got}) == 3
    redeemed = got[1].body
    assert redeemed["event"] == "redeemed" and redeemed["id"] == got[1].event_id
    assert redeemed["voucher"]["code"] == voucher.code and redeemed["voucher"]["batch"]["name"] == "Spring Fair"
    assert (redeemed["order_total"], redeemed["discount"]) == (25.0, 2.5)
    assert (redeemed["till"], redeemed["staff"]) == ("Till 2", "Ann")
    assert got[2].body["reason"] == "sale cancelled"
    assert until(lambda: webhooks.hooks()[0].delivered == 3, 10)
    shown = webhooks.hooks()[0]
    assert (shown.last_status, shown.pending, shown.failed) == (200, 0, 0)
    assert all(d.state == "delivered" for d in webhooks.deliveries())


def test_a_forged_or_stale_signature_does_not_verify():
    body = b'{"event":"claimed"}'
    now = 1_800_000_000
    good = webhook_sender.sign("whsec_secret-of-sixteen", str(now), body)
    assert webhook_sender.verify("whsec_secret-of-sixteen", str(now), body, good, now=now)
    assert not webhook_sender.verify("whsec_another-secret-16", str(now), body, good, now=now)
    assert not webhook_sender.verify("whsec_secret-of-sixteen", str(now), body + b" ", good, now=now)
    assert not webhook_sender.verify("whsec_secret-of-sixteen", str(now), body, good, now=now + 3600)


def test_redelivered_after_the_receiver_was_down(hook, receiver, sender, make_batch, make_member):
    port = receiver.port
    receiver.stop()  # down: nothing answers on its port
    batch = make_batch(quantity=3)
    claims.claim(batch.token, make_member().id)
    assert until(lambda: (webhooks.deliveries()[0].attempts or 0) >= 2, 20)
    down = webhooks.deliveries()[0]
    assert down.state == "pending" and down.last_status == 0 and down.last_error
    assert webhooks.hooks()[0].next_try_at is not None
    back = Receiver(hook.secret, port=port)  # up again, where it was
    try:
        got = back.wait_for(1)
        assert len(got) == 1 and got[0].signed and got[0].event == "claimed"
        assert until(lambda: webhooks.deliveries()[0].state == "delivered", 10)
    finally:
        back.stop()


def test_an_error_answer_is_retried_too(hook, receiver, sender, make_batch, make_member):
    receiver.status = 500
    batch = make_batch(quantity=3)
    claims.claim(batch.token, make_member().id)
    assert len(receiver.wait_for(2)) >= 2  # tried again after the back-off
    receiver.status = 204
    assert until(lambda: webhooks.deliveries()[0].state == "delivered", 15)
    assert webhooks.deliveries()[0].last_status == 204


SENDER_PROCESS = """
import sys, threading
from app.core import store, webhook_sender
store.open_database(sys.argv[1])
print("ready", flush=True)
webhook_sender.Sender(lease_seconds=3, poll=0.1, timeout=2).run(threading.Event())
"""


@pytest.mark.slow
def test_redelivered_after_the_sender_was_killed_mid_delivery(hook, receiver, db_path, make_batch, make_member):
    receiver.hold = 30  # the first delivery hangs: the sender is killed while it waits for the answer
    batch = make_batch(quantity=3)
    claims.claim(batch.token, make_member().id)
    process = subprocess.Popen(
        [sys.executable, "-c", SENDER_PROCESS, str(db_path)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout.readline().strip() == "ready"
        first = receiver.wait_for(1)
        assert len(first) == 1
        process.kill()  # mid-delivery (SIGKILL; TerminateProcess on Windows): no answer was read, nothing recorded
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
    assert webhooks.deliveries()[0].state == "pending" and webhooks.deliveries()[0].attempts == 0
    receiver.hold = 0
    again = webhook_sender.start(lease_seconds=3, poll=0.1, timeout=2)
    try:
        got = receiver.wait_for(2)  # once the dead sender's lease has run out
        assert len(got) == 2 and got[1].event_id == got[0].event_id and got[1].signed
        assert until(lambda: webhooks.deliveries()[0].state == "delivered", 10)
    finally:
        again.stop()


def test_one_sender_sends_however_many_run(hook, receiver, make_batch, make_member):
    senders = [webhook_sender.start(lease_seconds=4, poll=0.05, timeout=2) for _ in range(3)]
    try:
        batch = make_batch(quantity=20)
        for _ in range(12):
            claims.claim(batch.token, make_member().id)
        got = receiver.wait_for(12)
        assert until(lambda: all(d.state == "delivered" for d in webhooks.deliveries()), 15)
    finally:
        for running in senders:
            running.stop()
    got = receiver.received
    assert len(got) == 12 and len({r.event_id for r in got}) == 12  # each once


def test_tries_for_a_day_then_gives_up(hook, make_batch, make_member):
    start = datetime(2026, 3, 1, 12, 0)
    waits, attempts, now = [], 0, start
    while True:
        attempts += 1
        later = webhook_sender.next_try(attempts, start, now)
        if later is None:
            break
        waits.append((later - now).total_seconds())
        now = later
    assert waits[:4] == [10, 30, 60, 120]  # back-off
    assert now == start + timedelta(days=1) and attempts < 30  # the last try at the end of the day, then none
    # a delivery that keeps failing past the day is given up and said so
    clock = [start]
    sender = webhook_sender.Sender(lease_seconds=4, timeout=1, clock=lambda: clock[0])
    webhooks.remove(hook.url)
    webhooks.add("http://127.0.0.1:9/nothing-listens", "claimed")
    from app.core.store.models import set_clock

    set_clock(start)
    try:
        claims.claim(make_batch(quantity=2).token, make_member().id)
    finally:
        set_clock(None)
    clock[0] = start + timedelta(hours=25)
    assert sender.step() == 1
    gone = webhooks.deliveries()[0]
    assert (gone.state, gone.next_try_at, gone.attempts) == ("failed", None, 1)
    assert webhooks.hooks()[0].failed == 1
    assert json.loads(json.dumps(gone.to_json()))["state"] == "failed"


def test_senders_stop_cleanly_and_give_the_lease_back(hook, make_batch, make_member):
    running = webhook_sender.start(lease_seconds=4, poll=0.05, timeout=2)
    claims.claim(make_batch(quantity=2).token, make_member().id)
    assert until(lambda: run_sql("SELECT COUNT(*) FROM lease").fetchone()[0] == 1, 10)
    running.stop()
    assert not running.running
    assert run_sql("SELECT COUNT(*) FROM lease").fetchone()[0] == 0
