"""Does the claim link keep working for every member? Two figures, measured in one run:

    python tests/benchmarks/bench_availability.py [--idle 300] [--tries 20]

1. Idle phones: N idle keep-alive connections from N different addresses (127.0.x.y) held open
   on the real claim site (in its own process, as `voucher-batches serve` runs it); then a new
   member opens a page, again and again. Goal (issue 10): under 1 s. Beside it, the same app on
   waitress's defaults (100 connections, no cap), as the claim site ran before.
2. A locked database at the till: another program holds the write lock; how long a redeem takes
   to say "Waiting for the database (used by another program)…" (goal: within 0.5 s), and to give
   up with its sentence (goal: at most 5 s, the default wait limit).
"""

from __future__ import annotations

import argparse
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import ExitStack, closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

SERVE = """
import logging, sys, threading
logging.getLogger("waitress").setLevel(logging.CRITICAL)  # its overflow warning, once per refused phone
from app.core import store
store.open_database(sys.argv[1])
if sys.argv[2] == "defaults":  # the claim site as it was: waitress's own limits
    from waitress.server import create_server
    from app.web import create_app
    server = create_server(create_app(), host="127.0.0.1", port=0, threads=4)
    port = server.effective_port
    threading.Thread(target=server.run, daemon=True).start()
else:
    from app.web.server import start_server
    port = start_server("127.0.0.1", 0).port
print(port, flush=True)
sys.stdin.read()
"""


def serve(db_path: str, kind: str) -> tuple[subprocess.Popen, int]:
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE, db_path, kind], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    return process, int(process.stdout.readline())


def page_seconds(port: int, timeout: float) -> float | None:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/en-us/login", timeout=timeout) as answer:
            answer.read()
    except (urllib.error.URLError, OSError):
        return None
    return time.perf_counter() - started


def idle_phones(db_path: str, kind: str, idle: int, tries: int) -> str:
    process, port = serve(db_path, kind)
    try:
        with ExitStack() as held:
            for n in range(idle):
                source = f"127.0.{1 + n // 250}.{2 + n % 250}"
                try:
                    held.enter_context(
                        socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0))
                    )
                except OSError:
                    break
            time.sleep(0.5)  # let the server accept what it will
            times = [page_seconds(port, timeout=5.0) for _ in range(tries)]
    finally:
        process.stdin.close()
        process.wait()
    answered = [t for t in times if t is not None]
    if not answered:
        return f"no page within 5 s in {tries} tries"
    text = f"median {statistics.median(answered) * 1000:.1f} ms, slowest {max(answered) * 1000:.1f} ms"
    if len(answered) < tries:
        text += f", {tries - len(answered)} of {tries} tries got no page within 5 s"
    return text


def locked_till(db_path: str, tries: int) -> tuple[list[float], list[float]]:
    from app.core import batches, claims, members, store, templates
    from app.core.errors import DatabaseProblem

    store.open_database(db_path)
    offer = templates.create_template("Bench offer", "10%")
    batch = batches.create_batch("Till bench", offer, tries, "Other")
    codes = [
        claims.claim(batch.token, members.create_member(f"till{n}@example.com", "x").id).voucher.code
        for n in range(tries)
    ]
    said, gave_up = [], []
    with closing(sqlite3.connect(db_path, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")  # another program: a backup, the CLI, a long delete
        for code in codes:
            started = time.perf_counter()
            with store.reporting_waits(lambda started=started: said.append(time.perf_counter() - started)):
                try:
                    claims.redeem(code)
                except DatabaseProblem:
                    gave_up.append(time.perf_counter() - started)
        other.execute("ROLLBACK")
    store.close_database()
    return said, gave_up


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--idle", type=int, default=300)
    parser.add_argument("--tries", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db_path = str(Path(folder) / "bench.db")
        from app.core import store

        store.open_database(db_path)
        store.close_database()
        print(
            f"{args.idle} idle keep-alive connections from {args.idle} addresses, then a new member opens a page "
            f"{args.tries} times:"
        )
        print(f"  claim site now        {idle_phones(db_path, 'site', args.idle, args.tries)}   (goal < 1 s)")
        print(f"  waitress's defaults   {idle_phones(db_path, 'defaults', args.idle, args.tries)}")
        said, gave_up = locked_till(db_path, 5)
    print("A redeem at the till while another program holds the database (5 tries):")
    print(
        f"  says it is waiting after   median {statistics.median(said) * 1000:.0f} ms,"
        f" slowest {max(said) * 1000:.0f} ms   (goal < 500 ms)"
    )
    print(
        f"  gives up with a sentence   median {statistics.median(gave_up):.2f} s,"
        f" slowest {max(gave_up):.2f} s   (goal <= 5 s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
