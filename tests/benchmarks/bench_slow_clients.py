"""Does the claim site on the store's PC outlive a crowd of slow or idle clients? In one run:

    python tests/benchmarks/bench_slow_clients.py [--quick] [--seconds 40] [--crowds 17x64,50x64,100x64] [--before]

The claim site runs in a process of its own (as the window or `voucher-batches serve` runs it), on
a SQLite file with a batch and a logged-in member. First the member's claim page is opened again
and again with nothing else connected: the reference. Then, for each crowd (addresses x sockets),
every socket from 127.0.0.x addresses sends one byte of a request head every 8 s (issue 21's
attack: slowloris), and each socket the server closes is opened again at the next round, for
--seconds; meanwhile the member opens the page once a second (a try gives up after 10 s). Printed:
how many of the crowd's sockets the server held, the member's page times next to the reference
and the ratio, and the tries that got no page. --before adds waitress as the site ran it before
issue 21 (1,000 connections, any byte counting as activity) for the same crowds.
"""

from __future__ import annotations

import argparse
import http.client
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

TRICKLE_EVERY = 8.0  # seconds between two bytes of a socket (the attack)
PAGE_TIMEOUT = 10.0
ANSWERED_WITHIN = 5.0  # what the README promises of a member's page during the attack

SERVE = """
import logging, sys
logging.getLogger("waitress").setLevel(logging.CRITICAL)
from app.core import store
store.open_database(sys.argv[1])
if sys.argv[2] == "before":  # the claim site's server before issue 21: waitress's own connection handling
    import threading
    from waitress.server import create_server
    from app.web import create_app
    server = create_server(create_app(), host="127.0.0.1", port=0, threads=16, connection_limit=1000,
                           channel_timeout=15, cleanup_interval=5, asyncore_use_poll=True)
    port = server.effective_port
    threading.Thread(target=server.run, daemon=True).start()
else:
    from app.web.server import start_server
    port = start_server("127.0.0.1", 0).port
print(port, flush=True)
sys.stdin.read()
"""


def prepare(db_path: str) -> tuple[str, str]:
    """A batch and a member with a session: (the claim page's path, the member's cookie)."""
    from flask import Flask
    from werkzeug.security import generate_password_hash

    from app.core import batches, members, settings, store, templates
    from app.web import create_app

    store.open_database(db_path)
    settings.save(settings.Settings(store_name="Bench Shop", public_base_url="http://shop.test:8080"))
    batch = batches.create_batch("Slow clients", templates.create_template("10% off", "10%"), 100, "Other")
    member = members.create_member("member@example.com", generate_password_hash("bench-password", "pbkdf2:sha256:1"))
    site: Flask = create_app()
    client = site.test_client()
    page = client.get("/en-us/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/en-us/login", data={"email": member.email, "password": "bench-password", "csrf_token": token})
    cookie = client.get_cookie("voucher_session").value
    store.close_database()
    return f"/en-us/claim/{batch.token}", f"voucher_session={cookie}"


def serve(db_path: str, kind: str) -> tuple[subprocess.Popen, int]:
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE, db_path, kind], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    return process, int(process.stdout.readline())


def page_seconds(port: int, path: str, cookie: str) -> float | None:
    """The member's claim page on a new connection, as a phone opens a link: seconds, or None."""
    started = time.perf_counter()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=PAGE_TIMEOUT)
        connection.request("GET", path, headers={"Cookie": cookie})
        answer = connection.getresponse()
        body = answer.read()
        connection.close()
    except OSError:
        return None
    if answer.status != 200 or b"Claim" not in body:
        return None
    return time.perf_counter() - started


class Crowd:
    """addresses x sockets, each sending one byte every TRICKLE_EVERY seconds, reopened when closed."""

    def __init__(self, port: int, addresses: int, sockets: int, server_pid: int):
        self.port = port
        self.server_pid = server_pid
        self.baseline = server_sockets(server_pid)
        self.slots: list[tuple[str, socket.socket | None]] = [
            (f"127.0.{100 + n // 200}.{1 + n % 200}", None) for n in range(addresses) for _ in range(sockets)
        ]
        self.held_samples: list[int] = []
        self.reopened = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _open(self, source: str) -> socket.socket | None:
        try:
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=2, source_address=(source, 0))
            sock.setblocking(False)
            sock.send(b"G")
            return sock
        except OSError:
            return None

    @staticmethod
    def _closed(sock: socket.socket) -> bool:
        try:
            return sock.recv(1) == b""
        except BlockingIOError:
            return False
        except OSError:
            return True

    def _round(self) -> None:
        for index, (source, sock) in enumerate(self.slots):
            if self._stop.is_set():
                return
            if sock is not None and not self._closed(sock):
                try:
                    sock.send(b"E")  # one more byte of a head that never ends
                    continue
                except OSError:
                    pass
            if sock is not None:
                sock.close()
                self.reopened += 1
            self.slots[index] = (source, self._open(source))
        self.held_samples.append(server_sockets(self.server_pid) - self.baseline)

    def _run(self) -> None:
        while not self._stop.is_set():
            began = time.monotonic()
            self._round()
            self._stop.wait(max(0.0, TRICKLE_EVERY - (time.monotonic() - began)))

    def start(self) -> None:
        self._round()  # all of them open before the member starts trying
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        for _, sock in self.slots:
            if sock is not None:
                sock.close()

    def held(self) -> int:
        """The most connections the server held after a round (it closes the rest at once or at a deadline)."""
        return max(self.held_samples or [0])


