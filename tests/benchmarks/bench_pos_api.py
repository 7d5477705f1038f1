"""The point-of-sale API under load, next to the till's own look-up in the same run: look-ups and
redemptions per second through `voucher-batches serve` with 8 clients, and the till's look-up (the
very function the window's Find voucher runs, in-process, one at a time), with the ratio.

    python tests/benchmarks/bench_pos_api.py [--seconds 5] [--workers 1] [--pg postgresql://user@host/scratch]

The clients are 8 points of sale (threads, in 2 processes of their own, each on a kept-alive
connection with its API key), against the server in processes of its own on 127.0.0.1. Look-ups
ask random claimed vouchers' codes; redemptions redeem distinct claimed vouchers, each with its own
Idempotency-Key and an order total. After the run the batch's redeemed counter is compared with the
redemptions answered `redeemed` and with the vouchers' own rows.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.bench_claim_site import Serve, empty_postgres  # noqa: E402 (after the checkout is on the path)

CLIENTS = 8
CLIENT_PROCESSES = 2


def prepare(database: str, claimed: int) -> tuple[list[str], str, int]:
    """A batch whose `claimed` vouchers are claimed (one member each), and an API key."""
    from app.core import api_keys, batches, claims, members, settings, store, templates

    store.open_database(database)
    settings.save(settings.Settings(store_name="Benchmark Store", public_base_url="http://127.0.0.1"))
    offer = templates.create_template("Bench offer", "10%", min_purchase="5", valid_days=30)
    batch = batches.create_batch("Bench batch", offer, claimed + 100, "Other", "Benchmark")
    codes = []
    for n in range(claimed):
        member = members.create_member(f"bench{n}@example.com", "not-a-real-hash")
        codes.append(claims.claim(batch.token, member.id).voucher.code)
    key = api_keys.create("Bench till")[1]
    store.close_database()
    return codes, key, batch.id


def till_lookups(database: str, codes: list[str], seconds: float) -> tuple[float, list[float]]:
    """The till's own look-up, in this process, one after another: (per second, latencies)."""
    from app.core import settings, store
    from app.gui.controllers.till import look_up

    store.open_database(database)
    settings.load()
    chosen = random.Random(1)
    latencies = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        t0 = time.perf_counter()
        detail, _offer, _refusal = look_up(chosen.choice(codes))
        latencies.append(time.perf_counter() - t0)
        assert detail is not None
    store.close_database()
    return len(latencies) / seconds, latencies


def _client(port: int, key: str, work, start_at: float):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    time.sleep(max(0.0, start_at - time.time()))
    return work(connection, headers)


