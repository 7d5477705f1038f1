"""A campaign's claim window: scheduled before its start, ended from its end (its date, or now with End
campaign), decided at claim time inside the claim's transaction by one clock. The edges are placed
with the injected clock (models.set_clock), which the claim reads where it reads the database's clock;
the suite runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from app.core import activity, batches, claims, schedule, settings, templates, vouchers
from app.core.claims import ClaimOutcome, RedeemOutcome
from app.core.errors import InvalidInput
from app.core.store import models

START = datetime(2026, 6, 1, 7, 0)  # naive UTC: 09:00 in Paris
END = datetime(2026, 6, 30, 22, 0)  # the end of 30 June in Paris


@pytest.fixture
def clock():
    """clock(moment): claims, redemptions and the schedule's checks happen at that moment (UTC)."""
    yield models.set_clock
    models.set_clock(None)


@pytest.fixture
def paris(db_path):
    settings.save(settings.Settings(store_name="Corner Shop", time_zone="Europe/Paris"))


@pytest.fixture
def planned(paris, template, clock):
    """A batch made in May for June: claims open on 1 June at 09:00 and end with 30 June (Paris)."""
    clock(datetime(2026, 5, 20, 10, 0))
    return batches.create_batch(
        "June - Posters",
        template,
        10,
        "In-store QR",
        starts_at=schedule.parse_moment("2026-06-01 09:00"),
        ends_at=schedule.parse_moment("2026-06-30", end=True),
    )


def claim_at(clock, batch, moment, make_member):
    clock(moment)
    return claims.claim(batch.token, make_member().id)


def test_the_window_is_read_in_the_stores_zone(paris):
    assert schedule.parse_moment("2026-06-01 09:00") == START
    assert schedule.parse_moment("2026-06-01T09:00") == START
    assert schedule.parse_moment(" 2026-06-01   09:00:00 ") == START
    assert schedule.parse_moment("2026-06-01") == datetime(2026, 5, 31, 22, 0)  # a start: the day's first instant
    assert schedule.parse_moment("2026-06-30", end=True) == END  # an end: after the whole day
    assert schedule.parse_moment("2026-06-01T09:00+00:00") == datetime(2026, 6, 1, 9, 0)  # its own offset
    for typed in ("", "June 1st", "2026-13-01", "2026-06-01 25:00"):
        with pytest.raises(InvalidInput):
            schedule.parse_moment(typed)


def test_claims_open_at_the_start_and_end_at_the_end_not_a_moment_either_side(planned, make_member, clock):
    edges = [
        (START - timedelta(seconds=1), ClaimOutcome.NOT_STARTED),  # just before the start
        (START, ClaimOutcome.CLAIMED),  # at the start
        (END - timedelta(seconds=1), ClaimOutcome.CLAIMED),  # just before the end
        (END - timedelta(milliseconds=100), ClaimOutcome.CLAIMED),  # 23:59:59.9
        (END, ClaimOutcome.ENDED),  # at the end
        (END + timedelta(days=40), ClaimOutcome.ENDED),  # ever after
    ]
    for moment, outcome in edges:
        assert claim_at(clock, planned, moment, make_member).outcome is outcome, moment
    assert batches.get_batch(planned.id).claimed == 3


def test_a_voucher_claimed_before_the_end_is_redeemed_after_it_until_its_own_expiry(planned, make_member, clock):
    voucher = claim_at(clock, planned, END - timedelta(hours=1), make_member).voucher  # valid 30 days after claim
    clock(END + timedelta(days=2))
    result = claims.redeem(voucher.code)
    assert result.outcome is RedeemOutcome.REDEEMED
    assert batches.get_batch(planned.id).status == schedule.ENDED  # the batch stays, with its numbers
    assert (batches.get_batch(planned.id).claimed, batches.get_batch(planned.id).redeemed) == (1, 1)
    late = claim_at(clock, planned, END - timedelta(hours=2), make_member).voucher  # (before the end too)
    clock(END - timedelta(hours=2) + timedelta(days=30))  # its own expiry: the batch's end does not move it
    assert claims.redeem(late.code).outcome is RedeemOutcome.EXPIRED


def test_the_batchs_state_as_of_now(planned, clock, make_member):
    for moment, state in (
        (START - timedelta(minutes=1), "scheduled"),
        (START, "active"),
        (END, "ended"),
    ):
        clock(moment)
        summary = batches.get_batch(planned.id)
        assert summary.status == state
        assert summary.to_json()["status"] == state
        assert [b.id for b in batches.list_batches(status=state)] == [planned.id]
    data = batches.get_batch(planned.id).to_json()
    assert (data["starts_at"], data["ends_at"]) == ("2026-06-01T09:00:00+02:00", "2026-07-01T00:00:00+02:00")
    with pytest.raises(InvalidInput, match="scheduled, active, paused, ended"):
        batches.list_batches(status="running")


def test_a_paused_batch_says_paused_before_its_start_and_ended_after_its_end(planned, clock, make_member):
    clock(START - timedelta(days=1))
    batches.pause_batch(planned.id)
    assert batches.get_batch(planned.id).status == "paused"  # it will not open on the day
    clock(START + timedelta(days=1))
    assert claims.claim(planned.token, make_member().id).outcome is ClaimOutcome.PAUSED
    clock(END)
    assert batches.get_batch(planned.id).status == "ended"
    with pytest.raises(InvalidInput, match="has ended: it takes no claims ever again"):
        batches.resume_batch(planned.id)


