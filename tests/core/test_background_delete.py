"""Deleting a batch feels instant: the batch goes from every view at once, in one transaction, and
its vouchers are purged afterwards, a chunk at a time (app.core.batches.purge_deleted). A kill at
any moment leaves nothing half-deleted that anyone can see, and the next purge finishes the job.
On PostgreSQL the vouchers go in the delete's own transaction (its keys cannot be set aside)."""

import time

import pytest

from app.core import analytics, batches, claims, members, store, vouchers
from app.core.claims import ClaimOutcome, RedeemOutcome
from app.core.errors import NotFound
from tests.helpers.database import ON_POSTGRES

from .helpers import real_counts, table_counts, worker

pytestmark = pytest.mark.skipif(
    ON_POSTGRES, reason="a server database deletes a batch's vouchers in the delete's own transaction"
)


def gone_from_every_view(batch, code: str, member_id: int) -> None:
    """What a manager, a member and the till see of a deleted batch: nothing."""
    assert batch.id not in [b.id for b in batches.list_batches()]
    with pytest.raises(NotFound):
        batches.get_batch(batch.id)
    with pytest.raises(NotFound):
        vouchers.lookup(code)
    assert claims.redeem(code).outcome is RedeemOutcome.UNKNOWN_CODE
    assert vouchers.for_member(member_id) == []  # gone from My Cards
    assert claims.claim(batch.token, member_id).outcome is ClaimOutcome.NOT_FOUND
    with pytest.raises(NotFound):
        analytics.batch_stats(batch.id)
    with pytest.raises(NotFound):
        batches.delete_batch(batch.id)


def test_a_deleted_batch_is_gone_at_once_while_its_vouchers_wait_for_the_purge(make_batch, claim_some):
    batch = make_batch(quantity=300)
    kept = make_batch(quantity=5, name="Kept")
    held = claim_some(batch, 3)
    member_id = members.find_member(held[0].member).id
    assert batches.delete_batch(batch.id, purge_now=False) == 300
    assert real_counts(batch.id)[0] == 300  # still on disk, unseen
    gone_from_every_view(batch, held[0].code, member_id)
    assert claims.claim(kept.token, member_id).outcome is ClaimOutcome.CLAIMED  # the rest goes on meanwhile
    assert batches.purge_deleted(chunk=40) == 300
    assert real_counts(batch.id) == (0, 0, 0) and table_counts() == (1, 5)
    assert batches.purge_deleted() == 0  # nothing left: a second purge finds nothing
    assert real_counts(kept.id) == (5, 1, 0)


def test_a_delete_killed_while_its_vouchers_are_purged_is_finished_by_the_next_purge(db_path, make_batch, claim_some):
    batch = make_batch(quantity=200_000)
    kept = make_batch(quantity=50, name="Kept")
    held = claim_some(batch, 2)
    child = worker("delete", db_path, batch.id, 2_000)
    try:
        assert child.stdout.readline().strip() == "deleted"
        for _ in range(3):
            assert child.stdout.readline().strip() == "chunk", "the purge ended before it could be killed"
        child.kill()  # SIGKILL; on Windows TerminateProcess, which gives the process no more say either
        assert child.wait(timeout=30) != 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
        child.stdin.close()

    store.close_database()
    store.open_database(db_path)
    assert store.database.execute_sql("PRAGMA integrity_check").fetchall() == [("ok",)]
    left = real_counts(batch.id)[0]
    assert 0 < left < 200_000, "the kill did not land in the middle of the purge"
    member_id = members.find_member(held[0].member).id
    gone_from_every_view(batch, held[0].code, member_id)
    assert real_counts(kept.id) == (50, 0, 0)
    started = time.monotonic()
    assert batches.purge_deleted() == left
    assert time.monotonic() - started < 30
    assert table_counts() == (1, 50)
    assert store.database.execute_sql("PRAGMA foreign_key_check").fetchall() == []


def test_a_delete_killed_before_it_commits_leaves_the_batch_whole(db_path, make_batch, monkeypatch):
    """The batch row, its counts and the log entry go in one transaction: a failure at its end (as a
    kill would leave it) undoes all of it, vouchers included."""
    batch = make_batch(quantity=120)

    def failing_record(*args, **kwargs):
        raise RuntimeError("killed")

    monkeypatch.setattr(batches, "_record_deleted", failing_record)
    with pytest.raises(RuntimeError):
        batches.delete_batch(batch.id, purge_now=False)
    monkeypatch.undo()
    assert batches.get_batch(batch.id).total == 120 and real_counts(batch.id) == (120, 0, 0)
    assert batches.purge_deleted() == 0  # nothing is taken for left behind
    assert store.database.execute_sql("PRAGMA foreign_keys").fetchone() == (1,)  # the keys are back on
