"""Pictures of signage pages for the claim site (a member's voucher image), drawn on one thread of
the render layer's own.

The claim site's requests run on a server's threads; Qt wants its application made once and kept
by one thread for the life of the process. So every picture is drawn here, on one daemon thread
that makes the (windowless) application if the process has none (`serve`, a worker, any WSGI server)
and uses the window's when it runs beside it. One picture at a time: a rush of "Save voucher image"
queues here instead of taking every server thread, and the other pages keep answering (a
benchmark, tests/benchmarks/bench_voucher_image.py, measures how much they wait).

The thread is a daemon and never ends: a Qt application destroyed on another thread than the one
that made it crashes the interpreter at exit."""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

from app.core.signage import Page

T = TypeVar("T")
_jobs: queue.SimpleQueue[tuple[Callable[[], object], Future[object]]] = queue.SimpleQueue()
_started = threading.Lock()
_thread: threading.Thread | None = None


def _work() -> None:
    while True:
        job, done = _jobs.get()
        if not done.set_running_or_notify_cancel():
            continue
        try:
            done.set_result(job())
        except BaseException as exc:  # handed to the caller, who raises it
            done.set_exception(exc)


def _on_the_thread(job: Callable[[], T], timeout: float | None) -> T:
    global _thread
    with _started:
        if _thread is None:
            _thread = threading.Thread(target=_work, name="render", daemon=True)
            _thread.start()
    done: Future[object] = Future()
    _jobs.put((job, done))
    return done.result(timeout)  # type: ignore[return-value]


def png(page: Page, dpi: float, timeout: float | None = 30.0) -> bytes:
    """The page as PNG bytes, drawn on the render thread (waits for the pictures queued before it)."""

    def draw() -> bytes:
        # Qt is loaded with the first picture: a claim site whose members save none never loads it.
        from . import painting

        # A windowless application made here has no event loop: without GLib's, its end at exit is quiet.
        os.environ.setdefault("QT_NO_GLIB", "1")
        painting.ensure_app()
        return painting.png_bytes(page, dpi)

    return _on_the_thread(draw, timeout)
