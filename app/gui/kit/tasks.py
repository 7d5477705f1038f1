"""Slow work off the GUI thread: one helper that runs a function on a thread pool and delivers its
result, its error or its progress back on the GUI thread. The function never touches a widget.

When the function has to wait for the database (another program holds it), that is said at once:
to the caller's on_wait, or else through `waits`, which the window shows in its message bar."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot

from app.core import store

log = logging.getLogger(__name__)

_pool: QThreadPool | None = None
_running: set[Task] = set()  # keeps each Task alive until its result is delivered


def pool() -> QThreadPool:
    """The pool every task runs on. More threads than cores: most tasks wait on the disk, and a long
    generation or export must never hold up the page reads of the vouchers view."""
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        _pool.setMaxThreadCount(max(6, QThreadPool.globalInstance().maxThreadCount()))
    return _pool


class Waits(QObject):
    """Tasks waiting for the database that another program holds, for whoever shows it."""

    started = Signal(object)  # a Task began to wait (its caller gave no on_wait)
    ended = Signal(object)  # that Task is done (its result is delivered just before)


waits = Waits()


class Task(QObject):
    """One run of a function on the pool. Lives on the GUI thread; its signals arrive there."""

    succeeded = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int)
    waiting = Signal()  # the function waits for the database (another program holds it)
    _finished_in_worker = Signal(bool, object)
    _progress_in_worker = Signal(int, int)
    _waiting_in_worker = Signal()

    def __init__(self, fn: Callable[..., Any], wants_task: bool) -> None:
        super().__init__()
        self._fn = fn
        self._wants_task = wants_task
        self._stop = threading.Event()
        self.finished = False
        self.waited = False
        self._said_waiting = False  # touched on the worker only
        # Queued: emitted on a worker thread, delivered on the thread this object lives on (the GUI's).
        self._finished_in_worker.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)
        self._progress_in_worker.connect(self.progressed, Qt.ConnectionType.QueuedConnection)
        self._waiting_in_worker.connect(self._on_waiting, Qt.ConnectionType.QueuedConnection)

    # Called on the worker thread ------------------------------------------------------------
    def report(self, done: int, total: int) -> None:
        """Progress from inside the function (e.g. a core progress callback)."""
        self._progress_in_worker.emit(int(done), int(total))

    def is_cancelled(self) -> bool:
        return self._stop.is_set()

    def _say_waiting(self) -> None:
        if not self._said_waiting:  # once, however many of its changes wait
            self._said_waiting = True
            self._waiting_in_worker.emit()

    def _run(self) -> None:
        try:
            store.replace_lost_connection()  # the database server restarted: this thread connects anew
            with store.reporting_waits(self._say_waiting):
                result = self._fn(self) if self._wants_task else self._fn()
        except Exception as exc:  # delivered to on_error; a bug is logged there with its traceback
            self._finished_in_worker.emit(False, exc)
        else:
            self._finished_in_worker.emit(True, result)

    # Called on the GUI thread ---------------------------------------------------------------
    def cancel(self) -> None:
        """Ask the function to stop (it sees is_cancelled() turn True)."""
        self._stop.set()

    @Slot()
    def _on_waiting(self) -> None:
        self.waited = True
        self.waiting.emit()

    @Slot(bool, object)
    def _on_finished(self, ok: bool, value: object) -> None:
        self.finished = True
        _running.discard(self)
        (self.succeeded if ok else self.failed).emit(value)
        if self.waited:
            waits.ended.emit(self)


class _Runnable(QRunnable):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self._task = task

    def run(self) -> None:
        self._task._run()


def run_task(
    fn: Callable[..., Any],
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[Exception], None] | None = None,
    *,
    on_progress: Callable[[int, int], None] | None = None,
    on_wait: Callable[[], None] | None = None,
    context: QObject | None = None,
) -> Task:
    """Run fn() on the pool; call on_done(result) or on_error(exception) on the GUI thread.

    With on_progress, fn is called as fn(task) so it can pass task.report and task.is_cancelled
    to the core. When fn has to wait for the database, on_wait() is called at once (without it,
    `waits` says so to the window). With a context object, the callbacks are skipped once that
    object is gone (a dialog closed meanwhile)."""
    task = Task(fn, wants_task=on_progress is not None)

    def alive() -> bool:
        return context is None or shiboken6.isValid(context)

    def deliver(value):
        if on_done is not None and alive():
            on_done(value)

    def fail(exc):
        if on_error is not None and alive():
            on_error(exc)
        else:
            log.error("Background task failed", exc_info=exc)

    task.succeeded.connect(deliver)
    task.failed.connect(fail)
    if on_progress is not None:
        task.progressed.connect(lambda done, total: alive() and on_progress(done, total))
    if on_wait is not None:
        task.waiting.connect(lambda: alive() and on_wait())
    else:
        task.waiting.connect(lambda: waits.started.emit(task))
    _running.add(task)
    pool().start(_Runnable(task))
    return task


def cancel_all() -> None:
    """Ask every running task to stop (on quit: a generation rolls back instead of being cut off)."""
    for task in list(_running):
        task.cancel()


def wait_for_all(msecs: int = -1) -> bool:
    """Block until the pool is idle (on quit, and in tests' teardown). Results still queued are
    delivered by the next turn of the event loop."""
    return pool().waitForDone(msecs)
