"""Opening a big version 6 SQLite file, which migrates it: every table whose ids are kept elsewhere
made anew with AUTOINCREMENT (schema step _ids_never_reused), rows, indexes, triggers kept.

    python tests/benchmarks/bench_migration.py            # 1,000,000 vouchers (about a minute)
    python tests/benchmarks/bench_migration.py --quick    # 100,000 vouchers

Prints the seconds the opening took (the migration, with the copy of the file it makes first),
next to the same run's reference: VACUUM INTO, which rewrites every table and index of the same
file once (the least any rebuild of all of it can cost), and the ratio.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.core import store  # noqa: E402
from app.core.store import backups, migrations  # noqa: E402
from tests.core.helpers import old_schema  # noqa: E402

BATCHES = 100


def version_6_file(path: Path, vouchers: int) -> None:
    """A version 6 store: 100 batches, a fifth of each claimed by members, a quarter of those
    redeemed, an activity entry per redemption."""
    per_batch = vouchers // BATCHES
    claimed = per_batch // 5
    with closing(sqlite3.connect(path)) as con:
        con.executescript(old_schema("sqlite", 6))
        con.execute("PRAGMA journal_mode = WAL")
        con.execute("INSERT INTO template VALUES (1, 'T', 'percent', 10, 0, NULL, 30, '', '2025-01-01 10:00:00')")
        con.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
            " INSERT INTO member (id, email, name, password_hash, created_at)"
            " SELECT i, 'member' || i || '@example.com', '', 'x', '2025-01-01 10:00:00' FROM n",
            (claimed,),
        )
        con.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
            " INSERT INTO batch SELECT i, 'Batch ' || i, '', '', 'Email', 1, ?, 'active', 'token' || i, '', 10,"
            " ?, ?, '2025-01-01 10:00:00' FROM n",
            (BATCHES, per_batch, claimed, claimed // 4),
        )
        con.execute(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ? - 1)"
            " INSERT INTO voucher (id, batch_id, code, status, member_id, claimed_at, redeemed_at)"
            " SELECT i + 1, i / ? + 1, printf('C%011d', i),"
            "  CASE WHEN i % ? < ? / 4 THEN 2 WHEN i % ? < ? THEN 1 ELSE 0 END,"
            "  CASE WHEN i % ? < ? THEN i % ? + 1 END,"
            "  CASE WHEN i % ? < ? THEN '2025-01-02 10:00:00' END,"
            "  CASE WHEN i % ? < ? / 4 THEN '2025-01-03 10:00:00' END FROM n",
            (vouchers, per_batch)
            + (per_batch, claimed) * 2
            + (per_batch, claimed, per_batch)
            + (per_batch, claimed) * 2,
        )
        con.execute(
            "INSERT INTO activity (at, kind, batch_id, batch_name, code, till, staff, details)"
            " SELECT redeemed_at, 'voucher_redeemed', batch_id, 'Batch ' || batch_id, code, 'Till 1', '', '{}'"
            " FROM voucher WHERE status = 2"
        )
        con.commit()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 vouchers instead of 1,000,000")
    args = parser.parse_args()
    vouchers = 100_000 if args.quick else 1_000_000
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "vouchers.db"
        version_6_file(path, vouchers)
        size = path.stat().st_size

        started = time.perf_counter()
        with closing(sqlite3.connect(path)) as con:
            con.execute(f"VACUUM INTO '{Path(folder) / 'reference.db'}'")
        reference = time.perf_counter() - started

        started = time.perf_counter()
        store.open_database(path)
        migrated = time.perf_counter() - started
        assert migrations.schema_version(store.database) == migrations.CURRENT_VERSION
        counted = store.database.execute_sql("SELECT COUNT(*) FROM voucher").fetchone()[0]
        store.close_database()
        assert counted == vouchers and backups.problem_in(path) is None

    print(
        f"Migrating a version 6 file of {vouchers:,} vouchers ({size / 1e6:.0f} MB) "
        f"to schema {migrations.CURRENT_VERSION}"
    )
    print(f"  opening it (copy aside, then the migration): {migrated:6.2f} s")
    print(f"  reference, VACUUM INTO of the same file:      {reference:6.2f} s")
    print(f"  ratio: {migrated / reference:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
