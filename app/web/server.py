"""The waitress server of the claim site, started in the background (by the desktop window, by `serve`, by a
worker process), with its connection limits and the security headers on its own answers."""

from __future__ import annotations

import errno
import logging
import socket
import threading

from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server
from waitress.task import ErrorTask, ThreadedTaskDispatcher
from waitress.trigger import trigger as Trigger

from app.core import settings, store, windows
from app.core.errors import ServerProblem

from . import listening
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
            held = sum(
                1 for channel in list(server.active_channels.values()) if channel.addr and channel.addr[0] == peer
            )
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
            store.close_database()  # closes this thread's connection only


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
            with windows.kept_awake():  # Windows: no sleep while the site serves (this thread's state)
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


def explain_bind_failure(exc: OSError, host: str, port: int) -> str:
    refused = listening.refusal_sentence(exc, port)  # Windows: an excluded range, or an exclusive bind
    if refused is not None:
        return refused
    if isinstance(exc, socket.gaierror):
        return (
            f"The claim site cannot listen on {host}: this PC does not know that address. Use 0.0.0.0 to listen "
            "on every network."
        )
    if exc.errno == errno.EADDRINUSE:
        return (
            f"Port {port} is already in use by another program (perhaps the claim site is running already). "
            "Stop that program or choose another port."
        )
    if exc.errno == errno.EADDRNOTAVAIL:
        return (
            f"The address {host} is not one of this PC's addresses, so the claim site cannot listen on it. Use "
            "0.0.0.0 to listen on every network."
        )
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
    if store.database.obj is None:
        raise ServerProblem("Open the database before starting the claim site.")
    if app is None:
        app = create_app()
    _raise_open_file_limit(CONNECTION_LIMIT + 200)
    dispatcher = _Dispatcher()
    socket_map: dict = {}
    if sockets is None and listening.exclusive_bind():  # Windows: no second server on this port
        try:
            sockets = listening.listening_sockets(host, port)
        except OSError as exc:
            raise ServerProblem(explain_bind_failure(exc, host, port)) from None
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
            connection_limit=listening.connection_limit(CONNECTION_LIMIT),  # Windows: what select() takes
            channel_timeout=IDLE_SECONDS,
            cleanup_interval=max(1, IDLE_SECONDS // 3),
            asyncore_use_poll=True,  # select() stops at 1024 sockets
        )
    except OSError as exc:
        _close_all(socket_map)  # the wake-up pipe and the socket made before the bind failed
        raise ServerProblem(explain_bind_failure(exc, host, port)) from None
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


# -- several processes on one port ---------------------------------------------------------------
