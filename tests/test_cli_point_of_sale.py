"""The command line at the point of sale: redeem with an order total, the repaired scans through
lookup/redeem/undo, api-key create|list|revoke, webhook add|list|remove|deliveries, and the money in
`batch stats --json`."""

from __future__ import annotations

import json

import pytest

from app.core import api_keys, batches, claims, members, templates


@pytest.fixture
def voucher(run, tmp_path):
    """A claimed voucher of "Spring Fair" (10% off, minimum purchase $20.00)."""
    assert run("settings", "--store-name", "Corner Shop")[0] == 0
    offer = templates.create_template("10% off", "10%", min_purchase="20", valid_days=30)
    batch = batches.create_batch("Spring Fair", offer, 5, "Email")
    return claims.claim(batch.token, members.create_member("carol@example.com", "x").id).voucher


def test_redeem_with_an_order_total(run, voucher):
    code, out, err = run("redeem", voucher.code, "--order-total", "19.50", "--json")
    assert code == 1
    answer = json.loads(out)
    assert answer["outcome"] == "below_minimum" and answer["order_total"] == 19.5 and answer["discount"] is None
    assert "below this offer's minimum purchase of $20.00" in err
    code, out, _ = run("redeem", voucher.code, "--order-total", "19.50", "--override", "--staff", "Ann")
    assert code == 0 and out.strip() == f"Voucher {voucher.code} redeemed: $1.95 off $19.50."
    code, out, _ = run("batch", "stats", str(voucher.batch_id), "--json")
    stats = json.loads(out)
    assert (stats["sales_with_vouchers"], stats["discount_given"], stats["currency"]) == (19.5, 1.95, "$")
    code, out, _ = run("batch", "stats", str(voucher.batch_id))
    assert "Sales with vouchers: $19.50 on 1 order; discount given $1.95." in out
    code, out, _ = run("channels")
    assert "Sales with vouchers" in out.splitlines()[0] and "$19.50" in out
    assert run("redeem", voucher.code, "--order-total", "ten")[0] == 2  # bad input: exit 2, nothing done


def test_lookup_redeem_and_undo_repair_a_scanners_layout(run, voucher):
    german = voucher.code.translate(str.maketrans("YZ-", "ZYß"))
    code, out, err = run("lookup", german)
    assert code == 0 and f"Code:      {voucher.code}" in out
    assert "Read as typed by a scanner set to US keys on a German (QWERTZ) PC." in err
    assert run("redeem", german)[0] == 0
    code, out, _ = run("undo", german, "--reason", "scanned by mistake", "--json")
    assert code == 0 and json.loads(out)["outcome"] == "undone"
    link = batches.get_batch(voucher.batch_id).claim_url
    code, _, err = run("redeem", link)
    assert code == 1 and "This is the claim link of the batch “Spring Fair”" in err


def test_api_keys_are_made_listed_and_revoked(run, voucher):
    code, out, err = run("api-key", "create", "--name", "Till 1")
    assert code == 0
    key = out.strip()
    assert key.startswith(api_keys.KEY_START) and "shown this once" in err
    assert api_keys.authenticate(key).name == "Till 1"
    code, out, _ = run("api-key", "list")
    assert "Till 1" in out and key[:12] + "…" in out and key not in out and "in use" in out
    assert run("api-key", "create", "--name", "Till 1")[0] == 2  # the name is taken
    code, out, _ = run("api-key", "revoke", "Till 1")
    assert code == 0 and "the point-of-sale API is off" in out
    assert api_keys.authenticate(key) is None
    code, out, _ = run("api-key", "list", "--json")
    [listed] = json.loads(out)
    assert listed["name"] == "Till 1" and listed["active"] is False and "key" not in listed
    assert run("api-key", "revoke", "Till 1")[0] == 1  # not in use any more
    code, out, _ = run("activity", "--kind", "settings_changed", "--json")
    assert {"API key “Till 1” created", "API key “Till 1” revoked"} <= {
        ", ".join(e["details"]["keys"]) for e in json.loads(out)
    }


def test_webhooks_are_added_listed_and_removed(run, voucher):
    code, out, _ = run("webhook", "add", "https://pos.example.com/hooks", "--events", "redeemed,undone", "--json")
    assert code == 0
    added = json.loads(out)
    assert added["events"] == ["redeemed", "undone"] and added["secret"].startswith("whsec_")
    code, out, _ = run("webhook", "add", "https://b.example.com/in", "--events", "claimed", "--secret", "s" * 20)
    assert code == 0 and "s" * 20 in out
    assert run("webhook", "add", "https://c.example.com", "--events", "refunded")[0] == 2
    run("redeem", voucher.code)
    code, out, _ = run("webhook", "list")
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["Webhook", "Events", "Delivered", "Waiting"]
    assert any(line.startswith("https://pos.example.com/hooks") and " 1 " in line for line in lines)
    code, out, _ = run("webhook", "deliveries", "--json")
    [delivery] = json.loads(out)
    assert (delivery["event"], delivery["state"], delivery["attempts"]) == ("redeemed", "pending", 0)
    assert delivery["url"] == "https://pos.example.com/hooks" and delivery["next_try_at"]
    assert run("webhook", "remove", "https://pos.example.com/hooks")[0] == 0
    code, out, _ = run("webhook", "list", "--json")
    assert [h["url"] for h in json.loads(out)] == ["https://b.example.com/in"]
    assert run("webhook", "remove", "https://pos.example.com/hooks")[0] == 1
