"""The claim site under load, side by side in one run: a plain waitress "hello", a bare Flask app
doing the same claim on the same schema (tests/benchmarks/bare_claim.py, served by the site's own
server), then claims per second through `voucher-batches serve --workers N` with 1 and 2 worker
processes, on SQLite and on PostgreSQL.

    python tests/benchmarks/bench_claim_site.py [--quick] [--pg postgresql://user@host/scratch]

The PostgreSQL rows need a database the benchmark may empty: --pg URL, else $VOUCHER_BATCHES_TEST_DB
when it names one (as for the test suite); without one they are left out, with a note.

The rows of a database take turns: three rounds each (--rounds), bare claim, 1 worker, 2 workers,
bare claim again ..., on one store with every server started once, each round on batches of its
own, its figures added up with the row's other rounds; so the load of whatever else runs on the
machine weighs on each row alike, and the ratios compare like with like.

Every server runs in processes of its own, on 127.0.0.1. Every client is a logged-in member with
a session cookie who posts the claim form with its CSRF token on a kept-alive connection, claiming
one voucher after another from a series of batches (one per member per batch, as the rules say).
After each run the batches' counters are compared with the vouchers actually held.

Server CPU per request is the server processes' own CPU time (user + system, from /proc, Linux)
over the measured interval, divided by the requests: the figure that says how much work a claim
is, next to a hello, whatever else runs on the machine. Client CPU per request is the client
processes' own, PG CPU that of the PostgreSQL processes on this machine, and "cores busy" all of
these CPU seconds per second of the run: the clients and the database share the machine, so a
second worker can only use the cores they leave. Goals (issue 25), one worker against the bare
claim on the same database in the same run: >= 0.7x its claims/s, server CPU per claim <= 2x its,
p99 <= 1.5x its p99. (Issue 13's, still printed: 2 workers >= 1.6x one, p99 < 25 ms, <= 3x a hello.)
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
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.helpers.ports import free_port  # noqa: E402 (after the checkout is on the path)

PASSWORD = "benchmark-password"
QUICK_HASH = "pbkdf2:sha256:1000"  # logins are not what is measured
GOAL_SCALING = 1.6
GOAL_P99_MS = 25.0
GOAL_CPU_RATIO = 3.0
GOAL_BARE_RATE = 0.7  # claims/s, at least this much of the bare claim's
GOAL_BARE_CPU = 2.0  # server CPU per claim, at most this many times the bare claim's
GOAL_BARE_P99 = 1.5  # p99, at most this many times the bare claim's


# -- the servers ---------------------------------------------------------------------------------


def hello_app(environ, start_response):
    body = b"Hello, world!"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


def run_hello(threads: int) -> None:
    """Serve hello until stdin closes; the first line on stdout is the port."""
    from waitress.server import create_server

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth is 3" at every burst
    server = create_server(hello_app, host="127.0.0.1", port=0, threads=threads)
    threading.Thread(target=server.run, daemon=True).start()
    print(server.effective_port, flush=True)
    sys.stdin.read()


def run_bare(database: str) -> None:
    """Serve the bare claim app (bare_claim.py) on the claim site's own server until stdin closes;
    the first line on stdout is the port."""
    from app.core import store
    from app.web.server import start_server
    from tests.benchmarks import bare_claim

    store.open_database(database)  # the server reads the site's settings (the trusted proxy)
    running = start_server("127.0.0.1", 0, app=bare_claim.create_app(database))
    print(running.port, flush=True)
    sys.stdin.read()
    running.stop()


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def cpu_seconds(pids: list[int]) -> float:
    """CPU time (user + system, all threads) these processes have used so far, from /proc."""
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rpartition(")")[2].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            pass
    return total


class Serve:
    """`voucher-batches serve --workers N` on a database, until stop()."""

    def __init__(self, database: str, workers: int):
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "app.cli",
                "serve",
                "--db",
                database,
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        for line in self.process.stdout:
            if "Press Ctrl+C to stop." in line:
                break
        else:
            raise SystemExit(f"the claim site did not start: {self.process.stderr.read()}")
        deadline = time.monotonic() + 20
        while workers > 1 and len(children(self.process.pid)) < workers and time.monotonic() < deadline:
            time.sleep(0.05)

    def pids(self) -> list[int]:
        return [self.process.pid, *children(self.process.pid)]

    def stop(self) -> None:
        self.process.terminate()
        self.process.communicate(timeout=30)


# -- the data ------------------------------------------------------------------------------------


def empty_postgres(url: str) -> None:
    from contextlib import closing

    import psycopg2

    with closing(psycopg2.connect(url)) as con:
        con.autocommit = True
        with con.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")


def prepare(database: str, clients: int, batches_needed: int) -> tuple[list[str], list[str], list[int]]:
    """A store with `clients` members and `batches_needed` batches of `clients` vouchers each."""
    from werkzeug.security import generate_password_hash

    from app.core import batches, members, settings, store, templates

    store.open_database(database)
    settings.save(settings.Settings(store_name="Benchmark Store", public_base_url="http://127.0.0.1"))
    template = templates.create_template("Bench offer", "10%", min_purchase="5", valid_days=30, terms="One per visit")
    quick = generate_password_hash(PASSWORD, QUICK_HASH)
    emails = [members.create_member(f"bench{n}@example.com", quick, f"Bench {n}").email for n in range(clients)]
    made = [
        batches.create_batch(f"Bench batch {n}", template, clients, "Other", "Benchmark") for n in range(batches_needed)
    ]
    store.close_database()
    return emails, [b.token for b in made], [b.id for b in made]


def counters_agree(database: str, batch_ids: list[int]) -> bool:
    """After the run: every batch's claimed counter equals the vouchers its members hold."""
    from app.core import store

    store.open_database(database)
    try:
        for batch_id in batch_ids:
            counted, held = store.run_sql(
                "SELECT b.claimed_count,"
                " (SELECT COUNT(*) FROM voucher v WHERE v.batch_id = b.id AND v.member_id IS NOT NULL)"
                " FROM batch b WHERE b.id = :batch",
                {"batch": batch_id},
            ).fetchone()
            if counted != held:
                return False
        return True
    finally:
        store.close_database()


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


