"""The claim site with its webhook sender: wherever the site is served (the window, `serve`), the
webhooks' outbox is sent from the same process (one process for all of them holds the sending lease;
`serve --workers N` runs one sending process of its own instead, see supervisor)."""

from __future__ import annotations

from typing import Any

from app.core import webhook_sender

from .server import RunningServer, start_server


class ServedWithSender:
    """A RunningServer and a webhook sender, started and stopped together (the server's own names
    answer as before: host, port, url, running, wait)."""

    def __init__(self, server: RunningServer, sender: webhook_sender.Running) -> None:
        self.server = server
        self.sender = sender

    def __getattr__(self, name: str) -> Any:
        return getattr(self.server, name)

    def stop(self, timeout: float = 5.0) -> None:
        try:
            self.sender.stop()
        finally:
            self.server.stop(timeout)

    def __repr__(self) -> str:
        return f"<ServedWithSender {self.server!r}>"


def start_with_sender(host: str, port: int, **kwargs: Any) -> ServedWithSender:
    """start_server(host, port), then a webhook sender beside it (none when the server cannot start)."""
    server = start_server(host, port, **kwargs)
    return ServedWithSender(server, webhook_sender.start())
