"""A webhook receiver on 127.0.0.1, as another system runs one: it records every POST (headers and
body), checks its signature with the webhook's secret, and answers 200, or an error, or holds the
request open, as the test tells it."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from app.core import webhook_sender


@dataclass
class Received:
    event_id: str
    event: str
    body: dict[str, Any]
    signed: bool  # the signature checks out with the secret and the timestamp is fresh
    headers: dict[str, str]


class Receiver:
    """Serving until stop(). status: what it answers; hold: seconds to keep each request waiting first."""

    def __init__(self, secret: str = "", port: int = 0) -> None:
        self.secret = secret
        self.status = 200
        self.hold = 0.0
        self.received: list[Received] = []
        self.arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = dict(self.headers.items())
                signed = webhook_sender.verify(
                    receiver.secret,
                    headers.get(webhook_sender.TIMESTAMP, ""),
                    raw,
                    headers.get(webhook_sender.SIGNATURE, ""),
                )
                with receiver.arrived:
                    receiver.received.append(
                        Received(
                            headers.get(webhook_sender.DELIVERY, ""),
                            headers.get(webhook_sender.EVENT, ""),
                            json.loads(raw),
                            signed,
                            headers,
                        )
                    )
                    receiver.arrived.notify_all()
                if receiver.hold:
                    threading.Event().wait(receiver.hold)
                status = receiver.status
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:  # the sender went away meanwhile
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self._server.server_address[1]
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.port}/hooks/vouchers"
        self._thread = threading.Thread(target=self._server.serve_forever, name="receiver", daemon=True)
        self._thread.start()

    def wait_for(self, count: int, seconds: float = 30.0) -> list[Received]:
        """Until at least count requests arrived (or seconds passed): what arrived."""
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.received) >= count, seconds)
            return list(self.received)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
