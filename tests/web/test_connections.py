"""Many phones at once, and a crowd of slow or idle clients: idle keep-alive sockets, sockets that
trickle a byte now and then, from many addresses or from one, lock nobody out; every socket that
does not complete a request in time is closed, and a request being served never is."""

from __future__ import annotations

import socket
import time
import urllib.request
from contextlib import ExitStack

import pytest

from app.web.connections import Limits, limits_for
from app.web.server import LIMITS, start_server


def idle_connection(port: int, source: str) -> socket.socket:
    """A phone that opened the site and then said nothing more (keep-alive)."""
    return socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0))


# A member locked out gets no page until an idle socket times out (minutes) or urlopen gives up (10 s):
# the page answering within 5 s is the proof; the 1 s this said before measured the CI machine instead.
ANSWERS_WITHIN = 5.0


def page_time(url: str) -> float:
    started = time.monotonic()
    with urllib.request.urlopen(url + "/en-us/", timeout=10) as response:
        assert response.status == 200
    return time.monotonic() - started


def closed_by_server(sock: socket.socket, within: float) -> bool:
    """Whether the server closes the socket within that many seconds (it sends nothing else)."""
    sock.settimeout(within)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


@pytest.fixture
def many_sockets():
    """Room in this process for a few thousand sockets (a CI machine's soft limit may be 1,024)."""
    try:
        import resource
    except ImportError:  # Windows: no limit on a process's sockets, nothing to raise; the test runs all the same
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 8000 if hard == resource.RLIM_INFINITY else min(8000, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_three_hundred_idle_phones_leave_the_site_answering(server):
    """Waitress's default 100 connections let 100 idle sockets lock every member out."""
    with ExitStack() as held:
        for n in range(300):
            held.enter_context(idle_connection(server.port, f"127.0.{1 + n // 250}.{2 + n % 250}"))
        assert page_time(server.url) < ANSWERS_WITHIN


def test_one_address_cannot_take_all_the_connections(server):
    with ExitStack() as held:
        socks = [held.enter_context(idle_connection(server.port, "127.0.9.9")) for _ in range(LIMITS.per_address + 5)]
        # the ones over the cap are closed by the server at once
        refused = sum(closed_by_server(sock, 3) for sock in socks[LIMITS.per_address :])
        assert refused == 5
        assert page_time(server.url) < ANSWERS_WITHIN  # everyone else still gets in


@pytest.mark.parametrize("addresses", [17, 50])
def test_many_addresses_holding_all_the_sockets_they_can_leave_members_answered(many_sockets, server, addresses):
    """Issue 21: 17 addresses x 64 sockets (each having sent one byte of a request) reached the
    1,000-connection cap and no member page loaded. Not from 17, nor from 50 addresses now."""
    with ExitStack() as held:
        for n in range(addresses):
            for _ in range(64):
                sock = held.enter_context(idle_connection(server.port, f"127.0.{10 + n // 200}.{1 + n % 200}"))
                sock.send(b"G")
        assert page_time(server.url) < ANSWERS_WITHIN
        assert page_time(server.url) < ANSWERS_WITHIN


def test_the_limits_leave_room_for_members_on_every_platform():
    """Per address, what 60 addresses together cannot fill; Windows waits with select(), 512 sockets at most."""
    for platform in ("linux", "darwin", "win32"):
        limits = limits_for(platform)
        assert 60 * limits.per_address < limits.connections
        assert limits.per_address >= 6  # a phone's browser opens up to six connections to a site
    assert limits_for("win32").hard_cap <= 500  # select() takes 512 sockets at most


SHORT = Limits(connections=40, per_address=8, idle_seconds=2.0, head_seconds=1.0, request_seconds=3.0)


@pytest.fixture
def short_server(db_path):
    """The claim site with deadlines of a second or two, so that tests can wait them out."""
    running = start_server("127.0.0.1", 0, limits=SHORT)
    yield running
    running.stop()


def trickle(sock: socket.socket, data: bytes, every: float, seconds: float) -> bool:
    """Send data one byte at a time, `every` seconds apart, for `seconds`: False once the server closed it."""
    deadline = time.monotonic() + seconds
    for byte in data:
        if time.monotonic() > deadline:
            return True
        try:
            sock.send(bytes([byte]))
        except (BrokenPipeError, ConnectionResetError):
            return False
        if closed_by_server(sock, every):
            return False
    return True


def test_a_trickled_head_is_closed_at_its_deadline_whatever_bytes_keep_coming(short_server):
    """Any byte used to count as activity: one byte every 8 s kept a socket open for ever."""
    with idle_connection(short_server.port, "127.0.3.1") as sock:
        started = time.monotonic()
        still_open = trickle(sock, b"GET /en-us/ HTTP/1.1\r\nHost: x\r\n" * 10, every=0.3, seconds=8)
        assert not still_open
        assert SHORT.head_seconds <= time.monotonic() - started < SHORT.head_seconds + 3


def test_blank_lines_do_not_keep_a_socket_open(short_server):
    with idle_connection(short_server.port, "127.0.3.2") as sock:
        assert not trickle(sock, b"\r\n" * 100, every=0.3, seconds=8)


def test_an_idle_socket_closes_by_the_time_since_its_last_complete_request(short_server):
    with idle_connection(short_server.port, "127.0.3.3") as sock:
        sock.settimeout(5)
        sock.sendall(b"GET /en-us/ HTTP/1.1\r\nHost: shop.test\r\n\r\n")
        answer = b""
        while b"</html>" not in answer:
            answer += sock.recv(65536)
        assert answer.startswith(b"HTTP/1.1 200")
        answered = time.monotonic()
        assert closed_by_server(sock, SHORT.idle_seconds + 3)
        assert time.monotonic() - answered >= SHORT.idle_seconds - 0.5


def test_a_socket_that_never_sends_anything_is_closed(short_server):
    with idle_connection(short_server.port, "127.0.3.4") as sock:
        assert closed_by_server(sock, SHORT.idle_seconds + 3)


def test_a_request_being_served_is_never_cut_short_by_a_deadline(db_path):
    """A claim may wait for the database longer than any deadline: it is answered all the same."""

    def slow(environ, start_response):
        time.sleep(SHORT.request_seconds + 1)
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "4")])
        return [b"done"]

    running = start_server("127.0.0.1", 0, app=slow, limits=SHORT)
    try:
        with urllib.request.urlopen(running.url + "/", timeout=15) as response:
            assert response.read() == b"done"
    finally:
        running.stop()


def test_when_full_the_longest_waiting_socket_makes_room_for_a_member(short_server):
    """More addresses than the limits withstand: the newcomer is taken in, the stalest socket goes."""
    with ExitStack() as held:
        socks = []
        for n in range(SHORT.connections // SHORT.per_address + 1):  # one address more than fits
            for _ in range(SHORT.per_address):
                socks.append(held.enter_context(idle_connection(short_server.port, f"127.0.4.{n + 1}")))
                time.sleep(0.005)  # in order, so that "the longest waiting" is the first opened
        assert page_time(short_server.url) < ANSWERS_WITHIN
        assert closed_by_server(socks[0], 2)  # the first opened went first
        assert not closed_by_server(socks[-1], 0.2)  # the last one is still there
