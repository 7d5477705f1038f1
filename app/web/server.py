"""The waitress server of the claim site, started in the background (by the desktop window, by `serve`, by a
worker process), with its connection limits and deadlines (connections.py), and two pools of threads:
one for pages that only read, one for requests that may write (and a few for voucher pictures, which
wait for the render thread)."""

from __future__ import annotations

import errno
import logging
import socket
import threading
import time

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import MultiSocketServer
from waitress.task import ThreadedTaskDispatcher
from waitress.trigger import trigger as Trigger

from app.core import settings, store, windows
from app.core.errors import ServerProblem

from .connections import Crowd, Limits, Listener, limits_for
from .pocket import PICTURES_WAITING, is_picture
from .site import MAX_BODY, create_app

log = logging.getLogger(__name__)

DEFAULT_HOST = settings.DEFAULT_HOST
DEFAULT_PORT = settings.DEFAULT_PORT
# Claims are written one at a time (core's write lock) and the rest is Python under the GIL: the
# server is CPU-bound on one core (the benchmark prints its CPU per request), so threads add no
# speed. They are there for waiting: a claim may wait up to the core's wait limit (5 s, or longer
# with --wait) for a database that another program holds, and slow logins (scrypt, about 0.3 s,
# which releases the GIL) must not hold up everyone. So requests that may write (POST: claims,
# logins, registrations) have threads of their own, and pages that only read (GET: home, a claim
# page, My Cards) theirs: sixty claims waiting for a lock never make a member's page wait.
READ_THREADS = 8
WRITE_THREADS = 8
# Voucher pictures wait for the one render thread (pocket.py): a rush of them would otherwise take
# the reading threads, or queue ahead of members' pages. They have threads of their own: as many as
# may wait for the render thread, and two more that answer the rest ("busy, try again", or a
# picture drawn already) at once.
PICTURE_THREADS = PICTURES_WAITING + 2
THREADS = READ_THREADS + WRITE_THREADS + PICTURE_THREADS
WRITING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LIMITS = limits_for()


class _Pool(ThreadedTaskDispatcher):
    """Waitress's worker threads, each closing its own database connection when it ends."""

    def __init__(self, name: str):
        super().__init__()
        self.name = name

    def start_new_thread(self, target, thread_no):
        threading.Thread(
            target=target, name=f"claim-site-{self.name}-{thread_no}", args=(thread_no,), daemon=True
        ).start()

    def handler_thread(self, thread_no):
        try:
            super().handler_thread(thread_no)
        finally:
            store.close_database()  # closes this thread's connection only


class _Dispatcher:
    """Hands each request to the writing pool by its method, a voucher picture to the pictures' pool,
    and the rest to the reading pool."""

    def __init__(self, read_threads: int, write_threads: int, picture_threads: int = PICTURE_THREADS):
        self.reads, self.writes, self.pictures = _Pool("read"), _Pool("write"), _Pool("pictures")
        self.reads.set_thread_count(read_threads)
        self.writes.set_thread_count(write_threads)
        self.pictures.set_thread_count(picture_threads)

    def add_task(self, channel) -> None:
        # (called by waitress with the channel's requests_lock held: requests[0] is the one to serve)
        request = channel.requests[0] if channel.requests else None
        if request is None or request.error:
            pool = self.reads
        elif request.command in WRITING_METHODS:
            pool = self.writes
        elif is_picture(request.path):
            pool = self.pictures
        else:
            pool = self.reads
        pool.add_task(channel)

    def shutdown(self, cancel_pending: bool = True, timeout: float = 5) -> bool:
        deadline = time.monotonic() + timeout
        pools = (self.reads, self.writes, self.pictures)
        for pool in pools:  # all finish their requests at once: the wait is timeout, not three times it
            pool.set_thread_count(0)
        for pool in pools:
            pool.shutdown(cancel_pending, max(0.0, deadline - time.monotonic()))
        return True


