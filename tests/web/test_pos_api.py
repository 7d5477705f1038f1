"""The local API for a point of sale, as a point of sale uses it: keys, look-ups, redemptions retried
safely, undos, the batches' metrics, and the contract (every answer is validated against the API's own
OpenAPI 3.1 document by tests/helpers/pos_api.py). Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest

from app.core import activity, api_keys, batches, claims, money, settings, times, vouchers
from app.web import create_app
from app.web.server import start_server
from tests.helpers.pos_api import Client, spec


@pytest.fixture
def key(db_path):
    """A live API key, as `api-key create --name "Till 1"` prints it."""
    return api_keys.create("Till 1")[1]


@pytest.fixture
def pos(app, key):
    return Client(key, flask_client=app.test_client())


@pytest.fixture
def voucher(make_batch, make_member):
    """A claimed voucher of "Spring Fair" (10% off, minimum purchase $20.00)."""
    batch = make_batch(quantity=10, name="Spring Fair")
    return claims.claim(batch.token, make_member("carol@example.com").id).voucher


@pytest.fixture
def live(db_path, key):
    """The claim site with the API on a real server (port chosen by the OS)."""
    running = start_server("127.0.0.1", 0, app=create_app({"SETTINGS_MAX_AGE": 0}))
    yield running
    running.stop()


def test_the_document_is_valid_openapi_3_1():
    assert spec().spec["openapi"] == "3.1.0"  # OpenAPI.from_dict checked it against the 3.1 schema


# -- keys ----------------------------------------------------------------------------------------


def test_off_until_a_key_exists(app):
    answer = Client(None, flask_client=app.test_client()).batches()
    assert (answer.status, answer.error) == (404, "api_off")
    assert "api-key create" in answer.body["error"]["message"]


def test_only_a_request_with_a_live_key_is_answered(app, key):
    client = app.test_client()
    assert Client(None, flask_client=client).batches().error == "unauthorized"
    assert Client("vbk_not-a-key", flask_client=client).batches().status == 401
    assert Client(key, flask_client=client).request("GET", "/batches", headers={"Authorization": key}).status == 401
    assert Client(key, flask_client=client).batches().status == 200
    api_keys.revoke("Till 1")
    assert Client(key, flask_client=client).batches().status == 404  # no key left: off again
    second = api_keys.create("Till 2")[1]
    assert Client(key, flask_client=client).batches().status == 401  # the revoked one stays refused
    assert Client(second, flask_client=client).batches().status == 200


def test_a_key_is_kept_only_as_its_hash(key, db_path):
    from app.core.store import run_sql

    rows = run_sql("SELECT name, prefix, key_hash FROM api_key").fetchall()
    assert rows == [("Till 1", key[:12], api_keys.digest(key))]
    assert key not in str(rows[0][2])


def test_too_many_wrong_keys_from_one_address_are_refused_in_every_process(db_path, key):
    """Two applications (as two worker processes would be) share the count: it is in the database."""
    first, second = create_app({"SETTINGS_MAX_AGE": 0}).test_client(), create_app({"SETTINGS_MAX_AGE": 0}).test_client()
    for i in range(api_keys.MAX_FAILURES):
        answer = Client(f"vbk_guess{i}", flask_client=first if i % 2 else second).batches()
        assert answer.status == 401
    refused = Client(key, flask_client=first).batches()  # even with the right key now
    assert (refused.status, refused.error) == (429, "too_many_attempts")
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert Client(key, flask_client=second).batches().status == 429


# -- looking up ----------------------------------------------------------------------------------


def test_a_voucher_is_described_with_the_tills_refusal(pos, voucher, make_batch):
    found = pos.voucher(voucher.code.lower().replace("-", " "))
    assert found.status == 200
    body = found.body
    assert (body["code"], body["state"], body["batch"]["name"]) == (voucher.code, "claimed", "Spring Fair")
    assert body["refusal"] is None and body["read_as"] is None
    assert body["offer"]["discount_kind"] == "percent" and body["offer"]["min_purchase"] == 20.0
    assert body["offer"]["description"] == "10% off · Minimum purchase $20.00"
    unclaimed = vouchers.page(make_batch(quantity=2, name="Other").id, limit=1)[0].code
    refused = pos.voucher(unclaimed).body["refusal"]
    assert refused == {
        "code": "not_claimed",
        "message": f"Voucher {unclaimed} has not been claimed yet, so it cannot be redeemed.",
    }


def test_an_unknown_code_a_claim_link_and_a_scanner_mix_up(pos, voucher):
    unknown = pos.voucher("ZZZZ-ZZZZ-ZZ")
    assert (unknown.status, unknown.error) == (404, "unknown_code")
    assert unknown.body["error"]["message"] == claims.UNKNOWN_CODE_SENTENCE
    batch = batches.get_batch(voucher.batch_id)
    link = pos.voucher(batch.claim_url)
    assert (link.status, link.error) == (404, "claim_link")
    assert link.body["error"]["batch"] == {"id": batch.id, "name": "Spring Fair"}
    # a scanner set to US keys on a German PC: Y and Z swapped, ß for a dash
    german = voucher.code.translate(str.maketrans("YZ-", "ZYß"))
    repaired = pos.voucher(german)
    assert repaired.status == 200 and repaired.body["code"] == voucher.code
    assert repaired.body["read_as"] == "us_on_qwertz"


# -- redeeming -----------------------------------------------------------------------------------


def test_a_retry_gets_the_first_answer_and_never_a_second_redemption(pos, voucher):
    first = pos.redeem(voucher.code, "order-1001", {"order_total": 25, "staff": "Ann", "till": "Lane 3"})
    assert first.status == 200 and first.body["outcome"] == "redeemed"
    assert first.body["message"] == f"Voucher {voucher.code} redeemed: $2.50 off $25.00."
    assert (first.body["order_total"], first.body["discount"]) == (25.0, 2.5)
    assert "Idempotent-Replayed" not in first.headers
    again = pos.redeem(voucher.code, "order-1001", {"order_total": 25, "staff": "Ann", "till": "Lane 3"})
    assert again.body == first.body and again.headers["Idempotent-Replayed"] == "true"
    assert batches.get_batch(voucher.batch_id).redeemed == 1
    # a new key is a new request: the till's refusal, with who redeemed it
    later = pos.redeem(voucher.code, "order-1002")
    assert later.body["outcome"] == "already_redeemed"
    assert later.body["refusal"]["code"] == "already_redeemed"
    assert later.body["redeemed_by"] == {"till": "Till 1", "staff": "Ann"}
    assert later.body["message"].endswith("by Ann, Till 1.")  # the sentence the till shows


def test_the_same_key_for_another_request_is_refused(pos, voucher):
    pos.redeem(voucher.code, "k-1", {"order_total": 25})
    conflict = pos.redeem(voucher.code, "k-1", {"order_total": 26})
    assert (conflict.status, conflict.error) == (422, "idempotency_key_reused")
    assert pos.undo(voucher.code, "k-1", {"reason": "sale cancelled"}).status == 422  # another path
    assert batches.get_batch(voucher.batch_id).redeemed == 1


def test_every_change_is_in_the_activity_log_with_the_keys_name_as_the_till(pos, voucher):
    pos.redeem(voucher.code, "a", {"staff": "Ann", "till": "Lane 3", "order_reference": "POS-77", "order_total": "30"})
    pos.undo(voucher.code, "b", {"reason": "customer returned goods", "staff": "Bob"})
    undone, redeemed = activity.entries(activity.Filter(), 2)
    assert (redeemed.kind, redeemed.till, redeemed.staff) == ("voucher_redeemed", "Till 1", "Ann")
    assert redeemed.details == {
        "order_total": 30.0,
        "discount": 3.0,
        "order_reference": "POS-77",
        "via": "api",
        "pos_till": "Lane 3",
    }
    assert (undone.kind, undone.till, undone.staff) == ("redemption_undone", "Till 1", "Bob")
    assert undone.details["reason"] == "customer returned goods" and undone.details["via"] == "api"


def test_below_the_minimum_purchase_unless_overridden(pos, voucher):
    below = pos.redeem(voucher.code, "1", {"order_total": "19.99"})
    assert below.body["outcome"] == "below_minimum" and below.body["refusal"]["code"] == "below_minimum"
    assert "minimum purchase of $20.00" in below.body["message"]
    assert vouchers.lookup(voucher.code).state == "claimed"
    done = pos.redeem(voucher.code, "2", {"order_total": "19.99", "override": True})
    assert done.body["outcome"] == "redeemed" and done.body["discount"] == 2.0


def test_every_refusal_is_an_outcome(pos, voucher, make_batch):
    unclaimed = vouchers.page(make_batch(quantity=2, name="Other").id, limit=1)[0].code
    assert pos.redeem(unclaimed, "1").body["outcome"] == "not_claimed"
    assert pos.redeem("ZZZZ-ZZZZ-ZZ", "2").body["outcome"] == "unknown_code"
    link = pos.redeem(batches.get_batch(voucher.batch_id).claim_url, "3").body
    assert (link["outcome"], link["refusal"]["code"]) == ("unknown_code", "claim_link")


def test_a_request_that_is_not_understood_changes_nothing(pos, voucher):
    assert pos.redeem(voucher.code, None).error == "invalid_request"  # no Idempotency-Key
    assert pos.redeem(voucher.code, "x", {"order_total": "ten"}).error == "invalid_request"
    assert pos.redeem(voucher.code, "y", {"discount": 5}).error == "invalid_request"
    assert pos.redeem(voucher.code, "z", {"override": "yes"}).error == "invalid_request"
    assert pos.undo(voucher.code, "w", {}).error == "invalid_request"  # an undo says why
    bad = pos.request("POST", f"/vouchers/{voucher.code}/redeem", idempotency_key="v", headers={})
    assert bad.status == 200  # no body at all is fine ...
    assert batches.get_batch(voucher.batch_id).redeemed == 1  # ... and that one redeemed it
    assert pos.redeem(voucher.code, "x", {"order_total": 25}).body["outcome"] == "already_redeemed"  # x is free


def test_undo_within_the_window_with_a_reason(pos, voucher):
    assert pos.undo(voucher.code, "u1", {"reason": "scanned by mistake"}).body["outcome"] == "not_redeemed"
    pos.redeem(voucher.code, "r1", {"order_total": 40})
    undone = pos.undo(voucher.code, "u2", {"reason": "sale cancelled"})
    assert undone.body["outcome"] == "undone" and undone.body["voucher"]["state"] == "claimed"
    assert pos.undo(voucher.code, "u2", {"reason": "sale cancelled"}).body == undone.body  # replayed
    assert batches.get_batch(voucher.batch_id).redeemed == 0


def test_the_batches_with_their_metrics_and_money(pos, voucher, claim_some=None):
    pos.redeem(voucher.code, "r", {"order_total": "80.00"})
    config = settings.load()
    listed = {b["name"]: b for b in pos.batches().body["batches"]}
    spring = listed["Spring Fair"]
    assert (spring["total"], spring["claimed"], spring["redeemed"], spring["available"]) == (10, 1, 1, 9)
    assert spring["redemption_rate"] == 100.0
    assert (spring["sales_with_vouchers"], spring["discount_given"], spring["currency"]) == (80.0, 8.0, config.currency)


def test_the_batches_say_where_each_campaign_stands_and_an_ended_ones_voucher_still_redeems(pos, voucher, make_batch):
    from app.core import schedule

    starts = schedule.parse_moment("2031-03-03 08:30")  # the store's local time
    make_batch(name="Monday posters", starts_at=starts)
    schedule.end_campaign(voucher.batch_id)
    listed = {b["name"]: b for b in pos.batches().body["batches"]}  # (each answer checked against the document)
    monday = listed["Monday posters"]
    assert monday["status"] == "scheduled" and monday["ends_at"] is None
    opens = datetime.fromisoformat(monday["starts_at"])  # ISO 8601 with the store's offset
    assert opens.utcoffset() is not None and opens == times.local(starts)
    assert listed["Spring Fair"]["status"] == "ended" and listed["Spring Fair"]["ends_at"] is not None
    assert pos.redeem(voucher.code, "r", {"order_total": "25.00"}).body["outcome"] == "redeemed"


# -- the claim site is untouched -----------------------------------------------------------------


def test_the_claim_sites_defences_stay_and_the_api_sets_no_cookie(client, key, voucher):
    """The site's CSRF check still refuses a form without its token; the API needs none and sets no
    cookie, and answers a browser's preflight with no CORS permission."""
    batch = batches.get_batch(voucher.batch_id)
    assert client.post(f"/en-us/claim/{batch.token}").status_code == 400
    answer = client.post(
        f"/api/v1/vouchers/{voucher.code}/redeem", headers={"Authorization": f"Bearer {key}", "Idempotency-Key": "1"}
    )
    assert answer.status_code == 200 and "Set-Cookie" not in answer.headers
    preflight = client.options(
        "/api/v1/batches", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    )
    assert "Access-Control-Allow-Origin" not in preflight.headers
    assert client.get("/api/v1/batches", headers={"Authorization": f"Bearer {key}", "Cookie": "voucher_session=x"})
    assert client.get("/").status_code == 200


