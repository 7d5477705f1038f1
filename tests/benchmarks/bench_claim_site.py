"""Claims per second through the real claim site, next to a plain waitress "hello", in one run.

    python tests/benchmarks/bench_claim_site.py [--clients 16] [--claims 4800] [--threads 4]

Each server runs in its own process (as `voucher-batches serve` does), on 127.0.0.1 only. Every
client is a logged-in member with a session cookie who posts the claim form with its CSRF token,
on a kept-alive connection, claiming one voucher after another from a series of batches (one
voucher per member per batch, as the rules say). Goal (issue 3): claims/s at least 30 % of the
hello rate and p99 under 25 ms at 16 concurrent clients on the 2-core machine.

Under each rate it prints the server process's CPU time per request and how busy it kept one
core (from /proc, Linux only): the server runs Python under one GIL, so once it is busy about
100 % of one core its CPU per request, not any wait, is what sets the rate.
"""

from __future__ import annotations

import argparse
import http.client
import logging
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

PASSWORD = "benchmark-password"
QUICK_HASH = "pbkdf2:sha256:1000"  # logins are not what is measured


# -- the two servers, each in a process of its own ----------------------------------------------


def hello_app(environ, start_response):
    body = b"Hello, world!"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


def run_server(kind: str, db_path: str, threads: int) -> None:
    """Serve until stdin closes; the first line on stdout is the port."""
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth is 3" at every burst
    if kind == "hello":
        from waitress.server import create_server

        server = create_server(hello_app, host="127.0.0.1", port=0, threads=threads)
        port = server.effective_port
        threading.Thread(target=server.run, daemon=True).start()
    else:
        from app.core import db
        from app.web.server import start_server

        db.open_database(db_path)
        running = start_server("127.0.0.1", 0, threads=threads)
        port = running.port
    print(port, flush=True)
    sys.stdin.read()


def spawn(kind: str, db_path: str, threads: int) -> tuple[subprocess.Popen, int]:
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve", kind, "--db", db_path, "--threads", str(threads)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    return process, int(process.stdout.readline())


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system, all threads) a process has used so far, from /proc; None off Linux."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def measure(pool, worker, arguments, start_at: float, pid: int) -> tuple[list, float | None]:
    """Run the clients; also the server's CPU time from the moment they start (after the logins) to the end.

    The server runs Python under one GIL, so it can use at most one core: near 1.0 s of CPU per
    second means it is CPU-bound, and CPU per request is then what sets the rate."""
    running = pool.map(worker, *arguments)  # submitted now; the clients wait for start_at
    time.sleep(max(0.0, start_at - time.time()))
    before = cpu_seconds(pid)
    results = list(running)
    after = cpu_seconds(pid)
    return results, (after - before if before is not None and after is not None else None)


# -- the data: members and batches --------------------------------------------------------------


def prepare(db_path: str, clients: int, batches_needed: int) -> tuple[list[str], list[str]]:
    from werkzeug.security import generate_password_hash

    from app.core import batches, db, members, settings, templates

    db.open_database(db_path)
    settings.save(settings.Settings(store_name="Benchmark Store", public_base_url="http://127.0.0.1"))
    template = templates.create_template("Bench offer", "10%", min_purchase="5", valid_days=30, terms="One per visit")
    quick = generate_password_hash(PASSWORD, QUICK_HASH)
    emails = [members.create_member(f"bench{n}@example.com", quick, f"Bench {n}").email for n in range(clients)]
    tokens = [batches.create_batch(f"Bench batch {n}", template, clients, "Other", "Benchmark").token for n in range(batches_needed)]
    db.close_database()
    return emails, tokens


def core_ceiling(db_path: str, clients: int, rounds: int = 20) -> float:
    """core.claims.claim() alone, one thread, no HTTP: every claim holds core's write lock, so the
    site can never claim faster than this, however it is served."""
    from app.core import batches, claims, db, members, templates

    db.open_database(db_path)
    template = templates.find_template("Bench offer")
    ids = [members.find_member(f"bench{n}@example.com").id for n in range(clients)]
    tokens = [batches.create_batch(f"Core batch {n}", template, clients, "Other", "").token for n in range(rounds)]
    began = time.perf_counter()
    for token in tokens:
        for member_id in ids:
            assert claims.claim(token, member_id).voucher is not None
    rate = clients * rounds / (time.perf_counter() - began)
    db.close_database()
    return rate


# -- the clients ---------------------------------------------------------------------------------


class Member:
    """One logged-in member on one kept-alive connection."""

    def __init__(self, port: int, email: str):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = ""
        page = self.request("GET", "/en-us/login")
        fields = {"email": email, "password": PASSWORD, "csrf_token": self.csrf(page)}
        status, _ = self.request("POST", "/en-us/login", fields)
        assert status == 303, f"login failed: {status}"
        self.token = self.csrf(self.request("GET", "/en-us/my-cards"))

    @staticmethod
    def csrf(page) -> str:
        return re.search(r'name="csrf_token" value="([^"]+)"', page[1]).group(1)

    def request(self, method, path, fields=None):
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode()
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, text


