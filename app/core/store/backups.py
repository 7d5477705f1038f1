"""A store's members, claims and redemptions live in one file: check it, and keep copies of it.

Copies are made by SQLite's online backup API (never by copying a live file), checked, and kept in
the data folder's backups/: one a day, the last 7 daily and 4 weekly ones. On PostgreSQL the
server's own tools do this (pg_dump); nothing home-made."""

from __future__ import annotations

import logging
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import peewee
from platformdirs import user_data_path

from app.core import times
from app.core.errors import DatabaseProblem, FileProblem, InvalidInput

from .handle import database

log = logging.getLogger(__name__)

APP_NAME = "voucher-batches"
KEEP_DAILY, KEEP_WEEKLY = 7, 4
PG_DUMP_HINT = (
    "On PostgreSQL, back up with the server's own tool: pg_dump --format=custom --file=vouchers.dump <database URL> "
    "(and pg_restore to put one back)."
)


def default_folder() -> Path:
    return user_data_path(APP_NAME, appauthor=False) / "backups"


@dataclass(frozen=True)
class Backup:
    path: Path
    made_on: date

    @property
    def made_at(self) -> datetime:
        return datetime.fromtimestamp(self.path.stat().st_mtime).astimezone()

    def describe(self) -> str:
        return f"{self.path} (made {times.local_text(self.made_at, zone=True)})"


def sqlite_path() -> Path:
    obj = database.obj
    if not isinstance(obj, peewee.SqliteDatabase):
        raise InvalidInput(PG_DUMP_HINT)
    return Path(obj.database)


def _folder_for(db_path: Path, folder: Path | None) -> Path:
    """backups/<the database file's name>/: two databases never mix their copies."""
    return (folder or default_folder()) / db_path.stem


def existing(folder: Path | None = None, db_path: Path | None = None) -> list[Backup]:
    """The daily copies of the open (or given) database, newest first."""
    db_path = db_path or sqlite_path()
    found = []
    where = _folder_for(db_path, folder)
    for path in where.glob(f"{db_path.stem}-????-??-??.db") if where.is_dir() else ():
        try:
            found.append(Backup(path, date.fromisoformat(path.stem[-10:])))
        except ValueError:
            continue
    return sorted(found, key=lambda backup: backup.made_on, reverse=True)


def latest(folder: Path | None = None, db_path: Path | None = None) -> Backup | None:
    found = existing(folder, db_path)
    return found[0] if found else None


# -- checking -----------------------------------------------------------------------------------


def problem_in(path: Path) -> str | None:
    """What is wrong with a database file (SQLite's quick_check), or None when it is intact."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
            rows = [row[0] for row in con.execute("PRAGMA quick_check(5)")]
    except sqlite3.DatabaseError as exc:
        return str(exc)
    return None if rows == ["ok"] else "; ".join(rows)


def check_open_database(folder: Path | None = None) -> None:
    """Refuse a damaged database with a sentence that names it and its latest backup (the
    file itself is left as it is). Reads every page of the file: about 0.65 s for 2,000,000
    vouchers; the window and serve do it at start and once a day, `batch create` and `batch
    delete` before they write."""
    obj = database.obj
    if not isinstance(obj, peewee.SqliteDatabase):
        return
    try:
        rows = [row[0] for row in obj.execute_sql("PRAGMA quick_check(5)").fetchall()]
        problem = None if rows == ["ok"] else "; ".join(rows)
    except (peewee.DatabaseError, sqlite3.DatabaseError) as exc:  # the driver's own, from the rows
        problem = str(exc)
    if problem is not None:
        raise DatabaseProblem(damaged_sentence(Path(obj.database), problem, folder))


def damaged_sentence(path: Path, problem: str, folder: Path | None = None) -> str:
    backup = latest(folder, path)
    then = (
        f"The latest backup is {backup.describe()}: put it back with `voucher-batches restore {backup.path}`."
        if backup
        else "There is no backup of it in the backups folder."
    )
    return f"The database {path} is damaged ({problem}); it was left as it is and nothing was written. {then}"


# -- making copies ------------------------------------------------------------------------------


def _copy_into(source: sqlite3.Connection, target: Path) -> None:
    """A consistent copy of a live database, written beside the target and renamed when whole."""
    part = target.with_name(f".{target.name}.part")
    part.unlink(missing_ok=True)
    try:
        with closing(sqlite3.connect(part)) as copy:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")  # a copy is one self-contained file
        problem = problem_in(part)
        if problem is not None:
            raise DatabaseProblem(f"The backup written to {target} did not check out ({problem}); it was not kept.")
        os.replace(part, target)
    except (OSError, sqlite3.Error) as exc:
        raise FileProblem(f"Cannot write the backup {target}: {getattr(exc, 'strerror', None) or exc}.") from None
    finally:
        part.unlink(missing_ok=True)


def backup_to(target: str | os.PathLike) -> Path:
    """Make a backup of the open database now, into target."""
    target = Path(target)
    sqlite_path()
    if not target.parent.is_dir():
        raise FileProblem(f"Cannot write the backup {target}: the folder {target.parent} does not exist.")
    _copy_into(database.connection(), target)
    return target


def daily(folder: Path | None = None, today: date | None = None) -> Backup | None:
    """Today's copy if there is none yet (then older ones beyond 7 daily and 4 weekly go); None
    when today's was made already."""
    db_path = sqlite_path()
    today = today or datetime.now().date()
    where = _folder_for(db_path, folder)
    target = where / f"{db_path.stem}-{today.isoformat()}.db"
    if target.exists():
        return None
    try:
        where.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FileProblem(f"Cannot make the backups folder {where}: {exc.strerror or exc}.") from None
    _copy_into(database.connection(), target)
    _rotate(existing(folder, db_path))
    return Backup(target, today)


