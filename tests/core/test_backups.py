"""The database is checked before it is trusted, and backed up: daily copies, backup now, restore."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

import pytest

from app import cli
from app.core import batches, claims, members, recovery, store, templates
from app.core.errors import DatabaseProblem, InvalidInput
from app.core.store import backups

from .helpers import ROOT

pytestmark = pytest.mark.sqlite_only  # copies of SQLite files


def raw_rows(path) -> dict[str, list[tuple]]:
    """Every row of the tables that hold the store's data, straight from the file."""
    with closing(sqlite3.connect(path)) as con:
        return {
            table: con.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            for table in ("batch", "voucher", "member", "template")
        }


@pytest.fixture
def shop(db_path):
    offer = templates.create_template("10% off", "10%", valid_days=30)
    batch = batches.create_batch("Summer", offer, 40, "Email")
    people = [members.create_member(f"m{n}@example.com", "hash") for n in range(6)]
    held = [claims.claim(batch.token, p.id).voucher.code for p in people]
    for code in held[:3]:
        claims.redeem(code)
    return db_path, batch


def damage(path) -> bytes:
    """Overwrite a page in the middle of a closed database file with noise; returns the new bytes."""
    data = bytearray(path.read_bytes())
    middle = (len(data) // 2) // 4096 * 4096
    data[middle : middle + 4096] = bytes((n * 37 + 11) % 256 for n in range(4096))
    path.write_bytes(bytes(data))
    return bytes(data)


def test_a_backup_round_trips_claims_and_redemptions(shop, tmp_path):
    path, batch = shop
    before = raw_rows(path)
    target = backups.backup_to(tmp_path / "now.db")
    assert backups.problem_in(target) is None
    batches.delete_batch(batch.id)  # the mistake a backup is for
    store.close_database()
    aside = recovery.restore(target, path).kept
    assert raw_rows(path) == before
    assert raw_rows(aside)["batch"] == []  # the replaced database is kept as it was
    store.open_database(path, create=False)
    assert batches.get_batch(batch.id).claimed == 6 and batches.get_batch(batch.id).redeemed == 3


def test_restore_refuses_while_another_program_has_the_database_open(shop, tmp_path):
    path, _ = shop
    target = backups.backup_to(tmp_path / "now.db")
    before = path.read_bytes()
    # db_path's own connection is open: it is the other program here
    with pytest.raises(DatabaseProblem, match="in use by another program"):
        recovery.restore(target, path)
    assert path.read_bytes() == before
    assert batches.list_batches()  # and that program still works


def test_restore_refuses_a_file_that_is_not_a_good_backup(shop, tmp_path):
    path, _ = shop
    store.close_database()
    before = path.read_bytes()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(InvalidInput, match="not a usable backup"):
        recovery.restore(junk, path)
    with pytest.raises(InvalidInput, match="There is no backup"):
        recovery.restore(tmp_path / "missing.db", path)
    assert path.read_bytes() == before


def test_daily_copies_keep_seven_days_and_four_weeks(shop, tmp_path):
    folder = tmp_path / "backups"
    first = date(2026, 10, 1)
    for n in range(60):
        made = backups.daily(folder, today=first + timedelta(days=n))
        assert made is not None and made.path.is_file()
    assert backups.daily(folder, today=first + timedelta(days=59)) is None  # one a day
    kept = [backup.made_on for backup in backups.existing(folder)]
    last = first + timedelta(days=59)
    assert kept[:7] == [last - timedelta(days=n) for n in range(7)]
    weekly = kept[7:]
    assert len(weekly) == 4 and len({d.isocalendar()[:2] for d in weekly}) == 4
    assert all(backups.problem_in(backup.path) is None for backup in backups.existing(folder))


def test_an_old_backup_held_open_by_another_program_stays_and_the_rest_go_on(shop, tmp_path, monkeypatch):
    """On Windows a file another program holds open (an antivirus, Explorer's preview) cannot be
    removed: its PermissionError ended serve's daily-check thread. Elsewhere the refusal is made here."""
    folder = tmp_path / "backups"
    first = date(2026, 10, 1)
    for n in range(7):
        backups.daily(folder, today=first + timedelta(days=n))
    held_path = backups.existing(folder)[-1].path  # the oldest: the next day's rotation removes it
    held = open(held_path, "rb")  # noqa: SIM115 (the other program's handle)
    try:
        if sys.platform != "win32":
            real_unlink = Path.unlink

            def unlink(path, missing_ok=False):
                if path == held_path:
                    raise PermissionError(13, "The process cannot access the file because it is being used")
                return real_unlink(path, missing_ok=missing_ok)

            monkeypatch.setattr(Path, "unlink", unlink)
        for n in range(7, 9):  # two more days: the held one stays, the other old one goes
            made = backups.daily(folder, today=first + timedelta(days=n))
            assert made is not None and made.path.is_file()
    finally:
        held.close()
    kept = [backup.made_on for backup in backups.existing(folder)]
    assert kept == [first + timedelta(days=n) for n in range(8, -1, -1)]  # day 0 too: it could not go


def test_a_damaged_file_is_refused_by_batch_create_naming_it_and_the_latest_backup(shop, tmp_path, monkeypatch, capsys):
    path, _ = shop
    folder = tmp_path / "backups"
    monkeypatch.setattr(backups, "default_folder", lambda: folder)
    made = backups.daily()
    batches.create_batch("Big", templates.find_template("10% off"), 5000, "Email")  # pages to damage
    store.close_database()
    damaged = damage(path)
    code = cli.main(
        ["--db", str(path), "batch", "create", "--name", "More", "--template", "10% off", "--quantity", "5", "--quiet"]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert "damaged" in err and str(path) in err and str(made.path) in err and "voucher-batches restore" in err
    assert path.read_bytes() == damaged  # left as it is


def test_a_read_only_command_never_makes_a_database_of_an_empty_file(tmp_path):
    empty = tmp_path / "empty.db"
    empty.touch()
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "--db", str(empty), "batch", "list"], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 1 and "is empty" in done.stderr
    assert empty.stat().st_size == 0
    blank = tmp_path / "blank.db"
    sqlite3.connect(blank).execute("PRAGMA user_version = 0").connection.close()
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "--db", str(blank), "template", "list"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 1 and "holds no Voucher Batches database" in done.stderr
    with closing(sqlite3.connect(blank)) as con:
        assert con.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] == 0


