"""My Cards' rules: what can be used comes first (soonest expiry first), used and expired ones after
(most recent first), only a valid voucher may be shown at the till, and the reminder of a last day."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from app.core import batches, claims, member_cards, templates, times, vouchers, wording
from app.core.store.models import Voucher, set_clock, utcnow


def _claim(batch, member):
    return claims.claim(batch.token, member.id).voucher


def test_valid_vouchers_come_first_soonest_expiry_first_then_used_and_expired_most_recent_first(template, make_member):
    member = make_member()
    week = templates.create_template("Week", "5", valid_days=7)
    never = templates.create_template("Forever", "2")
    made = {
        name: batches.create_batch(name, offer, 5, "Email", "", title=name)
        for name, offer in (
            ("month", template),
            ("week", week),
            ("forever", never),
            ("used early", template),
            ("used late", template),
            ("expired", week),
        )
    }
    start = datetime(2026, 3, 1, 12, 0)
    try:
        for step, name in enumerate(made):  # claimed one hour apart, the newest last
            set_clock(start + timedelta(hours=step))
            _claim(made[name], member)
        set_clock(start + timedelta(days=1))
        claims.redeem(vouchers.voucher_of(member.id, made["used early"].id).code)
        set_clock(start + timedelta(days=2))
        claims.redeem(vouchers.voucher_of(member.id, made["used late"].id).code)
        # the "expired" voucher's week ran out yesterday; nothing else has expired
        Voucher.update(expires_at=start + timedelta(days=2, hours=-1)).where(
            Voucher.batch == made["expired"].id
        ).execute()
        cards = member_cards.my_cards(member.id)
    finally:
        set_clock(None)
    assert [c.voucher.batch_title for c in cards.valid] == ["week", "month", "forever"]
    assert [c.voucher.batch_title for c in cards.done] == ["used late", "expired", "used early"]
    assert [c.state for c in cards.done] == ["redeemed", "expired", "redeemed"]
    assert cards.done[0].ended_at == start + timedelta(days=2)  # when it was redeemed
    assert cards.done[1].ended_at == start + timedelta(days=2, hours=-1)  # when it expired
    assert all(c.ended_at is None for c in cards.valid)


def test_only_a_claimed_voucher_that_has_not_expired_may_be_shown_at_the_till(make_batch, make_member):
    member = make_member()
    valid, used, old = (_claim(make_batch(name=f"batch {n}"), member) for n in range(3))
    claims.redeem(used.code)
    Voucher.update(expires_at=utcnow() - timedelta(minutes=1)).where(
        Voucher.code == old.code.replace("-", "")
    ).execute()
    found = {v.code: v for v in vouchers.for_member(member.id)}
    assert member_cards.usable(found[valid.code])
    assert not member_cards.usable(found[used.code])
    assert not member_cards.usable(found[old.code])


def test_a_members_own_voucher_is_found_by_its_code_as_typed_and_nobody_elses(make_batch, make_member):
    ann, bob = make_member(), make_member()
    batch = make_batch()
    mine = _claim(batch, ann)
    assert vouchers.member_voucher(ann.id, mine.code.lower().replace("-", " ")).code == mine.code
    assert vouchers.member_voucher(bob.id, mine.code) is None
    assert vouchers.member_voucher(ann.id, "NOSUCHCODE") is None
    assert vouchers.member_voucher(ann.id, "") is None


def test_days_left_count_the_stores_calendar_days_to_the_last_valid_day():
    times.set_zone("America/New_York")
    now = datetime(2026, 6, 10, 16, 0)  # UTC: 12:00 in New York
    midnight_in_new_york = datetime(2026, 6, 13, 4, 0)  # the end of 12 June there
    assert member_cards.days_left(midnight_in_new_york, now) == 2
    assert member_cards.days_left(datetime(2026, 6, 10, 23, 0), now) == 0  # 19:00 today
    assert member_cards.days_left(datetime(2026, 6, 11, 5, 0), now) == 1  # 01:00 tomorrow
    assert member_cards.days_left(None, now) is None


def test_the_reminders_say_the_day_and_count_the_vouchers_that_expire_within_a_week():
    assert wording.expires_in(0) == "Expires today"
    assert wording.expires_in(1) == "Expires tomorrow"
    assert wording.expires_in(3) == "Expires in 3 days"
    assert wording.expiring_banner([], 7) == ""
    assert wording.expiring_banner([("Summer treat", 3)], 7) == (
        "Your voucher “Summer treat” expires in 3 days: show it at the till before then."
    )
    several = wording.expiring_banner([("A", 5), ("B", 1)], 7)
    assert several.startswith("2 of your vouchers expire within 7 days, the first tomorrow")


def test_a_voucher_is_expiring_within_seven_days_of_its_last_day(make_member):
    member = make_member()
    ends = {
        days: templates.create_template(f"ends in {days}", "5", expires_on=date.today() + timedelta(days=days))
        for days in (3, 6, 7, 20)
    }
    for days, offer in ends.items():
        _claim(batches.create_batch(f"batch {days}", offer, 2, "Email", "", title=f"in {days}"), member)
    cards = member_cards.my_cards(member.id)
    assert {c.voucher.batch_title: c.days_left for c in cards.valid} == {"in 3": 3, "in 6": 6, "in 7": 7, "in 20": 20}
    assert [c.voucher.batch_title for c in cards.expiring] == ["in 3", "in 6"]
