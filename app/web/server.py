"""Serving the claim site with waitress: started in the background (desktop window) or in the foreground (CLI)."""

from __future__ import annotations

import errno
import logging
import os
import signal
import socket
import sys
import threading
import time
from urllib.parse import urlsplit

import peewee
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server
from waitress.task import ErrorTask, ThreadedTaskDispatcher
from waitress.trigger import trigger as Trigger

from app.core import backups, database, db, links, settings
from app.core.errors import ServerProblem, VoucherError

from .security import SECURITY_HEADERS, is_trusted_proxy
from .site import MAX_BODY, create_app

log = logging.getLogger(__name__)

DEFAULT_HOST = settings.DEFAULT_HOST
DEFAULT_PORT = settings.DEFAULT_PORT
# Claims are written one at a time (core's write lock) and the rest is Python under the GIL: the
# server is CPU-bound on one core (the benchmark prints its CPU per request), so threads add no
# speed. They are there for waiting: a claim may wait up to the core's wait limit (5 s) for a
# database that another program holds, and slow logins (scrypt, about 0.3 s, which releases the
# GIL) must not hold up everyone; with 16, a few waiting claims leave the read-only pages answering.
THREADS = 16
# A phone keeps its connection open between pages (keep-alive); a rush of phones, or anyone
# holding idle sockets, must not use up the server: many connections, closed early when idle, and
# a cap per address (not for the trusted reverse proxy, through which every member comes).
CONNECTION_LIMIT = 1000
PER_ADDRESS = 64
IDLE_SECONDS = 15


class _ErrorTask(ErrorTask):
    """Waitress's own answers (a body or headers too large, a malformed request) carry the site's
    security headers too: they never reach the application, whose hook adds them elsewhere."""

    def execute(self):
        self.response_headers.extend(SECURITY_HEADERS.items())
        self.response_headers.append(("Cache-Control", "no-store"))
        super().execute()


class _Channel(HTTPChannel):
    """Waitress's connection, refused at once when its address already holds PER_ADDRESS of them."""

    error_task_class = _ErrorTask

    def __init__(self, server, sock, addr, adj, map=None):
        peer = addr[0] if isinstance(addr, tuple) and addr else ""
        if peer and not is_trusted_proxy(peer, settings.cached().trusted_proxy):
            held = sum(1 for channel in list(server.active_channels.values()) if channel.addr and channel.addr[0] == peer)
            if held >= PER_ADDRESS:
                sock.close()  # never registered: the loop does not see it
                return
        super().__init__(server, sock, addr, adj, map)


def _raise_open_file_limit(wanted: int) -> None:
    """Let this process hold CONNECTION_LIMIT sockets (Linux's default soft limit is 1024)."""
    try:
        import resource
    except ImportError:  # Windows: no such limit for sockets
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            pass


class _Dispatcher(ThreadedTaskDispatcher):
    """Waitress's worker threads, each closing its own database connection when it ends."""

    def handler_thread(self, thread_no):
        try:
            super().handler_thread(thread_no)
        finally:
            db.close_database()  # closes this thread's connection only


