"""Erasure that lasts: the erased values leave a PostgreSQL table and its indexes; no backup put back
(restore) and no copy (copy-to) brings an erased member back; the copies set aside are pruned like
backups; the question before erasing says how long backups keep what is erased."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from werkzeug.security import check_password_hash, generate_password_hash

from app.core import activity, claims, erasures, members, recovery, store, transfer
from app.core.store import backups
from app.core.store.models import Erasure

from .helpers import raw_rows_holding

PASSWORD = "sunflower-7"


def logs_in(email: str) -> bool:
    """What the claim site's login checks: an account with this email and this password."""
    found = members.find_member(email)
    return found is not None and check_password_hash(found.password_hash, PASSWORD)


@pytest.fixture
def ann(make_batch):
    batch = make_batch(quantity=5)
    member = members.create_member("ann.lee@example.com", generate_password_hash(PASSWORD), "Annabel Lee")
    claims.claim(batch.token, member.id)
    members.create_member("bob@example.com", generate_password_hash(PASSWORD), "Bob")
    return member


def _relation_bytes(relation: str) -> bytes:
    """The relation's file as the server keeps it on disk, after a checkpoint wrote every page out."""
    store.database.execute_sql("CHECKPOINT")
    found = store.database.execute_sql(
        "SELECT pg_read_binary_file(pg_relation_filepath(%s::regclass))", (relation,)
    ).fetchone()[0]
    return bytes(found)


@pytest.mark.postgres_only  # a server's table files (reading them takes a superuser, as the test database's)
def test_the_erased_values_leave_the_table_and_its_indexes_on_postgresql(ann):
    relations = ("member", "member_email")
    assert all(b"ann.lee@example.com" in _relation_bytes(r) for r in relations)  # (there before: the test can fail)
    members.erase_member(ann.id)
    for relation in relations:
        data = _relation_bytes(relation)
        assert b"ann.lee" not in data and b"Annabel" not in data, relation
    assert not logs_in("ann.lee@example.com") and logs_in("bob@example.com")


def test_the_ledger_holds_a_keyed_hash_and_nothing_of_the_member(db_path, ann):
    members.erase_member(ann.id)
    (row,) = Erasure.select()
    assert row.email_hash == erasures.email_hash("ann.lee@example.com", erasures.read_open(store.database.obj).key)
    assert row.email_hash != erasures.email_hash("ann.lee@example.com", "another database's key")
    assert raw_rows_holding(db_path, "ann.lee", "Annabel") == []


@pytest.mark.sqlite_only  # restore puts back SQLite files (a server's own tools restore PostgreSQL)
def test_a_backup_made_before_an_erasure_never_brings_the_member_back(db_path, ann, tmp_path):
    made_before = backups.backup_to(tmp_path / "before.db")
    members.erase_member(ann.id)
    store.close_database()

    restored = recovery.restore(made_before, db_path)

    assert restored.erased_again == 1 and "1 member erased since the backup was made was erased again" in (
        restored.summary()
    )
    store.open_database(db_path, create=False)
    assert not logs_in("ann.lee@example.com") and logs_in("bob@example.com")  # she cannot log in; he can
    assert members.get_member(ann.id) is None and [m.email for m in members.find_members("")] == ["bob@example.com"]
    assert raw_rows_holding(db_path, "ann.lee", "Annabel") == []
    (entry,) = activity.entries(activity.Filter(kind="restored"))
    assert entry.details["erased_again"] == 1 and entry.details["backup"] == str(made_before)
    store.close_database()
    # and again from the same backup: the ledger came along with the restore
    recovery.restore(made_before, db_path)
    store.open_database(db_path, create=False)
    assert not logs_in("ann.lee@example.com") and Erasure.select().count() == 1


def test_a_copy_never_brings_an_erased_member_back(db_path, ann, cluster):
    """A member the ledger names but the store still holds (put back by a restore that could not read
    the ledger, or before this version): the copy erases them."""
    with store.write_transaction():
        erasures.record("ann.lee@example.com")  # the ledger says so; the row was not erased
    copied = transfer.copy_to(cluster.url)
    assert copied.erased_again == 1 and "1 member that the erasure ledger names was erased" in copied.summary()
    store.open_database(cluster.url)
    assert not logs_in("ann.lee@example.com") and logs_in("bob@example.com")
    assert raw_rows_holding(cluster.url, "ann.lee", "Annabel") == []


def test_the_question_before_erasing_says_how_long_backups_keep_the_data(ann):
    question = members.erase_confirmation(members.get_member(ann.id))
    if store.is_url(store.location()):
        assert "write-ahead log" in question and "pg_restore" in question
    else:
        assert f"Backups made before now keep them for up to {backups.longest_kept()} days" in question
        assert "erases the member again" in question


def test_backups_keep_a_days_data_for_28_days_at_most_by_their_rotation():
    """Worked out from KEEP_DAILY and KEEP_WEEKLY: a Sunday's copy, the one its week keeps, lives on
    seven days as a daily and three more weeks as a weekly."""
    assert backups.longest_kept() == 7 + 3 * 7


@pytest.mark.sqlite_only  # copies of a SQLite file
def test_copies_set_aside_are_pruned_like_backups(db_path):
    today = date(2026, 12, 7)
    old, recent = today - timedelta(days=backups.longest_kept() + 1), today - timedelta(days=backups.longest_kept())
    names = [
        f"vouchers.replaced-{old:%Y%m%d}-101500.db",
        f"vouchers.db.v6-{old:%Y%m%d}-101500.bak",
        f"vouchers.replaced-{recent:%Y%m%d}-101500.db",
        f"vouchers.db.v6-{recent:%Y%m%d}-101500.bak",
        "vouchers.replaced-notes.txt",
    ]
    for name in names:
        (db_path.parent / name).write_bytes(b"a copy")
    gone = backups.prune_set_aside(db_path, today)
    assert sorted(p.name for p in gone) == sorted(names[:2])
    assert sorted(p.name for p in db_path.parent.iterdir() if "replaced" in p.name or p.suffix == ".bak") == sorted(
        names[2:]
    )


@pytest.mark.sqlite_only
def test_the_window_and_serve_prune_them_every_day(db_path, tmp_path, monkeypatch):
    monkeypatch.setattr(backups, "default_folder", lambda: tmp_path / "backups")
    stale = db_path.with_name("vouchers.replaced-20200101-101500.db")
    stale.write_bytes(b"an old copy")
    backups.maintain()
    assert not stale.exists()
