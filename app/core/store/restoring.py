"""Putting a backup back in place of a SQLite database file: checking that it is a Voucher Batches
database of a schema this version knows (its header's application id, its schema version, and
exactly the tables and columns a fresh database of that version has), then replacing the file while
no other program has it open, the replaced one kept aside. What the store itself does after (the
erasure ledger, the ids, the activity log's entry) is app.core.recovery's."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path

from app.core.errors import DatabaseProblem, FileProblem, InvalidInput

from . import backups, private
from .migrations import APPLICATION_ID, APPLICATION_ID_SINCE, CURRENT_VERSION, columns_at


def _refused(source: Path, why: str) -> InvalidInput:
    return InvalidInput(f"{source} {why}; nothing was restored.")


def _version(con: sqlite3.Connection, source: Path) -> int:
    try:
        rows = con.execute("SELECT version FROM schema_version").fetchall()
    except sqlite3.Error:
        raise _refused(source, "is not a Voucher Batches database") from None
    if len(rows) != 1 or not isinstance(rows[0][0], int) or isinstance(rows[0][0], bool):
        raise _refused(source, "has no schema version: it is not a Voucher Batches database, or it is damaged")
    return int(rows[0][0])


def _differences(found: dict[str, set[str]], known: dict[str, set[str]]) -> list[str]:
    said = [f"no table {table}" for table in sorted(set(known) - set(found))]
    said += [f"a table {table} of another program" for table in sorted(set(found) - set(known))]
    for table in sorted(set(found) & set(known)):
        said += [f"no column {table}.{column}" for column in sorted(known[table] - found[table])]
        said += [f"a column {table}.{column} of no known version" for column in sorted(found[table] - known[table])]
    return said


def check_backup(source: str | os.PathLike[str]) -> int:
    """The schema version of a backup that may be put back; otherwise an InvalidInput saying what is
    wrong with it (nothing is restored): not there, damaged, another program's file (its header's
    application id), no schema version or one this version does not know, or tables and columns
    that a fresh database of its version does not have."""
    source = Path(source)
    if not source.is_file():
        raise InvalidInput(f"There is no backup at {source}.")
    problem = backups.problem_in(source)
    if problem is not None:
        raise _refused(source, f"is not a usable backup ({problem})")
    with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as con:
        application = con.execute("PRAGMA application_id").fetchone()[0]
        if application not in (0, APPLICATION_ID):
            raise _refused(source, f"belongs to another program (its application id is {application:#x})")
        version = _version(con, source)
        if version > CURRENT_VERSION:
            raise _refused(source, f"was written by a newer Voucher Batches (schema {version})")
        if version < 1:
            raise _refused(source, f"has schema {version}, which no Voucher Batches ever wrote")
        if application == 0 and version >= APPLICATION_ID_SINCE:
            raise _refused(
                source, f"does not say it is a Voucher Batches database, as every one of schema {version} does"
            )
        found = {
            table: {row[1] for row in con.execute(f'PRAGMA table_info("{table}")')}
            for (table,) in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        }
    wrong = _differences(found, columns_at(version))
    if wrong:
        shown = ", ".join(wrong[:4]) + (f" and {len(wrong) - 4} more" if len(wrong) > 4 else "")
        raise _refused(source, f"does not have the tables of a Voucher Batches database of schema {version} ({shown})")
    return version


def _set_aside(target: Path, aside: Path) -> None:
    """The replaced file's bytes as they are, damage and all (it is whole: its log was folded into
    it on leaving WAL, and no other program may write it meanwhile): what to go back to."""
    part = aside.with_name(f".{aside.name}.part")
    try:
        private.copy_private(target, part)
        os.replace(part, aside)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise FileProblem(
            f"Cannot keep the replaced database at {aside}: {exc.strerror or exc}. Nothing was restored."
        ) from None


def put_back(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> Path:
    """Put a backup back in place of the database at target, after check_backup; refuse while
    another program has the database open. The replaced file is kept aside (pruned with the
    backups, see backups.prune_set_aside); returns its path. The caller has closed its own
    connection to target."""
    source, target = Path(source), Path(target)
    check_backup(source)
    with (
        closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as backup,
        closing(sqlite3.connect(target, isolation_level=None, timeout=0.5)) as live,
    ):
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
        _set_aside(target, aside)
        backup.backup(live)
        live.execute("PRAGMA journal_mode = WAL")
    problem = backups.problem_in(target)
    if problem is not None:  # should not happen; the replaced file is there to go back to
        raise DatabaseProblem(
            f"The restored database {target} does not check out ({problem}); the replaced file is {aside}."
        )
    backups.prune_set_aside(target)
    return aside
