"""The claim site's sockets as Windows needs them: no more connections than select() takes (the
limits themselves are connections.limits_for's, tested in test_connections.py), a bind no second
server can share, and a reserved port said as such."""

from __future__ import annotations

import socket
import sys
import time
import urllib.request
from contextlib import ExitStack

import pytest

from app.core import doctor, settings, windows
from app.web import listening
from app.web import server as server_module

from .test_connections import ANSWERS_WITHIN


def idle_connection(port: int, source: str) -> socket.socket:
    """A phone that opened the site and then said nothing more (keep-alive), from address source."""
    return socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0))


@pytest.mark.slow
def test_six_hundred_idle_connections_leave_the_site_serving(server):
    """On Windows CPython the site allowed 1,000 connections: 600 idle ones from 10 addresses ended
    the server's thread with "ValueError: too many file descriptors in select()", and no member
    could claim until a restart. From 100 addresses (six each, what one address may hold) they fill
    the overall limit on Windows: the longest idle make room, and a member's page answers at once."""
    with ExitStack() as held:
        for n in range(600):
            held.enter_context(idle_connection(server.port, f"127.0.0.{2 + n % 100}"))
        time.sleep(1.0)  # the server's loop has taken in all it will
        assert server.running, "the claim site's server thread ended"
        started = time.monotonic()
        with urllib.request.urlopen(server.url + "/en-us/", timeout=10) as answer:
            assert answer.status == 200
        # (waiting for idle phones to time out, as the site did before it made room, took 13-19 s)
        assert time.monotonic() - started < ANSWERS_WITHIN
        assert server.running


def test_windows_binds_the_site_exclusively():
    """With SO_REUSEADDR Windows lets a second server bind the same port (two claim sites would
    share 8080 silently); Wine, on Linux's sockets, cannot show that, so the decision is checked."""
    assert listening.exclusive_bind("win32") and not listening.exclusive_bind("linux")


@pytest.mark.skipif(sys.platform != "win32", reason="SO_EXCLUSIVEADDRUSE is a Windows socket option")
def test_on_windows_every_listening_socket_carries_so_exclusiveaddruse(server):
    """The socket waitress binds for the site, and the ones serve --workers makes for its workers."""
    assert server._server.socket.getsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE) == 1
    for made in listening.listening_sockets("127.0.0.1", 0):
        with made:
            assert made.getsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE) == 1


def test_a_port_windows_reserves_is_said_as_such_not_as_needing_administrator_rights():
    """Windows refuses a port in an excluded range (Hyper-V, WSL), or one another program bound for
    itself, with WSAEACCES; it has no ports for administrators only (that sentence was said). Wine
    cannot make an excluded range, so the error is made here."""
    refused = OSError(windows.WSAEACCES, "An attempt was made to access a socket in a way forbidden")
    said = server_module.explain_bind_failure(refused, "0.0.0.0", 8080)
    assert said.startswith("Port 8080 is already in use by another program") and "or Windows reserves it" in said
    assert "`netsh interface ipv4 show excludedportrange protocol=tcp`" in said and "administrator" not in said
    # a POSIX refusal keeps its own sentence
    assert "administrator" in server_module.explain_bind_failure(PermissionError(13, "denied"), "0.0.0.0", 80)


def test_the_setup_check_says_a_port_windows_refuses_in_the_same_words_as_the_claim_site(monkeypatch):
    """The doctor's port check (the window's setup checks, `voucher-batches doctor`) met WSAEACCES
    with the raw "access forbidden"; it now says what starting the claim site would say."""

    def refuse(self, address):
        raise OSError(windows.WSAEACCES, "An attempt was made to access a socket in a way forbidden")

    monkeypatch.setattr(socket.socket, "bind", refuse)
    config = settings.Settings(host="0.0.0.0", port=8080)
    check = doctor.check_port(config, None)
    assert check.status == doctor.PROBLEM
    refused = OSError(windows.WSAEACCES, "forbidden")
    assert check.message == server_module.explain_bind_failure(refused, "0.0.0.0", 8080)
