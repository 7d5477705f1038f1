"""The files that hold the store's data are its user's alone (0600: emails, password hashes and the
claim site's session secret are in them): the database with its -wal and -shm, every copy of it,
and every export. A copy of a database file opened where it lies is another database (its own
database_id), so that a window on it never takes the original's claim site for its own."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
from contextlib import closing

import pytest

from app.core import activity, members, qr, recovery, settings, store, vouchers
from app.core.store import backups
from app.render import painting

from .helpers import old_schema

pytestmark = pytest.mark.sqlite_only  # files on this PC (a server's files are its own business)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(autouse=True)
def a_generous_umask():
    """As on most desktops: files are made readable by every user unless the program says otherwise."""
    before = os.umask(0o022)
    yield
    os.umask(before)


@pytest.mark.posix_only("a file mode of 0600; on Windows the user's own folders are private by their access lists")
def test_a_new_database_and_its_wal_and_shm_are_the_users_alone(tmp_path, monkeypatch):
    monkeypatch.delenv(store.ENV_VAR, raising=False)
    path = tmp_path / "new.db"
    store.open_database(path)
    try:
        settings.save(settings.Settings(store_name="Corner Shop"))
        for part in (path, path.with_name("new.db-wal"), path.with_name("new.db-shm")):
            assert part.exists() and mode(part) == 0o600, part.name
    finally:
        store.close_database()


@pytest.mark.posix_only("a file mode of 0600; on Windows the user's own folders are private by their access lists")
def test_a_database_made_readable_by_others_is_made_the_users_alone_when_opened(tmp_path):
    path = tmp_path / "old.db"
    with closing(sqlite3.connect(path)) as con:
        con.executescript(old_schema("sqlite", 6))
    os.chmod(path, 0o644)
    store.open_database(path, create=False)
    try:
        assert mode(path) == 0o600
        assert mode(next(tmp_path.glob("old.db.v6-*.bak"))) == 0o600  # the copy made before migrating
    finally:
        store.close_database()


@pytest.mark.posix_only("a file mode of 0600; on Windows the user's own folders are private by their access lists")
def test_backups_and_the_replaced_file_are_the_users_alone(db_path, make_batch, tmp_path, monkeypatch):
    monkeypatch.setattr(backups, "default_folder", lambda: tmp_path / "backups")
    make_batch(quantity=2)
    daily = backups.daily()
    now = backups.backup_to(tmp_path / "now.db")
    assert mode(daily.path) == 0o600 and mode(now) == 0o600
    store.close_database()
    restored = recovery.restore(now, db_path)
    assert mode(restored.kept) == 0o600


@pytest.mark.posix_only("a file mode of 0600; on Windows the user's own folders are private by their access lists")
def test_every_export_is_the_users_alone(db_path, make_batch, make_member, tmp_path, qapp):
    batch = make_batch(quantity=2)
    ann = make_member("ann@example.com", "Ann")
    written = [
        vouchers.export_csv(batch.id, tmp_path / "vouchers.csv") and tmp_path / "vouchers.csv",
        members.save_export(ann.id, tmp_path / "ann.json"),
        activity.export_csv(tmp_path / "activity.csv") and tmp_path / "activity.csv",
        qr.save_qr_png(batch.claim_url, tmp_path / "qr.png").path,
        qr.save_qr_svg(batch.claim_url, tmp_path / "qr.svg"),
        painting.save_qr_pdf(batch.claim_url, tmp_path / "qr.pdf"),
    ]
    assert {path.name: mode(path) for path in written} == {path.name: 0o600 for path in written}


def test_a_copy_of_the_file_opened_where_it_lies_is_another_database(db_path, tmp_path):
    original = settings.database_id()
    store.close_database()
    copy = tmp_path / "copy" / "vouchers.db"
    copy.parent.mkdir()
    shutil.copy(db_path, copy)

    store.open_database(copy, create=False)
    theirs = settings.database_id()
    store.close_database()
    assert theirs != original
    store.open_database(copy, create=False)
    assert settings.database_id() == theirs  # its own, from now on
    store.close_database()
    store.open_database(db_path, create=False)
    assert settings.database_id() == original  # the original keeps its own


def test_a_moved_or_restored_file_keeps_its_name(db_path, tmp_path):
    original = settings.database_id()
    made = backups.backup_to(tmp_path / "backup.db")
    store.close_database()
    moved = tmp_path / "elsewhere.db"
    shutil.move(db_path, moved)
    store.open_database(moved, create=False)
    assert settings.database_id() == original  # nothing is left where it was: moved, not copied
    store.close_database()
    shutil.move(moved, db_path)
    recovery.restore(made, db_path)
    store.open_database(db_path, create=False)
    assert settings.database_id() == original
