"""Members of the claim site, and the settings every front end shares."""

import pytest

from app.core import claims, members, settings, vouchers
from app.core.errors import InvalidInput
from app.core.store.models import Member


def test_an_email_is_kept_lower_case_and_found_however_typed(db_path):
    made = members.create_member("  Ann.Lee@Example.COM ", "hash", " Ann ")
    assert (made.email, made.name) == ("ann.lee@example.com", "Ann")
    assert members.find_member("ANN.LEE@example.com").id == made.id
    assert members.get_member(made.id).email == "ann.lee@example.com"
    assert members.find_member("nobody@example.com") is None


def test_one_account_per_email(db_path):
    members.create_member("ann@example.com", "hash")
    with pytest.raises(InvalidInput, match="already exists"):
        members.create_member("ANN@example.com", "other hash")
    assert Member.select().count() == 1


@pytest.mark.parametrize(
    "email", ["", "ann", "ann@", "@example.com", "ann@example", "a b@example.com", "x" * 65 + "@example.com"]
)
def test_an_invalid_email_is_refused(db_path, email):
    with pytest.raises(InvalidInput):
        members.create_member(email, "hash")


def test_my_cards_lists_a_members_vouchers_newest_claim_first(make_batch, make_member):
    member = make_member()
    first, second = make_batch(quantity=2, name="First"), make_batch(quantity=2, name="Second")
    a = claims.claim(first.token, member.id).voucher
    b = claims.claim(second.token, member.id).voucher
    assert [v.code for v in vouchers.for_member(member.id)] == [b.code, a.code]  # same second: the later claim first


def test_settings_are_kept_in_the_database(db_path):
    saved = settings.save(
        settings.Settings(store_name="Corner Shop", public_base_url="https://yoursite.com/", port=8081, currency="€")
    )
    assert saved.public_base_url == "https://yoursite.com"
    loaded = settings.load()
    assert (loaded.store_name, loaded.public_base_url, loaded.port, loaded.currency) == (
        "Corner Shop",
        "https://yoursite.com",
        8081,
        "€",
    )
    assert loaded.claim_url("TOKEN123") == "https://yoursite.com/en-us/claim/TOKEN123"


@pytest.mark.parametrize(
    "changes",
    [
        {"public_base_url": "yoursite.com"},
        {"public_base_url": "ftp://yoursite.com"},
        {"port": 0},
        {"port": 70_000},
        {"store_name": " "},
    ],
)
def test_bad_settings_are_refused(db_path, changes):
    with pytest.raises(InvalidInput):
        settings.save(settings.Settings(**{"store_name": "Corner Shop", **changes}))
    assert settings.load().public_base_url == "http://shop.test:8080"


def test_a_secret_is_random_and_kept(db_path):
    first = settings.secret("session")
    assert len(first) >= 43 and settings.secret("session") == first
    assert settings.secret("other") != first
