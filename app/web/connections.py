"""What a crowd of clients may hold of the claim site's server, and for how long: waitress's
listening socket and connection (channel) with the site's limits and deadlines.

Waitress alone counts any byte as activity (one byte every 8 s kept a socket forever), gives no
deadline for a request's head, and stops accepting new connections once its cap is reached, so 17
addresses holding 64 sockets each took the site down. Here:

- a connection that is not serving a request closes IDLE_SECONDS after its last complete request
  (or after it connected), whatever it sends meanwhile that does not complete one;
- a request's head must be complete HEAD_SECONDS after its first byte, and the whole request
  (head and body) REQUEST_SECONDS after it;
- one address holds at most `per_address` connections (the trusted reverse proxy, through which
  every member comes, and this PC's own 127.0.0.1 excepted), so that ADDRESSES_WITHSTOOD addresses
  together cannot fill the server; and when it is full all the same, a new connection is taken in
  and the connection that has waited longest without a request being served is closed to make room,
  so a member who sends a request is answered however many addresses are connected.

Closing is asked of waitress's own loop (will_close), after shutting the socket down: a client that
reads nothing still gets its socket closed, and no descriptor number is reused under the loop."""

from __future__ import annotations

import socket
import sys
import time
from collections import Counter
from dataclasses import dataclass

from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask

from app.core import settings
from app.core.errors import VoucherError

from . import listening
from .security import SECURITY_HEADERS, is_trusted_proxy

IDLE_SECONDS = 15.0
HEAD_SECONDS = 10.0  # a phone sends its request's head in one packet; ten seconds allow a poor signal
REQUEST_SECONDS = 30.0  # the largest form is a few hundred bytes
ADDRESSES_WITHSTOOD = 60  # addresses that, holding all they may, still leave room for members
SWEEP_SECONDS = 1.0  # how often the deadlines are looked at (the loop wakes at least every second)
ACCEPTS_AT_ONCE = 32  # connections taken in at one turn of the loop, per listening socket
# Sockets over the limit for a moment: those closed to make room, until the loop's next turn closes
# them (two listening sockets, IPv4 and IPv6), its own wake-up socket and the listening ones.
SPARE = 2 * ACCEPTS_AT_ONCE + 8
# poll() takes any number of sockets; Windows' select() at most 512, spare ones included.
POLL_CONNECTIONS = 1000
SELECT_CONNECTIONS = 500 - SPARE


@dataclass(frozen=True)
class Limits:
    connections: int  # open at once, overall
    per_address: int  # open at once from one address (not the trusted proxy, nor this PC itself)
    idle_seconds: float = IDLE_SECONDS
    head_seconds: float = HEAD_SECONDS
    request_seconds: float = REQUEST_SECONDS

    @property
    def hard_cap(self) -> int:
        """Sockets the loop holds at most, all told (beyond it, it stops accepting for a moment)."""
        return self.connections + SPARE


