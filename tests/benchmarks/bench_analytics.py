"""Analytics figures against the issue's goals (this machine is shared: read them as orders of size).

    python tests/benchmarks/bench_analytics.py             # 1,000,000 vouchers, all claimed, 300,000 redeemed
    python tests/benchmarks/bench_analytics.py --quick     # 100,000 / 30,000, 100 batches
    python tests/benchmarks/bench_analytics.py --db postgresql://user@host/scratch   # there (it empties it!)

Builds one batch of 1,000,000 vouchers with 1,000,000 claims and 300,000 redemptions spread over the
last 60 days, each valid 30 days after its claim (rows written by bulk SQL, then counted by the 5 -> 6
migration's own fill), and 999 more batches. Prints: the fill; a batch's page data (batch_stats)
against 50 ms, and within it what is still out there (the claimed-not-redeemed vouchers expiring in
7 days, and those expired unused: a range of the partial index voucher_unredeemed_expiry); the
channels page (channel_stats, all and by a name pattern) over 1,000 batches against 20 ms; and what
the counts add to a claim, a redemption and an undo (the same calls with the count switched off,
interleaved).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import peewee

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.core import analytics, batches, claims, members, store, templates
from app.core.store import (
    migrations,  # noqa: E402
    run_sql,  # noqa: E402
)
from app.core.store.models import CHANNELS, name_key, utcnow  # noqa: E402

SPAN = 60 * 24 * 3600  # 60 days, in seconds
VALID_SECONDS = 30 * 24 * 3600  # each voucher valid 30 days after its claim
BATCH_STATS_GOAL_MS = 50
CHANNEL_STATS_GOAL_MS = 20


def timed(fn, repeat: int) -> tuple[float, float]:
    """(median, best) milliseconds of repeat calls."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), min(samples)


def empty_postgres(url: str) -> None:
    import psycopg2

    con = psycopg2.connect(url)
    con.autocommit = True
    con.cursor().execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    con.close()


def fill_big_batch(batch_id: int, n: int, redeemed: int, created) -> None:
    """n members and n vouchers, all claimed over 60 days, the first `redeemed` redeemed up to 14
    days after their claim (never after now): bulk SQL, one statement per table."""
    on_sqlite = isinstance(store.database.obj, peewee.SqliteDatabase)
    start = created.strftime("%Y-%m-%d %H:%M:%S")
    # a spread that looks random: claim offsets by a multiplicative step, delays likewise
    num = "n" if on_sqlite else "CAST(n AS BIGINT)"
    claim_offset = f"(({num} * 7919) % {SPAN})"
    delay = f"(({num} * 104729) % 1209600)"
    redeem_offset = f"CASE WHEN {claim_offset} + {delay} < {SPAN} THEN {claim_offset} + {delay} ELSE {SPAN} - 1 END"
    if on_sqlite:
        numbers = f"WITH RECURSIVE numbers(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM numbers WHERE n < {n})"
        source = "numbers"

        def at(offset):
            return f"datetime('{start}', '+' || ({offset}) || ' seconds')"
    else:
        numbers = ""
        source = f"generate_series(1, {n}) AS n"

        def at(offset):
            return f"(TIMESTAMP '{start}' + ({offset}) * INTERVAL '1 second')"

    run_sql(
        f"{numbers} INSERT INTO member (email, name, password_hash, created_at, session_generation)"
        f" SELECT 'bench' || n || '@example.com', '', 'x', {at('0')}, 0 FROM {source}"
    )
    first_member = run_sql("SELECT MIN(id) FROM member WHERE email LIKE 'bench%'").fetchone()[0]
    run_sql(
        f"{numbers} INSERT INTO voucher (batch_id, code, status, member_id, claimed_at, redeemed_at, expires_at)"
        f" SELECT {batch_id}, 'BENCH' || n, CASE WHEN n <= {redeemed} THEN 2 ELSE 1 END, {first_member} - 1 + n,"
        f" {at(claim_offset)}, CASE WHEN n <= {redeemed} THEN {at(redeem_offset)} ELSE NULL END,"
        f" {at(claim_offset + ' + ' + str(VALID_SECONDS))} FROM {source}"
    )
    store.database.execute_sql(
        f"UPDATE batch SET quantity = {n}, claimed_count = {n}, redeemed_count = {redeemed} WHERE id = {batch_id}"
    )


def other_batches(template_id: int, count: int, created) -> None:
    """count more batches (no vouchers: the channels page reads batch rows), with counts of their own."""
    rng = random.Random(1)
    rows = []
    for i in range(count):
        quantity = rng.randint(100, 5000)
        claimed = rng.randint(0, quantity)
        name = f"{'Summer 2025' if i % 4 == 0 else 'Campaign ' + str(i % 50)} - {i}"
        rows.append(
            {
                "name": name,
                "name_key": name_key(name),
                "channel": CHANNELS[i % len(CHANNELS)],
                "template": template_id,
                "quantity": quantity,
                "token": f"bench-{i}",
                "code_length": 10,
                "claimed_count": claimed,
                "redeemed_count": rng.randint(0, claimed),
                "created_at": created,
                "description": "",
            }
        )
    from app.core.store.models import Batch

    with store.database.atomic():
        for chunk in range(0, len(rows), 200):
            Batch.insert_many(rows[chunk : chunk + 200]).execute()