def lookup_worker(port: int, key: str, codes: list[str], seconds: float, threads: int, start_at: float):
    """A client process: `threads` points of sale looking codes up for `seconds`."""
    results: list[tuple[list[float], int]] = []
    lock = threading.Lock()

    def work(connection, headers):
        chosen, latencies, failures = random.Random(), [], 0
        end = start_at + seconds
        while time.time() < end:
            t0 = time.perf_counter()
            connection.request("GET", f"/api/v1/vouchers/{chosen.choice(codes)}", headers=headers)
            answer = connection.getresponse()
            body = answer.read()
            latencies.append(time.perf_counter() - t0)
            if answer.status != 200 or json.loads(body)["refusal"] is not None:
                failures += 1
        with lock:
            results.append((latencies, failures))

    pool = [threading.Thread(target=_client, args=(port, key, work, start_at)) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return [x for r in results for x in r[0]], sum(r[1] for r in results)


def redeem_worker(port: int, key: str, shares: list[list[str]], start_at: float):
    """A client process: one point of sale per share of codes, redeeming each once."""
    results: list[tuple[list[float], int, int]] = []
    lock = threading.Lock()

    def run(codes):
        def work(connection, headers):
            latencies, redeemed, failures = [], 0, 0
            for n, code in enumerate(codes):
                t0 = time.perf_counter()
                connection.request(
                    "POST",
                    f"/api/v1/vouchers/{code}/redeem",
                    body=json.dumps({"order_total": 20 + n % 50, "staff": "Bench"}),
                    headers={**headers, "Idempotency-Key": f"sale-{code}"},
                )
                answer = connection.getresponse()
                body = json.loads(answer.read())
                latencies.append(time.perf_counter() - t0)
                if answer.status == 200 and body["outcome"] == "redeemed":
                    redeemed += 1
                else:
                    failures += 1
            with lock:
                results.append((latencies, redeemed, failures))

        return work

    pool = [threading.Thread(target=_client, args=(port, key, run(codes), start_at)) for codes in shares]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return [x for r in results for x in r[0]], sum(r[1] for r in results), sum(r[2] for r in results)


def counted(database: str, batch_id: int) -> tuple[int, int]:
    from app.core import store

    store.open_database(database)
    try:
        return tuple(
            store.run_sql(
                "SELECT b.redeemed_count, (SELECT COUNT(*) FROM voucher v WHERE v.batch_id = b.id AND v.status = 2)"
                " FROM batch b WHERE b.id = :id",
                {"id": batch_id},
            ).fetchone()
        )
    finally:
        store.close_database()


def ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


def run(database: str, seconds: float, workers: int, redemptions: int) -> None:
    codes, key, batch_id = prepare(database, redemptions)
    till_rate, till_latencies = till_lookups(database, codes, seconds)
    serve = Serve(database, workers)
    try:
        with ProcessPoolExecutor(CLIENT_PROCESSES) as pool:
            start_at = time.time() + 1.5
            threads = CLIENTS // CLIENT_PROCESSES
            done = list(
                pool.map(
                    lookup_worker,
                    *zip(*[(serve.port, key, codes, seconds, threads, start_at)] * CLIENT_PROCESSES, strict=True),
                )
            )
            lookups = [x for latencies, _ in done for x in latencies]
            lookup_failures = sum(f for _, f in done)
            shares = [codes[n::CLIENTS] for n in range(CLIENTS)]
            start_at = time.time() + 1.5
            redeemed_done = list(
                pool.map(
                    redeem_worker,
                    *zip(
                        *[(serve.port, key, shares[p::CLIENT_PROCESSES], start_at) for p in range(CLIENT_PROCESSES)],
                        strict=True,
                    ),
                )
            )
            redeem_wall = time.time() - start_at  # every client began at start_at; the last has ended
    finally:
        serve.stop()
    redeem_latencies = [x for latencies, _, _ in redeemed_done for x in latencies]
    redeemed = sum(r for _, r, _ in redeemed_done)
    redeem_failures = sum(f for _, _, f in redeemed_done)
    api_lookups = len(lookups) / seconds
    api_redemptions = redeemed / redeem_wall
    counter, rows = counted(database, batch_id)
    where = "PostgreSQL" if database.startswith("postgres") else "SQLite"
    print(f"\n{where}, serve --workers {workers}, {CLIENTS} clients ({os.cpu_count()} cores on this machine)")
    print(f"{'what':<48} {'per second':>11} {'p50 ms':>8} {'p99 ms':>8}")
    print(
        f"{'the till’s own look-up (in-process, 1 at a time)':<48} {till_rate:>11,.0f} "
        f"{ms(till_latencies, 0.5):>8.2f} {ms(till_latencies, 0.99):>8.2f}"
    )
    print(
        f"{'API look-ups (GET /vouchers/{code})':<48} {api_lookups:>11,.0f} {ms(lookups, 0.5):>8.2f} "
        f"{ms(lookups, 0.99):>8.2f}"
    )
    print(
        f"{'API redemptions (POST …/redeem, idempotent)':<48} {api_redemptions:>11,.0f} "
        f"{ms(redeem_latencies, 0.5):>8.2f} {ms(redeem_latencies, 0.99):>8.2f}"
    )
    print(
        f"ratio: API look-ups ÷ the till's look-up = {api_lookups / till_rate:.2f}; "
        f"API redemptions ÷ the till's look-up = {api_redemptions / till_rate:.2f}"
    )
    print(
        f"failures: {lookup_failures} look-ups, {redeem_failures} redemptions; redeemed {redeemed} of "
        f"{len(codes)}; counter {counter}, rows {rows}: {'agree' if counter == rows == redeemed else 'DISAGREE'}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="how long the look-ups run (each of the two)")
    parser.add_argument("--workers", type=int, default=1, help="serve --workers N (default 1)")
    parser.add_argument("--redemptions", type=int, default=2000, help="claimed vouchers to redeem (default 2000)")
    parser.add_argument("--pg", default="", help="also on this PostgreSQL database, which is emptied first")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-pos-"))
    os.environ["XDG_DATA_HOME"] = str(folder / "data")  # serve's daily backup goes there
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    run(str(folder / "bench.db"), args.seconds, args.workers, args.redemptions)
    if args.pg:
        empty_postgres(args.pg)
        run(args.pg, args.seconds, args.workers, args.redemptions)
    return 0


if __name__ == "__main__":
    sys.exit(main())