def test_end_campaign_ends_it_now_for_good_and_is_recorded_once(planned, clock, make_member):
    clock(START + timedelta(days=3))
    held = claims.claim(planned.token, make_member().id).voucher
    schedule.end_campaign(planned.id)
    schedule.end_campaign(planned.id)  # twice: nothing more happens
    summary = batches.get_batch(planned.id)
    assert summary.status == "ended" and summary.ends_at == START + timedelta(days=3)
    assert summary.starts_at == START
    assert claims.claim(planned.token, make_member().id).outcome is ClaimOutcome.ENDED
    assert [e.kind for e in activity.entries(activity.Filter(batch_id=planned.id))] == ["batch_ended", "batch_created"]
    assert claims.redeem(held.code).outcome is RedeemOutcome.REDEEMED
    with pytest.raises(InvalidInput, match="has ended"):
        schedule.set_schedule(planned.id, ends_at=END + timedelta(days=30))


def test_ending_a_campaign_before_it_opened_takes_its_start_away(planned, clock, make_member):
    clock(START - timedelta(days=2))
    schedule.end_campaign(planned.id)
    summary = batches.get_batch(planned.id)
    assert (summary.status, summary.starts_at, summary.ends_at) == ("ended", None, START - timedelta(days=2))
    clock(START + timedelta(days=1))
    assert claims.claim(planned.token, make_member().id).outcome is ClaimOutcome.ENDED


def test_the_window_can_be_moved_until_it_has_ended(planned, clock):
    clock(START - timedelta(days=3))
    schedule.set_schedule(planned.id, starts_at=START + timedelta(days=1))
    assert batches.get_batch(planned.id).starts_at == START + timedelta(days=1)
    schedule.set_schedule(planned.id, ends_at=None)  # --no-end
    assert batches.get_batch(planned.id).ends_at is None
    schedule.set_schedule(planned.id, starts_at=None)  # open now
    assert batches.get_batch(planned.id).status == "active"
    with pytest.raises(InvalidInput, match="has passed; to end “June - Posters” now, use End campaign"):
        schedule.set_schedule(planned.id, ends_at=START - timedelta(days=4))
    schedule.set_schedule(planned.id, starts_at=START)
    with pytest.raises(InvalidInput, match="must end after it starts"):
        schedule.set_schedule(planned.id, ends_at=START)
    logged = activity.entries(activity.Filter(batch_id=planned.id))
    assert [e.kind for e in logged] == ["batch_scheduled"] * 4 + ["batch_created"]
    assert logged[0].summary == "opens 2026-06-01 09:00 CEST, ends never"


def test_a_window_that_ends_before_it_starts_or_has_passed_is_refused_at_creation(paris, template, clock):
    clock(datetime(2026, 5, 20, 10, 0))
    with pytest.raises(InvalidInput, match="must end after it starts"):
        batches.create_batch("Backwards", template, 5, "Email", starts_at=END, ends_at=START)
    with pytest.raises(InvalidInput, match="has passed"):
        batches.create_batch("Too late", template, 5, "Email", ends_at=datetime(2026, 5, 1))
    assert batches.list_batches() == []


def test_the_claim_is_decided_by_the_databases_clock_not_this_programs(make_batch, make_member, monkeypatch):
    """No injected clock: the claim reads the database's own (SQLite: this PC's; PostgreSQL: the
    server's), so a program whose clock runs hours ahead still claims before the end."""
    batch = make_batch(quantity=5)
    now = schedule.database_time()
    schedule.set_schedule(batch.id, ends_at=now + timedelta(hours=1))
    monkeypatch.setattr(models, "utcnow", lambda: now + timedelta(hours=3))
    result = claims.claim(batch.token, make_member().id)
    assert result.outcome is ClaimOutcome.CLAIMED
    assert abs(result.voucher.claimed_at - now) < timedelta(minutes=1)  # stamped by that clock too
    schedule.end_campaign(batch.id)
    assert claims.claim(batch.token, make_member().id).outcome is ClaimOutcome.ENDED
    ended = datetime.now(timezone.utc).replace(tzinfo=None) - batches.get_batch(batch.id).ends_at
    assert timedelta(seconds=-5) < ended < timedelta(minutes=1)


def test_the_claim_page_rule_and_the_claim_agree_on_the_offers_last_day(db_path, make_member, clock):
    """A fixed last day in the past ends the batch too: its state says so, and the claim refuses."""
    offer = templates.create_template("Winter", "10%", expires_on=datetime(2026, 1, 31).date())
    clock(datetime(2026, 1, 10))
    batch = batches.create_batch("Winter - Email", offer, 5, "Email")
    assert batches.get_batch(batch.id).status == "active"
    clock(datetime(2026, 2, 2))
    assert batches.get_batch(batch.id).status == "ended"
    assert claims.claim(batch.token, make_member().id).outcome is ClaimOutcome.ENDED


def test_a_scheduled_batchs_voucher_list_and_prints_work_before_it_opens(planned, clock):
    clock(START - timedelta(days=5))
    assert vouchers.count(planned.id) == 10
    from app.core import signage

    content = signage.content_for(planned.id)
    assert content.url == batches.get_batch(planned.id).claim_url
