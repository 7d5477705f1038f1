"""Whether the open database file is damaged, and refusing to write into one that is.

SQLite's quick_check reads every page of the file (about 0.65 s for 2,000,000 vouchers), so it runs
once per opening: before the first write (write_transaction asks here, so no command can forget),
or when the window and `serve` check at start and once a day. Its verdict is kept, and a failure
that says the file is damaged, met by any read or write, sets it as well. While the verdict is
"damaged" every write is refused with the one sentence that names the file and its latest backup:
nothing is written, so the file's bytes stay as they are for whoever recovers it.
A database server checks its own pages; nothing is done for one here."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import peewee

from app.core.errors import DatabaseProblem

from . import backups
from .handle import database

_lock = threading.Lock()  # one check at a time: a second writer waits for the first one's verdict
_verdicts: dict[str, str | None] = {}  # the file -> what is wrong with it (None: checked, intact)


def _open_file() -> Path | None:
    db = database.obj
    return Path(db.database) if isinstance(db, peewee.SqliteDatabase) else None


def forget() -> None:
    """A database is being opened (or was replaced): its file is checked again before it is written."""
    with _lock:
        _verdicts.clear()


def _quick_check() -> str | None:
    try:
        rows = [row[0] for row in database.obj.execute_sql("PRAGMA quick_check(5)").fetchall()]
    except (peewee.DatabaseError, sqlite3.DatabaseError) as exc:  # (the driver's own, from the rows)
        return str(exc)
    return None if rows == ["ok"] else "; ".join(rows)


def check(folder: Path | None = None) -> None:
    """Check the open file now and keep the verdict: a DatabaseProblem (the file, its latest backup
    in folder, by default the data folder's backups) when it is damaged."""
    path = _open_file()
    if path is None:
        return
    with _lock:
        _verdicts[str(path)] = problem = _quick_check()
    if problem is not None:
        raise DatabaseProblem(backups.damaged_sentence(path, problem, folder))


def refuse_if_damaged() -> None:
    """Before a write: the file is checked if it was not since it was opened, and a damaged one is
    refused (DatabaseProblem) before anything is written."""
    path = _open_file()
    if path is None:
        return
    with _lock:
        if str(path) not in _verdicts:
            _verdicts[str(path)] = _quick_check()
        problem = _verdicts[str(path)]
    if problem is not None:
        raise DatabaseProblem(backups.damaged_sentence(path, problem))


def found_damaged(problem: str, not_a_database: bool = False) -> str | None:
    """A read or a write met damage (SQLite said so; not_a_database: it cannot tell damage from a
    file that is no database at all): keep the verdict, so that nothing more is written, and return
    the sentence; None when the open database is not a file."""
    path = _open_file()
    if path is None:
        return None
    with _lock:
        _verdicts[str(path)] = problem
    return backups.damaged_sentence(path, None if not_a_database else problem)
