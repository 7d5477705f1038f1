"""The database file: its schema version, migrating an older one, refusing a newer one, and one clear
sentence naming the file when it is corrupt, read-only, locked or full, with nothing half-written."""

import os
import re
import sqlite3
import threading
import time
from contextlib import closing
from datetime import datetime

import peewee
import pytest

from app.core import batches, claims, store, vouchers
from app.core.claims import ClaimOutcome, RedeemOutcome
from app.core.errors import DatabaseProblem
from app.core.store import migrations, waits
from app.core.store.models import CLAIMED, Voucher, utcnow

from .helpers import counters, old_schema, real_counts, table_counts


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """A database path in an empty folder; whatever the test opens is closed afterwards."""
    monkeypatch.delenv(store.ENV_VAR, raising=False)
    yield tmp_path / "vouchers.db"
    store.close_database()


def sql(path, query, *args):
    with closing(sqlite3.connect(path)) as con:
        return con.execute(query, args).fetchall()


def backups(path):
    return sorted(p for p in path.parent.iterdir() if p.name.endswith(".bak"))


def test_a_new_database_carries_the_current_schema_version(fresh):
    store.open_database(fresh)
    assert sql(fresh, "SELECT version FROM schema_version") == [(migrations.CURRENT_VERSION,)]
    store.close_database()
    store.open_database(fresh)  # opening it again changes nothing and copies nothing aside
    assert sql(fresh, "SELECT version FROM schema_version") == [(migrations.CURRENT_VERSION,)]
    assert backups(fresh) == []


def make_v1(path):
    """A version-1 database: one batch of 6 (3 claimed, 1 of them redeemed), one of 2 untouched."""
    with closing(sqlite3.connect(path)) as con:
        con.executescript(old_schema("sqlite", 1))  # the batch table without claimed_count and redeemed_count
        con.execute("INSERT INTO template VALUES (1, '10% off', 'percent', 10, 0, NULL, 30, '', '2025-01-01 00:00:00')")
        for n in range(1, 5):
            con.execute(
                "INSERT INTO member VALUES (?, ?, '', 'hash', '2025-01-01 00:00:00')", (n, f"member{n}@example.com")
            )
        con.execute(
            "INSERT INTO batch VALUES (1, 'Old', 'd', 'Email', 1, 6, 'active', 'tok1', '', 10, '2025-01-01 00:00:00')"
        )
        con.execute(
            "INSERT INTO batch VALUES"
            " (2, 'Untouched', 'd', 'SMS', 1, 2, 'paused', 'tok2', '', 10, '2025-01-02 00:00:00')"
        )
        for n in range(1, 7):
            con.execute("INSERT INTO voucher (batch_id, code, status) VALUES (1, ?, 0)", (f"AAAAAAAA{n + 1}A",))
        for n in range(1, 3):
            con.execute("INSERT INTO voucher (batch_id, code, status) VALUES (2, ?, 0)", (f"BBBBBBBB{n + 1}B",))
        for n in (1, 2, 3):
            con.execute(
                "UPDATE voucher SET status = 1, member_id = ?, claimed_at = '2025-01-03 10:00:00',"
                " expires_at = '2099-02-02 10:00:00' WHERE id = ?",
                (n, n),
            )
        con.execute("UPDATE voucher SET status = 2, redeemed_at = '2025-01-04 10:00:00' WHERE id = 1")
        con.commit()


V1_VOUCHER = "id, batch_id, code, status, member_id, claimed_at, redeemed_at, expires_at"  # its columns


def test_a_version_1_database_is_migrated_with_true_counts_and_a_backup(fresh):
    make_v1(fresh)
    before = sql(fresh, "SELECT * FROM voucher ORDER BY id")
    store.open_database(fresh)
    assert sql(fresh, "SELECT version FROM schema_version") == [(migrations.CURRENT_VERSION,)]
    listed = {b.name: (b.total, b.claimed, b.redeemed, b.available, b.status) for b in batches.list_batches()}
    assert listed == {"Old": (6, 3, 1, 3, "active"), "Untouched": (2, 0, 0, 2, "paused")}
    assert counters(1) == real_counts(1) and counters(2) == real_counts(2)
    # the vouchers themselves untouched (a later version adds a column, empty for them)
    assert sql(fresh, f"SELECT {V1_VOUCHER} FROM voucher ORDER BY id") == before
    assert sql(fresh, "SELECT COUNT(*) FROM voucher WHERE order_cents IS NOT NULL") == [(0,)]

    (backup,) = backups(fresh)
    assert backup.parent == fresh.parent and backup.name.startswith("vouchers.db.v1-")
    assert sql(backup, "SELECT version FROM schema_version") == [(1,)]
    assert "claimed_count" not in {row[1] for row in sql(backup, "PRAGMA table_info(batch)")}
    assert sql(backup, "SELECT * FROM voucher ORDER BY id") == before
    assert sql(backup, "PRAGMA integrity_check") == [("ok",)]

    # and it works on: the counters follow new claims and redemptions
    assert claims.claim("tok1", 4).outcome is ClaimOutcome.CLAIMED
    assert claims.redeem("AAAA-AAAA-3A").outcome is RedeemOutcome.REDEEMED
    assert claims.claim("tok1", 1).voucher.code == "AAAA-AAAA-2A"
    assert counters(1) == real_counts(1) == (6, 4, 2)
    # one voucher per member per batch still holds in the migrated schema
    with pytest.raises(peewee.IntegrityError):
        Voucher.update(status=CLAIMED, member=1, claimed_at=utcnow()).where(Voucher.code == "AAAAAAAA7A").execute()

    store.close_database()
    store.open_database(fresh)  # migrated once: no second copy
    assert len(backups(fresh)) == 1