class RunningServer:
    """The claim site serving in a daemon thread. stop() is clean and may be called more than once."""

    def __init__(self, server, host: str, port: int):
        self._server = server
        self.host = host
        self.port = port
        self._stopped = threading.Event()
        self._stop_lock = threading.Lock()
        self._stop_requested = False
        self._thread = threading.Thread(target=self._run, name=f"claim-site:{port}", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """An address a browser on this PC can open (the wildcard addresses mean this PC)."""
        host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(self.host, self.host)
        return f"http://{f'[{host}]' if ':' in host else host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and not self._stopped.is_set()

    def _run(self) -> None:
        try:
            self._server.run()
        finally:
            self._stopped.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the server has stopped (or timeout seconds pass); True when it has."""
        return self._stopped.wait(timeout)

    def stop(self, timeout: float = 5.0) -> None:
        """Finish the requests in progress (up to timeout seconds), close every connection, end the threads."""
        with self._stop_lock:
            if self._stop_requested:
                return
            self._stop_requested = True
            self._server.task_dispatcher.shutdown(cancel_pending=True, timeout=timeout)
            if not self._thread.is_alive():
                return
            socket_map = getattr(self._server, "_map", None) or self._server.map
            trigger = next((d for d in list(socket_map.values()) if isinstance(d, Trigger)), None)
            if trigger is not None:
                # the socket map belongs to the loop thread: close it there, which ends the loop
                try:
                    trigger.pull_trigger(lambda: _close_all(socket_map))
                except OSError:  # the loop closed its trigger between our look and our pull: it is ending
                    pass
            self._thread.join(timeout)

    def __repr__(self) -> str:
        return f"<RunningServer {self.url} {'running' if self.running else 'stopped'}>"


def _close_all(socket_map: dict) -> None:
    for channel in list(socket_map.values()):
        try:
            channel.close()
        except OSError:
            pass
    socket_map.clear()


def _explain(exc: OSError, host: str, port: int) -> str:
    if isinstance(exc, socket.gaierror):
        return f"The claim site cannot listen on {host}: this PC does not know that address. Use 0.0.0.0 to listen on every network."
    if exc.errno == errno.EADDRINUSE:
        return (
            f"Port {port} is already in use by another program (perhaps the claim site is running already). "
            "Stop that program or choose another port."
        )
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"The address {host} is not one of this PC's addresses, so the claim site cannot listen on it. Use 0.0.0.0 to listen on every network."
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"Port {port} needs administrator rights; choose a port above 1023, such as 8080."
    return f"The claim site cannot listen on {host} port {port}: {exc.strerror or exc}."


def start_server(
    host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *, app=None, threads: int = THREADS, sockets: list | None = None
) -> RunningServer:
    """Bind host:port now (a busy port raises ServerProblem at once), then serve in a daemon thread;
    or serve on listening sockets made already (a worker process of `serve --workers N`).

    Port 0 picks a free port; the RunningServer tells which. The core database must be open."""
    if not isinstance(port, int) or not 0 <= port <= 65535:
        raise ServerProblem(f"The port must be a number from 1 to 65535, not {port!r}.")
    if db.database.obj is None:
        raise ServerProblem("Open the database before starting the claim site.")
    if app is None:
        app = create_app()
    _raise_open_file_limit(CONNECTION_LIMIT + 200)
    dispatcher = _Dispatcher()
    socket_map: dict = {}
    where = {"sockets": sockets} if sockets else {"host": host, "port": port}
    try:
        server = create_server(
            app,
            map=socket_map,
            **where,
            _dispatcher=dispatcher,
            ident="voucher-batches",
            # the app itself believes forwarded headers only from the configured proxy (a setting that may change)
            clear_untrusted_proxy_headers=False,
            max_request_body_size=4 * MAX_BODY,
            connection_limit=CONNECTION_LIMIT,
            channel_timeout=IDLE_SECONDS,
            cleanup_interval=max(1, IDLE_SECONDS // 3),
            asyncore_use_poll=True,  # select() stops at 1024 sockets
        )
    except OSError as exc:
        _close_all(socket_map)  # the wake-up pipe and the socket made before the bind failed
        raise ServerProblem(_explain(exc, host, port)) from None
    for listener in _listeners(server):
        listener.channel_class = _Channel
    dispatcher.set_thread_count(threads)
    # waitress warns "Task queue depth is N" whenever a burst of phones waits for a thread: normal here
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    bound_host, bound_port = _bound_address(server, host)
    return RunningServer(server, bound_host, bound_port)


def _listeners(server) -> list:
    """The listening servers: one, or several for a name with IPv4 and IPv6 addresses."""
    socket_map = getattr(server, "_map", None) or server.map
    return [d for d in list(socket_map.values()) if isinstance(d, BaseWSGIServer)]


def _bound_address(server, host: str) -> tuple[str, int]:
    listening = getattr(server, "effective_listen", None)
    if listening:  # several sockets (a name with IPv4 and IPv6 addresses): report the first
        return str(listening[0][0]), int(listening[0][1])
    return str(server.effective_host), int(server.effective_port)


DAY = 24 * 3600


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, workers: int = 1) -> None:
    """Serve in the foreground until Ctrl+C (or SIGTERM), then stop cleanly. The database must be
    open; a damaged one is refused before anything is served. workers > 1: that many processes
    on one port (see _serve_with_workers)."""
    backups.check_open_database()
    if workers > 1:
        _serve_with_workers(host, port, workers)
        return
    running = start_server(host, port)
    previous = _interrupt_on_sigterm()
    try:  # from here on, Ctrl+C at any moment (even while printing) stops cleanly
        _announce(running.host, running.port, running.url)
        threading.Thread(target=_look_after_the_database, args=(running,), name="daily-check", daemon=True).start()
        running.wait()
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    print("Claim site stopped.", flush=True)


def _upkeep() -> None:
    """The day's check and backup (once per site, however many processes serve it)."""
    try:
        made = backups.maintain()
        if made is not None:  # on stderr: stdout says where the site is, for whoever reads it
            print(f"Backed up the database to {made.path}", file=sys.stderr, flush=True)
    except VoucherError as exc:
        log.error("%s", exc)
        print(f"Warning: {exc}", file=sys.stderr, flush=True)
    finally:
        db.close_database()  # this thread's connection only


def _look_after_the_database(running: RunningServer) -> None:
    """The day's backup now, then a check and a backup once a day while the site serves."""
    while running.running:
        _upkeep()
        if running.wait(DAY):
            return


# -- several processes on one port ---------------------------------------------------------------

QUICK_FAILURE = 5.0  # a worker that ends sooner than this after it started did not get going
QUICK_FAILURES = 5  # in a row: then the site stops, rather than starting workers that cannot run
STOP_WAIT = 10.0  # seconds the workers get to finish their requests before they are killed


def _listening_sockets(host: str, port: int) -> list[socket.socket]:
    """The site's listening sockets, made once in the supervisor and inherited by every worker (the
    kernel hands each new connection to one of the processes waiting on them)."""
    made: list[socket.socket] = []
    try:
        for family, kind, proto, _, address in socket.getaddrinfo(
            host or None, port, socket.AF_UNSPEC, socket.SOCK_STREAM, 0, socket.AI_PASSIVE
        ):
            if made and port == 0:
                break  # a free port is picked once: one socket
            listener = socket.socket(family, kind, proto)
            made.append(listener)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            listener.bind(address)
            listener.listen(1024)
            listener.set_inheritable(True)
    except OSError as exc:
        for listener in made:
            listener.close()
        raise ServerProblem(_explain(exc, host, port)) from None
    return made


def _serve_with_workers(host: str, port: int, workers: int) -> None:
    """N processes serve the site on one port: this one (the supervisor) makes the listening
    sockets, forks the workers, which open their own database connections, starts another when one
    ends unexpectedly, makes the daily backup itself (once, not N times), and on Ctrl+C or SIGTERM
    stops them all. Each worker is a whole claim site; every rule holds across processes in the
    database itself (BEGIN IMMEDIATE on SQLite, row locks on PostgreSQL, unique indexes, checked
    counters), not in the in-process write lock."""
    if not hasattr(os, "fork"):
        raise ServerProblem("Several worker processes need Linux or macOS; on Windows the claim site runs as one process (--workers 1).")
    sockets = _listening_sockets(host, port)
    if isinstance(db.database.obj, peewee.SqliteDatabase):
        import multiprocessing

        database.share_write_lock(multiprocessing.get_context("fork").RLock())  # inherited by every worker
    previous = _interrupt_on_sigterm()
    children: dict[int, tuple[int, float]] = {}  # pid: (worker number, started at)
    try:
        bound_host, bound_port = sockets[0].getsockname()[:2]
        shown = "127.0.0.1" if bound_host in ("0.0.0.0", "") else ("::1" if bound_host == "::" else bound_host)
        _announce(host or bound_host, bound_port, f"http://{f'[{shown}]' if ':' in shown else shown}:{bound_port}", workers)
        _upkeep()  # before the first fork: no connection is shared with a worker
        for number in range(1, workers + 1):
            children[_fork_worker(sockets, number)] = (number, time.monotonic())
        _supervise(sockets, children)
    except KeyboardInterrupt:
        pass
    finally:
        _stop_workers(children)
        for listener in sockets:
            listener.close()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    print("Claim site stopped.", flush=True)


def _supervise(sockets: list[socket.socket], children: dict[int, tuple[int, float]]) -> None:
    """Until interrupted: replace a worker that ends, and make the daily backup when it is due.
    Single-threaded on purpose: forking a process that runs other threads can copy a held lock."""
    quick = 0
    next_upkeep = time.monotonic() + DAY
    while True:
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            if time.monotonic() >= next_upkeep:
                _upkeep()
                next_upkeep = time.monotonic() + DAY
            time.sleep(0.2)
            continue
        if pid not in children:
            continue
        number, started = children.pop(pid)
        quick = quick + 1 if time.monotonic() - started < QUICK_FAILURE else 0
        ended = _ending(status)
        if quick >= QUICK_FAILURES:
            raise ServerProblem(
                f"The claim site's worker processes keep stopping as soon as they start (the last one {ended}); "
                "see the messages above. The claim site stopped."
            )
        print(f"Claim site worker {number} {ended}; starting another.", file=sys.stderr, flush=True)
        children[_fork_worker(sockets, number)] = (number, time.monotonic())


def _ending(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"was ended by signal {os.WTERMSIG(status)}"
    return f"stopped with exit code {os.waitstatus_to_exitcode(status)}"


def _fork_worker(sockets: list[socket.socket], number: int) -> int:
    db.close_database()  # a connection is never shared between processes: each worker opens its own
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:  # the worker: never returns into the supervisor's code
        code = _run_worker(sockets)
    except BaseException:  # noqa: BLE001 - whatever ends a worker is said, and it exits
        log.exception("Claim site worker %d failed", number)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _run_worker(sockets: list[socket.socket]) -> int:
    """A worker process: the whole claim site on the inherited sockets, until SIGTERM or Ctrl+C."""
    signal.signal(signal.SIGTERM, _raise_interrupt)
    running = None
    try:
        running = start_server(sockets=sockets)
        running.wait()
    except KeyboardInterrupt:
        pass
    except VoucherError as exc:
        print(f"Claim site worker: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        if running is not None:
            running.stop()
    return 0


def _stop_workers(children: dict[int, tuple[int, float]]) -> None:
    """SIGTERM to every worker (they finish their requests), then wait; kill those still there."""
    for pid in list(children):
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            children.pop(pid)
    deadline = time.monotonic() + STOP_WAIT
    while children and time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        except KeyboardInterrupt:  # a second Ctrl+C: stop waiting
            break
        if pid:
            children.pop(pid, None)
        else:
            time.sleep(0.05)
    for pid in list(children):
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
    children.clear()


def _announce(host: str, port: int, url: str, workers: int = 1) -> None:
    shown = settings.choose_claim_base()  # from now on the links keep this address
    processes = f", {workers} worker processes" if workers > 1 else ""
    print(f"Claim site listening on {host}:{port} (on this PC: {url}{processes})", flush=True)
    if host in ("0.0.0.0", "", "::"):
        print(f"Phones on this network reach it at http://{settings.lan_address()}:{port}", flush=True)
    print(f"Public base URL (in claim links and QR codes): {shown.base_url}", flush=True)
    verdict = links.judge(shown.base_url)
    if verdict.status != "ok":
        print(f"Note: {verdict.message} {verdict.fix}", flush=True)
    if links.points_here(shown.base_url) and urlsplit(shown.base_url).port not in (None, port):
        print(
            f"Note: claim links point to port {urlsplit(shown.base_url).port}, but this server listens on {port}; "
            "set the port or the public base URL to match.",
            flush=True,
        )
    print("Press Ctrl+C to stop.", flush=True)


def _interrupt_on_sigterm():
    """Treat SIGTERM (a service manager's stop) like Ctrl+C; only possible on the main thread."""
    if threading.current_thread() is not threading.main_thread() or sys.platform == "win32":
        return None

    return signal.signal(signal.SIGTERM, _raise_interrupt)


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt
