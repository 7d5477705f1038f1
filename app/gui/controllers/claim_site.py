"""The claim site's server as the window sees it: started on a worker, its state a sentence for the
status bar, stopped on quit. The server itself comes from the caller (the GUI never imports app.web).

A new address never takes the site down: the new listener starts first, and only once it listens does
the old one stop; when the new one cannot start, the old one keeps serving."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QWidget

from app.core.doctor import Check
from app.core.errors import ServerProblem, sentence
from app.core.links import PROBLEM
from app.gui.dialogs.checks import NAMES
from app.gui.kit.tasks import run_task
from app.gui.kit.widgets import restyle

from .hosted_site import HostedSite

STOPPED, STARTING, RUNNING, FAILED = "stopped", "starting", "running", "failed"
PROBLEM_FOUND = "a setup check found a problem"


class KeptOld(Exception):
    """The new listener could not start, and the old one, stopped to free its port, serves again."""

    def __init__(self, reason: Exception, server: Any) -> None:
        super().__init__(str(reason))
        self.reason, self.server = reason, server


def _listen_instead(start: Callable[[str, int], Any], old: Any, host: str, port: int) -> tuple[Any, bool]:
    """On a worker: a server on host:port, started while the old one still serves, and whether the
    old one had to stop first (it held that very port, on another address); then it serves again
    if the new one cannot start."""
    try:
        return start(host, port), False
    except ServerProblem:
        if old is None or getattr(old, "port", None) != port:
            raise
    old.stop()
    try:
        return start(host, port), True
    except ServerProblem as exc:
        raise KeptOld(exc, start(old.host, old.port)) from exc


class ClaimServer(QObject):
    state_changed = Signal(str, str, str)  # (state, sentence for the status bar, tooltip)

    def __init__(self, start_server: Callable[[str, int], Any] | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._start_server = start_server
        self._server: Any = None
        self._where = ""  # the public address the running site is announced at
        self._tip = ""
        self._stopped_early: Any = None  # the old listener, when the new one needed its port
        self.elsewhere = ""  # another program's claim site that serves this database, when the window uses it
        self.hosted = HostedSite(self)  # the claim site on a server of its own, when Settings say so
        self.hosted.answered.connect(
            lambda check, tip: self._set(RUNNING if check.status == "ok" else FAILED, check.message, tip)
        )

    def can_start(self) -> bool:
        return self._start_server is not None

    def start(self, host: str, port: int, public_url: str) -> None:
        """Serve on host:port (instead of where it serves now, if it does)."""
        if not self.can_start():
            self._set(STOPPED, "Claim site not started from this window", "")
            return
        self.listen(host, port, lambda server: self.switch_to(server, public_url), self._on_refused)

    def listen(
        self, host: str, port: int, on_listening: Callable[[Any], None], on_refused: Callable[[str], None]
    ) -> None:
        """Start a listener on host:port on a worker, the current one still serving: on_listening(server)
        (then switch_to or discard it), or on_refused(the sentence why not) with the current one kept."""
        if self._server is None:
            self._set(STARTING, f"Starting the claim site on port {port}…", "")
        start, old = cast("Callable[[str, int], Any]", self._start_server), self._server  # callers ask can_start()

        def refused(exc: Exception) -> None:
            if isinstance(exc, KeptOld):
                self._server = exc.server
                exc = exc.reason
            on_refused(sentence(exc, "start the claim site"))

        def listening(answer) -> None:
            server, stopped_old = answer
            self._stopped_early = old if stopped_old else None
            on_listening(server)

        run_task(lambda: _listen_instead(start, old, host, port), listening, refused, context=self)

    def switch_to(self, server: Any, public_url: str) -> None:
        """The new listener serves from now on; the old one stops (on a worker: it finishes its requests)."""
        old, self._server = self._server, server
        self.elsewhere = ""
        self.hosted.stop()
        if old is not None and old is not server:
            run_task(old.stop)
        self._tip = (
            f"Listening on {getattr(server, 'host', '?')}:{getattr(server, 'port', '?')} ({getattr(server, 'url', '')})"
        )
        self.announce(public_url or getattr(server, "url", ""))

    def discard(self, server: Any) -> None:
        """A listener from listen() not wanted after all: the old one serves on (again, if it had to stop)."""
        old, self._stopped_early = self._stopped_early, None
        run_task(server.stop, (lambda _: self.start(old.host, old.port, self._where)) if old is not None else None)

    def use_elsewhere(self, url: str, public_url: str) -> None:
        """Another program on this PC (`voucher-batches serve`, or this window left running) serves this
        database already: use it instead of starting a second site."""
        self.elsewhere = url
        self.hosted.stop()
        self._where = public_url
        self._set(
            RUNNING,
            f"Claim site running at {public_url} (served by another Voucher Batches program)",
            f"Answering at {url}",
        )

    def use_hosted(self, url: str) -> None:
        """The claim site is hosted at url: this window serves none (it stops its own), and says
        whether the hosted one answers."""
        old, self._server, self.elsewhere = self._server, None, ""
        if old is not None:
            run_task(old.stop)
        self._where = ""
        if url.rstrip("/") != self.hosted.url:
            self._set(STARTING, f"Claim site hosted at {url.rstrip('/')}: asking whether it answers…", "")
            self.hosted.watch(url)
        else:
            self.hosted.ask()  # saved again: ask now rather than at the next poll

    def _on_refused(self, reason: str) -> None:
        if self._server is not None:
            self._set(
                RUNNING,
                f"Claim site still running at {self._where}; the new address could not be used: {reason}",
                self._tip,
            )
        else:
            self._set(FAILED, f"Claim site not running: {reason}", "Change the host or port in Settings, then save.")

    def announce(self, public_url: str) -> None:
        """The running server's public address (a new public base URL in Settings)."""
        if self._server is not None:
            self._where = public_url
            self._set(RUNNING, f"Claim site running at {public_url}", self._tip)

    def where(self) -> str:
        """Where it serves now, as announced (empty when it does not)."""
        return self._where if self.is_running() else ""

    def stop(self) -> None:
        self.hosted.stop()
        if self._server is not None:
            server, self._server = self._server, None
            try:
                server.stop()
            finally:
                self._set(STOPPED, "Claim site stopped", "")

    def is_running(self) -> bool:
        return self._server is not None or bool(self.elsewhere)

    def serves_here(self) -> bool:
        """Whether this window's own listener serves (quitting it takes the links offline)."""
        return self._server is not None

    def _set(self, state: str, text: str, tip: str) -> None:
        self.state_changed.emit(state, text, tip)


