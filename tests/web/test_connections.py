"""Many phones at once: idle keep-alive sockets, from many addresses or from one, lock nobody out."""

from __future__ import annotations

import socket
import time
import urllib.request
from contextlib import ExitStack

from app.web import server as server_module


def idle_connection(port: int, source: str) -> socket.socket:
    """A phone that opened the site and then said nothing more (keep-alive)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0))
    return sock


# A member locked out gets no page until an idle socket times out (minutes) or urlopen gives up (10 s):
# the page answering within 5 s is the proof; the 1 s this said before measured the CI machine instead.
ANSWERS_WITHIN = 5.0


def page_time(url: str) -> float:
    started = time.monotonic()
    with urllib.request.urlopen(url + "/en-us/", timeout=10) as response:
        assert response.status == 200
    return time.monotonic() - started


def test_three_hundred_idle_phones_leave_the_site_answering(server):
    """Waitress's default 100 connections let 100 idle sockets lock every member out."""
    with ExitStack() as held:
        for n in range(300):
            held.enter_context(idle_connection(server.port, f"127.0.{1 + n // 250}.{2 + n % 250}"))
        assert page_time(server.url) < ANSWERS_WITHIN


def test_one_address_cannot_take_all_the_connections(server):
    with ExitStack() as held:
        socks = [
            held.enter_context(idle_connection(server.port, "127.0.9.9")) for _ in range(server_module.PER_ADDRESS + 5)
        ]
        # the ones over the cap are closed by the server at once
        refused = 0
        for sock in socks[server_module.PER_ADDRESS :]:
            sock.settimeout(3)
            try:
                refused += sock.recv(1) == b""  # closed by the server
            except ConnectionResetError:
                refused += 1
            except TimeoutError:
                pass  # still open: not refused
        assert refused == 5
        assert page_time(server.url) < ANSWERS_WITHIN  # everyone else still gets in