def server_sockets(pid: int) -> int:
    """The sockets a process holds (Linux: /proc)."""
    count = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            count += fd.readlink().name.startswith("socket:")
        except OSError:
            pass
    return count


def times_text(times: list[float | None]) -> tuple[str, float | None]:
    answered = [t for t in times if t is not None]
    if not answered:
        return f"no page in {len(times)} tries", None
    median = statistics.median(answered)
    text = f"median {median * 1000:7.1f} ms, slowest {max(answered) * 1000:7.1f} ms"
    missed = len(times) - len(answered)
    text += f", {missed} of {len(times)} tries got no page" if missed else f", all {len(times)} tries answered"
    return text, median


def under_attack(port: int, pid: int, path: str, cookie: str, addresses: int, sockets: int, seconds: float):
    crowd = Crowd(port, addresses, sockets, pid)
    crowd.start()
    times: list[float | None] = []
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            began = time.monotonic()
            times.append(page_seconds(port, path, cookie))
            time.sleep(max(0.0, 1.0 - (time.monotonic() - began)))
    finally:
        crowd.stop()
    return times, crowd


def run(kind: str, db_path: str, path: str, cookie: str, crowds: list[tuple[int, int]], seconds: float, tries: int):
    process, port = serve(db_path, kind)
    try:
        for _ in range(3):  # warm: the first page builds the templates
            page_seconds(port, path, cookie)
        reference = [page_seconds(port, path, cookie) for _ in range(tries)]
        reference_text, reference_median = times_text(reference)
        print(f"  no attack                    {reference_text}")
        results = []
        for addresses, sockets in crowds:
            times, crowd = under_attack(port, process.pid, path, cookie, addresses, sockets, seconds)
            text, median = times_text(times)
            ratio = f"{median / reference_median:5.1f}x" if median and reference_median else "   - "
            worst = max((t for t in times if t is not None), default=None)
            print(
                f"  {addresses:>3} addresses x {sockets} sockets  {text}  ({ratio} the reference;"
                f" server held {crowd.held()} of {addresses * sockets}, reopened {crowd.reopened})"
            )
            results.append((addresses, sockets, times, worst))
        return results
    finally:
        process.stdin.close()
        process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="20 s per crowd instead of 40")
    parser.add_argument("--seconds", type=float, default=None, help="how long each crowd attacks (default 40)")
    parser.add_argument("--crowds", default="17x64,50x64,100x64", help="addresses x sockets, comma-separated")
    parser.add_argument("--tries", type=int, default=20, help="page loads for the reference")
    parser.add_argument("--before", action="store_true", help="also waitress as the site ran it before issue 21")
    args = parser.parse_args()
    seconds = args.seconds or (20.0 if args.quick else 40.0)
    crowds = [tuple(int(n) for n in crowd.split("x")) for crowd in args.crowds.split(",")]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = sum(a * s for a, s in crowds) + 1000
    if soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(needed, hard), hard))

    from app.web.server import LIMITS

    with tempfile.TemporaryDirectory() as folder:
        db_path = str(Path(folder) / "bench.db")
        path, cookie = prepare(db_path)
        print(
            f"Each socket sends one byte of a request head every {TRICKLE_EVERY:g} s for {seconds:g} s and is opened"
            " again when closed; the member opens the claim page once a second meanwhile."
        )
        print(
            f"The claim site now ({LIMITS.connections} connections, {LIMITS.per_address} per address, request head"
            f" within {LIMITS.head_seconds:g} s, idle {LIMITS.idle_seconds:g} s after the last complete request):"
        )
        now = run("site", db_path, path, cookie, crowds, seconds, args.tries)
        if args.before:
            print("Waitress as the site ran it before issue 21 (1,000 connections, any byte is activity):")
            run("before", db_path, path, cookie, crowds, seconds, args.tries)
    print("Goal: every try answered, within", f"{ANSWERED_WITHIN:g} s:")
    met = True
    for addresses, sockets, times, worst in now:
        ok = all(t is not None for t in times) and worst is not None and worst < ANSWERED_WITHIN
        met = met and ok
        print(f"  {addresses} x {sockets}: {'met' if ok else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
