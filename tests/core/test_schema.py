"""The schema refuses bad rows by itself, even when a program writes them directly with Peewee."""

from datetime import date

import peewee
import pytest

from app.core.store.models import (
    CLAIMED,
    REDEEMED,
    UNCLAIMED,
    Batch,
    Member,
    Template,
    Voucher,
    utcnow,
)


def template_row(**changes):
    row = {"title": "Direct", "discount_kind": "percent", "discount_value": 10, "min_purchase": 0, "terms": ""}
    row.update(changes)
    return row


def batch_row(template, /, **changes):
    row = {
        "name": "Direct",
        "channel": "Email",
        "template": template.id,
        "quantity": 10,
        "token": "t" * 32,
        "code_length": 10,
    }
    row.update(changes)
    return row


@pytest.mark.parametrize(
    "changes",
    [
        {"discount_value": 101},  # a percentage over 100
        {"discount_value": 0},
        {"discount_kind": "amount", "discount_value": -5},
        {"discount_kind": "bogus"},
        {"min_purchase": -1},
        {"valid_days": 0},
        {"valid_days": 30, "expires_on": date(2031, 1, 1)},
    ],
)
def test_a_bad_template_row_is_refused(db_path, changes):
    with pytest.raises(peewee.IntegrityError):
        Template.create(**template_row(**changes))
    assert Template.select().count() == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"status": "deleted"},
        {"channel": "Fax"},
        {"quantity": 0},
        {"quantity": 1_000_001},
        {"claimed_count": 11},  # more claimed than the batch holds
        {"claimed_count": -1},
        {"claimed_count": 3, "redeemed_count": 4},  # more redeemed than claimed
        {"template": 999},  # no such template
    ],
)
def test_a_bad_batch_row_is_refused(template, changes):
    with pytest.raises(peewee.IntegrityError):
        Batch.create(**batch_row(template, **changes))
    assert Batch.select().count() == 0


def test_an_existing_batch_cannot_be_given_a_bad_status_or_counts(make_batch):
    batch_id = make_batch(quantity=5).id
    for changes in ({"status": "deleted"}, {"claimed_count": 6}, {"redeemed_count": 1}):
        with pytest.raises(peewee.IntegrityError):
            Batch.update(**changes).where(Batch.id == batch_id).execute()
    assert Batch.get_by_id(batch_id).status == "active"


def test_a_template_in_use_cannot_be_deleted(make_batch, template):
    make_batch()
    with pytest.raises(peewee.IntegrityError):
        Template.delete_by_id(template.id)


@pytest.mark.parametrize(
    "changes",
    [
        {"status": REDEEMED, "redeemed_at": "now"},  # redeemed without ever being claimed
        {"status": REDEEMED, "member": "m", "redeemed_at": "now"},  # redeemed without a claim time
        {"status": CLAIMED, "claimed_at": "now"},  # claimed by nobody
        {"status": CLAIMED, "member": "m"},  # claimed with no claim time
        {"status": CLAIMED, "member": "m", "claimed_at": "now", "redeemed_at": "now"},  # claimed yet redeemed
        {"status": UNCLAIMED, "member": "m"},  # unclaimed yet someone's
        {"status": 7},
    ],
)
def test_a_voucher_in_an_impossible_state_is_refused(make_batch, make_member, changes):
    batch_id = make_batch(quantity=1).id
    member = make_member()
    values = {k: {"now": utcnow(), "m": member.id}.get(v, v) if isinstance(v, str) else v for k, v in changes.items()}
    with pytest.raises(peewee.IntegrityError):
        Voucher.create(batch=batch_id, code="ZZZZZZZZZZ", **values)
    voucher = Voucher.get(Voucher.batch == batch_id)
    with pytest.raises(peewee.IntegrityError):
        Voucher.update(**values).where(Voucher.id == voucher.id).execute()


def test_a_code_is_unique_across_the_whole_database(make_batch):
    first, second = make_batch(quantity=1), make_batch(quantity=1, name="Other")
    taken = Voucher.get(Voucher.batch == first.id).code
    with pytest.raises(peewee.IntegrityError):
        Voucher.create(batch=second.id, code=taken)


def test_a_member_holds_at_most_one_voucher_of_a_batch(make_batch, make_member):
    batch_id = make_batch(quantity=2).id
    member = make_member()
    first, second = Voucher.select().where(Voucher.batch == batch_id).order_by(Voucher.id)
    Voucher.update(status=CLAIMED, member=member.id, claimed_at=utcnow()).where(Voucher.id == first.id).execute()
    with pytest.raises(peewee.IntegrityError):
        Voucher.update(status=CLAIMED, member=member.id, claimed_at=utcnow()).where(Voucher.id == second.id).execute()


def test_a_voucher_of_no_batch_is_refused(db_path):
    with pytest.raises(peewee.IntegrityError):
        Voucher.create(batch=999, code="ZZZZZZZZZZ")


@pytest.mark.parametrize(
    "changes",
    [
        {"erased_at": "now"},  # erased, yet the name, email and password are still there
        {"erased_at": "now", "name": "", "password_hash": ""},  # ... the email still
        {"erased_at": "now", "email": "erased-1", "password_hash": ""},  # ... the name still
        {"session_generation": -1},
    ],
)
def test_an_erased_member_keeps_nothing_of_them(make_member, changes):
    member = make_member("ann@example.com", name="Ann")
    values = {k: utcnow() if v == "now" else v for k, v in changes.items()}
    with pytest.raises(peewee.IntegrityError):
        Member.update(**values).where(Member.id == member.id).execute()
    Member.update(erased_at=utcnow(), email="erased-1", name="", password_hash="").where(
        Member.id == member.id
    ).execute()
