"""Core figures, measured side by side in one run (this machine is shared: compare ratios).

    python tests/benchmarks/bench_core.py            # the full run (about two minutes)
    python tests/benchmarks/bench_core.py --quick    # 100,000-voucher figures only
    python tests/benchmarks/bench_core.py --pg postgresql://user@host/scratch   # generation there too (it empties it!)

Prints: vouchers generated and stored per second for a 100,000 and a 1,000,000 batch next to the
same number of rows inserted by raw sqlite3.executemany into the same schema in one transaction;
all batches' metrics at 1,000 batches / 2,000,000 vouchers; a code lookup; a redeem; exporting
1,000,000 vouchers. With --pg: generation on PostgreSQL too, next to the same rows sent by the
driver's executemany (a round trip a row, as create_batch did there before) and by COPY (the
fastest bulk path the server has), in the same schema and transaction.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.core import (
    batches,
    claims,
    codes,
    members,
    store,  # noqa: E402
    templates,
    vouchers,
)


def fresh(folder: Path, name: str) -> Path:
    path = folder / name
    store.open_database(path)
    return path


def generate(folder: Path, quantity: int) -> tuple[float, float]:
    """Seconds for create_batch, and for the raw insert of the same rows into the same schema."""
    fresh(folder, f"gen-{quantity}.db")
    template = templates.create_template("T", "10%")
    started = time.perf_counter()
    batches.create_batch("B", template, quantity, "Email")
    ours = time.perf_counter() - started
    store.close_database()

    raw_path = fresh(folder, f"raw-{quantity}.db")
    template = templates.create_template("T", "10%")
    batches.create_batch("B", template, 1, "Email")
    store.close_database()
    rows = [(1, c) for c in codes.random_codes(quantity, codes.DEFAULT_LENGTH)]  # codes made before the clock starts
    connection = sqlite3.connect(raw_path, isolation_level=None)
    for pragma, value in store.SQLITE_PRAGMAS.items():
        connection.execute(f"PRAGMA {pragma} = {value}")
    started = time.perf_counter()
    connection.execute("BEGIN")
    connection.executemany("INSERT INTO voucher (batch_id, code, status) VALUES (?, ?, 0)", rows)
    connection.execute("COMMIT")
    raw = time.perf_counter() - started
    connection.close()
    return ours, raw


def generate_pg(url: str, quantity: int) -> tuple[float, float, float]:
    """Seconds for create_batch on PostgreSQL, for executemany of the same rows, and for COPY."""
    import io

    from bench_analytics import empty_postgres

    empty_postgres(url)
    store.open_database(url)
    template = templates.create_template("T", "10%")
    started = time.perf_counter()
    batches.create_batch("B", template, quantity, "Email")
    ours = time.perf_counter() - started
    other = batches.create_batch("Raw", template, 1, "Email").id
    connection = store.database.obj.connection()
    seconds = []
    for how in ("executemany", "copy"):
        rows = codes.random_codes(quantity, codes.DEFAULT_LENGTH)
        with store.database.atomic():
            cursor = connection.cursor()
            started = time.perf_counter()
            if how == "executemany":
                cursor.executemany(
                    "INSERT INTO voucher (batch_id, code, status) VALUES (%s, %s, 0)", [(other, c) for c in rows]
                )
            else:
                text = "".join(f"{other}\t{c}\t0\n" for c in rows)
                cursor.copy_expert("COPY voucher (batch_id, code, status) FROM STDIN", io.StringIO(text))
            seconds.append(time.perf_counter() - started)
        store.database.execute_sql("DELETE FROM voucher WHERE batch_id = %s", (other,))
    store.close_database()
    return ours, seconds[0], seconds[1]


def timed(fn, repeat: int) -> float:
    """Median seconds of repeat calls."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def big_database(folder: Path) -> tuple[int, list[str]]:
    """1,000 batches holding 2,000,000 vouchers (one of 1,000,000), some claimed and redeemed."""
    fresh(folder, "big.db")
    template = templates.create_template("T", "10%", valid_days=30)
    big = batches.create_batch("Million", template, 1_000_000, "In-store QR")
    for i in range(999):
        batches.create_batch(
            f"Batch {i}", template, 1002 if i == 0 else 1001, "Email"
        )  # 999 batches, 1,000,000 vouchers
    member_ids = [members.create_member(f"m{i}@example.com", "x").id for i in range(200)]
    claimed = [claims.claim(big.token, m).voucher.code for m in member_ids]
    for code in claimed[:100]:
        claims.redeem(code)
    return big.id, claimed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--pg", metavar="URL", help="also generate on this PostgreSQL database (it is emptied)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-core-") as tmp:
        folder = Path(tmp)
        print("Generation (vouchers stored per second; raw = sqlite3.executemany, same schema, one transaction)")
        for quantity in (100_000,) if args.quick else (100_000, 1_000_000):
            ours, raw = generate(folder, quantity)
            print(
                f"  {quantity:>9,} vouchers: create_batch {ours:6.2f} s ({quantity / ours:>9,.0f}/s)   "
                f"raw insert {raw:6.2f} s ({quantity / raw:>9,.0f}/s)   ratio {ours / raw:4.2f}x"
            )
        if args.pg:
            where = args.pg.rpartition("@")[2]
            print(
                f"Generation on PostgreSQL ({where}; executemany = the driver's, a round trip a row;"
                " COPY = the bulk path)"
            )
            for quantity in (100_000,) if args.quick else (100_000, 1_000_000):
                ours, many, copy = generate_pg(args.pg, quantity)
                print(
                    f"  {quantity:>9,} vouchers: create_batch {ours:6.2f} s ({quantity / ours:>9,.0f}/s)   "
                    f"executemany {many:6.2f} s ({quantity / many:>9,.0f}/s)   COPY {copy:6.2f} s "
                    f"({quantity / copy:>9,.0f}/s)"
                )
        if args.quick:
            return
        started = time.perf_counter()
        big_id, claimed = big_database(folder)
        print(f"Built 1,000 batches / 2,000,000 vouchers in {time.perf_counter() - started:.1f} s")
        listed = batches.list_batches()
        assert len(listed) == 1000 and sum(b.total for b in listed) == 2_000_000
        print(f"  all batches' metrics (list_batches):  {timed(batches.list_batches, 50) * 1000:7.2f} ms")
        sample = random.sample(claimed, 100)
        print(
            "  code lookup:                          "
            f"{timed(lambda: vouchers.lookup(random.choice(sample)), 200) * 1000:7.3f} ms"
        )
        fresh_codes = iter(claimed[100:])
        print(
            "  redeem at the till:                   "
            f"{timed(lambda: claims.redeem(next(fresh_codes)), 50) * 1000:7.3f} ms"
        )
        members_left = iter(members.create_member(f"late{i}@example.com", "x").id for i in range(50))
        token = batches.get_batch(big_id).token
        print(
            "  claim:                                "
            f"{timed(lambda: claims.claim(token, next(members_left)), 50) * 1000:7.3f} ms"
        )
        print(
            f"  first keyset page of the 1,000,000:   "
            f"{timed(lambda: vouchers.page(big_id, limit=100), 50) * 1000:7.3f} ms"
        )
        last = vouchers.page_starts(big_id, 100)[-1]
        print(
            "  last page (after page_starts):        "
            f"{timed(lambda: vouchers.page_from(big_id, last, 100), 50) * 1000:7.3f} ms"
        )
        print(
            "  page_starts of the 1,000,000:         "
            f"{timed(lambda: vouchers.page_starts(big_id, 200), 3) * 1000:7.0f} ms"
        )
        started = time.perf_counter()
        written = vouchers.export_csv(big_id, folder / "export.csv")
        seconds = time.perf_counter() - started
        print(f"  export {written:,} vouchers to CSV:  {seconds:7.2f} s ({written / seconds:,.0f} rows/s)")
        started = time.perf_counter()
        deleted = batches.delete_batch(big_id)
        print(f"  delete the {deleted:,}-voucher batch:   {time.perf_counter() - started:7.2f} s")
        store.close_database()


if __name__ == "__main__":
    main()
