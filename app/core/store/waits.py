"""Waiting for a database that another program holds: how long a change may wait, and telling the
person at once that it waits."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .handle import location

WAITING = "Waiting for the database (used by another program)…"
DEFAULT_WAIT = 5.0  # seconds a change waits for the database before it gives up with a sentence
_wait_limit = DEFAULT_WAIT
PROBE_MS = 100  # the first try at the write lock: long enough for another writer's usual commit
_waits = threading.local()  # the waiting reporter of the thread that runs a change


def set_wait_limit(seconds: float) -> None:
    """How long a change may wait for a database that another program holds (then it gives up)."""
    global _wait_limit
    _wait_limit = max(0.1, float(seconds))


def wait_limit() -> float:
    return _wait_limit


@contextmanager
def reporting_waits(on_wait: Callable[[], object]) -> Iterator[None]:
    """While this thread runs the body, on_wait() is called when a change has to wait for the
    database (another program holds it), so a front end can say so at once."""
    previous = getattr(_waits, "callback", None)
    _waits.callback = on_wait
    try:
        yield
    finally:
        _waits.callback = previous


def current_reporter() -> Callable[[], object] | None:
    """The on_wait of this thread's reporting_waits, or None when nobody is told about waits."""
    return getattr(_waits, "callback", None)


def say_waiting() -> None:
    callback = current_reporter()
    if callback is not None:
        callback()


def busy_sentence() -> str:
    where = location() or "the database"
    return (
        f"The database {where} is locked by another program (waited {_wait_limit:g} s); nothing was changed. "
        "Try again in a moment."
    )
