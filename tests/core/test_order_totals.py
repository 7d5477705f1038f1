"""Money at the till: an order total given at redemption is kept with it, the discount it gave is
worked out from the offer, a total below the minimum purchase is refused unless overridden, and the
batch's and the channels' sales and discounts follow, undo included, counted as the redemptions are."""

from __future__ import annotations

import json

import pytest

from app.core import activity, analytics, batches, claims, money, settings, templates, vouchers, wording
from app.core.claims import RedeemOutcome, UndoOutcome
from app.core.errors import InvalidInput

from .helpers import run_threads


@pytest.fixture
def amount_offer(db_path):
    return templates.create_template("Five off", "5.00", min_purchase="0", valid_days=30)


def sums(batch_id):
    stats = analytics.batch_stats(batch_id)
    return stats.money.totalled, stats.money.sales_cents, stats.money.discount_cents


def test_a_percentage_offer_takes_its_share_of_the_order(make_batch, claim_some):
    batch = make_batch(quantity=5)  # 10% off, minimum purchase $20.00
    voucher = claim_some(batch, 1)[0]
    result = claims.redeem(voucher.code, order=money.order("25.55"))
    assert result.outcome is RedeemOutcome.REDEEMED
    assert (result.order_cents, result.discount_cents) == (2555, 256)  # 2.555 rounds half up
    assert result.message == f"Voucher {voucher.code} redeemed: $2.56 off $25.55."
    assert vouchers.lookup(voucher.code).order_cents == 2555
    assert sums(batch.id) == (1, 2555, 256)


def test_an_amount_offer_takes_its_amount_and_never_more_than_the_order(amount_offer, claim_some):
    batch = batches.create_batch("Five off", amount_offer, 5, "Email")
    big, small = claim_some(batch, 2)
    assert claims.redeem(big.code, order=money.order(30)).discount_cents == 500
    assert claims.redeem(small.code, order=money.order("3.20")).discount_cents == 320
    assert sums(batch.id) == (2, 3320, 820)


def test_below_the_minimum_purchase_nothing_is_redeemed_unless_overridden(make_batch, claim_some):
    batch = make_batch(quantity=5)  # minimum purchase $20.00
    voucher = claim_some(batch, 1)[0]
    refused = claims.redeem(voucher.code, order=money.order("19.99"))
    assert refused.outcome is RedeemOutcome.BELOW_MINIMUM
    assert refused.message == (
        f"The order total $19.99 is below this offer's minimum purchase of $20.00, so voucher {voucher.code} "
        "was not redeemed."
    )
    assert vouchers.lookup(voucher.code).state == "claimed" and sums(batch.id) == (0, 0, 0)
    done = claims.redeem(voucher.code, order=money.order("19.99", override=True))
    assert done.outcome is RedeemOutcome.REDEEMED and done.discount_cents == 200
    entry = activity.entries(activity.Filter(kind="voucher_redeemed"), 1)[0]
    assert entry.details == {"order_total": 19.99, "discount": 2.0, "override": True}


def test_without_an_order_total_nothing_is_counted_as_money(make_batch, claim_some):
    batch = make_batch(quantity=5)
    voucher = claim_some(batch, 1)[0]
    assert claims.redeem(voucher.code).outcome is RedeemOutcome.REDEEMED
    assert sums(batch.id) == (0, 0, 0)
    assert vouchers.lookup(voucher.code).order_cents is None


def test_undo_takes_the_money_back_out(make_batch, claim_some):
    batch = make_batch(quantity=5)
    first, second = claim_some(batch, 2)
    claims.redeem(first.code, order=money.order("40", reference="POS-1001"))
    claims.redeem(second.code, order=money.order("60"))
    assert sums(batch.id) == (2, 10000, 1000)
    assert claims.undo_redemption(first.code, "sale cancelled").outcome is UndoOutcome.UNDONE
    assert sums(batch.id) == (1, 6000, 600)
    assert vouchers.lookup(first.code).order_cents is None
    again = claims.redeem(first.code, order=money.order("25"))
    assert again.discount_cents == 250 and sums(batch.id) == (2, 8500, 850)
    logged = [e.details for e in activity.entries(activity.Filter(kind="voucher_redeemed"))]
    assert {"order_total": 40.0, "discount": 4.0, "order_reference": "POS-1001"} in logged


def test_the_channels_add_up_their_batches_money(make_batch, claim_some):
    email = make_batch(quantity=5, name="Summer - Email", channel="Email")
    sms = make_batch(quantity=5, name="Summer - SMS", channel="SMS")
    other = make_batch(quantity=5, name="Winter - SMS", channel="SMS")
    for batch, totals in ((email, ["20", "30"]), (sms, ["50"]), (other, ["100"])):
        for voucher, total in zip(claim_some(batch, len(totals)), totals, strict=True):
            claims.redeem(voucher.code, order=money.order(total))
    by = {c.channel: c.money for c in analytics.channel_stats()}
    assert (by["Email"].sales_cents, by["Email"].discount_cents, by["Email"].totalled) == (5000, 500, 2)
    assert (by["SMS"].sales_cents, by["SMS"].discount_cents) == (15000, 1500)
    summer = {c.channel: c.money for c in analytics.channel_stats("Summer - *")}
    assert summer["SMS"].sales_cents == 5000
    assert analytics.channel_stats()[0].to_json()["sales_with_vouchers"] == 50.0


def test_batch_stats_json_says_sales_and_discount_in_the_stores_currency(make_batch, claim_some):
    config = settings.load()
    config.currency = "€"
    settings.save(config)
    batch = make_batch(quantity=5)
    claims.redeem(claim_some(batch, 1)[0].code, order=money.order("1234.50"))
    data = json.loads(json.dumps(analytics.batch_stats(batch.id).to_json()))
    assert (data["sales_with_vouchers"], data["discount_given"], data["currency"]) == (1234.5, 123.45, "€")
    assert data["redemptions_with_order_total"] == 1
    assert wording.money(123450) == "€1,234.50"
    assert wording.sales_text(123450, 1) == "€1,234.50 on 1 order"


@pytest.mark.parametrize("typed", ["-5", "abc", "1,000", "12.345", "nan", "1e3", "100000000.01"])
def test_an_order_total_that_is_no_amount_is_refused_in_one_sentence(typed):
    with pytest.raises(InvalidInput):
        money.order(typed)


@pytest.mark.parametrize("sent", [True, -1, 2.555, float("inf")])
def test_an_order_total_sent_as_a_number_is_checked_too(sent):
    with pytest.raises(InvalidInput):
        money.order(sent)


def test_typed_order_totals(db_path):
    assert [money.cents(t) for t in ("25", "25.5", "25,50", "$25.00", "", None, 25, 25.5)] == [
        2500,
        2550,
        2550,
        2500,
        None,
        None,
        2500,
        2550,
    ]


def test_the_money_is_counted_once_however_many_tills_redeem_at_once(make_batch, claim_some):
    batch = make_batch(quantity=5)
    voucher = claim_some(batch, 1)[0]
    results = run_threads(8, lambda i: claims.redeem(voucher.code, order=money.order(f"{20 + i}.00")))
    done = [r for r in results if r.outcome is RedeemOutcome.REDEEMED]
    assert len(done) == 1
    assert sums(batch.id) == (1, done[0].order_cents, done[0].discount_cents)
    assert vouchers.lookup(voucher.code).order_cents == done[0].order_cents