def limits_for(platform: str = sys.platform) -> Limits:
    """The limits on this platform: as many connections as its way of waiting on sockets takes,
    and per address what ADDRESSES_WITHSTOOD addresses cannot exhaust together."""
    connections = SELECT_CONNECTIONS if platform == "win32" else POLL_CONNECTIONS
    return Limits(connections=connections, per_address=connections // ADDRESSES_WITHSTOOD)


# Only a program on this PC connects from these: a tunnel (cloudflared, Tailscale Funnel) or a proxy
# there, through which every member comes, even before it is set as the trusted proxy.
THIS_PC = frozenset({"127.0.0.1", "::1"})


def _uncapped(peer: str) -> bool:
    """Whether the peer is exempt from the cap per address: this PC's own address, or the trusted proxy."""
    if peer in THIS_PC:
        return True
    try:
        return is_trusted_proxy(peer, settings.cached().trusted_proxy)
    except VoucherError:  # never read, and the database is away: trust nobody
        return False


class Crowd:
    """Every connection of one server (all its listening sockets), counted by address; used only
    on waitress's loop thread."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.channels: set[Channel] = set()
        self.per_address: Counter[str] = Counter()
        self._next_sweep = 0.0

    def admits(self, peer: str) -> bool:
        """Whether a new connection from peer may be taken in."""
        return self.per_address[peer] < self.limits.per_address or _uncapped(peer)

    def make_room(self) -> bool:
        """When full, close the connection that has waited longest without a request being served;
        False when none can go (every one is being served)."""
        if len(self.channels) < self.limits.connections:
            return True
        idle = [channel for channel in self.channels if not channel.requests]
        if not idle:
            return False
        self.close(min(idle, key=lambda channel: channel.ready_since))
        return True

    def joined(self, channel: Channel) -> None:
        self.channels.add(channel)
        self.per_address[channel.peer] += 1

    def left(self, channel: Channel) -> None:
        if channel in self.channels:
            self.channels.discard(channel)
            self.per_address[channel.peer] -= 1
            if self.per_address[channel.peer] <= 0:
                del self.per_address[channel.peer]

    def close(self, channel: Channel) -> None:
        """Counted out now; closed by the loop on its next turn."""
        self.left(channel)
        channel.will_close = True
        try:
            channel.socket.shutdown(socket.SHUT_RDWR)  # the loop sees it at once, read or not
        except (OSError, AttributeError):
            pass

    def sweep(self, now: float) -> None:
        """Close the connections past their deadline (at most once every SWEEP_SECONDS)."""
        if now < self._next_sweep:
            return
        self._next_sweep = now + SWEEP_SECONDS
        for channel in [c for c in self.channels if c.overdue(now, self.limits)]:
            self.close(channel)


class _ErrorTask(ErrorTask):
    """Waitress's own answers (a body or headers too large, a malformed request) carry the site's
    security headers too: they never reach the application, whose hook adds them elsewhere."""

    def execute(self):
        self.response_headers.extend(SECURITY_HEADERS.items())
        self.response_headers.append(("Cache-Control", "no-store"))
        super().execute()


class Channel(HTTPChannel):
    """Waitress's connection, with the clocks its deadlines are measured by (time.monotonic)."""

    error_task_class = _ErrorTask
    crowd: Crowd | None = None
    peer = ""

    def __init__(self, server, sock, addr, adj, map=None):
        # set before waitress's own __init__, which registers the socket with the loop (writable() reads it)
        self.backlogged = False  # the socket took less than was written: the loop sends the rest
        super().__init__(server, sock, addr, adj, map)
        self.peer = addr[0] if isinstance(addr, tuple) and addr else ""
        self.ready_since = time.monotonic()  # connected, or its last request answered
        self.started_at: float | None = None  # the first byte since then
        self.crowd = server.crowd
        self.crowd.joined(self)

    def writable(self):
        """Whether the loop should wait for this socket to take more output: not while a request is
        being served and its task sends its own output (as it does at every write), unless the
        socket's buffer was full and the rest is left for the loop.

        Waitress's own answer is true whenever output is buffered, also while the task holds the
        output lock to send it: the loop then wakes at once, fails to take the lock, and wakes again,
        taking the GIL from the very thread it waits for (about half the server's CPU in a claim)."""
        if self.will_close or self.close_when_flushed:
            return True
        return bool(self.total_outbufs_len) and (not self.requests or self.backlogged)

    def _flush_some(self, do_close=True):
        # (called with the output lock held while a task runs: by the task at each write, or by the loop)
        sent = super()._flush_some(do_close=do_close)
        self.backlogged = self.total_outbufs_len > 0
        return sent

    def received(self, data):
        if data and self.started_at is None:
            self.started_at = time.monotonic()
        return super().received(data)

    def service(self):
        super().service()
        # The next request's clocks start now (a pipelined one already begun: from now, too).
        self.ready_since = time.monotonic()
        self.started_at = self.ready_since if self.request is not None else None

    def overdue(self, now: float, limits: Limits) -> bool:
        """Past a deadline: idle too long since its last complete request, or a request too slow."""
        if self.requests or self.will_close:  # being served (a claim may wait for the database), or closing
            return False
        if self.started_at is None:
            return now - self.ready_since > limits.idle_seconds
        pending = self.request
        if pending is None or not pending.headers_finished:  # (blank lines between requests count too)
            return now - self.started_at > limits.head_seconds
        return now - self.started_at > limits.request_seconds

    def del_channel(self, map=None):
        super().del_channel(map)
        if self.crowd is not None:
            self.crowd.left(self)


class Listener(TcpWSGIServer):
    """Waitress's listening socket, taking connections in as the crowd allows."""

    channel_class = Channel
    crowd: Crowd

    def __init__(self, application, map=None, _start=True, _sock=None, **kwargs):
        self.binds_here = _sock is None  # (a socket given is bound already)
        super().__init__(application, map, _start, _sock, **kwargs)

    def set_reuse_addr(self):
        """Before the bind, listening.claim_port's option instead of waitress's SO_REUSEADDR, with
        which Windows lets a second server bind the same port. A socket given is bound already, by
        listening.listening_sockets (serve --workers), with the same option: it is left as it is."""
        if self.binds_here:
            listening.claim_port(self.socket)

    def readable(self):
        self.crowd.sweep(time.monotonic())
        # Beyond the hard cap only when every connection is being served: then wait, as waitress does.
        return bool(self.accepting) and len(self._map) < self.crowd.limits.hard_cap

    def handle_accept(self):
        """Take in what waits to be accepted (up to ACCEPTS_AT_ONCE): waitress takes one a turn, which
        under a flood of connections leaves a member's waiting behind a thousand in the kernel's queue."""
        for _ in range(ACCEPTS_AT_ONCE):
            if len(self._map) >= self.crowd.limits.hard_cap:
                return
            try:
                accepted = self.accept()
                if accepted is None:  # nothing more waits
                    return
                conn, addr = accepted
                self.set_socket_options(conn)
            except OSError:  # the client went away before we took it: nothing to serve
                continue
            addr = self.fix_addr(addr)
            peer = addr[0] if isinstance(addr, tuple) and addr else ""
            if not (self.crowd.admits(peer) and self.crowd.make_room()):
                conn.close()  # never registered: the loop does not see it
                continue
            self.channel_class(self, conn, addr, self.adj, map=self._map)
