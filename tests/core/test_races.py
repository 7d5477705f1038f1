"""Many claimers and tills at once, in threads and in separate processes on one database file:
one voucher per member per batch, never more claims than vouchers, each voucher redeemed once,
and the batch's counters always equal the real counts."""

import random
import threading
from collections import Counter

from app.core import activity, batches, claims
from app.core.claims import ClaimOutcome, RedeemOutcome
from app.core.store import run_sql
from app.core.store.models import Member

from .helpers import counters, real_counts, run_threads, run_together


def member_vouchers(batch_id):
    """How many vouchers of the batch each member holds."""
    rows = run_sql(
        "SELECT member_id, COUNT(*) FROM voucher WHERE batch_id = :batch AND member_id IS NOT NULL GROUP BY member_id",
        {"batch": batch_id},
    )
    return dict(rows.fetchall())


def test_many_threads_never_claim_more_than_the_batch_holds(make_batch, make_member):
    batch = make_batch(quantity=50)
    ids = [make_member().id for _ in range(200)]
    results = run_threads(16, lambda i: [(m, claims.claim(batch.token, m)) for m in ids[i::16]])
    outcomes = Counter(r.outcome for chunk in results for _, r in chunk)
    assert outcomes == {ClaimOutcome.CLAIMED: 50, ClaimOutcome.NO_VOUCHERS: 150}
    codes = [r.voucher.code for chunk in results for _, r in chunk if r.voucher]
    assert len(set(codes)) == 50
    assert set(member_vouchers(batch.id).values()) == {1}
    assert counters(batch.id) == real_counts(batch.id) == (50, 50, 0)


def test_one_member_claiming_from_many_threads_gets_one_voucher(make_batch, make_member):
    batch = make_batch(quantity=50)
    member = make_member()
    results = run_threads(16, lambda i: claims.claim(batch.token, member.id))
    assert Counter(r.outcome for r in results) == {ClaimOutcome.CLAIMED: 1, ClaimOutcome.ALREADY_CLAIMED: 15}
    assert len({r.voucher.code for r in results}) == 1
    assert counters(batch.id) == real_counts(batch.id) == (50, 1, 0)


def test_two_tills_in_threads_redeem_a_voucher_once(make_batch, claim_some):
    batch = make_batch(quantity=20)
    held = [v.code for v in claim_some(batch, 10)]
    results = run_threads(8, lambda i: [claims.redeem(code).outcome for code in random.sample(held, len(held))])
    outcomes = Counter(o for chunk in results for o in chunk)
    assert outcomes == {RedeemOutcome.REDEEMED: 10, RedeemOutcome.ALREADY_REDEEMED: 70}
    assert counters(batch.id) == real_counts(batch.id) == (20, 10, 10)


