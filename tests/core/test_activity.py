"""The activity log: each change writes exactly its entry, in its own transaction, with its till
and staff; the entries outlive their batch; the log cannot be changed; filters and the export."""

import csv
import sqlite3
from contextlib import closing
from datetime import timedelta

import peewee
import pytest

from app.core import activity, batches, claims, settings, store, templates, times
from app.core.activity import Actor, Filter
from app.core.errors import DatabaseProblem, InvalidInput
from app.core.store import migrations
from app.core.store.models import Activity, utcnow
from tests.helpers.database import undo_after_version_6

from .helpers import counters, real_counts

MORNING = Actor("till 1", "Anna")
EVENING = Actor("till 2", "Ben")


def newer_than(mark: int) -> list[activity.Entry]:
    """The entries written after entry id `mark`, oldest first."""
    return [e for e in reversed(activity.entries(limit=10_000)) if e.id > mark]


def last_id() -> int:
    found = activity.entries(limit=1)
    return found[0].id if found else 0


def test_a_scripted_day_writes_exactly_its_entries_in_order(template, claim_some):
    mark = last_id()
    offer = templates.create_template("5 off", "5", actor=MORNING)
    batch = batches.create_batch("Winter mail", offer, 5, "Email", actor=MORNING)
    batches.pause_batch(batch.id, actor=MORNING)
    batches.pause_batch(batch.id, actor=MORNING)  # already paused: nothing changes, nothing is written
    batches.resume_batch(batch.id, actor=MORNING)
    first, second = claim_some(batch, 2)  # members' claims are not logged one by one
    claims.redeem(first.code, MORNING)
    claims.redeem(second.code, EVENING)
    claims.redeem(second.code, EVENING)  # refused: not a change, not an entry
    claims.undo_redemption(second.code, "sale cancelled", EVENING)
    batches.delete_batch(batch.id, actor=EVENING)
    day = newer_than(mark)
    assert [(e.kind, e.batch_id, e.batch_name, e.code, e.till, e.staff, e.details) for e in day] == [
        ("template_created", None, "", None, "till 1", "Anna", {"title": "5 off"}),
        ("batch_created", batch.id, "Winter mail", None, "till 1", "Anna", {"quantity": 5}),
        ("batch_paused", batch.id, "Winter mail", None, "till 1", "Anna", {}),
        ("batch_resumed", batch.id, "Winter mail", None, "till 1", "Anna", {}),
        ("voucher_redeemed", batch.id, "Winter mail", first.code, "till 1", "Anna", {}),
        ("voucher_redeemed", batch.id, "Winter mail", second.code, "till 2", "Ben", {}),
        (
            "redemption_undone",
            batch.id,
            "Winter mail",
            second.code,
            "till 2",
            "Ben",
            {"reason": "sale cancelled", "redeemed_at": day[5].to_json()["at"]},
        ),
        ("batch_deleted", batch.id, "Winter mail", None, "till 2", "Ben", {"vouchers": 5, "claimed": 2, "redeemed": 1}),
    ]
    assert all(utcnow() - timedelta(minutes=1) <= e.at <= utcnow() for e in day)
    # the deleted batch's entries are all still there, newest first
    assert [e.kind for e in activity.entries(Filter(batch_id=batch.id))][:2] == ["batch_deleted", "redemption_undone"]
    assert len(activity.entries(Filter(batch_id=batch.id))) == 7


def test_an_unnamed_actor_is_this_pc(make_batch):
    batch = make_batch()
    mark = last_id()
    batches.pause_batch(batch.id)
    (entry,) = newer_than(mark)
    assert (entry.till, entry.staff) == (activity.this_pc(), "")


def test_settings_changes_name_the_keys_that_changed_never_values_or_secrets(db_path):
    mark = last_id()
    config = settings.load()
    config.store_name, config.currency = "Another Shop", "€"
    settings.save(config, Actor("office", "Cleo"))
    settings.save(config)  # nothing changed
    settings.secret("session-key")
    (entry,) = newer_than(mark)
    assert (entry.kind, entry.details, entry.till, entry.staff) == (
        "settings_changed",
        {"keys": ["store_name", "currency"]},
        "office",
        "Cleo",
    )
    assert "Another Shop" not in str(entry.to_json())


