"""The claim site's answers reach the member whole, however large and however slowly they are read,
and the server's loop waits for a socket to take output only when it has output to send there."""

from __future__ import annotations

import hashlib
import socket
import sys
import time

import pytest
from waitress.adjustments import Adjustments

from app.web.connections import Channel, Crowd, limits_for
from app.web.server import start_server


def big_body(size: int) -> bytes:
    """Bytes that a lost or repeated chunk would change (not one byte repeated)."""
    block = hashlib.sha256(b"voucher").digest() * 2048  # 64 KiB
    return (block * (size // len(block) + 1))[:size]


def large_app(size: int, chunk: int):
    body = big_body(size)

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/octet-stream"), ("Content-Length", str(size))])
        return (body[at : at + chunk] for at in range(0, size, chunk))

    return app


def read_answer(sock: socket.socket) -> tuple[bytes, bytes]:
    """The head and the body of one answer with a Content-Length, read from a kept-alive socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        more = sock.recv(65536)
        assert more, "the server closed the connection before its answer's head"
        data += more
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(
        next(line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")).split(b":")[1]
    )
    while len(body) < length:
        more = sock.recv(65536)
        assert more, f"the server closed the connection after {len(body)} of {length} bytes"
        body += more
    assert len(body) == length, "more bytes came than the answer said"
    return head, body


@pytest.mark.skipif(
    sys.platform == "win32",
    reason="under Wine 8 the connection ends mid-answer with waitress's own channel too (measured on the Windows "
    "pass, 2026-12-07), so it cannot tell this channel's sending apart; the site's largest answer is a voucher's "
    "picture, about 84 KB. Left to a real Windows PC (packaging/README.md)",
)
@pytest.mark.parametrize(
    ("size", "chunk"),
    [
        # the task writes it all and ends; the loop sends the rest as the socket drains
        (4 * 1024 * 1024, 64 * 1024),
        # more than waitress buffers for a connection (16 MiB): the task waits for the loop to send
        (24 * 1024 * 1024, 1024 * 1024),
    ],
    ids=["4 MiB", "24 MiB"],
)
def test_an_answer_larger_than_the_socket_buffer_reaches_a_slow_reader_whole(db_path, size, chunk):
    running = start_server("127.0.0.1", 0, app=large_app(size, chunk))
    try:
        with socket.create_connection(("127.0.0.1", running.port), timeout=20) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * 1024)
            for _ in range(2):  # and the kept-alive connection serves the next request after it
                sock.sendall(b"GET / HTTP/1.1\r\nHost: shop.test\r\n\r\n")
                time.sleep(0.5)  # a slow reader: the server's socket buffer fills meanwhile
                head, body = read_answer(sock)
                assert head.startswith(b"HTTP/1.1 200")
                assert hashlib.sha256(body).digest() == hashlib.sha256(big_body(size)).digest()
    finally:
        running.stop()


class _Server:
    """What a channel needs of its listening socket."""

    def __init__(self):
        self.crowd = Crowd(limits_for())
        self.active_channels: dict = {}
        self.triggered = 0

    def pull_trigger(self):
        """Wake the loop (here: count that the channel asked)."""
        self.triggered += 1


@pytest.fixture
def channel():
    ours, theirs = socket.socketpair()
    ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
    theirs.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    made = Channel(_Server(), ours, ("127.0.0.1", 50000), Adjustments(), map={})
    yield made, theirs
    made.handle_close()  # its buffers too (a temporary file past 1 MiB)
    theirs.close()


def test_the_loop_is_not_asked_to_write_while_the_task_sends_its_own_answer(channel):
    """Waitress's channel said 'writable' whenever output was buffered, also while the request's own
    thread held the output to send it: its loop woke at once, again and again, taking the processor
    from that very thread."""
    made, _ = channel
    made.requests = ["a request being served"]
    seen = []
    send = made.send

    def watched_send(data, do_close=True):
        seen.append(made.writable())  # what the loop would read at this moment
        return send(data, do_close=do_close)

    made.send = watched_send
    made.write_soon(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    assert seen and not any(seen)
    assert made.total_outbufs_len == 0 and not made.writable()


def test_output_the_socket_could_not_take_is_left_to_the_loop(channel):
    made, theirs = channel
    made.requests = ["a request being served"]
    # far more than a socket pair's buffers (Windows' socketpair is a loopback TCP pair, whose buffers
    # grow: under Wine it once took 4 MiB at once), yet under waitress's 16 MiB, past which the task waits
    for _ in range(3):
        made.write_soon(big_body(4 * 1024 * 1024))
        if made.total_outbufs_len:
            break
    assert made.total_outbufs_len > 0
    assert made.server.triggered  # the loop was woken
    assert made.writable()  # and sends the rest as the reader takes it
    made.requests = []
    assert made.writable()
