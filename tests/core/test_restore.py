"""`restore` puts back only a Voucher Batches database of a schema this version knows (its header's
application id, its version, the tables and columns a fresh one of that version has), says why in a
sentence otherwise (never a traceback), and leaves a "restored" entry in the restored store's log."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing

import pytest

from app import cli
from app.core import activity, batches, recovery, store
from app.core.activity import KIND_TEXT
from app.core.errors import DatabaseProblem, InvalidInput
from app.core.store import backups, migrations, restoring
from app.core.store.models import ACTIVITY_KINDS, ALL_MODELS

from .helpers import OLD_SCHEMAS, old_schema

pytestmark = pytest.mark.sqlite_only  # SQLite files put back


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def store_with_a_batch(db_path, make_batch):
    batch = make_batch(quantity=3, name="Kept")
    store.close_database()
    return db_path, batch


def refused(source, target, match: str) -> None:
    before = digest(target)
    with pytest.raises(InvalidInput, match=match) as said:
        recovery.restore(source, target)
    assert "nothing was restored" in str(said.value) and "\n" not in str(said.value)
    assert digest(target) == before


def sqlite_file(path, *statements: str):
    with closing(sqlite3.connect(path)) as con:
        for statement in statements:
            con.execute(statement)
        con.commit()
    return path


def test_any_sqlite_file_with_a_schema_version_table_is_not_enough(store_with_a_batch, tmp_path):
    target, _ = store_with_a_batch
    other = sqlite_file(
        tmp_path / "other.db",
        "CREATE TABLE schema_version (id INTEGER PRIMARY KEY, version INTEGER)",
        "INSERT INTO schema_version (version) VALUES (6)",
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)",
    )
    refused(other, target, "does not have the tables of a Voucher Batches database of schema 6 .*no table batch")


def test_a_null_version_is_a_sentence(store_with_a_batch, tmp_path):
    target, _ = store_with_a_batch
    empty_version = sqlite_file(
        tmp_path / "null.db",
        "CREATE TABLE schema_version (id INTEGER PRIMARY KEY, version INTEGER)",
        "INSERT INTO schema_version (version) VALUES (NULL)",
    )
    refused(empty_version, target, "has no schema version")
    with pytest.raises(DatabaseProblem, match="has no schema version"):  # opened, too
        store.open_database(empty_version, create=False)


def test_another_programs_file_is_refused_by_its_application_id(store_with_a_batch, tmp_path):
    target, _ = store_with_a_batch
    copy = backups_of(target, tmp_path)
    sqlite_file(copy, "PRAGMA application_id = 1234")
    refused(copy, target, "belongs to another program")


def backups_of(target, tmp_path):
    store.open_database(target, create=False)
    try:
        return backups.backup_to(tmp_path / "backup.db")
    finally:
        store.close_database()


def test_a_backup_of_this_version_missing_a_column_is_refused(store_with_a_batch, tmp_path):
    target, _ = store_with_a_batch
    copy = backups_of(target, tmp_path)
    sqlite_file(copy, "ALTER TABLE batch DROP COLUMN title")
    refused(copy, target, f"schema {migrations.CURRENT_VERSION} .*no column batch.title")


def test_a_file_of_this_version_without_the_application_id_is_refused(store_with_a_batch, tmp_path):
    target, _ = store_with_a_batch
    copy = backups_of(target, tmp_path)
    sqlite_file(copy, "PRAGMA application_id = 0")
    refused(copy, target, "does not say it is a Voucher Batches database")


def test_new_and_migrated_databases_say_what_they_are(db_path, tmp_path):
    assert store.database.execute_sql("PRAGMA application_id").fetchone()[0] == migrations.APPLICATION_ID
    store.close_database()
    old = tmp_path / "v4.db"
    with closing(sqlite3.connect(old)) as con:
        con.executescript(old_schema("sqlite", 4))
    store.open_database(old)
    assert store.database.execute_sql("PRAGMA application_id").fetchone()[0] == migrations.APPLICATION_ID


def test_a_backup_of_an_older_version_is_put_back_migrated_and_logged(store_with_a_batch, tmp_path):
    target, _ = store_with_a_batch
    old = tmp_path / "v5.db"
    with closing(sqlite3.connect(old)) as con:
        con.executescript(old_schema("sqlite", 5))
        con.executescript(
            "INSERT INTO template VALUES (1, 'T', 'percent', 10, 0, NULL, 30, '', '2025-01-01 10:00:00');"
            "INSERT INTO batch VALUES (1, 'From the backup', '', '', 'Email', 1, 2, 'active', 'tok', '', 10, 0, 0,"
            " '2025-01-01 10:00:00');"
        )
    restored = recovery.restore(old, target)
    store.open_database(target, create=False)
    assert [b.name for b in batches.list_batches()] == ["From the backup"]
    (entry,) = activity.entries(activity.Filter(kind="restored"))
    assert entry.kind_text == "Backup restored"
    assert entry.details["backup"] == str(old) and entry.details["kept"] == str(restored.kept)
    assert f"From {old}" in entry.summary and str(restored.kept) in entry.summary


def test_restore_from_the_command_line_logs_who_put_it_back(store_with_a_batch, tmp_path, capsys):
    target, batch = store_with_a_batch
    copy = backups_of(target, tmp_path)
    assert cli.main(["--db", str(target), "batch", "delete", str(batch.id), "--yes"]) == 0
    store.close_database()
    assert cli.main(["--db", str(target), "restore", str(copy), "--yes", "--staff", "Maria", "--till", "Office"]) == 0
    assert "the replaced database is kept at" in capsys.readouterr().out
    assert cli.main(["--db", str(target), "activity", "--kind", "restored", "--json"]) == 0
    out = capsys.readouterr().out
    assert '"staff": "Maria"' in out and '"till": "Office"' in out and '"kind": "restored"' in out


def test_a_bad_file_is_said_before_the_question(store_with_a_batch, tmp_path, capsys):
    target, _ = store_with_a_batch
    junk = sqlite_file(tmp_path / "junk.db", "CREATE TABLE t (x)")
    assert cli.main(["--db", str(target), "restore", str(junk)]) == 2  # no --yes: it would have asked
    err = capsys.readouterr().err
    assert "is not a Voucher Batches database; nothing was restored" in err and "[y/N]" not in err


def test_no_id_handed_out_since_the_backup_is_handed_out_again(store_with_a_batch, tmp_path):
    target, kept = store_with_a_batch
    copy = backups_of(target, tmp_path)
    store.open_database(target, create=False)
    lost = batches.create_batch("Made after the backup", kept.template_id, 2, "Email")
    store.close_database()
    recovery.restore(copy, target)
    store.open_database(target, create=False)
    again = batches.create_batch("Made after the restore", kept.template_id, 2, "Email")
    assert again.id > lost.id
    assert [e.kind for e in activity.entries(activity.Filter(batch_id=again.id))] == ["batch_created"]


def test_a_damaged_database_is_put_right_by_restore(store_with_a_batch, tmp_path):
    target, batch = store_with_a_batch
    copy = backups_of(target, tmp_path)
    data = bytearray(target.read_bytes())
    data[len(data) - 4096 :] = bytes(4096)  # a page of zeros
    target.write_bytes(bytes(data))
    restored = recovery.restore(copy, target)
    kept = restored.kept.read_bytes()  # the damaged file kept as it was, past its header (journal mode, counter)
    assert kept[100:] == bytes(data[100:])
    assert backups.problem_in(target) is None
    store.open_database(target, create=False)
    assert batches.get_batch(batch.id).name == "Kept"


def test_every_kind_of_activity_has_its_words():
    assert set(KIND_TEXT) == set(ACTIVITY_KINDS) and "restored" in ACTIVITY_KINDS


def _columns_of_fresh(statements: str, path) -> dict[str, set[str]]:
    with closing(sqlite3.connect(path)) as con:
        con.executescript(statements)
        return {
            table: {row[1] for row in con.execute(f'PRAGMA table_info("{table}")')}
            for (table,) in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        }


@pytest.mark.parametrize("version", sorted(OLD_SCHEMAS["sqlite"]))
def test_what_restore_knows_of_each_version_is_what_a_fresh_one_had(version, tmp_path):
    assert migrations.columns_at(version) == _columns_of_fresh(old_schema("sqlite", version), tmp_path / "v.db")


def test_what_restore_knows_of_this_version_is_the_models():
    assert migrations.columns_at(migrations.CURRENT_VERSION) == {
        model._meta.table_name: {field.column_name for field in model._meta.sorted_fields} for model in ALL_MODELS
    }


def test_check_backup_names_the_version_it_found(store_with_a_batch, tmp_path):
    target, _ = store_with_a_batch
    assert restoring.check_backup(backups_of(target, tmp_path)) == migrations.CURRENT_VERSION
