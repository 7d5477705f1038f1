"""A store's members, claims and redemptions live in one file: check it (and never write into it
once it is found damaged), and keep copies of it.

Copies are made by SQLite's online backup API (never by copying a live file), checked, and kept in
the data folder's backups/: one a day, the last 7 daily and 4 weekly ones. On PostgreSQL the
server's own tools do this (pg_dump); nothing home-made."""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import threading
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import peewee
from platformdirs import user_data_path

from app.core import times
from app.core.errors import DatabaseProblem, FileProblem, InvalidInput

from . import private
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


CHECK_CACHE_KB = 2_000  # the check's own page cache: it reads each page once


def problem_in(path: Path) -> str | None:
    """What is wrong with a database file (SQLite's quick_check), or None when it is intact."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
            rows = [row[0] for row in con.execute("PRAGMA quick_check(5)")]
    except sqlite3.DatabaseError as exc:
        return str(exc)
    return None if rows == ["ok"] else "; ".join(rows)


# Whether the open file is damaged. quick_check reads every page of the file (about 0.65 s for
# 2,000,000 vouchers), so it runs once per opening: before the first write (write_transaction asks
# refuse_if_damaged, so no command can forget), or when the window and `serve` check at start and
# once a day (check_open_database). Its verdict is kept, and a failure that says the file is damaged,
# met by any read or write, sets it as well (found_damaged). While the verdict is "damaged" every
# write is refused with the sentence naming the file and its latest backup: nothing is written, so
# the file's bytes stay as they are for whoever recovers it. A database server checks its own pages.

_lock = threading.Lock()  # one check at a time: a second writer waits for the first one's verdict
_verdicts: dict[str, str | None] = {}  # the file -> what is wrong with it (None: checked, intact)


def _open_file() -> Path | None:
    db = database.obj
    return Path(db.database) if isinstance(db, peewee.SqliteDatabase) else None


def forget_verdicts() -> None:
    """A database is being opened (or was replaced): its file is checked again before it is written."""
    with _lock:
        _verdicts.clear()


def _own_file(path: Path) -> bool:
    """Whether another connection sees the open database (a file), not only the open one (memory)."""
    return str(path) != ":memory:" and not str(path).startswith("file:")


def _quick_check() -> str | None:
    """quick_check of the open file on a connection of its own, with a small page cache, closed
    afterwards: it reads every page once, and a thread's own connection would keep them (its cache
    sized for its work) for as long as the program runs."""
    path = _open_file()
    if path is None:
        return None
    own = _own_file(path)
    try:
        if own:
            with closing(sqlite3.connect(str(path))) as con:
                con.execute(f"PRAGMA cache_size = -{CHECK_CACHE_KB}")
                rows = [row[0] for row in con.execute("PRAGMA quick_check(5)")]
        else:
            rows = [row[0] for row in database.obj.execute_sql("PRAGMA quick_check(5)").fetchall()]
    except (peewee.DatabaseError, sqlite3.DatabaseError) as exc:  # (the driver's own, from the rows)
        return str(exc)
    return None if rows == ["ok"] else "; ".join(rows)


def known_problem() -> str | None:
    """What is wrong with the open file (None: intact), as its check since it was opened found it,
    checking it now when it was not (the window's setup checks, every few minutes, read this verdict:
    the file is checked at start and once a day, not at every look)."""
    path = _open_file()
    if path is None:
        return None
    with _lock:
        if str(path) not in _verdicts:
            _verdicts[str(path)] = _quick_check()
        return _verdicts[str(path)]


def check_open_database(folder: Path | None = None) -> None:
    """Check the open file now and keep the verdict: a DatabaseProblem (the file, its latest backup
    in folder, by default the data folder's backups) when it is damaged."""
    path = _open_file()
    if path is None:
        return
    with _lock:
        _verdicts[str(path)] = problem = _quick_check()
    if problem is not None:
        raise DatabaseProblem(damaged_sentence(path, problem, folder))


def refuse_if_damaged() -> None:
    """Before a write: the file is checked if it was not since it was opened, and a damaged one is
    refused (DatabaseProblem) before anything is written."""
    db = database.obj
    if isinstance(db, peewee.SqliteDatabase) and _verdicts.get(str(db.database), "") is None:
        return  # checked and intact: nothing to wait for at every write
    path = _open_file()
    if path is None:
        return
    with _lock:
        if str(path) not in _verdicts:
            _verdicts[str(path)] = _quick_check()
        problem = _verdicts[str(path)]
    if problem is not None:
        raise DatabaseProblem(damaged_sentence(path, problem))


def found_damaged(problem: str, not_a_database: bool = False) -> str | None:
    """A read or a write met damage (SQLite said so; not_a_database: it cannot tell damage from a
    file that is no database at all): keep the verdict, so that nothing more is written, and return
    the sentence; None when the open database is not a file."""
    path = _open_file()
    if path is None:
        return None
    with _lock:
        _verdicts[str(path)] = problem
    return damaged_sentence(path, None if not_a_database else problem)


def damaged_sentence(path: Path, problem: str | None, folder: Path | None = None) -> str:
    """The one sentence for a damaged file: what is wrong (None: SQLite cannot tell it from a file
    that is no database at all), that nothing was written, and the latest backup to put back."""
    backup = latest(folder, path)
    then = (
        f"The latest backup is {backup.describe()}: put it back with `voucher-batches restore {backup.path}`."
        if backup
        else "There is no backup of it in the backups folder."
    )
    if problem:  # one line, without quick_check's "*** in database main ***" heading
        problem = " ".join(problem.replace("*** in database main ***", "").split())
    what = (
        f"The database {path} is damaged ({problem})"
        if problem
        else f"The file {path} is not a Voucher Batches database, or it is damaged"
    )
    return f"{what}; it was left as it is and nothing was written. {then}"


# -- making copies ------------------------------------------------------------------------------


def copy_into(source: sqlite3.Connection, target: Path, source_checked: Callable[[], None] | None = None) -> None:
    """A consistent copy of a live database, written beside the target and renamed when whole.

    Before it is kept the copy is read back: by SQLite's quick_check, or, when the caller checks
    the source's pages meanwhile, by what only the writing of the copy can get wrong
    (_written_problem), and then source_checked() waits for the source's check (raising when it
    found damage): the backup API copies pages as they are, so the copy's pages are the checked ones."""
    part = target.with_name(f".{target.name}.part")
    part.unlink(missing_ok=True)
    try:
        private.create_private(part)  # (a copy holds what the database holds: the user's alone)
        pages: list[int] = []
        with closing(sqlite3.connect(part)) as copy:
            source.backup(copy, progress=lambda _status, _remaining, total: pages.append(total))
            copy.execute("PRAGMA journal_mode = DELETE")  # a copy is one self-contained file
        problem = _written_problem(part, pages[-1] if pages else None) if source_checked else problem_in(part)
        if problem is not None:
            raise DatabaseProblem(f"The backup written to {target} did not check out ({problem}); it was not kept.")
        if source_checked:
            source_checked()
        os.replace(part, target)
    except (OSError, sqlite3.Error) as exc:
        raise FileProblem(f"Cannot write the backup {target}: {getattr(exc, 'strerror', None) or exc}.") from None
    finally:
        part.unlink(missing_ok=True)


def _written_problem(path: Path, pages: int | None) -> str | None:
    """What is wrong with a copy just written by the backup API, as far as writing it can go wrong:
    SQLite does not open it as a database (its header), it is shorter or longer than its pages (a
    write cut short), it has another number of pages than the source had, its schema does not
    read. None when it is whole. (Damage inside pages is the source's, checked on the source.)"""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
            count = con.execute("PRAGMA page_count").fetchone()[0]
            size = con.execute("PRAGMA page_size").fetchone()[0]
            free = con.execute("PRAGMA freelist_count").fetchone()[0]
            con.execute("SELECT count(*) FROM sqlite_schema").fetchone()  # (its every CREATE parsed)
    except sqlite3.DatabaseError as exc:
        return str(exc)
    if pages is not None and count != pages:
        return f"{count:,} pages where the database has {pages:,}"
    if count * size != path.stat().st_size or not 0 <= free < max(count, 1):
        return f"{path.stat().st_size:,} bytes for {count:,} pages of {size:,}"
    return None


def backup_to(target: str | os.PathLike[str]) -> Path:
    """Make a backup of the open database now, into target."""
    target = Path(target)
    sqlite_path()
    if not target.parent.is_dir():
        raise FileProblem(f"Cannot write the backup {target}: the folder {target.parent} does not exist.")
    _copy_checked(target)
    return target


def _copy_checked(target: Path, folder: Path | None = None) -> None:
    """Copy the open database into target, checked, and keep the open file's verdict.

    The open file is quick_checked on a connection of its own while the backup API copies it (the
    two read the same pages, each on a core of its own where there are two), and the copy is
    kept only when that check finds it intact and the copy itself is whole (copy_into): the
    backup copies the pages as they are, damage and all, so the source's check is the copy's, and
    it stands for the open file's check as well. A damaged file is said as such (naming the
    latest backup in folder: a copy of a damaged file is no backup). Where the open database is
    no file of its own (in memory), the copy is quick_checked after it is made, as before.

    What the check guards against: damage already in the file's pages (a page torn or overwritten,
    a b-tree pointing at the wrong page, a page used twice or by no one, a broken free list, a
    NOT NULL column found empty), which a copy would carry into the backups folder, where as the
    newest copy it would rotate the good older ones out; and a copy written short or wrong (the
    disk full, a write lost: _written_problem). Not what SQLite cannot see as damage: rows that are
    well formed but wrong, or an index that disagrees with its table (integrity_check's work).
    It is the whole file's check, not a table's at a time: a per-table quick_check cannot see a
    page shared by two tables or used by none, and here the vouchers and their indexes are nine
    tenths of it anyway (0.64 s of 0.70 s for 2,000,000 vouchers), so splitting it over two
    connections would not halve it."""
    path = _open_file()
    checked: list[str | None] = []
    checking = None
    if path is not None and _own_file(path):
        checking = threading.Thread(target=lambda: checked.append(_quick_check()), name="backup-check", daemon=True)
        checking.start()

    def source_checked() -> None:
        assert checking is not None
        checking.join()
        _source_verdict(path, checked, folder)

    try:
        copy_into(database.connection(), target, source_checked if checking is not None else None)
    except (DatabaseProblem, FileProblem):
        if checking is None:
            check_open_database(folder)
        else:
            source_checked()  # (a copy that failed on a damaged file: the damage is what to say)
        raise
    if checking is None and path is not None:
        with _lock:
            _verdicts[str(path)] = None


def _source_verdict(path: Path | None, checked: list[str | None], folder: Path | None) -> None:
    """Keep the open file's check made during the copy; a DatabaseProblem when it found damage."""
    if path is None:
        return
    problem = checked[0] if checked else "its check did not finish"
    with _lock:
        _verdicts[str(path)] = problem
    if problem is not None:
        raise DatabaseProblem(damaged_sentence(path, problem, folder))


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
    _copy_checked(target, folder)
    _rotate(existing(folder, db_path))
    return Backup(target, today)


def _kept(days: list[date]) -> set[date]:
    """Of the days copies were made on (newest first), the ones kept: the newest KEEP_DAILY, and
    beyond them the newest copy of each of KEEP_WEEKLY weeks."""
    kept = set(days[:KEEP_DAILY])
    weeks: list[tuple[int, int]] = []
    for day in days[KEEP_DAILY:]:
        week = day.isocalendar()[:2]
        if week not in weeks and len(weeks) < KEEP_WEEKLY:
            weeks.append(week)
            kept.add(day)
    return kept


def _rotate(found: list[Backup]) -> None:
    """Remove the copies _kept does not keep. One that cannot be removed now (on Windows, one
    another program holds open: an antivirus, Explorer's preview) stays until the next day's
    rotation, and the others go all the same: its PermissionError ended serve's daily-check thread."""
    kept = _kept([backup.made_on for backup in found])
    for backup in found:
        if backup.made_on not in kept:
            try:
                backup.path.unlink(missing_ok=True)
            except OSError as exc:
                log.warning(
                    "The old backup %s could not be removed now (%s); it is tried again tomorrow.", backup.path, exc
                )


def longest_kept() -> int:
    """The most days a copy stays after the day it was made, with a copy made every day (the
    rotation above, worked through): how long a backup may keep what was erased after it."""
    first = date(2024, 1, 1)  # (a Monday: every weekday's copy is tried as the one a week keeps)
    made: list[date] = []
    last_seen: dict[date, date] = {}
    for n in range(7 * (KEEP_WEEKLY + 4) + KEEP_DAILY):
        today = first + timedelta(days=n)
        made = sorted(_kept([today, *made]), reverse=True)
        for day in made:
            last_seen[day] = today
    return max((last - day).days for day, last in last_seen.items() if last < today)


def prune_set_aside(db_path: Path, today: date | None = None) -> list[Path]:
    """Delete the copies of the database set aside beside it (the one `restore` replaced,
    <name>.replaced-<time>, and the one made before a migration, <file>.v<n>-<time>.bak) once they
    are older than any backup is kept (longest_kept): they hold what the database held, erased
    members included. Returns what was deleted."""
    today = today or datetime.now().date()
    gone = []
    for path in (*db_path.parent.glob(f"{db_path.stem}.replaced-*"), *db_path.parent.glob(f"{db_path.name}.v*-*.bak")):
        stamp = _STAMP.search(path.name)
        if stamp is None:
            continue
        try:
            made = datetime.strptime(stamp.group(1), "%Y%m%d").date()
        except ValueError:
            continue
        if (today - made).days > longest_kept():
            path.unlink(missing_ok=True)
            gone.append(path)
    return gone


_STAMP = re.compile(r"[.-](\d{8})-\d{6}(?:\.|$)")  # the time a copy was set aside, in its name


def maintain(folder: Path | None = None) -> Backup | None:
    """What the window and `serve` do at start and once a day while running: check the database
    (a DatabaseProblem when it is damaged), make the day's backup if there is none yet, and delete
    the copies set aside beside it once they are older than any backup is kept.
    Nothing to do on PostgreSQL (its server keeps its own safeguards)."""
    if not isinstance(database.obj, peewee.SqliteDatabase):
        return None
    made = daily(folder)  # a copy made today was checked, and its check stands for the file's
    if made is None:
        check_open_database(folder)
    prune_set_aside(sqlite_path())
    return made
