"""How fast is the activity log at a million entries? (issue 9's goal: the newest 100 under 10 ms)

    python tests/benchmarks/bench_activity.py [--entries 1000000] [--repeat 50]

Fills a fresh database with that many entries (spread over a year, ten batches, four tills, all
kinds), then times the listing the Activity page and `voucher-batches activity` make: the newest
100; the newest 100 of one batch; of one kind; from one day on; and the next page after the first.
Prints the median and the worst of each, in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.core import activity, store  # noqa: E402
from app.core.store import run_many, write_transaction  # noqa: E402
from app.core.store.models import ACTIVITY_KINDS, Activity, utcnow  # noqa: E402

GOAL_MS = 10.0


def fill(n: int) -> None:
    start = utcnow() - timedelta(days=365)
    step = timedelta(days=365) / n
    kinds = ACTIVITY_KINDS[:8]

    def rows():
        for i in range(n):
            kind = kinds[i % 8] if i % 10 else "voucher_redeemed"
            yield {
                "at": Activity.at.db_value(start + step * i),
                "kind": kind,
                "batch_id": i % 10 + 1,
                "batch_name": f"Batch {i % 10 + 1}",
                "code": f"CODE-{i:08d}" if kind == "voucher_redeemed" else None,
                "till": f"till {i % 4 + 1}",
                "staff": ("Anna", "Ben", "Cleo")[i % 3],
                "details": json.dumps({"n": i}),
            }

    with write_transaction():
        run_many(
            "INSERT INTO activity (at, kind, batch_id, batch_name, code, till, staff, details)"
            " VALUES (:at, :kind, :batch_id, :batch_name, :code, :till, :staff, :details)",
            rows(),
        )
    store.database.execute_sql("ANALYZE")


def timed(label: str, call, repeat: int) -> float:
    call()  # warm the cache, as a page already open is
    spent = []
    for _ in range(repeat):
        began = time.perf_counter()
        found = call()
        spent.append((time.perf_counter() - began) * 1000)
    median = statistics.median(spent)
    print(f"{label:<44} {len(found):>4} entries  median {median:6.2f} ms  worst {max(spent):6.2f} ms")
    return median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store.open_database(Path(folder) / "bench.db")
        began = time.perf_counter()
        fill(args.entries)
        print(f"{args.entries:,} entries written in {time.perf_counter() - began:.1f} s")
        newest = activity.entries(limit=100)
        one_day = (utcnow() - timedelta(days=30)).date()
        medians = [
            timed("newest 100", lambda: activity.entries(limit=100), args.repeat),
            timed("newest 100 of batch 3", lambda: activity.entries(activity.Filter(batch_id=3), 100), args.repeat),
            timed(
                "newest 100 undone redemptions",
                lambda: activity.entries(activity.Filter(kind="redemption_undone"), 100),
                args.repeat,
            ),
            timed(
                "newest 100 since a day a month ago",
                lambda: activity.entries(activity.Filter(since=one_day), 100),
                args.repeat,
            ),
            timed(
                "the next 100 after the first page",
                lambda: activity.entries(before=(newest[-1].at, newest[-1].id)),
                args.repeat,
            ),
        ]
        store.close_database()
    verdict = "met" if medians[0] < GOAL_MS else "MISSED"
    print(f"Goal: the newest 100 of {args.entries:,} under {GOAL_MS:g} ms: {verdict} ({medians[0]:.2f} ms).")
    return 0 if medians[0] < GOAL_MS else 1


if __name__ == "__main__":
    sys.exit(main())