def claim_cost(template, rounds: int = 10, per_round: int = 40) -> None:
    """A claim, a redemption and an undo with the counts kept, and the same with the count calls
    switched off, interleaved round by round so both see the same machine."""
    small = batches.create_batch("Claim cost", template, rounds * per_round * 2, "Email")
    member_ids = iter([members.create_member(f"cost{i}@example.com", "x").id for i in range(rounds * per_round * 2)])
    names = ("count_claim", "count_redemption", "uncount_redemption", "count_unredeemed")
    kept = {name: getattr(analytics, name) for name in names}

    def switch(on: bool) -> None:
        for name in names:
            setattr(analytics, name, kept[name] if on else (lambda *a: None))

    samples = {(op, on): [] for op in ("claim", "redeem", "undo") for on in (True, False)}
    for r in range(rounds):
        for on in (True, False) if r % 2 == 0 else (False, True):
            switch(on)
            codes = []
            for _ in range(per_round):
                started = time.perf_counter()
                codes.append(claims.claim(small.token, next(member_ids)).voucher.code)
                samples[("claim", on)].append(time.perf_counter() - started)
            for code in codes:
                started = time.perf_counter()
                claims.redeem(code)
                samples[("redeem", on)].append(time.perf_counter() - started)
            for code in codes:
                started = time.perf_counter()
                claims.undo_redemption(code, "benchmark")
                samples[("undo", on)].append(time.perf_counter() - started)
    switch(True)
    print("What the counts cost (median ms per call; counts kept / switched off):")
    for op in ("claim", "redeem", "undo"):
        with_, without = (statistics.median(samples[(op, on)]) * 1000 for on in (True, False))
        print(f"  {op:<7} {with_:7.3f} / {without:7.3f}   (+{with_ - without:6.3f} ms, {with_ / without - 1:+5.0%})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="100,000 vouchers, 100 batches")
    parser.add_argument("--db", help="a PostgreSQL URL to run on instead of a SQLite file: that database is emptied")
    args = parser.parse_args()
    n, redeemed, count = (100_000, 30_000, 100) if args.quick else (1_000_000, 300_000, 1_000)
    with tempfile.TemporaryDirectory(prefix="bench-analytics-") as tmp:
        if args.db:
            empty_postgres(args.db)
            store.open_database(args.db)
        else:
            store.open_database(Path(tmp) / "analytics.db")
        where = args.db.rpartition("@")[2] if args.db else "SQLite file"
        template = templates.create_template("T", "10%")
        created = utcnow() - timedelta(days=60)
        big = batches.create_batch("Summer 2025 - Million", template, 1, "In-store QR")
        store.database.execute_sql(f"DELETE FROM voucher WHERE batch_id = {big.id:d}")
        started = time.perf_counter()
        with store.database.atomic():
            fill_big_batch(big.id, n, redeemed, created)
            store.database.execute_sql(
                f"UPDATE batch SET created_at = '{created:%Y-%m-%d %H:%M:%S}' WHERE id = {big.id:d}"
            )
        print(
            f"{where}: {n:,} vouchers, {n:,} claims, {redeemed:,} redemptions over 60 days written in "
            f"{time.perf_counter() - started:.1f} s"
        )
        started = time.perf_counter()
        with store.database.atomic():
            migrations.fill_analytics_counts(store.database.obj)
            migrations.fill_expiry_counts(store.database.obj)
        slots = store.database.execute_sql("SELECT COUNT(*) FROM slot_count").fetchone()[0]
        print(
            f"  counted by the 5 -> 6 migration's fill in {time.perf_counter() - started:.1f} s"
            f" ({slots:,} quarter-hour rows)"
        )
        other_batches(template.id, count - 1, created)

        stats = analytics.batch_stats(big.id)
        assert (stats.claimed, stats.redeemed, stats.bucket) == (n, redeemed, "day")
        assert sum(b.claims for b in stats.series) == n and sum(b.redemptions for b in stats.series) == redeemed
        median, best = timed(lambda: analytics.batch_stats(big.id), 30)
        print(
            f"  a batch's page (batch_stats, {len(stats.series)} days):  median {median:6.2f} ms, best {best:6.2f} ms"
            f"   goal < {BATCH_STATS_GOAL_MS} ms: {'met' if median < BATCH_STATS_GOAL_MS else 'MISSED'}"
        )
        now = utcnow()
        out_median, out_best = timed(lambda: analytics.still_out(big.id, now), 30)
        print(
            f"  of which what is still out there ({stats.expiring_7d:,} expiring in 7 days, "
            f"{stats.expired_unredeemed:,} expired unused): median {out_median:6.2f} ms, best {out_best:6.2f} ms"
        )
        assert sum(c.batches for c in analytics.channel_stats()) == count
        median, best = timed(analytics.channel_stats, 50)
        print(
            f"  channels page over {count:,} batches:        median {median:6.2f} ms, best {best:6.2f} ms"
            f"   goal < {CHANNEL_STATS_GOAL_MS} ms: {'met' if median < CHANNEL_STATS_GOAL_MS else 'MISSED'}"
        )
        median, best = timed(lambda: analytics.channel_stats("Summer 2025 - *"), 50)
        print(f"  the same for 'Summer 2025 - *':            median {median:6.2f} ms, best {best:6.2f} ms")
        claim_cost(templates.create_template("Thirty days", "10%", valid_days=30))  # (its vouchers expire: counted)
        store.close_database()


if __name__ == "__main__":
    main()
