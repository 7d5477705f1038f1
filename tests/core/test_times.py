"""Times as people read them: the store's time zone, one format, ISO 8601 with its offset for machines."""

import zoneinfo
from datetime import date, datetime, timedelta, timezone

import pytest

from app.core import claims, settings, templates, times, vouchers
from app.core.activity import Actor
from app.core.errors import InvalidInput
from app.core.store.handle import _bound
from app.core.store.models import Voucher


@pytest.fixture
def new_york(db_path):
    config = settings.load()
    config.time_zone = "America/New_York"
    settings.save(config)
    return config


def redeemed_at(code: str, when: datetime) -> None:
    Voucher.update(redeemed_at=when).where(Voucher.code == code.replace("-", "")).execute()


def test_the_till_says_a_redemption_time_in_the_stores_time_with_its_zone(new_york, make_batch, claim_some):
    """The till said "already redeemed on 2026-12-01 at 19:06 UTC" right above "Redeemed on … 14:06"."""
    voucher = claim_some(make_batch(), 1)[0]
    claims.redeem(voucher.code, Actor("2", "Anna"))
    redeemed_at(voucher.code, datetime(2026, 12, 1, 19, 6))
    again = claims.redeem(voucher.code)
    assert again.message == f"Voucher {voucher.code} was already redeemed on 2026-12-01 at 14:06 EST by Anna, till 2."
    assert times.local_text(again.voucher.redeemed_at) == "2026-12-01 14:06"


def test_summer_time_is_followed(new_york):
    assert times.local_text(datetime(2026, 7, 1, 18, 6), zone=True) == "2026-07-01 14:06 EDT"
    assert times.iso(datetime(2026, 7, 1, 18, 6)) == "2026-07-01T14:06:00-04:00"
    assert times.iso(datetime(2026, 12, 1, 19, 6)) == "2026-12-01T14:06:00-05:00"


def test_machine_output_names_its_offset_and_means_the_same_instant(new_york, make_batch, claim_some):
    voucher = claim_some(make_batch(), 1)[0]
    data = vouchers.lookup(voucher.code).to_json()
    claimed = datetime.fromisoformat(data["claimed_at"])
    assert claimed.utcoffset() is not None
    assert claimed.astimezone(tz=None).timestamp() == pytest.approx(
        datetime.fromisoformat(str(voucher.claimed_at) + "+00:00").timestamp()
    )


def test_a_fixed_last_day_ends_at_the_stores_midnight(new_york):
    offer = templates.create_template("Winter", "10%", expires_on=date(2026, 12, 31))
    ends = templates.expiry_for_claim(offer, datetime(2026, 12, 1, 12, 0))
    assert ends == datetime(2027, 1, 1, 5, 0)  # midnight in New York is 05:00 UTC in winter
    assert times.spoken(ends) == "the end of 31 Dec 2026"


def test_an_unknown_zone_is_refused_and_nothing_changes(db_path):
    config = settings.load()
    config.time_zone = "Mars/Olympus_Mons"
    with pytest.raises(InvalidInput, match="Unknown time zone"):
        settings.save(config)
    assert settings.load().time_zone == ""


def test_empty_means_this_pcs_zone(db_path):
    assert settings.load().time_zone == ""
    assert times.zone_label().startswith("this PC's time zone")
    assert (
        times.local(datetime(2026, 12, 1, 19, 6)).utcoffset() == datetime(2026, 12, 1, 19, 6).astimezone().utcoffset()
    )


def test_zone_choices_are_names_the_setting_takes():
    choices = times.zone_choices()
    assert "Europe/Paris" in choices and choices == sorted(choices)


def test_named_parameters_are_bound_by_the_driver_never_spliced():
    """psycopg takes %(name)s and needs a literal % doubled; SQLite takes :name as written."""
    sql = "SELECT 1 FROM voucher WHERE code = :code AND note LIKE '10%' AND id::text = :id"
    assert _bound(sql, pyformat=False) == sql
    assert _bound(sql, pyformat=True) == (
        "SELECT 1 FROM voucher WHERE code = %(code)s AND note LIKE '10%%' AND id::text = %(id)s"
    )


def test_a_code_that_looks_like_sql_is_only_a_value(make_batch):
    with pytest.raises(Exception, match="No voucher has the code"):
        vouchers.lookup("x' OR '1'='1")


@pytest.mark.parametrize(
    ("zone", "said"),
    [
        # what Windows names its zones (time.tzname there): words for a control panel, not abbreviations
        (timezone(timedelta(hours=1), "W. Europe Standard Time"), "UTC+01:00"),
        (timezone(timedelta(hours=5, minutes=30), "India Standard Time"), "UTC+05:30"),
        (timezone(timedelta(hours=-8), "Pacific Standard Time"), "UTC-08:00"),
        (timezone(timedelta(0), "Greenwich Standard Time"), "UTC"),
        # what a POSIX PC and the IANA zones give: kept
        (timezone(timedelta(hours=1), "CET"), "CET"),
        (zoneinfo.ZoneInfo("America/New_York"), "EST"),
        (zoneinfo.ZoneInfo("Asia/Dubai"), "UTC+04:00"),  # the zone database calls it "+04"
    ],
)
def test_a_zone_reads_as_an_abbreviation_or_an_offset_never_a_windows_zone_name(zone, said):
    """Windows' own zone name ("at 11:09 Greenwich Standard Time") read wrong after a time; on
    Windows CPython the redeem and member tests show it with the PC's own zone."""
    winter = datetime(2026, 1, 15, 12, 0, tzinfo=zone)
    assert times.abbreviation(winter) == said