def claim_worker(port: int, emails: list[str], tokens: list[str], start_at: float) -> tuple[list[float], int, float]:
    """Runs in a client process: one thread per member, each claiming from every batch in turn."""
    members = [Member(port, email) for email in emails]
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()

    def run(member: Member):
        mine = []
        for token in tokens:
            t0 = time.perf_counter()
            status, text = member.request("POST", f"/en-us/claim/{token}", {"csrf_token": member.token})
            mine.append(time.perf_counter() - t0)
            if status != 200 or "Voucher claimed!" not in text:
                with lock:
                    failures[0] += 1
        with lock:
            latencies.extend(mine)

    elapsed = run_together([threading.Thread(target=run, args=(m,)) for m in members], start_at)
    return latencies, failures[0], elapsed


def run_together(threads: list[threading.Thread], start_at: float) -> float:
    """Start the threads at start_at (every client process starts together); seconds until all end."""
    time.sleep(max(0.0, start_at - time.time()))
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began


def hello_worker(port: int, clients: int, requests_each: int, start_at: float) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()

    def run():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        for _ in range(requests_each):
            t0 = time.perf_counter()
            connection.request("GET", "/")
            response = connection.getresponse()
            response_body = response.read()
            mine.append(time.perf_counter() - t0)
            if response.status != 200 or response_body != b"Hello, world!":
                with lock:
                    failures[0] += 1
        with lock:
            latencies.extend(mine)

    elapsed = run_together([threading.Thread(target=run) for _ in range(clients)], start_at)
    return latencies, failures[0], elapsed


def summarise(label: str, results, unit: str, server_cpu: float | None = None) -> float:
    latencies = sorted(l for lat, _, _ in results for l in lat)
    failures = sum(f for _, f, _ in results)
    elapsed = max(e for _, _, e in results)
    rate = len(latencies) / elapsed
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    print(f"{label:<8} {rate:8.0f} {unit}/s   p50 {p50:6.2f} ms   p99 {p99:6.2f} ms   ({len(latencies)} requests, {failures} failed)")
    if server_cpu is not None:
        print(f"{'':<8} server CPU {server_cpu / len(latencies) * 1000:.2f} ms per request, busy {server_cpu / elapsed * 100:.0f} % of one core")
    return rate, p99, failures


def split(items: list, parts: int) -> list[list]:
    return [items[n::parts] for n in range(parts)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--claims", type=int, default=4800, help="claims in all (rounded to whole batches)")
    parser.add_argument("--threads", type=int, default=None, help="server threads (default: the claim site's)")
    parser.add_argument("--processes", type=int, default=2, help="client processes sharing the clients")
    parser.add_argument("--serve", choices=["hello", "claims"], help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()

    from app.web.server import THREADS

    threads = args.threads or THREADS
    if args.serve:
        run_server(args.serve, args.db, threads)
        return 0

    batches_needed = max(1, args.claims // args.clients)
    with tempfile.TemporaryDirectory() as folder:
        db_path = os.path.join(folder, "bench.db")
        emails, tokens = prepare(db_path, args.clients, batches_needed)
        print(f"{args.clients} concurrent clients, {threads} server threads, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")

        # spawned, not forked: a forked client would hold the servers' stdin open, and they would never stop
        with ProcessPoolExecutor(args.processes, mp_context=multiprocessing.get_context("spawn")) as pool:
            process, port = spawn("hello", db_path, threads)
            try:
                each = split(list(range(args.clients)), args.processes)
                start_at = time.time() + 1.0
                arguments = ([port] * args.processes, [len(e) for e in each], [max(200, batches_needed)] * args.processes, [start_at] * args.processes)
                hello, hello_cpu = measure(pool, hello_worker, arguments, start_at, process.pid)
            finally:
                process.stdin.close()
                process.wait()
            hello_rate, _, _ = summarise("hello", hello, "req", hello_cpu)

            process, port = spawn("claims", db_path, threads)
            try:
                start_at = time.time() + 3.0  # the logins happen before this
                arguments = ([port] * args.processes, split(emails, args.processes), [tokens] * args.processes, [start_at] * args.processes)
                claims, claims_cpu = measure(pool, claim_worker, arguments, start_at, process.pid)
            finally:
                process.stdin.close()
                process.wait()
            claim_rate, p99, failures = summarise("claims", claims, "claims", claims_cpu)

        ceiling = core_ceiling(db_path, args.clients)
    print(f"core     {ceiling:8.0f} claims/s   core.claims.claim() alone: one thread, no HTTP, no Flask")
    share = claim_rate / hello_rate * 100
    print(f"claims are {share:.0f} % of the hello rate (goal >= 30 %); p99 {p99:.1f} ms (goal < 25 ms)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