def _raise_open_file_limit(wanted: int) -> None:
    """Let this process hold its connections (Linux's default soft limit is 1024 descriptors)."""
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
    """Close every socket of the loop; a connection's answer buffers too (handle_close), so a stop
    leaves no temporary file of a large answer open until the garbage collector finds it."""
    for channel in list(socket_map.values()):
        try:
            if isinstance(channel, HTTPChannel):
                channel.handle_close()
            else:
                channel.close()
        except OSError:
            pass
    socket_map.clear()


def explain_bind_failure(exc: OSError, host: str, port: int) -> str:
    refused = windows.refusal_sentence(exc, port)  # Windows: an excluded range, or an exclusive bind
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
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    app=None,
    sockets: list | None = None,
    limits: Limits = LIMITS,
    threads: tuple[int, int] = (READ_THREADS, WRITE_THREADS),
) -> RunningServer:
    """Bind host:port now (a busy port raises ServerProblem at once), then serve in a daemon thread;
    or serve on listening sockets made already (a worker process of `serve --workers N`).

    Port 0 picks a free port; the RunningServer tells which. The core database must be open.
    limits: the connections and deadlines (tests shorten them); threads: (reading, writing)."""
    if not isinstance(port, int) or not 0 <= port <= 65535:
        raise ServerProblem(f"The port must be a number from 1 to 65535, not {port!r}.")
    if store.database.obj is None:
        raise ServerProblem("Open the database before starting the claim site.")
    if app is None:
        app = create_app()
    _raise_open_file_limit(limits.connections + 200)
    dispatcher = _Dispatcher(*threads)
    socket_map: dict = {}
    where = {"sockets": sockets} if sockets else {"host": host, "port": port}
    try:
        server = _listen(
            app,
            socket_map,
            dispatcher,
            Crowd(limits),
            **where,
            ident="voucher-batches",
            # the app itself believes forwarded headers only from the configured proxy (a setting that may change)
            clear_untrusted_proxy_headers=False,
            max_request_body_size=4 * MAX_BODY,
            asyncore_use_poll=True,  # select() stops at 1024 sockets (where there is poll())
        )
    except OSError as exc:
        _close_all(socket_map)  # the wake-up pipe and the socket made before the bind failed
        dispatcher.shutdown(timeout=0)
        raise ServerProblem(explain_bind_failure(exc, host, port)) from None
    # waitress warns "Task queue depth is N" whenever a burst of phones waits for a thread: normal here
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    bound_host, bound_port = _bound_address(server, host)
    return RunningServer(server, bound_host, bound_port)


def _listen(app, socket_map: dict, dispatcher: _Dispatcher, crowd: Crowd, **adjustments):
    """Waitress's create_server, with the site's listening sockets: one for each address of the
    host (IPv4 and IPv6), or one for each socket given; all share one crowd and one dispatcher."""
    adj = Adjustments(**adjustments)
    made: list[Listener] = []
    given = [(sock, (sock.family, sock.type, sock.proto, sock.getsockname())) for sock in adj.sockets]
    for sock, sockinfo in given or [(None, info) for info in adj.listen]:
        listener = Listener(
            app, socket_map, True, sock, dispatcher=dispatcher, adj=adj, sockinfo=sockinfo, bind_socket=sock is None
        )
        listener.crowd = crowd
        made.append(listener)
    if len(made) == 1:
        return made[0]
    addresses = [(listener.effective_host, listener.effective_port) for listener in made]
    return MultiSocketServer(socket_map, adj, addresses, dispatcher, made[-1].log_info)


def _bound_address(server, host: str) -> tuple[str, int]:
    addresses = getattr(server, "effective_listen", None)
    if addresses:  # several sockets (a name with IPv4 and IPv6 addresses): report the first
        return str(addresses[0][0]), int(addresses[0][1])
    return str(server.effective_host), int(server.effective_port)
