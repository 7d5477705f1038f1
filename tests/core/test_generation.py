"""Generation is all or nothing: one batch and exactly its vouchers, or nothing at all, even after a kill."""

import signal
import sys
import time

import pytest

from app.core import batches, store
from app.core.errors import GenerationCancelled
from tests.helpers.database import ON_POSTGRES

from .helpers import real_counts, table_counts, worker


@pytest.fixture
def small_chunks(monkeypatch):
    """Progress (and a chance to stop) every 100 vouchers instead of every 50,000."""
    monkeypatch.setattr(batches, "CHUNK", 100)


def test_progress_counts_up_to_the_quantity(make_batch, small_chunks):
    seen = []
    make_batch(quantity=1_000, progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, 1_000) and seen[-1] == (1_000, 1_000)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert len(seen) >= 11


def test_stopping_midway_leaves_no_batch_and_no_vouchers(make_batch, small_chunks):
    make_batch(quantity=7, name="Already there")
    seen = []
    with pytest.raises(GenerationCancelled, match="no batch was created"):
        make_batch(quantity=1_000, progress=lambda done, total: seen.append(done), should_stop=lambda: len(seen) > 4)
    assert 0 < seen[-1] < 1_000  # it was stopped in the middle, not before or after
    assert table_counts() == (1, 7)


@pytest.mark.parametrize("error", [RuntimeError("boom"), KeyboardInterrupt(), MemoryError()])
def test_an_error_midway_leaves_no_batch_and_no_vouchers(make_batch, small_chunks, error):
    def progress(done, total):
        if done >= 500:
            raise error

    with pytest.raises(type(error)):
        make_batch(quantity=1_000, progress=progress)
    assert table_counts() == (0, 0)
    # and the database is fine afterwards: the next batch is whole
    assert real_counts(make_batch(quantity=300).id) == (300, 0, 0)


def test_a_killed_generation_leaves_no_batch_no_vouchers_and_a_sound_database(db_path, template):
    child = worker("generate", db_path, template.id, 300_000)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = child.stdout.readline()
            assert line.startswith("progress"), f"the child stopped before it was midway: {line!r}"
            done, total = map(int, line.split()[1:])
            if 0 < done < total:
                child.kill()  # SIGKILL; on Windows TerminateProcess, exit code 1
                break
        killed = 1 if sys.platform == "win32" else -signal.SIGKILL
        assert child.wait(timeout=30) == killed, "the child finished before it could be killed"
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
        child.stdin.close()

    store.close_database()
    store.open_database(db_path)
    if not ON_POSTGRES:  # (a PostgreSQL server's own recovery is not ours to check)
        assert store.database.execute_sql("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert table_counts() == (0, 0)
    # the dead process's lock is gone: the next batch is written whole
    assert real_counts(batches.create_batch("After", template, 500, "Email").id) == (500, 0, 0)


@pytest.mark.slow
def test_a_million_vouchers_is_an_ordinary_batch(make_batch):
    batch = make_batch(quantity=1_000_000)
    assert (batch.total, batch.available) == (1_000_000, 1_000_000)
    assert real_counts(batch.id) == (1_000_000, 0, 0)  # distinct: the code index is unique