class ServerStateLabel(QLabel):
    """The claim site's state in the status bar, coloured by state; never green beside a problem
    that the setup checks found (then it says so, the problem in its tooltip)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Claim site stopped", parent)
        self.setObjectName("ServerState")
        self.setProperty("state", STOPPED)
        self.setContentsMargins(8, 2, 8, 2)
        self._shown = (STOPPED, "Claim site stopped", "")
        self._problem: Check | None = None

    def show_state(self, state: str, text: str, tip: str) -> None:
        self._shown = (state, text, tip)
        self._render()

    def show_checks(self, checks: list[Check]) -> None:
        """The setup checks as they just ran: a problem among them turns a running site's label."""
        self._problem = next((check for check in checks if check.status == PROBLEM), None)
        self._render()

    def _render(self) -> None:
        state, text, tip = self._shown
        if state == RUNNING and self._problem is not None:
            said = f"{NAMES.get(self._problem.name, self._problem.name)}: {self._problem.message}"
            self.setText(f"✕ {text} — {PROBLEM_FOUND}")
            self.setToolTip(f"{said}\n{tip}" if tip else said)
            self.setProperty("state", PROBLEM)
        else:
            self.setText(f"● {text}" if state == RUNNING else text)
            self.setToolTip(tip)
            self.setProperty("state", state)
        restyle(self)