# -- at once, over HTTP ----------------------------------------------------------------------------


def _together(n, work):
    start = threading.Barrier(n)
    answers, errors = [None] * n, []

    def run(i):
        try:
            start.wait()
            answers[i] = work(i)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    return answers


@pytest.fixture
def tills(live, key):
    """Eight points of sale, each with its own connection to the live server."""
    made = [Client(key, live.url) for _ in range(8)]
    yield made
    for client in made:
        client.close()


def test_eight_tills_redeem_at_once_with_eight_keys_and_one_redeems(tills, voucher):
    clients = tills
    answers = _together(8, lambda i: clients[i].redeem(voucher.code, f"till-{i}", {"order_total": 30}))
    outcomes = sorted(a.body["outcome"] for a in answers)
    assert outcomes == ["already_redeemed"] * 7 + ["redeemed"]
    assert batches.get_batch(voucher.batch_id).redeemed == 1
    assert len(activity.entries(activity.Filter(kind="voucher_redeemed"))) == 1
    stats = vouchers.lookup(voucher.code)
    assert stats.order_cents == money.cents("30")


def test_the_same_key_from_eight_threads_redeems_once_and_answers_alike(tills, voucher):
    clients = tills
    answers = _together(8, lambda i: clients[i].redeem(voucher.code, "one-sale", {"order_total": 30}))
    assert all(a.status == 200 for a in answers)
    assert len({repr(a.body) for a in answers}) == 1 and answers[0].body["outcome"] == "redeemed"
    assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == 7
    assert batches.get_batch(voucher.batch_id).redeemed == 1
    assert len(activity.entries(activity.Filter(kind="voucher_redeemed"))) == 1


