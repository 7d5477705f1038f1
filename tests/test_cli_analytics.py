"""`voucher-batches batch stats` and `voucher-batches channels`, as a manager or a script reads them."""

import json
from datetime import datetime, timedelta, timezone

import pytest

from app.core import claims, members
from app.core.store import models
from app.core.store.models import Batch

UTC = timezone.utc
CREATED = datetime(2026, 10, 31, 12, 0, tzinfo=UTC)  # 08:00 in New York, the day before clocks go back


def make(run, name, channel, quantity):
    code, out, err = run(
        "batch",
        "create",
        "--name",
        name,
        "--template",
        "10% off",
        "--quantity",
        str(quantity),
        "--channel",
        channel,
        "--json",
        "--quiet",
    )
    assert code == 0, err
    batch = json.loads(out)
    Batch.update(created_at=CREATED.replace(tzinfo=None)).where(Batch.id == batch["id"]).execute()
    return batch


def claim_and_redeem(batch_id, claims_at, redeem_first, redeem_at, who="m"):
    token = Batch.get_by_id(batch_id).token
    codes = []
    for moment in claims_at:
        models.set_clock(moment)
        member = members.create_member(f"{who}{batch_id}-{len(codes)}@example.com", "x")
        codes.append(claims.claim(token, member.id).voucher.code)
    models.set_clock(redeem_at)
    for code in codes[:redeem_first]:
        assert claims.redeem(code).outcome is claims.RedeemOutcome.REDEEMED


@pytest.fixture
def shop(run):
    """A store in New York with three Summer batches and one other, claims and redemptions at known times."""
    assert run("settings", "--time-zone", "America/New_York")[0] == 0
    assert run("template", "create", "--name", "10% off", "--discount", "10%", "--valid-days", "30")[0] == 0
    email = make(run, "Summer 2025 - Email List", "email", 100)
    store = make(run, "Summer 2025 - Store Signage", "in-store-qr", 50)
    make(run, "Summer 2025 - SMS", "sms", 10)
    other = make(run, "Autumn - Events", "events", 20)
    # 12 claims an hour apart from 13:30 UTC (09:30 EDT); 3 redeemed the next morning
    claim_and_redeem(
        email["id"], [CREATED + timedelta(hours=1.5 + i) for i in range(12)], 3, CREATED + timedelta(hours=20)
    )
    claim_and_redeem(
        store["id"], [CREATED + timedelta(hours=2, minutes=i) for i in range(10)], 6, CREATED + timedelta(hours=3)
    )
    claim_and_redeem(other["id"], [CREATED + timedelta(hours=5)], 0, CREATED + timedelta(hours=5))
    models.set_clock(CREATED + timedelta(hours=30))  # 2026-11-01 13:00 EST, 30 hours after creation
    return {"email": email["id"], "store": store["id"], "other": other["id"]}


def test_batch_stats_json_is_the_contract(run, shop):
    code, out, err = run("batch", "stats", str(shop["email"]), "--json")
    assert code == 0, err
    data = json.loads(out)
    for key in (
        "total",
        "claimed",
        "redeemed",
        "available",
        "redemption_rate",
        "bucket",
        "series",
        "claims_last_24h",
        "projected_sold_out_at",
        "median_hours_to_redeem",
        "hints",
    ):
        assert key in data
    assert (data["total"], data["claimed"], data["redeemed"], data["available"]) == (100, 12, 3, 88)
    assert data["redemption_rate"] == 25.0
    assert data["bucket"] == "hour"  # 30 hours old
    series = data["series"]
    assert all(set(b) == {"start", "claims", "redemptions"} for b in series)
    # from 08:00 EDT on the 31st to 13:00 EST on the 1st: 31 hours of the wall clock, one of them twice
    assert series[0]["start"] == "2026-10-31T08:00:00-04:00" and series[-1]["start"] == "2026-11-01T13:00:00-05:00"
    assert len(series) == 31
    assert [b["start"] for b in series].count("2026-11-01T01:00:00-04:00") == 1
    assert [b["start"] for b in series].count("2026-11-01T01:00:00-05:00") == 1
    assert sum(b["claims"] for b in series) == 12 and sum(b["redemptions"] for b in series) == 3
    by_start = {b["start"]: b for b in series}
    assert by_start["2026-10-31T09:00:00-04:00"]["claims"] == 1 and by_start["2026-10-31T20:00:00-04:00"]["claims"] == 1
    assert by_start["2026-11-01T03:00:00-05:00"]["redemptions"] == 3  # 08:00 UTC
    assert data["claims_last_24h"] == 7  # the claims from 18:30 UTC on
    assert data["median_hours_to_redeem"] == pytest.approx(17.5, abs=1.0)  # claimed 13:30-15:30, redeemed 08:00
    assert data["projected_sold_out_at"] is not None and data["projected_sold_out_at"].endswith("-05:00")
    assert data["hints"] == []


