"""Small helpers shared by the core tests: real counts straight from the tables, and child processes."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

from app.core import store
from app.core.store import run_sql
from tests.helpers import ROOT

# Every older schema version as a fresh database of it was made, per database (made by
# tools/schema_snapshot.py; version 1 predates the history and exists for SQLite only).
OLD_SCHEMAS_FOLDER = Path(__file__).parent / "old_schemas"
OLD_SCHEMAS = {
    dialect: {int(p.stem.partition("-v")[2]) for p in OLD_SCHEMAS_FOLDER.glob(f"{dialect}-v*.sql")}
    for dialect in ("sqlite", "postgresql")
}


def real_counts(batch_id: int) -> tuple[int, int, int]:
    """(total, claimed, redeemed) counted over the voucher rows themselves, not the batch's counters."""
    return tuple(
        run_sql(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN status > 0 THEN 1 ELSE 0 END), 0),"
            " COALESCE(SUM(CASE WHEN status = 2 THEN 1 ELSE 0 END), 0) FROM voucher WHERE batch_id = :batch",
            {"batch": batch_id},
        ).fetchone()
    )


def counters(batch_id: int) -> tuple[int, int, int]:
    """(quantity, claimed_count, redeemed_count) as the batch row keeps them."""
    return tuple(
        run_sql(
            "SELECT quantity, claimed_count, redeemed_count FROM batch WHERE id = :batch", {"batch": batch_id}
        ).fetchone()
    )


def table_counts() -> tuple[int, int]:
    """(batches, vouchers) in the whole database."""
    return (
        store.database.execute_sql("SELECT COUNT(*) FROM batch").fetchone()[0],
        store.database.execute_sql("SELECT COUNT(*) FROM voucher").fetchone()[0],
    )


def worker(*args: str) -> subprocess.Popen:
    """A separate Python process running tests.core.workers with args (it opens the database itself)."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.core.workers", *map(str, args)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def run_together(arg_lists: list[list], timeout: float = 120) -> list[list]:
    """Start one worker per argument list, let them all open the database, then release them at once.

    Returns each worker's JSON result."""
    procs = [worker(*args) for args in arg_lists]
    try:
        for proc in procs:
            assert proc.stdout.readline().strip() == "ready", "a worker failed before it was ready"
        for proc in procs:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = []
        for proc in procs:
            out, _ = proc.communicate(timeout=timeout)
            assert proc.returncode == 0, f"a worker failed with exit code {proc.returncode}"
            results.append(json.loads(out))
        return results
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def raw_rows_holding(path, *needles: str) -> list[tuple[str, tuple]]:
    """Every row of every table in the database that holds one of the texts (any case), read with
    plain SQL (a SQLite file on a connection of its own): what erasing must leave nowhere."""
    import sqlite3
    from contextlib import closing

    def matching(tables, rows_of):
        found = []
        for table in tables:
            for row in rows_of(table):
                text = " ".join(str(value) for value in row).lower()
                if any(needle.lower() in text for needle in needles):
                    found.append((table, tuple(row)))
        return found

    if str(path).startswith(("postgres://", "postgresql://")):
        return matching(
            store.database.get_tables(), lambda table: store.database.execute_sql(f'SELECT * FROM "{table}"')
        )
    with closing(sqlite3.connect(path)) as con:
        tables = [row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return matching(tables, lambda table: con.execute(f'SELECT * FROM "{table}"'))


def run_threads(n, work):
    """Run work(i) on n threads released at the same moment; return their results in order."""
    start = threading.Barrier(n)
    results, errors = [None] * n, []

    def run(i):
        try:
            start.wait()
            results[i] = work(i)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            store.close_database()  # this thread's connection

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert not any(t.is_alive() for t in threads)
    return results


def old_schema(dialect: str, version: int) -> str:
    """The statements that made a fresh database of that schema version ("sqlite" or "postgresql")."""
    return (OLD_SCHEMAS_FOLDER / f"{dialect}-v{version}.sql").read_text()
