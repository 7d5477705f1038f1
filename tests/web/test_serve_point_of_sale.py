"""`voucher-batches serve` as a store runs it for its point of sale: the API answers from every worker
process, and the webhooks are sent by exactly one process (the supervisor's sender), once each."""

from __future__ import annotations

import pytest

from app.core import api_keys, claims, store, webhooks
from tests.helpers.ports import free_port
from tests.helpers.pos_api import Client
from tests.helpers.receiver import Receiver
from tests.helpers.serving import STOPPED, children, start_serve, stop_serve, until

pytestmark = pytest.mark.slow


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.stop()


@pytest.mark.parametrize(
    "workers", [1, pytest.param(3, marks=pytest.mark.posix_only("serve --workers 3 forks worker processes"))]
)
def test_serve_answers_the_api_and_sends_each_event_once(db_path, make_batch, make_member, receiver, workers):
    key = api_keys.create("Till 1")[1]
    receiver.secret = webhooks.add(receiver.url, "claimed,redeemed").secret
    batch = make_batch(quantity=30)
    store.close_database()  # the server's processes open it themselves
    port = free_port()
    process = start_serve(str(db_path), port, *(("--workers", str(workers)) if workers > 1 else ()))
    clients = []
    try:
        if workers > 1:
            assert until(lambda: len(children(process.pid)) == workers + 1, 20)  # the workers and one sender
        store.open_database(db_path)
        held = [claims.claim(batch.token, make_member().id).voucher for _ in range(6)]
        for i, voucher in enumerate(held):  # over several connections: several workers answer
            client = Client(key, f"http://127.0.0.1:{port}")
            clients.append(client)
            answer = client.redeem(voucher.code, f"sale-{i}", {"order_total": 25})
            assert answer.body["outcome"] == "redeemed"
        got = receiver.wait_for(12)
        assert until(lambda: all(d.state == "delivered" for d in webhooks.deliveries()), 20)
    finally:
        for client in clients:
            client.close()
        code, _out, err = stop_serve(process)
    assert code == STOPPED, err
    got = receiver.received
    assert sorted(r.event for r in got) == ["claimed"] * 6 + ["redeemed"] * 6
    assert len({r.event_id for r in got}) == 12 and all(r.signed for r in got)  # each once, signed
    assert {r.body["till"] for r in got if r.event == "redeemed"} == {"Till 1"}


def test_the_windows_claim_site_sends_webhooks_while_it_serves(db_path, make_batch, make_member, receiver):
    """The window starts its claim site with start_with_sender (app.launch): a sender serves beside it."""
    from app.web.sending import start_with_sender

    receiver.secret = webhooks.add(receiver.url, "claimed").secret
    served = start_with_sender("127.0.0.1", 0)
    try:
        assert served.running and served.url.startswith("http://127.0.0.1:")
        claims.claim(make_batch(quantity=2).token, make_member().id)
        got = receiver.wait_for(1)
        assert len(got) == 1 and got[0].signed
    finally:
        served.stop()
    assert not served.sender.running and not served.running