# -- what a member shows, or a sheet the store printed --------------------------------------------


def test_a_members_my_cards_qr_code_scans_as_their_voucher(client, pos, member_with_password, make_batch):
    """What My Cards shows a cashier: its QR code, read by the till (and the API) as the voucher."""
    import io

    from PIL import Image
    from zxingcpp import read_barcodes

    from .helpers import log_in

    member = member_with_password("dora@example.com")
    voucher = claims.claim(make_batch(quantity=3, name="Spring Fair").token, member.id).voucher
    log_in(client, "dora@example.com")
    picture = client.get(f"/en-us/my-cards/qr/{voucher.code}.png")
    assert picture.status_code == 200
    [found] = read_barcodes(Image.open(io.BytesIO(picture.data)))
    assert vouchers.lookup(found.text).code == voucher.code
    assert pos.voucher(found.text).body["code"] == voucher.code


def test_a_printed_handout_sheet_scans_as_its_batchs_claim_link(qapp, pos, make_batch, tmp_path):
    """A sheet of 8 handout cards, as printed: each card's QR code says its batch."""
    from PIL import Image
    from zxingcpp import read_barcodes

    from app.core import signage
    from app.render import painting

    batch = make_batch(quantity=3, name="Spring Fair")  # (qapp: the application the painting needs, as the suite's)
    painting.render_image(signage.layout(signage.content_for(batch.id), "8-up"), dpi=120).save(str(tmp_path / "s.png"))
    read = [found.text for found in read_barcodes(Image.open(tmp_path / "s.png"))]
    assert len(read) == 8
    for text in read[:2]:
        answer = pos.voucher(text)
        assert (answer.status, answer.error) == (404, "claim_link")
        assert answer.body["error"]["batch"] == {"id": batch.id, "name": "Spring Fair"}