def test_batch_stats_text_shows_metrics_series_and_hints_in_local_time(run, shop):
    models.set_clock(CREATED + timedelta(days=3))  # daily buckets now
    code, out, err = run("batch", "stats", str(shop["other"]))
    assert code == 0, err
    assert "Autumn - Events" in out and "Total 20" in out and "Claimed 1 " in out and "Redemption rate 0%" in out
    # 0 of 1 claimed says nothing yet: no "below typical" on one claim
    assert (
        "Good rates for Events: typical 30–50%, great 60%+; this batch: too early to judge: a batch's redemption "
        "rate is compared with its channel's once it is 24 hours old and has 20 claims."
    ) in out
    assert "Per day, in America/New_York" in out and "2026-10-31 Sat" in out
    assert "Low claims after the first 24 hours? A visibility or messaging issue" in out
    assert "not trending toward selling out" in out


def test_batch_stats_of_an_unknown_batch_is_refused_with_one_sentence(run, shop):
    code, out, err = run("batch", "stats", "999")
    assert code == 1 and out == ""
    assert err == "voucher-batches: There is no batch with id 999.\n"


@pytest.fixture
def judged(shop):
    """The shop with 20 claims or more in Email, In-store QR and Events, 30 hours after creation."""
    later = CREATED + timedelta(hours=21)
    claim_and_redeem(shop["email"], [later] * 8, 3, later, who="n")  # 20 claimed, 6 redeemed: 30 %
    claim_and_redeem(shop["store"], [later] * 10, 6, later, who="n")  # 20 claimed, 12 redeemed: 60 %
    claim_and_redeem(shop["other"], [later] * 19, 0, later, who="n")  # 20 claimed, none redeemed
    models.set_clock(CREATED + timedelta(hours=30))
    return shop