def claim_worker(
    port: int, emails: list[str], tokens: list[str], start_at: float
) -> tuple[list[float], int, float, float]:
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

    elapsed, cpu = run_together([threading.Thread(target=run, args=(m,)) for m in members], start_at)
    return latencies, failures[0], elapsed, cpu


def run_together(threads: list[threading.Thread], start_at: float) -> tuple[float, float]:
    """Start the threads at start_at (every client process starts together); seconds until all end,
    and the CPU seconds this client process spent meanwhile."""
    time.sleep(max(0.0, start_at - time.time()))
    began, cpu = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began, time.process_time() - cpu


def hello_worker(port: int, clients: int, requests_each: int, start_at: float) -> tuple[list[float], int, float, float]:
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

    elapsed, cpu = run_together([threading.Thread(target=run) for _ in range(clients)], start_at)
    return latencies, failures[0], elapsed, cpu


@dataclass
class Row:
    label: str
    rate: float
    p50: float
    p99: float
    cpu_ms: float | None
    client_cpu_ms: float
    database_cpu_ms: float  # the PostgreSQL processes on this machine (SQLite's is in the server's)
    cores_busy: float  # server, clients and PostgreSQL together, of the machine's os.cpu_count()
    requests: int
    failures: int
    counters_ok: bool = True


def split(items: list, parts: int) -> list[list]:
    return [items[n::parts] for n in range(parts)]


