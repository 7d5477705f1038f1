"""Moving a store onto PostgreSQL keeps its point of sale working: the API keys (their hashes) and
the webhooks come along, and the money counted at the till."""

from __future__ import annotations

from app.core import analytics, api_keys, claims, money, store, transfer, webhooks


def test_the_tills_key_webhooks_and_money_come_along(db_path, make_batch, make_member, cluster):
    key = api_keys.create("Till 1")[1]
    api_keys.revoke("Till 1")
    key = api_keys.create("Till 1")[1]
    webhooks.add("https://pos.example.com/hooks", "redeemed")
    batch = make_batch(quantity=5)
    voucher = claims.claim(batch.token, make_member().id).voucher
    claims.redeem(voucher.code, order=money.order("42.00"))
    before = analytics.batch_stats(batch.id).money
    copied = transfer.copy_to(cluster.url)
    assert (copied.rows["api_key"], copied.rows["webhook"]) == (2, 1)

    store.open_database(cluster.url)
    assert api_keys.authenticate(key).name == "Till 1"  # the point of sale's key works there as before
    assert [k.active for k in api_keys.every_key()] == [False, True]
    assert [h.url for h in webhooks.hooks()] == ["https://pos.example.com/hooks"]
    assert analytics.batch_stats(batch.id).money == before
    assert api_keys.create("Till 2")[0].id == 3  # new rows come after the copied ones