@pytest.mark.sqlite_only  # SQLite's own file
def test_a_change_that_fails_on_a_full_disk_leaves_no_entry(template):
    mark = last_id()
    pages = store.database.execute_sql("PRAGMA page_count").fetchone()[0]
    store.database.execute_sql(f"PRAGMA max_page_count = {pages + 20}")
    try:
        with pytest.raises(DatabaseProblem, match="full"):
            batches.create_batch("Too big", template, 100_000, "Email", actor=MORNING)
    finally:
        store.database.execute_sql("PRAGMA max_page_count = 1073741823")
    assert newer_than(mark) == []
    assert batches.list_batches() == []


def test_no_change_happens_without_its_entry(make_batch, claim_some, monkeypatch):
    batch = make_batch(quantity=3)
    (voucher,) = claim_some(batch, 1)

    def broken(*args, **kwargs):
        raise peewee.OperationalError("disk I/O error")

    monkeypatch.setattr(claims, "record", broken)
    with pytest.raises(DatabaseProblem):
        claims.redeem(voucher.code, MORNING)
    assert counters(batch.id) == real_counts(batch.id) == (3, 1, 0)


def test_an_entry_is_only_written_inside_its_change(db_path):
    with pytest.raises(RuntimeError):
        activity.record("batch_paused", MORNING, batch_id=1)
    with pytest.raises(ValueError):
        activity.record("batch_painted", MORNING)


def test_the_log_cannot_be_changed_or_deleted(make_batch):
    make_batch()
    for statement in ("UPDATE activity SET staff = 'Mallory'", "DELETE FROM activity"):
        with pytest.raises(peewee.IntegrityError, match="cannot be changed"):
            store.database.execute_sql(statement)
    assert Activity.select().where(Activity.staff == "Mallory").count() == 0
    assert Activity.select().where(Activity.kind == "batch_created").count() == 1


@pytest.mark.postgres_only  # (SQLite has no TRUNCATE; its DELETE without WHERE is refused above)
def test_the_log_cannot_be_emptied_with_truncate(make_batch):
    """PostgreSQL's TRUNCATE fires no row trigger: a statement trigger refuses it, the app's own role too."""
    make_batch()
    with pytest.raises(peewee.IntegrityError, match="cannot be changed"):
        store.database.execute_sql("TRUNCATE activity")
    assert Activity.select().where(Activity.kind == "batch_created").count() == 1


def _drop_the_logs_guards(db_path) -> None:
    """What a person with the database's own login could do by hand, on a connection of their own."""
    if store.is_url(str(db_path)):
        import psycopg2

        with closing(psycopg2.connect(str(db_path))) as con, con.cursor() as cursor:
            cursor.execute("DROP TRIGGER activity_append_only ON activity")
            cursor.execute("DROP TRIGGER IF EXISTS activity_no_truncate ON activity")
            con.commit()
    else:
        with closing(sqlite3.connect(db_path)) as con:
            con.execute("DROP TRIGGER activity_no_delete")
            con.execute("DROP TRIGGER activity_no_update")  # and one that lets everything through
            con.execute("CREATE TRIGGER activity_no_update BEFORE UPDATE ON activity BEGIN SELECT 1; END")
            con.commit()


def test_the_logs_guards_are_made_again_when_the_database_is_opened(db_path, make_batch):
    make_batch()
    store.close_database()
    _drop_the_logs_guards(db_path)
    store.open_database(db_path)
    for statement in ("UPDATE activity SET staff = 'Mallory'", "DELETE FROM activity"):
        with pytest.raises(peewee.IntegrityError, match="cannot be changed"):
            store.database.execute_sql(statement)
    assert Activity.select().where(Activity.kind == "batch_created").count() == 1
    assert migrations.activity_guards_intact(store.database.obj)


@pytest.mark.sqlite_only  # SQLite's own file
def test_a_version_3_database_gains_the_log(db_path, make_batch):
    make_batch()
    store.close_database()
    with closing(sqlite3.connect(db_path)) as con:
        undo_after_version_6(con.execute)  # (the steps that come after)
        con.executescript(
            "DROP TRIGGER activity_no_update; DROP TRIGGER activity_no_delete; DROP TABLE activity;"
            " ALTER TABLE batch DROP COLUMN title;"  # (step 4 -> 5, which comes after)
            " UPDATE schema_version SET version = 3;"
        )
    store.open_database(db_path)
    assert migrations.schema_version(store.database) == migrations.CURRENT_VERSION
    assert activity.entries() == []
    batches.pause_batch(batches.list_batches()[0].id)
    assert [e.kind for e in activity.entries()] == ["batch_paused"]
    with pytest.raises(peewee.IntegrityError):
        store.database.execute_sql("DELETE FROM activity")