def postgres_pids() -> list[int]:
    """Every PostgreSQL server process on this machine (the database's own CPU, when it runs here)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().strip() == "postgres":
                found.append(int(entry.name))
        except OSError:
            pass
    return found


def measure(pool, worker, arguments, start_at: float, pids) -> tuple[list, float, float]:
    """Run the clients; also the servers' CPU time from the moment they start (after the logins),
    and that of the PostgreSQL processes on this machine."""
    running = pool.map(worker, *arguments)  # submitted now; the clients wait for start_at
    time.sleep(max(0.0, start_at - time.time()))
    watched, database = pids(), postgres_pids()
    before, database_before = cpu_seconds(watched), cpu_seconds(database)
    results = list(running)
    return (
        results,
        cpu_seconds(watched) - before,
        cpu_seconds(sorted(set(database) | set(postgres_pids()))) - database_before,
    )


@dataclass
class Rounds:
    """One row's measurements, added up over its rounds (each round: its own server and clients)."""

    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    elapsed: float = 0.0  # the rounds' own times, added (the time between rounds is no one's)
    client_cpu: float = 0.0
    server_cpu: float = 0.0
    database_cpu: float = 0.0
    counters_ok: bool = True

    def add(self, results, server_cpu: float, database_cpu: float = 0.0, counters_ok: bool = True) -> None:
        self.latencies += [seconds for lat, _, _, _ in results for seconds in lat]
        self.failures += sum(f for _, f, _, _ in results)
        self.elapsed += max(e for _, _, e, _ in results)
        self.client_cpu += sum(c for _, _, _, c in results)
        self.server_cpu += server_cpu
        self.database_cpu += database_cpu
        self.counters_ok = self.counters_ok and counters_ok


def row(label: str, rounds: Rounds) -> Row:
    latencies = sorted(rounds.latencies)
    n = len(latencies)
    return Row(
        label,
        n / rounds.elapsed,
        statistics.median(latencies) * 1000,
        latencies[min(n - 1, int(n * 0.99))] * 1000,
        rounds.server_cpu / n * 1000 if rounds.server_cpu > 0 else None,
        rounds.client_cpu / n * 1000,
        rounds.database_cpu / n * 1000,
        (rounds.server_cpu + rounds.client_cpu + rounds.database_cpu) / rounds.elapsed,
        n,
        rounds.failures,
        rounds.counters_ok,
    )


def bench_hello(pool, clients: int, processes: int, requests_each: int, threads: int) -> Row:
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve-hello", str(threads)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        port = int(process.stdout.readline())
        each = split(list(range(clients)), processes)
        start_at = time.time() + 1.0
        arguments = ([port] * processes, [len(e) for e in each], [requests_each] * processes, [start_at] * processes)
        results, cpu, _ = measure(pool, hello_worker, arguments, start_at, lambda: [process.pid])
    finally:
        process.stdin.close()
        process.wait()
    measured = Rounds()
    measured.add(results, cpu)
    return row("hello (waitress)", measured)


class Bare:
    """The bare claim app (bare_claim.py) in a process of its own, until stop()."""

    def __init__(self, database: str):
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve-bare", database],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        self.port = int(self.process.stdout.readline())

    def pids(self) -> list[int]:
        return [self.process.pid]

    def stop(self) -> None:
        self.process.stdin.close()
        self.process.wait()


def claim_round(pool, rounds: Rounds, site, database: str, emails: list[str], batches: list, processes: int) -> None:
    """One round of claims on a running server, from batches of its own (token, id), added to rounds."""
    tokens, batch_ids = [token for token, _ in batches], [batch_id for _, batch_id in batches]
    start_at = time.time() + 3.0  # the logins happen before this
    arguments = ([site.port] * processes, split(emails, processes), [tokens] * processes, [start_at] * processes)
    results, cpu, database_cpu = measure(pool, claim_worker, arguments, start_at, site.pids)
    postgres = database.startswith("postgres")
    rounds.add(results, cpu, database_cpu if postgres else 0.0, counters_agree(database, batch_ids))


KINDS = ("bare", 1, 2)  # the bare claim app, then `serve` with 1 and 2 workers


def bench_database(pool, database: str, clients: int, processes: int, per_round: int, turns: int) -> dict:
    """The rows of one database taking turns, round after round (bare, 1 worker, 2 workers, bare ...),
    so that what else the machine runs weighs on each alike: one store, every server started once
    (each has warmed up by its second round), each round on batches of its own. {kind: Rounds}."""
    emails, tokens, batch_ids = prepare(database, clients, per_round * turns * len(KINDS))
    batches = list(zip(tokens, batch_ids, strict=True))
    measured = {kind: Rounds() for kind in KINDS}
    sites: dict = {}
    try:
        for kind in KINDS:
            sites[kind] = Bare(database) if kind == "bare" else Serve(database, kind)
        for turn in range(turns):
            for number, kind in enumerate(KINDS):
                first = (turn * len(KINDS) + number) * per_round
                claim_round(
                    pool, measured[kind], sites[kind], database, emails, batches[first : first + per_round], processes
                )
    finally:
        for site in sites.values():
            site.stop()
    return measured


