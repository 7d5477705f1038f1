"""Ids never come back: a row's id, once its row is deleted, is not handed out again (the activity
log, exported files and the logs keep ids), on SQLite files and PostgreSQL alike; a database made
by an older version becomes so when it is opened; a copy onto PostgreSQL goes on past them."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest

from app.core import activity, batches, members, store, templates, transfer
from app.core.store import migrations
from app.core.store.models import Batch, Member, ResetCode, Template, Voucher, utcnow

from .helpers import old_schema


def test_a_new_batch_never_inherits_a_deleted_batchs_id_or_history(make_batch, claim_some):
    kept = make_batch(quantity=3, name="Kept")
    mistake = make_batch(quantity=4, name="Alpha (mistake)")
    claim_some(mistake, 1)
    batches.pause_batch(mistake.id)
    their_vouchers = [v.id for v in Voucher.select(Voucher.id).where(Voucher.batch == mistake.id)]
    batches.delete_batch(mistake.id)  # the newest batch: the one whose id SQLite used to hand out again

    beta = make_batch(quantity=2, name="Beta")

    assert beta.id > mistake.id > kept.id
    assert min(v.id for v in Voucher.select(Voucher.id).where(Voucher.batch == beta.id)) > max(their_vouchers)
    assert [(e.kind, e.batch_name) for e in activity.entries(activity.Filter(batch_id=beta.id))] == [
        ("batch_created", "Beta")
    ]
    assert [e.kind for e in activity.entries(activity.Filter(batch_id=mistake.id))] == [
        "batch_deleted",
        "batch_paused",
        "batch_created",
    ]


@pytest.mark.parametrize("model", [Template, Member, ResetCode, Batch, Voucher], ids=lambda m: m.__name__)
def test_no_table_whose_ids_are_kept_elsewhere_hands_out_a_deleted_rows_id(make_batch, make_member, model):
    """The database itself, whoever writes: the newest row deleted, the next row gets a new id."""
    make_batch(quantity=2)
    templates.create_template("Spare", "5%")  # the newest of each: nothing refers to it
    members.issue_reset_code(make_member().email)
    newest = model.select(model.id).order_by(model.id.desc()).first().id
    store.database.execute_sql(f'DELETE FROM "{model._meta.table_name}" WHERE id = {newest}')
    row = {
        Template: lambda: templates.create_template("5% off", "5%"),
        Member: lambda: make_member(),
        ResetCode: lambda: ResetCode.create(member=make_member().id, code_hash="f" * 64, expires_at=utcnow()),
        Batch: lambda: make_batch(quantity=1, name="Next"),
        Voucher: lambda: Voucher.create(batch=Batch.select().first().id, code="ZZZZZZZZZZZZ"),
    }[model]()
    assert row.id > newest


@pytest.mark.sqlite_only
def test_an_older_database_gets_ids_that_never_come_back_keeping_every_row(tmp_path):
    """A version 6 file whose newest batch was deleted: opening it makes every table anew with
    AUTOINCREMENT, every row kept, and the next batch goes past the id the log still names."""
    old = tmp_path / "v6.db"
    with closing(sqlite3.connect(old)) as con:
        con.executescript(old_schema("sqlite", 6))
        con.executescript(
            "INSERT INTO template VALUES (1, '10% off', 'percent', 10, 0, NULL, 30, '', '2025-01-01 10:00:00');"
            "INSERT INTO member (id, email, name, password_hash, created_at) VALUES"
            " (1, 'ann@example.com', 'Ann', 'x', '2025-01-01 10:00:00');"
            "INSERT INTO batch VALUES (1, 'Kept', '', '', 'Email', 1, 2, 'active', 'tok1', '', 10, 1, 0,"
            " '2025-01-01 10:00:00');"
            "INSERT INTO voucher VALUES (1, 1, 'AAAAAAAAAA', 1, 1, '2025-01-02 10:00:00', NULL, NULL),"
            " (2, 1, 'BBBBBBBBBB', 0, NULL, NULL, NULL, NULL);"
            "INSERT INTO activity (at, kind, batch_id, batch_name, till, staff, details) VALUES"
            " ('2025-01-01 10:00:00', 'batch_created', 1, 'Kept', 'T', '', '{}'),"
            " ('2025-01-03 10:00:00', 'batch_created', 2, 'Alpha (mistake)', 'T', '', '{}'),"
            " ('2025-01-03 11:00:00', 'batch_deleted', 2, 'Alpha (mistake)', 'T', '', '{}');"
        )
    store.open_database(old)
    try:
        assert migrations.schema_version(store.database) == migrations.CURRENT_VERSION
        assert [(v.id, v.code, v.member_id) for v in Voucher.select().order_by(Voucher.id)] == [
            (1, "AAAAAAAAAA", 1),
            (2, "BBBBBBBBBB", None),
        ]
        assert Batch.get_by_id(1).claimed_count == 1 and Member.get_by_id(1).email == "ann@example.com"
        assert len(activity.entries()) == 3
        beta = batches.create_batch("Beta", 1, 2, "Email")
        assert beta.id == 3
        assert [e.kind for e in activity.entries(activity.Filter(batch_id=beta.id))] == ["batch_created"]
        with pytest.raises(Exception, match="FOREIGN KEY"):  # the keys hold after the rebuild
            store.database.execute_sql("INSERT INTO voucher (batch_id, code, status) VALUES (99, 'CCCCCCCCCC', 0)")
    finally:
        store.close_database()


def test_a_copy_on_postgresql_never_hands_out_an_id_the_source_had(make_batch, cluster):
    make_batch(quantity=2, name="Kept")
    mistake = make_batch(quantity=2, name="Alpha (mistake)")
    batches.delete_batch(mistake.id)
    transfer.copy_to(cluster.url)
    store.open_database(cluster.url)
    beta = make_batch(quantity=1, name="Beta")
    assert beta.id > mistake.id
    assert [e.kind for e in activity.entries(activity.Filter(batch_id=beta.id))] == ["batch_created"]