def make_v2(path):
    """A version-2 database: the version-1 one, brought to version 2 as that release did."""
    make_v1(path)
    old = peewee.SqliteDatabase(str(path))
    with old.atomic():
        migrations.MIGRATIONS[1](old)
        old.execute_sql("UPDATE schema_version SET version = 2")
    old.close()


def columns(path, table):
    return [row[1:] for row in sql(path, f"PRAGMA table_info({table})")]  # name, type, not null, default, key


def test_a_version_2_database_gains_sessions_erasure_and_reset_codes_as_a_new_one_has_them(fresh, tmp_path):
    make_v2(fresh)
    members_before = sql(fresh, "SELECT id, email, name, password_hash, created_at FROM member ORDER BY id")
    vouchers_before = sql(fresh, "SELECT * FROM voucher ORDER BY id")
    store.open_database(fresh)
    assert sql(fresh, "SELECT version FROM schema_version") == [(migrations.CURRENT_VERSION,)]
    assert sql(fresh, "SELECT id, email, name, password_hash, created_at FROM member ORDER BY id") == members_before
    assert sql(fresh, "SELECT session_generation, erased_at FROM member") == [(0, None)] * 4
    assert sql(fresh, f"SELECT {V1_VOUCHER} FROM voucher ORDER BY id") == vouchers_before
    (backup,) = backups(fresh)
    assert backup.name.startswith("vouchers.db.v2-") and sql(backup, "SELECT version FROM schema_version") == [(2,)]
    store.close_database()

    new = tmp_path / "new.db"
    store.open_database(new)
    store.close_database()
    for table in ("member", "reset_code"):
        assert columns(fresh, table) == columns(new, table), table
    indexes = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reset_code' ORDER BY name"
    assert sql(fresh, indexes) == sql(new, indexes)
    assert sql(fresh, "PRAGMA foreign_key_list(reset_code)") == sql(new, "PRAGMA foreign_key_list(reset_code)")
    # the migrated table refuses what a new one refuses: an erased member who kept a name
    for path in (fresh, new):
        with closing(sqlite3.connect(path)) as con, pytest.raises(sqlite3.IntegrityError):
            con.execute(
                "INSERT INTO member (email, name, password_hash, created_at, erased_at)"
                " VALUES ('erased-9', 'Ann', '', 'x', 'x')"
            )


def test_a_database_from_a_newer_version_is_refused_untouched(fresh):
    store.open_database(fresh)
    store.close_database()
    with closing(sqlite3.connect(fresh)) as con:
        con.execute("UPDATE schema_version SET version = ?", (migrations.CURRENT_VERSION + 1,))
        con.commit()
    with pytest.raises(DatabaseProblem, match=r"newer Voucher Batches.*update the application") as refused:
        store.open_database(fresh)
    assert str(fresh) in str(refused.value)
    assert sql(fresh, "SELECT version FROM schema_version") == [(migrations.CURRENT_VERSION + 1,)]
    assert backups(fresh) == []


def test_a_database_of_another_program_is_refused(fresh):
    with closing(sqlite3.connect(fresh)) as con:
        con.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
    with pytest.raises(DatabaseProblem, match="not a Voucher Batches database") as refused:
        store.open_database(fresh)
    assert str(fresh) in str(refused.value)
    assert sql(fresh, "SELECT name FROM sqlite_master") == [("recipes",)]


def test_a_corrupt_file_is_named_and_left_as_it_was(fresh):
    garbage = os.urandom(16_384)
    fresh.write_bytes(garbage)
    with pytest.raises(DatabaseProblem, match="not a Voucher Batches database, or it is damaged") as refused:
        store.open_database(fresh)
    assert str(fresh) in str(refused.value)
    assert fresh.read_bytes() == garbage


