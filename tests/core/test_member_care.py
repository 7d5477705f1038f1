"""What a store owes its members: finding them, a one-time password reset, ending their sessions,
their data on request, and erasing them while the batches' numbers stay true."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

import pytest

from app.core import batches, claims, members, store, times, vouchers
from app.core.claims import ClaimOutcome
from app.core.errors import FileProblem, InvalidInput, NotFound
from app.core.store.models import Member, ResetCode

from .helpers import counters, raw_rows_holding, real_counts


def test_members_are_found_by_part_of_their_email_or_name_in_any_case(make_member, make_batch):
    ann = make_member("ann.lee@example.com", name="Ann Lee")
    make_member("bob@shop.test", name="Bob Annand")
    make_member("carla@example.com")
    claims.claim(make_batch(quantity=2).token, ann.id)
    assert [m.email for m in members.find_members("ANN")] == ["ann.lee@example.com", "bob@shop.test"]
    assert [m.email for m in members.find_members("example.com")] == ["ann.lee@example.com", "carla@example.com"]
    found = members.find_members("lee")[0]
    assert (found.id, found.name, found.vouchers) == (ann.id, "Ann Lee", 1)
    assert found.to_json()["created_at"] == times.iso(ann.created_at)
    assert len(members.find_members("", limit=2)) == 2
    assert members.find_members("nobody") == []


@pytest.mark.parametrize(
    "password, refused",
    [
        ("short", "at least 8"),
        ("x" * 1025, "at most 1024"),
        ("password1", "first that anyone would guess"),
        ("PASSWORD1", "first that anyone would guess"),
        ("12345678", "first that anyone would guess"),
        ("qwertyui", "first that anyone would guess"),
        ("iloveyou2024", "first that anyone would guess"),
        ("ann.lee@example.com", "first that anyone would guess"),  # the email itself
        ("ann.lee1", None),
        ("sunflower-7", None),
        ("correct horse battery", None),
    ],
)
def test_the_one_password_rule(password, refused):
    if refused is None:
        assert members.validate_password(password, "ann.lee@example.com") == password
    else:
        with pytest.raises(InvalidInput, match=refused):
            members.validate_password(password, "ann.lee@example.com")


def test_the_shipped_list_holds_the_well_known_ones():
    listed = members._common_passwords()
    assert len(listed) > 3000
    assert {"password", "12345678", "qwertyuiop", "iloveyou", "sunshine", "football", "trustno1", "1q2w3e4r"} <= listed


def test_ending_sessions_raises_the_generation_that_sessions_carry(make_member):
    ann = make_member()
    first = members.session_member(ann.id, 0)
    assert (first.id, first.email, first.generation) == (ann.id, ann.email, 0)
    members.sign_out_everywhere(ann.id)
    assert members.session_member(ann.id, 0) is None
    assert members.session_member(ann.id, 1) is not None
    renewed = members.change_password(ann.id, "new hash")
    assert renewed.generation == 2 and members.session_member(ann.id, 1) is None
    assert Member.get_by_id(ann.id).password_hash == "new hash"
    with pytest.raises(NotFound):
        members.sign_out_everywhere(9999)


def test_a_reset_code_works_once_for_24_hours_and_only_its_hash_is_kept(db_path, make_member, monkeypatch):
    ann = make_member("ann@example.com")
    code, expires_at = members.issue_reset_code("ANN@example.com")
    assert len(code) >= 32
    assert timedelta(hours=24) - timedelta(seconds=5) <= expires_at - members.utcnow() <= timedelta(hours=24)
    assert raw_rows_holding(db_path, code) == []
    assert [r.code_hash for r in ResetCode.select()] == [members._code_hash(code)]
    assert members.reset_code_email(code) == "ann@example.com"

    session = members.reset_password(code, "new hash")
    assert session.generation == 1 and Member.get_by_id(ann.id).password_hash == "new hash"
    assert members.reset_code_email(code) is None
    with pytest.raises(NotFound, match="used already"):
        members.reset_password(code, "another hash")  # one use
    assert Member.get_by_id(ann.id).password_hash == "new hash"

    late, _ = members.issue_reset_code(ann.email)
    later = members.utcnow() + timedelta(hours=24, seconds=1)
    monkeypatch.setattr(members, "utcnow", lambda: later)
    assert members.reset_code_email(late) is None
    with pytest.raises(NotFound, match="more than 24 hours old"):
        members.reset_password(late, "late hash")
    assert Member.get_by_id(ann.id).password_hash == "new hash"


def test_a_new_reset_code_replaces_the_last_one(make_member):
    ann = make_member()
    old, _ = members.issue_reset_code(ann.email)
    new, _ = members.issue_reset_code(ann.email)
    assert members.reset_code_email(old) is None and members.reset_code_email(new) == ann.email
    assert ResetCode.select().count() == 1
    for code in ("", "x" * 500, "not-a-code"):
        assert members.reset_code_email(code) is None
    with pytest.raises(NotFound, match="No member has the email nobody@example.com"):
        members.issue_reset_code("nobody@example.com")


def test_the_export_holds_the_member_their_vouchers_and_resets(make_member, make_batch, tmp_path):
    ann = make_member("ann@example.com", name="Ann")
    batch = make_batch(quantity=3, name="Spring")
    voucher = claims.claim(batch.token, ann.id).voucher
    claims.redeem(voucher.code)
    members.issue_reset_code(ann.email)
    data = members.export_member(ann.id)
    assert data["member"] | {"created_at": None} == {
        "id": ann.id,
        "email": "ann@example.com",
        "name": "Ann",
        "created_at": None,
        "password": "set; stored only as a salted hash, which is not exported",
    }
    assert data["member"]["created_at"] == times.iso(ann.created_at)
    assert datetime.fromisoformat(data["exported_at"]).utcoffset() is not None  # ISO 8601 with its offset
    (held,) = data["vouchers"]
    assert (held["code"], held["batch_name"], held["status"]) == (voucher.code, "Spring", "redeemed")
    assert held["redeemed_at"] == times.iso(vouchers.lookup(voucher.code).redeemed_at)
    assert len(data["password_resets"]) == 1
    assert "not-a-real-hash" not in json.dumps(data)

    out = tmp_path / "exports"
    out.mkdir()
    target = out / "ann.json"
    assert members.save_export(ann.id, target) == target
    assert json.loads(target.read_text(encoding="utf-8"))["member"]["email"] == "ann@example.com"
    (out / "taken").mkdir()  # a folder where the file should go: it cannot be written
    with pytest.raises(FileProblem, match=r"Cannot write .*taken.* Nothing was exported"):
        members.save_export(ann.id, out / "taken")
    assert sorted(p.name for p in out.iterdir()) == ["ann.json", "taken"]  # nothing half-written left


def test_erasing_a_member_leaves_no_personal_data_and_the_numbers_unchanged(
    db_path, make_member, make_batch, caplog, tmp_path
):
    caplog.set_level(logging.INFO, logger="app.core.members")
    ann = make_member("ann.lee@example.com", name="Ann Lee")
    bob = make_member("bob@example.com", name="Bob")
    batch = make_batch(quantity=3)
    claims.claim(batch.token, bob.id)
    mine = claims.claim(batch.token, ann.id).voucher
    claims.redeem(mine.code)
    members.issue_reset_code(ann.email)
    members.save_export(ann.id, tmp_path / "ann.json")
    (tmp_path / "ann.json").unlink()
    before = (batches.get_batch(batch.id).claimed, batches.get_batch(batch.id).redeemed)

    question = members.erase_confirmation(members.get_member(ann.id))
    assert "their voucher stays counted in the batches' numbers but no longer points to anyone" in question
    assert members.erase_member(ann.id) == 1

    assert raw_rows_holding(db_path, "ann.lee", "Ann Lee") == []
    assert [r.getMessage() for r in caplog.records] == [  # the activity names no one
        f"A password reset link was made for member {ann.id}",
        f"The data of member {ann.id} was exported",
        f"Member {ann.id} was erased; 1 of their vouchers stay counted",
    ]
    assert (batches.get_batch(batch.id).claimed, batches.get_batch(batch.id).redeemed) == before == (2, 1)
    assert counters(batch.id) == real_counts(batch.id) == (3, 2, 1)
    assert vouchers.lookup(mine.code).status == "redeemed"  # the redemption happened
    assert ResetCode.select().count() == 0
    assert members.find_member("ann.lee@example.com") is None and members.get_member(ann.id) is None
    assert members.session_member(ann.id, 0) is None and members.session_member(ann.id, 1) is None
    assert [m.email for m in members.find_members("")] == ["bob@example.com"]
    with pytest.raises(NotFound):
        members.erase_member(ann.id)  # once
    with pytest.raises(NotFound):
        members.export_member(ann.id)
    # the email is free again: the person may come back as a new member, with nothing of the old one
    again = members.create_member("ann.lee@example.com", "hash")
    assert claims.claim(batch.token, again.id).outcome is ClaimOutcome.CLAIMED
    assert vouchers.for_member(again.id)[0].code != mine.code


@pytest.mark.sqlite_only  # SQLite's own file
def test_an_erased_members_text_is_not_left_in_the_bytes_of_the_file(db_path, make_member):
    for n in range(20):
        make_member(f"someone{n}@example.com", name=f"Someone {n}")
    ann = make_member("ann.lee@example.com", name="Annabel Lee")
    store.database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # an old account: it is in the file itself
    store.database.execute_sql("PRAGMA secure_delete = 0")  # as some SQLite builds have it
    members.erase_member(ann.id)
    for path in (db_path, db_path.with_name(db_path.name + "-wal")):
        data = path.read_bytes() if path.exists() else b""
        assert b"ann.lee" not in data and b"Annabel" not in data, path.name
    assert store.database.execute_sql("PRAGMA secure_delete").fetchone()[0] == 0  # the connection's own setting is back


def test_erasing_and_resetting_are_in_the_activity_log_without_the_email(make_member):
    from app.core import activity

    member = make_member(email="ann@example.com", name="Ann")
    members.issue_reset_code("ann@example.com", actor=activity.Actor(till="Till 1", staff="Bo"))
    members.erase_member(member.id, actor=activity.Actor(till="Till 1", staff="Bo"))
    entries = [e for e in activity.entries() if e.kind.startswith("member_")]
    assert [(e.kind, e.till, e.staff, e.details.get("member_id")) for e in reversed(entries)] == [
        ("member_reset", "Till 1", "Bo", member.id),
        ("member_erased", "Till 1", "Bo", member.id),
    ]
    assert all("ann" not in str(e.details).lower() for e in entries)


def test_members_sorted_by_email_or_joining_either_way_with_their_real_count(db_path, make_member):
    from app.core.store import models

    start = datetime(2026, 1, 1, 9, 0)
    try:
        for n, email in enumerate(["cy@example.com", "ann@example.com", "bo@shop.test", "di@example.com"]):
            models.set_clock(start + timedelta(days=n))
            make_member(email)
    finally:
        models.set_clock(None)
    assert [m.email for m in members.find_members()] == sorted(
        ["cy@example.com", "ann@example.com", "bo@shop.test", "di@example.com"]
    )
    assert [m.email for m in members.find_members(sort="email", descending=True)][0] == "di@example.com"
    joined = [m.email for m in members.find_members(sort="created_at", descending=True)]
    assert joined == ["di@example.com", "bo@shop.test", "ann@example.com", "cy@example.com"]
    assert [m.email for m in members.find_members("example", limit=2, sort="created_at")] == [
        "cy@example.com",
        "ann@example.com",
    ]
    assert (members.count_members(), members.count_members("example"), members.count_members("nobody")) == (4, 3, 0)
    with pytest.raises(InvalidInput, match="sorted by one of: email, created_at"):
        members.find_members(sort="name")