def test_filters_pages_and_search(make_batch, claim_some):
    one, two = make_batch(name="One"), make_batch(name="Two")
    (voucher,) = claim_some(one, 1)
    claims.redeem(voucher.code, MORNING)
    batches.pause_batch(two.id, EVENING)
    assert [e.kind for e in activity.entries(Filter(batch_id=two.id))] == ["batch_paused", "batch_created"]
    assert [e.batch_name for e in activity.entries(Filter(kind="voucher_redeemed"))] == ["One"]
    assert [e.kind for e in activity.entries(Filter(staff="Ben"))] == ["batch_paused"]
    assert [e.kind for e in activity.entries(Filter(search=voucher.code[:4].lower()))] == ["voucher_redeemed"]
    today = times.local(utcnow()).date()
    assert len(activity.entries(Filter(since=today, until=today))) == len(activity.entries())
    assert activity.entries(Filter(since=today + timedelta(days=1))) == []
    assert activity.entries(Filter(until=today - timedelta(days=1))) == []
    everything = activity.entries()
    first_two = activity.entries(limit=2)
    rest = activity.entries(before=(first_two[-1].at, first_two[-1].id))
    assert first_two + rest == everything
    assert activity.staff_names() == ["Anna", "Ben"]
    assert activity.batches_named() == [(two.id, "Two"), (one.id, "One")]
    with pytest.raises(Exception, match="kind is one of"):
        activity.entries(Filter(kind="nonsense"))


def test_the_last_redemptions_of_a_till_say_which_still_stand(make_batch, claim_some):
    batch = make_batch(quantity=5)
    a, b, c = claim_some(batch, 3)
    for voucher in (a, b, c):
        claims.redeem(voucher.code, MORNING if voucher is not c else EVENING)
    claims.undo_redemption(b.code, "scanned by mistake", MORNING)
    found = activity.last_redemptions("till 1")
    assert [(r.entry.code, r.standing) for r in found] == [(b.code, False), (a.code, True)]


def test_the_export_writes_every_entry_as_people_read_it(make_batch, tmp_path):
    batch = make_batch(name="=HYPERLINK(1)")
    batches.pause_batch(batch.id, Actor("till 1", "Anna"))
    target = tmp_path / "activity.csv"
    written = activity.export_csv(target, Filter(batch_id=batch.id))
    with open(target, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert written == 2 and rows[0] == activity.CSV_HEADERS
    assert rows[1][1:] == ["Batch paused", str(batch.id), "'=HYPERLINK(1)", "", "till 1", "Anna", ""]
    assert rows[1][0] == times.local_text(activity.entries(limit=1)[0].at, zone=True)


def test_the_log_sorted_by_time_or_action_either_way_pages_by_its_last_entry(make_batch, claim_some):
    one = make_batch(name="One")
    (voucher,) = claim_some(one, 1)
    claims.redeem(voucher.code, MORNING)
    batches.pause_batch(one.id, EVENING)
    batches.resume_batch(one.id, EVENING)
    everything = activity.entries(limit=1000)
    for sort, wanted in (
        (activity.Sort("at", descending=True), everything),
        (activity.Sort("at", descending=False), everything[::-1]),
        (activity.Sort("kind", descending=False), sorted(everything, key=lambda e: (e.kind, e.at, e.id))),
        (
            activity.Sort("kind", descending=True),
            sorted(everything, key=lambda e: (e.kind, e.at, e.id), reverse=True),
        ),
    ):
        pages, last = [], None
        while True:
            page = activity.entries(limit=2, sort=sort, following=last)
            if not page:
                break
            pages += page
            last = page[-1]
        assert pages == wanted, sort
    with pytest.raises(InvalidInput, match="sorted by one of: at, kind"):
        activity.entries(sort=activity.Sort("staff"))
