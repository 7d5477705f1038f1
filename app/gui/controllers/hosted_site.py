"""A claim site hosted on a server of its own: the window starts none, and asks the hosted one's
/healthz (on a worker, with a short timeout) at once and every 15 s, for the status bar."""

from __future__ import annotations

from datetime import datetime, timezone

from PySide6.QtCore import QObject, QTimer, Signal

from app.core import doctor, times
from app.core.errors import sentence
from app.gui.kit.tasks import run_task

POLL_MS = 15_000
TIMEOUT = 5.0  # seconds for one answer: less than the time between two questions


class HostedSite(QObject):
    answered = Signal(object, str)  # (doctor's claim_site Check, tooltip)

    def __init__(self, parent: QObject | None = None, poll_ms: int | None = None) -> None:
        super().__init__(parent)
        self.url = ""
        self._asking = False
        self._timer = QTimer(self, interval=poll_ms or POLL_MS)
        self._timer.timeout.connect(self.ask)

    def watch(self, url: str) -> None:
        """Ask url's /healthz now and every poll from now on."""
        self.url = url.rstrip("/")
        self._timer.start()
        self.ask()

    def stop(self) -> None:
        self._timer.stop()
        self.url = ""

    def ask(self) -> None:
        url = self.url
        if self._asking or not url:  # one question at a time: a slow answer is not asked twice
            return
        self._asking = True
        run_task(
            lambda: doctor.check_hosted_site(url, timeout=TIMEOUT),
            lambda check: self._on_answer(url, check),
            lambda exc: self._on_failed(url, exc),
            context=self,
        )

    def _on_answer(self, url: str, check: doctor.Check) -> None:
        self._asking = False
        if url != self.url:  # moved or stopped meanwhile: an old answer
            self.ask()
            return
        every = self._timer.interval() / 1000
        asked = f"{url}/healthz asked at {times.local_text(datetime.now(timezone.utc))}; asked again every {every:g} s"
        self.answered.emit(check, f"{check.message}\n{asked}")  # the status bar may cut a long sentence short

    def _on_failed(self, url: str, exc: Exception) -> None:
        self._on_answer(
            url,
            doctor.Check(
                "claim_site", doctor.PROBLEM, f"Claim site hosted at {url}: not answering ({sentence(exc, 'ask it')})"
            ),
        )