def test_a_missing_folder_is_named(fresh):
    missing = fresh.parent / "gone" / "vouchers.db"
    with pytest.raises(DatabaseProblem, match="does not exist") as refused:
        store.open_database(missing)
    assert str(missing) in str(refused.value)
    assert not missing.parent.exists()


def test_a_folder_is_not_a_database(fresh):
    fresh.mkdir()
    with pytest.raises(DatabaseProblem, match="is a folder") as refused:
        store.open_database(fresh)
    assert str(fresh) in str(refused.value)


@pytest.fixture
def shop(fresh):
    """A database with a batch of 10 (2 claimed, 1 redeemed) and the codes and members it has."""
    from app.core import members, templates

    store.open_database(fresh)
    offer = templates.create_template("10% off", "10%", valid_days=30)
    batch = batches.create_batch("Summer", offer, 10, "Email")
    people = [members.create_member(f"m{n}@example.com", "hash") for n in range(3)]
    held = [claims.claim(batch.token, p.id).voucher.code for p in people[:2]]
    claims.redeem(held[0])
    return fresh, offer, batch, people, held


def attempts(offer, batch, people, held):
    """Every kind of write a person can make, each of which must fail as one sentence."""
    return {
        "create": lambda: batches.create_batch("Another", offer, 1_000, "Email"),
        "claim": lambda: claims.claim(batch.token, people[2].id),
        "redeem": lambda: claims.redeem(held[1]),
        "pause": lambda: batches.pause_batch(batch.id),
        "delete": lambda: batches.delete_batch(batch.id),
    }


def assert_unchanged(batch):
    assert table_counts() == (1, 10)
    assert counters(batch.id) == real_counts(batch.id) == (10, 2, 1)
    assert batches.get_batch(batch.id).status == "active"


def test_a_read_only_database_says_so_naming_the_file(shop, monkeypatch):
    path, offer, batch, people, held = shop
    store.close_database()
    # Tests run as root, which file modes do not stop: SQLite's query_only gives the same refusal.
    monkeypatch.setitem(store.SQLITE_PRAGMAS, "query_only", 1)
    store.open_database(path)
    assert [b.name for b in batches.list_batches()] == ["Summer"]  # reading still works
    assert vouchers.lookup(held[1]).status == "claimed"
    for name, attempt in attempts(offer, batch, people, held).items():
        with pytest.raises(DatabaseProblem, match="read-only") as refused:
            attempt()
        assert str(path) in str(refused.value), name
    assert_unchanged(batch)


def test_a_locked_database_says_so_naming_the_file(shop, monkeypatch):
    path, offer, batch, people, held = shop
    store.close_database()
    monkeypatch.setattr(waits, "_wait_limit", 0.2)
    store.open_database(path)
    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")
        for name, attempt in attempts(offer, batch, people, held).items():
            with pytest.raises(DatabaseProblem, match="locked by another program") as refused:
                attempt()
            assert str(path) in str(refused.value), name
        other.execute("ROLLBACK")
    assert_unchanged(batch)
    assert claims.claim(batch.token, people[2].id).outcome is ClaimOutcome.CLAIMED  # free again


def test_a_full_disk_says_so_naming_the_file_and_writes_nothing(shop):
    path, offer, batch, people, held = shop
    pages = store.database.execute_sql("PRAGMA page_count").fetchone()[0]
    store.database.execute_sql(f"PRAGMA max_page_count = {pages + 20}")
    with pytest.raises(DatabaseProblem, match="disk .* is full") as refused:
        batches.create_batch("Too big", offer, 100_000, "Email")
    assert str(path) in str(refused.value)
    assert_unchanged(batch)
    assert sql(path, "PRAGMA integrity_check") == [("ok",)]
    store.database.execute_sql("PRAGMA max_page_count = 1073741823")
    assert batches.create_batch("Fits now", offer, 1_000, "Email").total == 1_000


class ReadOnlyCursor:
    """The driver's cursor on a read-only file, as a user without write permission meets it."""

    def __init__(self, cursor):
        self._cursor = cursor

    def execute(self, sql, params=()):
        if not sql.lstrip().upper().startswith(("SELECT", "PRAGMA")):
            raise sqlite3.OperationalError("attempt to write a readonly database")
        return self._cursor.execute(sql, params)

    def executemany(self, sql, rows):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    def __iter__(self):
        return iter(self._cursor)

    def __getattr__(self, name):
        return getattr(self._cursor, name)


def test_a_read_only_file_as_the_driver_reports_it_says_so_naming_the_file(shop, monkeypatch):
    path, offer, batch, people, held = shop
    real_cursor = store.database.obj.cursor
    monkeypatch.setattr(store.database.obj, "cursor", lambda *a, **k: ReadOnlyCursor(real_cursor(*a, **k)))
    assert batches.get_batch(batch.id).claimed == 2  # reading still works
    for name, attempt in attempts(offer, batch, people, held).items():
        with pytest.raises(
            DatabaseProblem, match=re.escape(f"The database {path} is read-only; nothing was changed")
        ) as refused:
            attempt()
        assert isinstance(refused.value.__cause__, peewee.OperationalError), name
    monkeypatch.undo()
    assert_unchanged(batch)


