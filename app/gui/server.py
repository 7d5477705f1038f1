"""The claim site's server as the window sees it: started on a worker, its state a sentence for the
status bar, stopped on quit. The server itself comes from the caller (the GUI never imports app.web)."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QWidget

from app.core.errors import sentence

from .tasks import run_task
from .widgets import restyle

STOPPED, STARTING, RUNNING, FAILED = "stopped", "starting", "running", "failed"


class ClaimServer(QObject):
    state_changed = Signal(str, str, str)  # (state, sentence for the status bar, tooltip)

    def __init__(self, start_server: Callable[[str, int], Any] | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._start_server = start_server
        self._server: Any = None
        self._tip = ""

    def start(self, host: str, port: int, public_url: str) -> None:
        if self._start_server is None:
            self._set(STOPPED, "Claim site not started from this window", "")
            return
        self.stop()
        self._set(STARTING, f"Starting the claim site on port {port}…", "")
        start = self._start_server
        run_task(
            lambda: start(host, port),
            lambda server: self._on_started(server, host, public_url),
            self._on_failed,
            context=self,
        )

    def _on_started(self, server: Any, host: str, public_url: str) -> None:
        self._server = server
        where = public_url or getattr(server, "url", "")
        self._tip = f"Listening on {host}:{getattr(server, 'port', '?')} ({getattr(server, 'url', '')})"
        self._set(RUNNING, f"Claim site running at {where}", self._tip)

    def _on_failed(self, exc: Exception) -> None:
        reason = sentence(exc, "start the claim site")
        self._set(FAILED, f"Claim site not running: {reason}", "Change the host or port in Settings, then save.")

    def announce(self, public_url: str) -> None:
        """The running server's public address changed (a new public base URL in Settings)."""
        if self._server is not None:
            self._set(RUNNING, f"Claim site running at {public_url}", self._tip)

    def stop(self) -> None:
        if self._server is not None:
            server, self._server = self._server, None
            try:
                server.stop()
            finally:
                self._set(STOPPED, "Claim site stopped", "")

    def is_running(self) -> bool:
        return self._server is not None

    def _set(self, state: str, text: str, tip: str) -> None:
        self.state_changed.emit(state, text, tip)


class ServerStateLabel(QLabel):
    """The claim site's state in the status bar, coloured by state."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Claim site stopped", parent)
        self.setObjectName("ServerState")
        self.setProperty("state", STOPPED)
        self.setContentsMargins(8, 2, 8, 2)

    def show_state(self, state: str, text: str, tip: str) -> None:
        self.setText(f"● {text}" if state == RUNNING else text)
        self.setToolTip(tip)
        self.setProperty("state", state)
        restyle(self)