def test_channels_json_has_one_object_per_channel_with_its_band_and_verdict(run, judged):
    code, out, err = run("channels", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert [c["channel"] for c in data] == list(models.CHANNELS)
    by = {c["channel"]: c for c in data}
    assert by["Email"] == {
        "channel": "Email",
        "batches": 1,
        "total": 100,
        "claimed": 20,
        "redeemed": 6,
        "redemption_rate": 30.0,
        "typical": [5.0, 15.0],
        "great": 20.0,
        "verdict": "great",
        "too_early": False,
        "expiring_7d": 0,
        "expired_unredeemed": 0,
        "sales_with_vouchers": 0.0,  # no till gave an order total
        "discount_given": 0.0,
        "redemptions_with_order_total": 0,
        "currency": "$",
    }
    assert by["In-store QR"]["redemption_rate"] == 60.0 and by["In-store QR"]["verdict"] == "great"
    assert by["Events"]["verdict"] == "below_typical" and by["Events"]["typical"] == [30.0, 50.0]
    assert by["SMS"]["batches"] == 1 and by["SMS"]["typical"] is None and by["SMS"]["verdict"] is None
    assert by["SMS"]["too_early"] is False  # no band: nothing to judge against, ever
    assert by["Website"]["batches"] == 0 and by["Website"]["redemption_rate"] is None


def test_a_channel_with_under_20_claims_or_under_a_day_old_is_too_early_to_judge(run, shop):
    """12 claims, 25 % redeemed: not yet "Great" (nor "Below typical" for 0 of 1 claimed)."""
    code, out, err = run("channels", "--json")
    by = {c["channel"]: c for c in json.loads(out)}
    assert (
        by["Email"]["redemption_rate"] == 25.0 and by["Email"]["verdict"] is None and by["Email"]["too_early"] is True
    )
    assert by["Events"]["verdict"] is None and by["Events"]["too_early"] is True
    assert by["Website"]["too_early"] is False  # nothing claimed: no rate to judge
    # 20 claims, but the channel's first batch is not 24 hours old yet
    claim_and_redeem(shop["email"], [CREATED + timedelta(hours=21)] * 8, 3, CREATED + timedelta(hours=21), who="n")
    models.set_clock(CREATED + timedelta(hours=23))
    by = {c["channel"]: c for c in json.loads(run("channels", "--json")[1])}
    assert by["Email"]["claimed"] == 20 and by["Email"]["verdict"] is None and by["Email"]["too_early"] is True
    models.set_clock(CREATED + timedelta(hours=24))
    by = {c["channel"]: c for c in json.loads(run("channels", "--json")[1])}
    assert by["Email"]["verdict"] == "great" and by["Email"]["too_early"] is False
    code, out, err = run("channels")
    events = next(line for line in out.splitlines() if line.startswith("Events"))
    assert events.split()[-4:] == ["to", "judge†", "0", "0"]  # then nothing expiring, nothing expired unused
    assert (
        "† Too early to judge: a channel's redemption rate is compared with the guide's once its first batch "
        "is 24 hours old and it has 20 claims."
    ) in out.splitlines()


def test_channels_compare_one_campaign_by_name(run, shop):
    code, out, err = run("channels", "--batches", "Summer 2025 - *", "--json")
    assert code == 0, err
    by = {c["channel"]: c for c in json.loads(out)}
    assert by["Events"]["batches"] == 0  # "Autumn - Events" is not in the campaign
    assert (by["Email"]["batches"], by["In-store QR"]["batches"], by["SMS"]["batches"]) == (1, 1, 1)
    code, out, err = run("channels", "--batches", "Winter *")
    assert code == 0 and "No batch's name matches 'Winter *'." in err


def test_channels_text_marks_the_email_reading_of_the_spec(run, judged):
    code, out, err = run("channels")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == [
        "Channel",
        "Batches",
        "Total",
        "Claimed",
        "Redeemed",
        "Rate",
        "Typical",
        "Great",
        "Verdict",
        "Expiring",
        "in",
        "7",
        "days",
        "Expired",
        "unused",
    ]
    email = next(line for line in lines if line.startswith("Email"))
    assert (
        email.startswith("Email*")
        and "30%" in email
        and "5–15%" in email
        and "20%+" in email
        and email.split()[-3:] == ["Great", "0", "0"]
    )
    sms = next(line for line in lines if line.startswith("SMS"))
    assert sms.split()[-3:] == ["—", "0", "0"]
    assert any(line.startswith("* ") and "read as Email" in line for line in lines)


def test_one_rate_reads_the_same_in_every_command(run):
    """5 redeemed of 11 claimed: "45%" in `batch list`, `batch stats` and `channels` alike (the window's
    card and pages say the same: tests/gui/test_analytics_pages.py)."""
    assert run("template", "create", "--name", "10% off", "--discount", "10%", "--valid-days", "30")[0] == 0
    batch = make(run, "Winter - Email", "email", 30)
    claim_and_redeem(batch["id"], [CREATED + timedelta(minutes=i) for i in range(11)], 5, CREATED + timedelta(hours=1))
    models.set_clock(CREATED + timedelta(hours=2))
    listed = run("batch", "list")[1]
    assert "45%" in next(line for line in listed.splitlines() if "Winter - Email" in line)
    assert "Redemption rate 45%" in run("batch", "stats", str(batch["id"]))[1]
    channels = run("channels")[1]
    assert "45%" in next(line for line in channels.splitlines() if line.startswith("Email"))
    assert json.loads(run("batch", "list", "--json")[1])[0]["redemption_rate"] == 45.5  # machines: one decimal