def _rotate(found: list[Backup]) -> None:
    """Keep the newest KEEP_DAILY copies, and beyond them the newest copy of each of KEEP_WEEKLY weeks.

    A copy that cannot be removed now (on Windows, one another program holds open: an antivirus,
    Explorer's preview) stays until the next day's rotation; the others go all the same. Before,
    its PermissionError ended serve's daily-check thread."""
    kept = {backup.path for backup in found[:KEEP_DAILY]}
    weeks: list[tuple[int, int]] = []
    for backup in found[KEEP_DAILY:]:
        week = backup.made_on.isocalendar()[:2]
        if week not in weeks and len(weeks) < KEEP_WEEKLY:
            weeks.append(week)
            kept.add(backup.path)
    for backup in found:
        if backup.path not in kept:
            try:
                backup.path.unlink(missing_ok=True)
            except OSError as exc:
                log.warning(
                    "The old backup %s could not be removed now (%s); it is tried again tomorrow.", backup.path, exc
                )


# -- putting one back ---------------------------------------------------------------------------


def restore(source: str | os.PathLike, target: str | os.PathLike, current_version: int) -> Path:
    """Put a backup back in place of the database at target, after checking it; refuse while
    another program has the database open. The replaced file is kept aside; returns its path.
    The caller has closed its own connection to target."""
    source, target = Path(source), Path(target)
    if not source.is_file():
        raise InvalidInput(f"There is no backup at {source}.")
    problem = problem_in(source)
    if problem is not None:
        raise InvalidInput(f"{source} is not a usable backup ({problem}); nothing was restored.")
    with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as backup:
        try:
            version = backup.execute("SELECT version FROM schema_version").fetchone()[0]
        except (sqlite3.Error, TypeError):
            raise InvalidInput(f"{source} is not a Voucher Batches database; nothing was restored.") from None
        if version > current_version:
            raise InvalidInput(
                f"{source} was written by a newer Voucher Batches (schema {version}); nothing was restored."
            )
        with closing(sqlite3.connect(target, isolation_level=None, timeout=0.5)) as live:
            live.execute("PRAGMA locking_mode = EXCLUSIVE")
            # WAL can only be left while no other connection has the file open: the test of "alone"
            try:
                mode = live.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
            except sqlite3.OperationalError:
                mode = "in use"
            if mode != "delete":
                raise DatabaseProblem(
                    f"The database {target} is in use by another program (the window, `voucher-batches serve`, …); "
                    "close it first. Nothing was restored."
                )
            try:
                live.execute("BEGIN EXCLUSIVE")
                live.execute("COMMIT")
            except sqlite3.OperationalError:
                raise DatabaseProblem(
                    f"The database {target} is in use by another program; nothing was restored."
                ) from None
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            aside = target.with_name(f"{target.stem}.replaced-{stamp}{target.suffix}")
            _copy_into(live, aside)
            backup.backup(live)
            live.execute("PRAGMA journal_mode = WAL")
    problem = problem_in(target)
    if problem is not None:  # should not happen; the replaced file is there to go back to
        raise DatabaseProblem(
            f"The restored database {target} does not check out ({problem}); the replaced file is {aside}."
        )
    return aside


def maintain(folder: Path | None = None) -> Backup | None:
    """What the window and `serve` do at start and once a day while running: check the database
    (a DatabaseProblem when it is damaged) and make the day's backup if there is none yet.
    Nothing to do on PostgreSQL (its server keeps its own safeguards)."""
    if not isinstance(database.obj, peewee.SqliteDatabase):
        return None
    check_open_database(folder)
    return daily(folder)
