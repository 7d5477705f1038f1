"""Templates: the offer a batch hands out (discount, minimum purchase, expiry, terms)."""

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core import templates
from app.core.errors import InvalidInput, NotFound


@pytest.mark.parametrize(
    ("typed", "kind", "value"),
    [
        ("10%", "percent", Decimal("10")),
        ("100%", "percent", Decimal("100")),
        (" 12.5 % ", "percent", Decimal("12.5")),
        ("5", "amount", Decimal("5")),
        ("5.50", "amount", Decimal("5.50")),
        ("5,50", "amount", Decimal("5.50")),
        ("$5.50", "amount", Decimal("5.50")),
    ],
)
def test_discount_is_read_as_a_percentage_or_an_amount(typed, kind, value):
    assert templates.parse_discount(typed) == (kind, value)


@pytest.mark.parametrize("typed", ["0%", "0", "0.00", "101%", "100.01%", "abc", "", "-5", "5.555", "10%%", "%"])
def test_a_discount_that_is_no_discount_or_no_number_is_refused(typed):
    with pytest.raises(InvalidInput):
        templates.parse_discount(typed)


def test_a_template_keeps_its_offer(db_path):
    made = templates.create_template("  Fiver  ", "5.50", min_purchase="20", valid_days=14, terms=" One per visit ")
    found = templates.find_template("Fiver")
    assert found.id == made.id == templates.find_template(str(made.id)).id
    assert (found.title, found.discount_kind, Decimal(found.discount_value)) == ("Fiver", "amount", Decimal("5.50"))
    assert (Decimal(found.min_purchase), found.valid_days, found.expires_on, found.terms) == (
        Decimal("20"),
        14,
        None,
        "One per visit",
    )
    assert templates.describe_offer(found) == {
        "discount": "$5.50 off",
        "min_purchase": "Minimum purchase $20.00",
        "expiry": "Valid for 14 days after you claim it",
        "terms": "One per visit",
    }


def test_a_fixed_date_template_expires_after_that_whole_day(db_path):
    last_day = date(2031, 3, 15)
    made = templates.create_template("Spring", "10%", expires_on=last_day)
    found = templates.find_template(made.id)
    assert found.expires_on == last_day and found.valid_days is None
    claimed_at = datetime(2031, 3, 1, 12, 0)
    ends = templates.expiry_for_claim(found, claimed_at)
    local_end = datetime(2031, 3, 16).astimezone()  # the next midnight, in this PC's time
    assert ends == local_end.astimezone(timezone.utc).replace(tzinfo=None)
    assert templates.describe_offer(found)["expiry"] == "Valid until 2031-03-15"


def test_a_days_template_expires_that_many_days_after_the_claim(db_path):
    found = templates.find_template(templates.create_template("Month", "10%", valid_days=30).id)
    claimed_at = datetime(2031, 3, 1, 12, 0)
    assert templates.expiry_for_claim(found, claimed_at) == claimed_at + timedelta(days=30)


def test_a_template_without_expiry_never_expires(db_path):
    found = templates.create_template("Forever", "10%")
    assert templates.expiry_for_claim(found, datetime(2031, 3, 1)) is None
    assert templates.describe_offer(found)["expiry"] == "No expiry date"


def test_a_template_cannot_expire_both_on_a_date_and_after_days(db_path):
    with pytest.raises(InvalidInput, match="not both"):
        templates.create_template("Both", "10%", valid_days=30, expires_on=date(2031, 1, 1))
    assert templates.list_templates() == []


@pytest.mark.parametrize("days", [0, -1, 3651])
def test_days_of_validity_are_from_1_to_3650(db_path, days):
    with pytest.raises(InvalidInput):
        templates.create_template("Days", "10%", valid_days=days)


@pytest.mark.parametrize("money", ["-1", "abc", "1.234"])
def test_a_minimum_purchase_is_an_amount_of_money(db_path, money):
    with pytest.raises(InvalidInput):
        templates.create_template("Minimum", "10%", min_purchase=money)


@pytest.mark.parametrize("title", ["", "   ", "x" * 121])
def test_a_template_needs_a_title(db_path, title):
    with pytest.raises(InvalidInput):
        templates.create_template(title, "10%")


def test_a_duplicate_title_is_refused(template):
    with pytest.raises(InvalidInput, match="already exists"):
        templates.create_template("10% off", "20%")
    assert [t.title for t in templates.list_templates()] == ["10% off"]


def test_an_unknown_template_is_not_found(db_path):
    with pytest.raises(NotFound):
        templates.find_template("Nothing like it")
    with pytest.raises(NotFound):
        templates.find_template(999)


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("20", Decimal("20")),
        (" 20.5 ", Decimal("20.5")),
        ("20,50", Decimal("20.50")),
        ("$20", Decimal("20")),
        ("", Decimal("0")),
    ],
)
def test_a_minimum_purchase_is_read_as_money(typed, amount):
    assert templates.parse_money(typed) == amount


@pytest.mark.parametrize("typed", ["1,000", "20.000", "nan", "inf", "1e3", "-1", "abc", "1.234"])
def test_a_minimum_purchase_that_is_not_plainly_money_is_refused(typed):
    # '1,000' would otherwise be read as 1.000, a thousand becoming one; 'nan' as no number at all
    with pytest.raises(InvalidInput, match="not an amount of money"):
        templates.parse_money(typed)


@given(percent=st.integers(1, 100), spaces=st.sampled_from(["", " "]))
def test_every_whole_percentage_from_1_to_100_is_a_discount(percent, spaces):
    assert templates.parse_discount(f"{percent}{spaces}%") == ("percent", Decimal(percent))


@given(percent=st.integers(101, 10**6))
def test_every_percentage_over_100_is_refused(percent):
    with pytest.raises(InvalidInput):
        templates.parse_discount(f"{percent}%")
