"""Putting a backup back (`voucher-batches restore`): the file replaced after its checks
(app.core.store.restoring), then the restored store brought up to now where now must win:

- every member erased since the backup is erased again, by the replaced database's erasure ledger
  (app.core.erasures), and the ledger carries over: a backup never brings an erased member back;
- no id handed out since the backup is handed out again (a batch made after the backup and lost
  with the restore keeps its id in exported files and the replaced database's log);
- the restored activity log says so: a "restored" entry, the first after the backup's own.

A backup of an older version is migrated when it is opened for this, as any database is."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from . import activity, erasures, members, store, times
from .store import restoring, write_transaction


@dataclass(frozen=True)
class Restored:
    source: Path
    target: Path
    kept: Path  # the replaced database, set aside
    erased_again: int  # members of the backup erased since it was made
    ledger_problem: str | None  # why the replaced database's erasures could not be read, if they could not

    def summary(self) -> str:
        said = f"Restored {self.source} into {self.target}; the replaced database is kept at {self.kept}."
        if self.erased_again:
            some = "1 member" if self.erased_again == 1 else f"{self.erased_again:,} members"
            said += (
                f" {some} erased since the backup was made {'was' if self.erased_again == 1 else 'were'} erased again."
            )
        if self.ledger_problem:
            said += (
                f" The erasures recorded in the replaced database could not be read ({self.ledger_problem}): "
                "members erased since the backup was made may be back; erase them again."
            )
        return said


def _highest_ids(path: Path) -> dict[str, int]:
    """The highest id each table of the database file about to be replaced ever handed out."""
    if not path.is_file():
        return {}
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
            if not con.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").fetchone():
                return {}
            return {name: int(seq) for name, seq in con.execute("SELECT name, seq FROM sqlite_sequence")}
    except (sqlite3.Error, TypeError, ValueError):
        return {}  # (a damaged file: its ids are what the restored log and files know of)


def _carry_ids(highest: dict[str, int]) -> None:
    """Inside the write transaction: each table's next id comes after the replaced database's."""
    tables = {name for (name,) in store.run_sql("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for name, seq in highest.items():
        if name not in tables:
            continue
        store.run_sql(
            "UPDATE sqlite_sequence SET seq = :seq WHERE name = :name AND seq < :seq", {"name": name, "seq": seq}
        )
        store.run_sql(
            "INSERT INTO sqlite_sequence (name, seq) SELECT :name, :seq"
            " WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = :name)",
            {"name": name, "seq": seq},
        )


def restore(source: str | Path, target: str | Path, actor: activity.Actor | None = None) -> Restored:
    """Put the backup at source back in place of the database file at target (see the module).
    The caller has closed its own connection to target; it is left closed."""
    source, target = Path(source), Path(target)
    restoring.check_backup(source)
    ledger = erasures.read_file(target)
    highest = _highest_ids(target)
    made = datetime.fromtimestamp(source.stat().st_mtime).astimezone()
    kept = restoring.put_back(source, target)
    store.open_database(target, create=False)
    try:
        with members.overwriting_what_is_deleted(), write_transaction():
            again = erasures.reapply(store.database.obj, ledger)
            _carry_ids(highest)
            activity.record(
                "restored",
                actor,
                backup=str(source),
                made=times.iso(made),
                kept=str(kept),
                erased_again=len(again),
            )
    finally:
        store.close_database()
    return Restored(source, target, kept, len(again), ledger.problem)
