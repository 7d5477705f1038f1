"""The claim site in the foreground (`voucher-batches serve`): one process, or a supervisor that forks
N worker processes on one port and replaces one that dies; the day's check and backup, made once
while the site serves; Ctrl+C or SIGTERM stops it all cleanly."""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import peewee

from app.core import batches, links, settings, store, webhook_sender
from app.core.errors import ServerProblem, VoucherError
from app.core.store import backups

from . import listening
from .server import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    RunningServer,
    explain_bind_failure,
    start_server,
)

log = logging.getLogger(__name__)


DAY = 24 * 3600


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, workers: int = 1) -> None:
    """Serve in the foreground until Ctrl+C (or SIGTERM), then stop cleanly. The database must be
    open; a damaged one is refused before anything is served. workers > 1: that many processes
    on one port (see serve_with_workers)."""
    backups.check_open_database()
    if workers > 1:
        serve_with_workers(host, port, workers)
        return
    running = start_server(host, port)
    sender = webhook_sender.start()
    previous = _interrupt_on_sigterm()
    try:  # from here on, Ctrl+C at any moment (even while printing) stops cleanly
        _announce(running.host, running.port, running.url)
        threading.Thread(target=_look_after_the_database, args=(running,), name="daily-check", daemon=True).start()
        running.wait()
    except KeyboardInterrupt:
        pass
    finally:
        sender.stop()
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
        batches.purge_deleted()  # the vouchers of batches deleted meanwhile, by a program cut short
    except VoucherError as exc:
        log.error("%s", exc)
        print(f"Warning: {exc}", file=sys.stderr, flush=True)
    finally:
        store.close_database()  # this thread's connection only


def _look_after_the_database(running: RunningServer) -> None:
    """The day's backup now, then a check and a backup once a day while the site serves."""
    while running.running:
        _upkeep()
        if running.wait(DAY):
            return


QUICK_FAILURE = 5.0  # a worker that ends sooner than this after it started did not get going


QUICK_FAILURES = 5  # in a row: then the site stops, rather than starting workers that cannot run


STOP_WAIT = 10.0  # seconds the workers get to finish their requests before they are killed


def _listening_sockets(host: str, port: int) -> list[socket.socket]:
    """The site's listening sockets, made once in the supervisor and inherited by every worker (the
    kernel hands each new connection to one of the processes waiting on them)."""
    try:
        return listening.listening_sockets(host, port, inheritable=True)
    except OSError as exc:
        raise ServerProblem(explain_bind_failure(exc, host, port)) from None


def serve_with_workers(host: str, port: int, workers: int) -> None:
    """N processes serve the site on one port: this one (the supervisor) makes the listening
    sockets, forks the workers, which open their own database connections, starts another when one
    ends unexpectedly, makes the daily backup itself (once, not N times), and on Ctrl+C or SIGTERM
    stops them all. Each worker is a whole claim site; every rule holds across processes in the
    database itself (BEGIN IMMEDIATE on SQLite, row locks on PostgreSQL, unique indexes, checked
    counters), not in the in-process write lock."""
    if not hasattr(os, "fork"):
        raise ServerProblem(
            "Several worker processes need Linux or macOS; on Windows the claim site runs as one process (--workers 1)."
        )
    sockets = _listening_sockets(host, port)
    _inherited_listeners[:] = sockets
    if isinstance(store.database.obj, peewee.SqliteDatabase):
        import multiprocessing

        store.share_write_lock(multiprocessing.get_context("fork").RLock())  # inherited by every worker
    previous = _interrupt_on_sigterm()
    children: dict[int, tuple[int, float]] = {}  # pid: (worker number, started at)
    try:
        bound_host, bound_port = sockets[0].getsockname()[:2]
        shown = "127.0.0.1" if bound_host in ("0.0.0.0", "") else ("::1" if bound_host == "::" else bound_host)
        _announce(
            host or bound_host, bound_port, f"http://{f'[{shown}]' if ':' in shown else shown}:{bound_port}", workers
        )
        _upkeep()  # before the first fork: no connection is shared with a worker
        for number in range(1, workers + 1):
            children[_fork_worker(sockets, number)] = (number, time.monotonic())
        children[_fork_sender()] = (SENDER, time.monotonic())
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
        if number == SENDER:
            print(f"The webhook sender {ended}; starting another.", file=sys.stderr, flush=True)
            children[_fork_sender()] = (SENDER, time.monotonic())
            continue
        print(f"Claim site worker {number} {ended}; starting another.", file=sys.stderr, flush=True)
        children[_fork_worker(sockets, number)] = (number, time.monotonic())


def _ending(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"was ended by signal {os.WTERMSIG(status)}"
    return f"stopped with exit code {os.waitstatus_to_exitcode(status)}"


def _fork_worker(sockets: list[socket.socket], number: int) -> int:
    store.close_database()  # a connection is never shared between processes: each worker opens its own
    sys.stdout.flush()
    sys.stderr.flush()
    supervisor = os.getpid()
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:  # the worker: never returns into the supervisor's code
        code = _run_worker(sockets, supervisor)
    except BaseException:  # noqa: BLE001 - whatever ends a worker is said, and it exits
        log.exception("Claim site worker %d failed", number)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


SUPERVISOR_CHECK = 0.5  # seconds between a child's looks at whether its supervisor still runs


SENDER = 0  # the child that sends the webhooks' outbox (workers are numbered from 1)


def _fork_sender() -> int:
    """The one process that sends webhooks for the whole site: the workers serve, this one sends;
    it stops, as the workers do, once its supervisor is gone."""
    store.close_database()
    sys.stdout.flush()
    sys.stderr.flush()
    supervisor = os.getpid()
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:  # the sender: never returns into the supervisor's code
        for listener in _inherited_listeners:
            listener.close()  # it answers no connection
        signal.signal(signal.SIGTERM, _raise_interrupt)
        stop = threading.Event()
        threading.Thread(
            target=_stop_when_orphaned,
            args=(lambda: not stop.is_set(), stop.set, supervisor, "The webhook sender"),
            name="supervisor-watch",
            daemon=True,
        ).start()
        try:
            webhook_sender.Sender().run(stop)
        except KeyboardInterrupt:
            stop.set()
        code = 0
    except BaseException:  # noqa: BLE001 - whatever ends it is said, and it exits
        log.exception("The webhook sender failed")
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


_inherited_listeners: list[socket.socket] = []


def _run_worker(sockets: list[socket.socket], supervisor: int) -> int:
    """A worker process: the whole claim site on the inherited sockets, until SIGTERM or Ctrl+C, or
    until its supervisor is gone."""
    signal.signal(signal.SIGTERM, _raise_interrupt)
    running = None
    try:
        running = start_server(sockets=sockets)
        server = running
        threading.Thread(
            target=_stop_when_orphaned,
            args=(lambda: server.running, server.stop, supervisor, "Claim site worker"),
            name="supervisor-watch",
            daemon=True,
        ).start()
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


def _stop_when_orphaned(running: Callable[[], bool], stop: Callable[[], None], supervisor: int, who: str) -> None:
    """Stop a worker or the webhook sender once its supervisor is gone (killed with SIGKILL, say,
    which it cannot pass on): it would otherwise go on unsupervised, a worker holding the port so
    that the next `serve` could not start, a sender beside the next one's. The kernel then hands
    the child to another parent."""
    while running():
        if os.getppid() != supervisor:
            print(f"{who}: its supervisor is gone; stopping.", file=sys.stderr, flush=True)
            stop()
            return
        time.sleep(SUPERVISOR_CHECK)


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