def test_a_disk_error_in_the_middle_of_generation_says_so_and_writes_nothing(shop, monkeypatch):
    path, offer, batch, people, held = shop
    monkeypatch.setattr(batches, "CHUNK", 100)
    real_cursor = store.database.obj.cursor
    written = []

    class FailingSecondChunk(ReadOnlyCursor):
        def execute(self, sql, params=()):
            return self._cursor.execute(sql, params)

        def executemany(self, sql, rows):
            if written:
                raise sqlite3.OperationalError("disk I/O error")
            written.append(1)
            return self._cursor.executemany(sql, rows)

    monkeypatch.setattr(store.database.obj, "cursor", lambda *a, **k: FailingSecondChunk(real_cursor(*a, **k)))
    with pytest.raises(DatabaseProblem, match=re.escape(f"The database {path} could not be read or written")):
        batches.create_batch("Half", offer, 1_000, "Email")
    monkeypatch.undo()
    assert written == [1]  # it failed in the middle, after a first chunk was written
    assert_unchanged(batch)


def test_a_version_1_database_that_cannot_be_copied_aside_is_not_migrated(fresh, monkeypatch):
    make_v1(fresh)
    monkeypatch.setattr(migrations, "utcnow", lambda: datetime(2030, 1, 1))
    in_the_way = fresh.with_name("vouchers.db.v1-20300101-000000.bak")
    in_the_way.mkdir()  # where the copy would go, a folder: the copy cannot be made
    with pytest.raises(DatabaseProblem, match="could not first be copied") as refused:
        store.open_database(fresh)
    assert str(fresh) in str(refused.value) and str(in_the_way) in str(refused.value)
    assert sql(fresh, "SELECT version FROM schema_version") == [(1,)]
    assert "claimed_count" not in {row[1] for row in sql(fresh, "PRAGMA table_info(batch)")}


def test_a_database_that_is_not_there_is_not_created_when_only_reading(fresh):
    with pytest.raises(DatabaseProblem, match="no database") as refused:
        store.open_database(fresh, create=False)
    assert str(fresh) in str(refused.value)
    assert not fresh.exists()


def test_a_sqlite_url_gets_the_same_settings_as_a_path(tmp_path, monkeypatch):
    monkeypatch.delenv(store.ENV_VAR, raising=False)
    path = tmp_path / "by-url.db"
    try:
        store.open_database(f"sqlite:///{path}")
        assert store.database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
        assert store.location() == str(path)
    finally:
        store.close_database()
    assert path.exists()


def test_a_refused_database_is_not_left_open(tmp_path, monkeypatch):
    monkeypatch.delenv(store.ENV_VAR, raising=False)
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"\x00not sqlite" * 1000)
    with pytest.raises(DatabaseProblem):
        store.open_database(corrupt)
    assert store.database.is_closed()


def test_a_change_says_at_once_that_it_waits_and_gives_up_within_the_limit(shop, monkeypatch):
    """The till showed "This voucher can be redeemed." for 30 s while another program held the database."""
    path, offer, batch, people, held = shop
    monkeypatch.setattr(waits, "_wait_limit", 1.0)
    said = []
    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        with (
            store.reporting_waits(lambda: said.append(time.monotonic() - started)),
            pytest.raises(DatabaseProblem, match="locked by another program") as refused,
        ):
            claims.redeem(held[1])
        gave_up = time.monotonic() - started
        other.execute("ROLLBACK")
    # said at the first short try (PROBE_MS), long before the give-up at the limit: compared with the
    # give-up on the same clock, so a slow machine that stretches both does not fail it
    assert len(said) == 1 and said[0] < gave_up / 2
    assert 0.9 <= gave_up < 4.0 and str(path) in str(refused.value)  # it waited, and no longer than the limit
    assert claims.redeem(held[1]).outcome is RedeemOutcome.REDEEMED  # free again: it works


def test_a_change_that_gets_the_database_after_a_short_wait_goes_through(shop, monkeypatch):
    path, offer, batch, people, held = shop
    said = []
    with closing(sqlite3.connect(path, isolation_level=None, check_same_thread=False)) as other:
        other.execute("BEGIN IMMEDIATE")
        release = threading.Timer(0.6, lambda: other.execute("ROLLBACK"))
        release.start()
        with store.reporting_waits(lambda: said.append(True)):
            assert claims.redeem(held[1]).outcome is RedeemOutcome.REDEEMED
        release.join()
    assert said == [True]