def test_the_cli_backs_up_and_restores(shop, tmp_path, capsys):
    path, batch = shop
    before = raw_rows(path)
    store.close_database()
    target = tmp_path / "copy.db"
    assert cli.main(["--db", str(path), "backup", "--output", str(target)]) == 0
    assert cli.main(["--db", str(path), "batch", "delete", str(batch.id), "--yes"]) == 0
    store.close_database()
    assert cli.main(["--db", str(path), "restore", str(target), "--yes"]) == 0
    out = capsys.readouterr().out
    assert "kept at" in out
    assert raw_rows(path) == before
    assert cli.main(["--db", str(path), "backup", "--output", str(tmp_path / "no-folder" / "x.db")]) == 1


def test_a_backup_of_a_damaged_file_says_so_and_leaves_an_older_copy_of_that_name_as_it_was(shop, tmp_path):
    """The file is checked while it is copied: a copy of damaged pages is no backup, and it must not
    take the place of the copy the user made before under the same name."""
    path, _ = shop
    batches.create_batch("Big", templates.find_template("10% off"), 5000, "Email")  # pages to damage
    earlier = backups.backup_to(tmp_path / "mine.db")
    before = earlier.read_bytes()
    store.close_database()
    damage(path)
    store.open_database(path, create=False)
    with pytest.raises(DatabaseProblem, match="is damaged") as refused:
        backups.backup_to(earlier)
    assert str(path) in str(refused.value) and "nothing was written" in str(refused.value)
    assert earlier.read_bytes() == before and backups.problem_in(earlier) is None
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith((".mine", "mine"))) == ["mine.db"]