def application_cpu(folder: str, clients: int, batches_needed: int) -> float:
    """The claim site's own CPU per claim (ms): the claim form posted straight to the WSGI
    application, one after another in this process, no server and no network in between."""
    import io

    from app.core import store
    from app.web import create_app

    database = os.path.join(folder, "application.db")
    emails, tokens, _ = prepare(database, clients, batches_needed)
    store.open_database(database)
    site = create_app()
    sessions = []
    for email in emails:
        client = site.test_client()
        form = Member.csrf((0, client.get("/en-us/login").get_data(as_text=True)))
        client.post("/en-us/login", data={"email": email, "password": PASSWORD, "csrf_token": form})
        token = Member.csrf((0, client.get("/en-us/my-cards").get_data(as_text=True)))
        sessions.append(
            (f"voucher_session={client.get_cookie('voucher_session').value}", f"csrf_token={token}".encode())
        )

    def post(token: str, cookie: str, body: bytes) -> None:
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": f"/en-us/claim/{token}",
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8080",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1:8080",
            "HTTP_COOKIE": cookie,
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        status = []
        page = b"".join(site(environ, lambda answer, headers, exc_info=None: status.append(answer)))
        assert status[0].startswith("200") and b"Voucher claimed!" in page, status

    warm = max(1, batches_needed // 10)
    for token in tokens[:warm]:
        for cookie, body in sessions:
            post(token, cookie, body)
    began = time.process_time()
    for token in tokens[warm:]:
        for cookie, body in sessions:
            post(token, cookie, body)
    spent = time.process_time() - began
    store.close_database()
    return spent / (len(tokens[warm:]) * len(sessions)) * 1000


def _postgres_url(given: str | None) -> str:
    url = given or os.environ.get("VOUCHER_BATCHES_TEST_DB", "")
    return url if url.startswith(("postgres://", "postgresql://")) else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer claims per row (a rough figure in about a minute)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--claims", type=int, default=None, help="claims per row (default 3200, --quick 800)")
    parser.add_argument(
        "--pg", metavar="URL", help="a PostgreSQL database the benchmark may empty (default $VOUCHER_BATCHES_TEST_DB)"
    )
    parser.add_argument("--processes", type=int, default=2, help="client processes sharing the clients")
    parser.add_argument(
        "--rounds", type=int, default=3, help="turns each row takes, in between the others' (default 3)"
    )
    parser.add_argument("--serve-hello", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--serve-bare", help=argparse.SUPPRESS)
    parser.add_argument("--sqlite-only", action="store_true", help="leave PostgreSQL out even when one is given")
    args = parser.parse_args()
    if args.serve_hello:
        run_hello(args.serve_hello)
        return 0
    if args.serve_bare:
        run_bare(args.serve_bare)
        return 0

    from app.web.server import THREADS

    claims = args.claims or (800 if args.quick else 3200)
    batches_needed = max(1, claims // args.clients)
    pg = "" if args.sqlite_only else _postgres_url(args.pg)
    print(
        f"{args.clients} concurrent clients in {args.processes} processes, {THREADS} server threads per process, "
        f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}; {batches_needed * args.clients} claims per row"
    )
    rows: list[Row] = []
    bare: dict[str, Row] = {}
    with (
        tempfile.TemporaryDirectory() as folder,
        ProcessPoolExecutor(
            args.processes,
            mp_context=multiprocessing.get_context("spawn"),  # forked clients would hold the servers' pipes open
        ) as pool,
    ):
        hello = bench_hello(pool, args.clients, args.processes, max(200, batches_needed), THREADS)
        rows.append(hello)
        databases = [("SQLite", None)] + ([("PostgreSQL", pg)] if pg else [])
        per_round = max(1, batches_needed // args.rounds)
        for name, url in databases:
            if url is None:
                database = os.path.join(folder, "bench.db")
            else:
                empty_postgres(url)
                database = url
            measured = bench_database(pool, database, args.clients, args.processes, per_round, args.rounds)
            bare[name] = row(f"{name}, bare claim", measured["bare"])
            rows += [row(f"{name}, 1 worker", measured[1]), row(f"{name}, 2 workers", measured[2])]
        application = application_cpu(folder, args.clients, max(10, batches_needed // 4))

    print()
    print(
        f"{'':<22} {'per second':>10} {'p50 ms':>8} {'p99 ms':>8} {'server CPU':>11} {'x hello':>8} "
        f"{'client CPU':>11} {'PG CPU':>9} {'cores busy':>10}"
    )
    for r in [rows[0], *bare.values(), *rows[1:]]:
        ratio = f"{r.cpu_ms / hello.cpu_ms:7.1f}x" if r is not hello and r.cpu_ms and hello.cpu_ms else ""
        cpu = f"{r.cpu_ms:8.2f} ms" if r.cpu_ms else "       n/a"
        notes = (f"  {r.failures} failed" if r.failures else "") + ("" if r.counters_ok else "  COUNTERS DISAGREE")
        print(
            f"{r.label:<22} {r.rate:10.0f} {r.p50:8.2f} {r.p99:8.2f} {cpu:>11} {ratio:>8} {r.client_cpu_ms:8.2f} ms"
            f" {f'{r.database_cpu_ms:6.2f} ms' if r.database_cpu_ms else '':>9}"
            f" {r.cores_busy:6.2f} of {os.cpu_count()}{notes}"
        )
    print(
        f"{'application alone':<22} {'':>10} {'':>8} {'':>8} {application:8.2f} ms {'':>8}"
        "  (SQLite, WSGI call, no server)"
    )
    if not pg:
        print("PostgreSQL: left out (no database given: --pg URL, or VOUCHER_BATCHES_TEST_DB=postgresql://...)")

    print("\nGoals (issue 25: one worker against the bare claim, same database, same run):")
    for r in rows[1:]:
        reference = bare.get(r.label.split(",")[0])
        if reference is None or not r.label.endswith(", 1 worker"):
            continue
        rate, p99 = r.rate / reference.rate, r.p99 / reference.p99
        cpu = r.cpu_ms / reference.cpu_ms if r.cpu_ms and reference.cpu_ms else float("nan")
        print(
            f"  {r.label}: {rate:.2f}x the bare claim's claims/s (goal >= {GOAL_BARE_RATE}x): "
            f"{'met' if rate >= GOAL_BARE_RATE else 'NOT met'}; server CPU {cpu:.2f}x "
            f"(goal <= {GOAL_BARE_CPU:g}x): {'met' if cpu <= GOAL_BARE_CPU else 'NOT met'}; p99 {p99:.2f}x "
            f"(goal <= {GOAL_BARE_P99}x): {'met' if p99 <= GOAL_BARE_P99 else 'NOT met'}"
        )
    print("Goals of issue 13:")
    claims_rows = rows[1:]
    for first, second in zip(claims_rows[0::2], claims_rows[1::2], strict=False):  # an odd last row has no pair
        scale = second.rate / first.rate
        database = first.label.split(",")[0]
        print(
            f"  {database}: 2 workers {scale:.2f}x one (goal >= {GOAL_SCALING}x): "
            f"{'met' if scale >= GOAL_SCALING else 'NOT met'}"
            f"; with one worker {first.cores_busy:.2f} of the {os.cpu_count()} CPUs were busy,"
            f" with two {second.cores_busy:.2f}"
        )
    worst = max(claims_rows, key=lambda r: r.p99)
    print(
        f"  p99 at {args.clients} clients, worst {worst.p99:.1f} ms ({worst.label}; goal < {GOAL_P99_MS:g} ms): "
        f"{'met' if worst.p99 < GOAL_P99_MS else 'NOT met'}"
    )
    one = claims_rows[0]
    if one.cpu_ms and hello.cpu_ms:
        ratio = one.cpu_ms / hello.cpu_ms
        print(
            f"  a claim {one.cpu_ms:.2f} ms of server CPU, {ratio:.1f}x a hello's {hello.cpu_ms:.2f} ms "
            f"(goal <= {GOAL_CPU_RATIO:g}x): {'met' if ratio <= GOAL_CPU_RATIO else 'NOT met'}"
        )
    broken = any(r.failures or not r.counters_ok for r in [*rows, *bare.values()])
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