def test_claims_and_redemptions_at_once_keep_the_counters_true(make_batch, claim_some, make_member):
    batch = make_batch(quantity=60)
    held = [v.code for v in claim_some(batch, 20)]
    ids = [make_member().id for _ in range(80)]

    def work(i):  # four threads claim for 80 members, four redeem the 20 held vouchers
        if i % 2:
            return [claims.redeem(code).outcome for code in held[i // 2 :: 4]]
        return [claims.claim(batch.token, m).outcome for m in ids[i // 2 :: 4]]

    outcomes = Counter(o for chunk in run_threads(8, work) for o in chunk)
    assert outcomes == {ClaimOutcome.CLAIMED: 40, ClaimOutcome.NO_VOUCHERS: 40, RedeemOutcome.REDEEMED: 20}
    assert counters(batch.id) == real_counts(batch.id) == (60, 60, 20)


def test_separate_processes_never_claim_more_than_the_batch_holds(db_path, make_batch, make_member):
    batch = make_batch(quantity=100)
    own = [[make_member().id for _ in range(50)] for _ in range(4)]
    shared = [make_member().id for _ in range(5)]  # claimed by every process at once
    results = run_together([["claim", db_path, batch.token, *shared, *mine] for mine in own])
    rows = [row for result in results for row in result]
    outcomes = Counter(outcome for _, outcome, _ in rows)
    assert outcomes["claimed"] == 100
    assert outcomes["claimed"] + outcomes["already_claimed"] + outcomes["no_vouchers_available"] == 4 * 55
    held = member_vouchers(batch.id)
    assert sum(held.values()) == 100 and set(held.values()) == {1}
    # a shared member who got a voucher was told the same code by every process
    email = dict(Member.select(Member.id, Member.email).tuples())
    for member_id in shared:
        told = {code for mid, outcome, code in rows if mid == member_id and outcome != "no_vouchers_available"}
        assert len(told) == held.get(member_id, 0), (email[member_id], told)
    assert counters(batch.id) == real_counts(batch.id) == (100, 100, 0)


def test_tills_in_separate_processes_redeem_a_voucher_once(db_path, make_batch, claim_some):
    batch = make_batch(quantity=40)
    held = [v.code for v in claim_some(batch, 30)]
    results = run_together([["redeem", db_path, *random.sample(held, len(held))] for _ in range(4)])
    outcomes = Counter(outcome for result in results for _, outcome in result)
    assert outcomes == {"redeemed": 30, "already_redeemed": 90}
    redeemed_by = Counter(code for result in results for code, outcome in result if outcome == "redeemed")
    assert set(redeemed_by) == set(held) and set(redeemed_by.values()) == {1}
    assert counters(batch.id) == real_counts(batch.id) == (40, 30, 30)


# -- delete, claims and redemptions at once: one lock order, no deadlock reaching anyone -------------


def deleted_entry(batch_id):
    """The activity log's newest record of the batch's deletion (how many vouchers went, claimed,
    redeemed): SQLite may give a new batch the id of one deleted before."""
    return activity.entries(activity.Filter(batch_id=batch_id, kind="batch_deleted"), limit=1)[0].details


def delete_during(n_threads, work, batch_id):
    """Run work(i) on n_threads threads; one more deletes the batch once `started` is set by a worker
    (so the delete lands in the middle of the burst). Returns (results of work, vouchers deleted)."""
    started = threading.Event()

    def run(i):
        if i == n_threads:
            assert started.wait(30)
            return batches.delete_batch(batch_id)
        return work(i, started)

    *results, deleted = run_threads(n_threads + 1, run)  # any DatabaseProblem (a deadlock...) fails here
    return results, deleted


def test_a_delete_during_a_burst_of_claims_never_deadlocks(make_batch, make_member):
    ids = [make_member().id for _ in range(64)]
    for _ in range(20):  # a deadlock, when the lock order was wrong, came in 1 run of 4 on PostgreSQL
        batch = make_batch(quantity=100)

        def claim_all(i, started, batch=batch):
            outcomes = []
            for member_id in ids[i::8]:
                outcomes.append(claims.claim(batch.token, member_id).outcome)
                started.set()
            return outcomes

        results, deleted = delete_during(8, claim_all, batch.id)
        outcomes = Counter(o for chunk in results for o in chunk)
        assert set(outcomes) <= {ClaimOutcome.CLAIMED, ClaimOutcome.NOT_FOUND}, outcomes
        assert outcomes[ClaimOutcome.CLAIMED] >= 1 and sum(outcomes.values()) == 64
        # every claim answered "claimed" happened before the delete, and the delete counted it
        assert deleted == 100 and deleted_entry(batch.id)["claimed"] == outcomes[ClaimOutcome.CLAIMED]
        assert run_sql("SELECT COUNT(*) FROM voucher WHERE batch_id = :batch", {"batch": batch.id}).fetchone()[0] == 0
        assert claims.claim(batch.token, ids[0]).outcome is ClaimOutcome.NOT_FOUND


def test_a_delete_during_redemptions_never_deadlocks(make_batch, claim_some):
    for _ in range(20):
        batch = make_batch(quantity=40)
        held = [v.code for v in claim_some(batch, 32)]

        def redeem_all(i, started, held=held):
            outcomes = []
            for code in held[i::4]:
                outcomes.append(claims.redeem(code).outcome)
                started.set()
            return outcomes

        results, deleted = delete_during(4, redeem_all, batch.id)
        outcomes = Counter(o for chunk in results for o in chunk)
        assert set(outcomes) <= {RedeemOutcome.REDEEMED, RedeemOutcome.UNKNOWN_CODE}, outcomes
        assert outcomes[RedeemOutcome.REDEEMED] >= 1 and sum(outcomes.values()) == 32
        entry = deleted_entry(batch.id)
        assert deleted == 40 and (entry["claimed"], entry["redeemed"]) == (32, outcomes[RedeemOutcome.REDEEMED])
        assert claims.redeem(held[0]).outcome is RedeemOutcome.UNKNOWN_CODE


def test_claims_across_batches_and_members_keep_every_counter_exact(make_batch, make_member):
    """Twelve threads claim, in their own orders, for the same 50 members on three batches of 30:
    the same member on the same batch from several threads at once, too."""
    shop = [make_batch(quantity=30, name=f"Batch {n}") for n in range(3)]
    people = [make_member().id for _ in range(50)]
    pairs = [(batch, member_id) for batch in shop for member_id in people]

    def work(i):
        mine = random.Random(i).sample(pairs, len(pairs))
        return [(batch.id, member_id, claims.claim(batch.token, member_id)) for batch, member_id in mine]

    told = {}
    for chunk in run_threads(12, work):
        for batch_id, member_id, result in chunk:
            assert result.outcome in (ClaimOutcome.CLAIMED, ClaimOutcome.ALREADY_CLAIMED, ClaimOutcome.NO_VOUCHERS)
            if result.voucher:  # every thread is told the same code for a member's voucher
                told.setdefault((batch_id, member_id), set()).add(result.voucher.code)
    for batch in shop:
        held = member_vouchers(batch.id)
        assert sum(held.values()) == 30 and set(held.values()) == {1}
        assert counters(batch.id) == real_counts(batch.id) == (30, 30, 0)
    assert len(told) == 90 and all(len(codes) == 1 for codes in told.values())


def test_keeping_the_claim_base_keeps_a_store_name_saved_meanwhile(db_path):
    """The window's first start keeps the claim links' base on a worker while the manager saves the
    store's name in the welcome dialog: neither may undo the other."""
    from app.core import settings
    from app.core.store import close_database, write_transaction

    settings.save(settings.Settings())
    kept = []

    def keep_base():
        try:
            kept.append(settings.choose_claim_base())
        finally:
            close_database()  # this thread's connection

    with write_transaction():  # the welcome dialog's save, under way when the worker starts
        worker = threading.Thread(target=keep_base)
        worker.start()
        worker.join(0.5)  # the worker reads (and would keep) the settings as they were meanwhile
        named = settings.load()
        named.store_name = "Harbour Deli"
        settings.save(named)
    worker.join(10)
    saved = settings.load()
    assert saved.store_name == "Harbour Deli"
    assert saved.public_base_url and saved.public_base_url == kept[0].public_base_url


def test_the_welcome_dialogs_save_keeps_the_claim_base_kept_while_it_was_open(db_path):
    """The dialog shows the settings as read before the worker kept the claim links' base; saving the
    store's name afterwards keeps that base (the links the manager prints next point where they did)."""
    from dataclasses import replace

    from app.core import settings

    settings.save(settings.Settings())
    shown = settings.load()
    kept = settings.choose_claim_base()  # the window's worker, while the dialog is open
    settings.save_edits(shown, replace(shown, store_name="Harbour Deli", currency="€"))
    saved = settings.load()
    assert (saved.store_name, saved.currency) == ("Harbour Deli", "€")
    assert saved.public_base_url == kept.public_base_url != ""
