"""Benchmark: what drawing voucher pictures ("Save voucher image", Qt in the claim site's process) costs
the other requests (a script, not collected by pytest).

    python tests/benchmarks/bench_voucher_image.py [--pictures-clients 4] [--requests 300] [--seconds 8]

`voucher-batches serve` runs in a process of its own on a scratch SQLite database. A member holds one
valid voucher in each of many batches, so every picture asked for is a new one (nothing comes from the
site's small cache of drawn pictures). Measured, side by side in one run:

- a picture: the time to answer /en-us/my-cards/<code>/card.png, the first (Qt starts) and the rest;
- the reference: a visitor's claim page (a read of the database and a template), one request after
  another, while nothing else runs;
- the same claim page, for --seconds, while --pictures-clients members ask for pictures without pause
  (a member told "busy, try again", 503, asks for the same picture again at once; those answers are
  counted).

Goal: with pictures being drawn all the time, the claim page's median stays under 3× its reference
median and its 95th percentile under 150 ms (pictures are drawn one at a time on a thread of their own,
so the server's other threads keep answering)."""

from __future__ import annotations

import argparse
import collections
import http.client
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.helpers.ports import free_port  # noqa: E402 (after the checkout is on the path)
from tests.helpers.serving import start_serve, stop_serve  # noqa: E402

PASSWORD = "benchmark-password"
QUICK_HASH = "pbkdf2:sha256:1000"
VOUCHERS = 400
GOAL_MEDIAN_RATIO = 3.0
GOAL_P95_MS = 150.0


def prepare(database: Path) -> tuple[list[str], str]:
    """The member's voucher codes, and a claim page's path; the database closed again."""
    from werkzeug.security import generate_password_hash

    from app.core import batches, claims, members, settings, store, templates

    store.open_database(database)
    settings.save(settings.Settings(store_name="Bench Shop", public_base_url="http://127.0.0.1"))
    offer = templates.create_template("10% off", "10%", min_purchase="20", valid_days=30, terms="One per visit.")
    member = members.create_member("bench@example.com", generate_password_hash(PASSWORD, QUICK_HASH), "Bench")
    codes = []
    for n in range(VOUCHERS):
        batch = batches.create_batch(f"Bench {n}", offer, 1, "Email", "", title=f"Treat number {n}")
        codes.append(claims.claim(batch.token, member.id).voucher.code)
    visited = batches.create_batch("Visited", offer, 10, "In-store QR", "A treat.", title="10% off today")
    store.close_database()
    return codes, f"/en-us/claim/{visited.token}"


def log_in(port: int) -> str:
    """The member's session cookie."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/en-us/login")
    response = connection.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    body = urllib.parse.urlencode({"email": "bench@example.com", "password": PASSWORD, "csrf_token": token})
    headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    connection.request("POST", "/en-us/login", body, headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.getheader("Set-Cookie").split(";", 1)[0]


def timed_get(connection: http.client.HTTPConnection, path: str, cookie: str = "") -> tuple[float, int, int]:
    started = time.perf_counter()
    connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = connection.getresponse()
    body = response.read()
    return time.perf_counter() - started, response.status, len(body)


def page_latencies(port: int, path: str, count: int, seconds: float = 0.0) -> list[float]:
    """count requests one after another, and more until `seconds` have passed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    found: list[float] = []
    until = time.perf_counter() + seconds
    while len(found) < count or time.perf_counter() < until:
        seconds, status, _ = timed_get(connection, path)
        assert status == 200, status
        found.append(seconds)
    connection.close()
    return found


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pictures-clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=8.0, help="how long the pages are measured under load")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.db"
        codes, claim_page = prepare(database)
        port = free_port()
        server = start_serve(str(database), port)
        try:
            cookie = log_in(port)
            pending = collections.deque(codes)
            lock = threading.Lock()
            picture_times: list[float] = []
            busy = [0]
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            first, status, size = timed_get(connection, f"/en-us/my-cards/{pending.popleft()}/card.png", cookie)
            assert status == 200, status
            connection.close()
            page_latencies(port, claim_page, 30)  # warm
            reference = page_latencies(port, claim_page, options.requests)

            stop = threading.Event()

            def ask_for_pictures() -> None:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                while not stop.is_set():
                    with lock:
                        code = pending.popleft() if pending else None
                    if code is None:
                        return
                    seconds, status, _ = timed_get(connection, f"/en-us/my-cards/{code}/card.png", cookie)
                    assert status in (200, 503), status
                    with lock:
                        if status == 503:  # "busy, try again": at once, the same picture
                            busy[0] += 1
                            pending.appendleft(code)
                        else:
                            picture_times.append(seconds)
                connection.close()

            clients = [threading.Thread(target=ask_for_pictures) for _ in range(options.pictures_clients)]
            started = time.perf_counter()
            for client in clients:
                client.start()
            time.sleep(0.5)  # the queue of pictures is full before the pages are measured
            loaded = page_latencies(port, claim_page, options.requests, seconds=options.seconds)
            stop.set()
            for client in clients:
                client.join()
            elapsed = time.perf_counter() - started
        finally:
            stop_serve(server)
    ms = 1000.0
    ratio = statistics.median(loaded) / statistics.median(reference)
    p95 = percentile(loaded, 0.95) * ms
    print(f"voucher picture: first {first * ms:.0f} ms (Qt starts), {size / 1024:.0f} KB")
    print(
        f"voucher pictures under load: {len(picture_times)} in {elapsed:.1f} s ({len(picture_times) / elapsed:.1f}/s), "
        f"median {statistics.median(picture_times) * ms:.0f} ms each as {options.pictures_clients} members wait; "
        f"{busy[0]} answers of busy, try again (503)"
    )
    print(f"{'claim page':<34} {'median':>8} {'p95':>8} {'max':>8}")
    for label, values in (
        ("alone (reference)", reference),
        (f"while pictures are drawn ({options.pictures_clients})", loaded),
    ):
        print(
            f"{label:<34} {statistics.median(values) * ms:6.1f} ms {percentile(values, 0.95) * ms:6.1f} ms "
            f"{max(values) * ms:6.1f} ms"
        )
    good = ratio < GOAL_MEDIAN_RATIO and p95 < GOAL_P95_MS
    print(
        f"median ratio {ratio:.2f}x (goal < {GOAL_MEDIAN_RATIO:g}x), p95 {p95:.0f} ms (goal < {GOAL_P95_MS:g} ms): "
        f"{'ok' if good else 'TOO SLOW'}"
    )
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
