"""The dashboard's figures, the batch list, and the vouchers view (counts, keyset pages, filters)."""

import random
from datetime import datetime, timedelta

import pytest

from app.core import batches, claims, vouchers, wording
from app.core.errors import InvalidInput, NotFound
from app.core.store import models
from app.core.store.models import Batch, Voucher

from .helpers import real_counts


def test_a_new_batch_has_no_redemption_rate(make_batch):
    batch = make_batch(quantity=10)
    assert (batch.total, batch.claimed, batch.redeemed, batch.available) == (10, 0, 0, 10)
    assert batch.redemption_rate is None
    assert batch.rate_text == "—"
    assert batch.to_json()["redemption_rate"] is None


def test_the_spec_card_500_total_127_claimed_45_redeemed_is_35_percent(make_batch, claim_some):
    batch = make_batch(quantity=500, name="Q1 2025 Email Campaign")
    for voucher in claim_some(batch, 127)[:45]:
        claims.redeem(voucher.code)
    card = batches.get_batch(batch.id)
    assert (card.total, card.claimed, card.redeemed, card.available) == (500, 127, 45, 373)
    assert card.redemption_rate == pytest.approx(45 / 127 * 100, abs=0.05)
    assert card.rate_text == "35%"
    assert real_counts(batch.id) == (500, 127, 45)
    data = card.to_json()
    assert {k: data[k] for k in ("total", "claimed", "redeemed", "available", "status")} == {
        "total": 500,
        "claimed": 127,
        "redeemed": 45,
        "available": 373,
        "status": "active",
    }
    assert data["claim_url"] == card.claim_url and datetime.fromisoformat(data["created_at"]).utcoffset() is not None


@pytest.mark.parametrize(
    ("claimed", "redeemed", "shown"),
    # 45.45 % and 89.47 % were shown as 46 % and 90 %: rounded to one decimal first, then again
    [
        (0, 0, "—"),
        (7, 0, "0%"),
        (2, 1, "50%"),
        (3, 3, "100%"),
        (11, 5, "45%"),
        (19, 17, "89%"),
        (8, 1, "13%"),
        (200, 1, "1%"),
    ],
)
def test_a_rate_is_a_whole_percentage_rounded_once_from_the_counts(claimed, redeemed, shown):
    assert wording.rate_text(claimed, redeemed) == shown


def test_the_card_and_the_json_round_5_of_11_from_the_exact_counts(make_batch, claim_some):
    batch = make_batch(quantity=20)
    for voucher in claim_some(batch, 11)[:5]:
        claims.redeem(voucher.code)
    card = batches.get_batch(batch.id)
    assert card.rate_text == "45%"
    assert card.to_json()["redemption_rate"] == 45.5  # machines keep a decimal of the exact 45.45…


def test_all_redeemed_is_a_hundred_percent(make_batch, claim_some):
    batch = make_batch(quantity=4)
    for voucher in claim_some(batch, 2):
        claims.redeem(voucher.code)
    assert batches.get_batch(batch.id).redemption_rate == 100


def test_the_list_is_newest_first(make_batch):
    first, second, third = (make_batch(quantity=1, name=n) for n in ("First", "Second", "Third"))
    assert [b.name for b in batches.list_batches()] == ["Third", "Second", "First"]
    # by creation time, not by id
    later = datetime.now().replace(microsecond=0) + timedelta(days=1)
    Batch.update(created_at=later).where(Batch.id == first.id).execute()
    assert [b.name for b in batches.list_batches()] == ["First", "Third", "Second"]
    assert batches.list_batches()[0].created_at == later


def test_the_list_filters_by_name_status_and_channel(make_batch):
    make_batch(quantity=1, name="Summer 2025 - Email List", channel="Email")
    insta = make_batch(quantity=1, name="Summer 2025 - Instagram Post", channel="Social media")
    make_batch(quantity=1, name="100% Winter", channel="In-store QR")
    batches.pause_batch(insta.id)
    names = lambda **f: sorted(b.name for b in batches.list_batches(**f))  # noqa: E731
    assert names(search="summer") == ["Summer 2025 - Email List", "Summer 2025 - Instagram Post"]
    assert names(search=" INSTAGRAM ") == ["Summer 2025 - Instagram Post"]
    assert names(search="0%") == ["100% Winter"]  # a % typed is a character, not a wildcard
    assert names(status="paused") == ["Summer 2025 - Instagram Post"]
    assert names(status="active", channel="In-store QR") == ["100% Winter"]
    assert names(search="autumn") == []


def test_every_batchs_metrics_stay_apart(make_batch, claim_some):
    a, b = make_batch(quantity=5, name="A"), make_batch(quantity=7, name="B")
    claim_some(a, 2)
    claims.redeem(claim_some(b, 3)[0].code)
    listed = {s.name: (s.total, s.claimed, s.redeemed, s.available) for s in batches.list_batches()}
    assert listed == {"A": (5, 2, 0, 3), "B": (7, 3, 1, 4)}


@pytest.fixture
def mixed(make_batch, make_member, claim_some):
    """A batch of 50: 12 claimed (5 of those redeemed), 38 unclaimed; and a second batch beside it."""
    make_batch(quantity=30, name="Neighbour")
    batch = make_batch(quantity=50, name="Mixed")
    held = claim_some(batch, 12)
    for voucher in held[:5]:
        claims.redeem(voucher.code)
    make_batch(quantity=30, name="Another neighbour")
    return batch, held


def test_count_for_each_status(mixed):
    batch, _ = mixed
    assert vouchers.count(batch.id) == 50
    assert vouchers.count(batch.id, "all") == 50
    assert vouchers.count(batch.id, "unclaimed") == 38
    assert vouchers.count(batch.id, "claimed") == 7
    assert vouchers.count(batch.id, "redeemed") == 5
    with pytest.raises(InvalidInput):
        vouchers.count(batch.id, "deleted")
    with pytest.raises(NotFound):
        vouchers.count(4242)


def walk(batch_id, size, **filters):
    """Every page of the vouchers view, following the keyset from page to page."""
    seen, after = [], 0
    while True:
        rows = vouchers.page(batch_id, after_id=after, limit=size, **filters)
        assert len(rows) <= size
        if not rows:
            return seen
        seen.extend(rows)
        after = rows[-1].id


@pytest.mark.parametrize("size", [1, 7, 50, 100])
def test_keyset_pages_walk_the_whole_batch_without_gap_or_duplicate(mixed, size):
    batch, _ = mixed
    seen = walk(batch.id, size)
    ids = [r.id for r in seen]
    assert ids == sorted(set(ids)) and len(ids) == 50
    assert ids[-1] - ids[0] == 49  # no voucher of the neighbours
    assert len({r.code for r in seen}) == 50


@pytest.mark.parametrize(("status", "n"), [("unclaimed", 38), ("claimed", 7), ("redeemed", 5)])
def test_pages_filter_by_status(mixed, status, n):
    batch, _ = mixed
    seen = walk(batch.id, 3, status=status)
    assert len(seen) == n == vouchers.count(batch.id, status)
    assert {r.status for r in seen} == {status}
    assert all((r.member is None) == (status == "unclaimed") for r in seen)
    assert all((r.redeemed_at is None) == (status != "redeemed") for r in seen)


def test_pages_find_a_code_however_it_is_typed(mixed):
    batch, held = mixed
    code = held[7].code  # e.g. K7QM-3XT9-PA
    for typed in (code, code.lower(), code.replace("-", ""), code[:6].lower(), " " + code[:4] + " "):
        found = [r.code for r in walk(batch.id, 100, search=typed)]
        assert code in found, typed
        assert all(c.replace("-", "").startswith(typed.strip().replace("-", "").upper()) for c in found)
    assert [r.code for r in walk(batch.id, 100, search=code)] == [code]
    assert vouchers.count(batch.id, search=code) == 1


def test_pages_find_a_members_voucher_by_email(mixed):
    batch, held = mixed
    email = held[3].member
    rows = walk(batch.id, 100, search=email.upper())
    assert [(r.code, r.member) for r in rows] == [(held[3].code, email)]
    assert vouchers.count(batch.id, search=email) == 1
    assert len(walk(batch.id, 5, search="@example.com")) == 12
    assert walk(batch.id, 5, search="@example.com", status="redeemed") == walk(batch.id, 5, status="redeemed")
    assert walk(batch.id, 5, search="nobody@nowhere.test") == []


def test_a_search_for_a_members_underscore_is_not_a_wildcard(make_batch, make_member):
    batch = make_batch(quantity=3)
    for email in ("a_b@example.com", "axb@example.com"):
        claims.claim(batch.token, make_member(email).id)
    assert [r.member for r in walk(batch.id, 10, search="a_b")] == ["a_b@example.com"]


@pytest.mark.parametrize(
    ("size", "filters"), [(7, {}), (1, {}), (50, {}), (3, {"status": "claimed"}), (4, {"search": "@example"})]
)
def test_page_starts_and_page_from_agree_with_the_keyset_walk(mixed, size, filters):
    batch, _ = mixed
    pages = walk(batch.id, size, **filters)
    starts = vouchers.page_starts(batch.id, size, **filters)
    assert starts == [r.id for r in pages[::size]]
    jumped = [row for start in starts for row in vouchers.page_from(batch.id, start, size, **filters)]
    assert jumped == pages
    # jumping straight to the last page
    assert vouchers.page_from(batch.id, starts[-1], size, **filters) == pages[(len(starts) - 1) * size :]


def test_page_starts_of_a_batch_whose_ids_are_not_one_run(make_batch):
    # Vouchers swapped between two batches: their ids interleave, and the pages still agree.
    a = make_batch(quantity=10, name="A")
    b = make_batch(quantity=10, name="B")
    Voucher.update(batch=b.id).where(Voucher.batch == a.id, (Voucher.id.bin_and(1)) == 0).execute()
    Voucher.update(batch=a.id).where(Voucher.batch == b.id, (Voucher.id.bin_and(1)) == 1, Voucher.id > 10).execute()
    pages = walk(a.id, 3)
    assert vouchers.page_starts(a.id, 3) == [r.id for r in pages[::3]]


# -- sorted pages: by claim or redemption time, either way, still keyset reads ---------------------


@pytest.fixture
def shuffled(make_batch, make_member):
    """A batch of 40 whose 25 claims and 10 redemptions happened at shuffled times, some at the same second."""
    batch = make_batch(quantity=40, name="Shuffled")
    rng = random.Random(22)
    start = datetime(2026, 5, 1, 9, 0)
    try:
        codes = []
        for minute in rng.sample(range(200), 25):
            models.set_clock(start + timedelta(minutes=minute // 3 * 3))  # every third claim shares a minute
            codes.append(claims.claim(batch.token, make_member().id).voucher.code)
        for code in rng.sample(codes, 10):
            models.set_clock(start + timedelta(hours=5, minutes=rng.randrange(30)))
            claims.redeem(code)
    finally:
        models.set_clock(None)
    return batch


def expected_order(rows, column, descending):
    timed = sorted((r for r in rows if getattr(r, column) is not None), key=lambda r: (getattr(r, column), r.id))
    rest = sorted((r for r in rows if getattr(r, column) is None), key=lambda r: r.id)
    return (timed[::-1] if descending else timed) + rest


@pytest.mark.parametrize("column", ["claimed_at", "redeemed_at", "id"])
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize(("size", "filters"), [(7, {}), (1, {}), (100, {}), (4, {"status": "claimed"})])
def test_sorted_pages_jump_by_their_starts_and_agree_with_the_sorted_vouchers(
    shuffled, column, descending, size, filters
):
    everything = walk(shuffled.id, 1000, **filters)
    wanted = (
        sorted(everything, key=lambda r: r.id, reverse=descending)
        if column == "id"
        else expected_order(everything, column, descending)
    )
    sort = vouchers.Sort(column, descending)
    starts = vouchers.page_starts(shuffled.id, size, sort=sort, **filters)
    assert len(starts) == -(-len(wanted) // size)
    jumped = [row for start in starts for row in vouchers.page_from(shuffled.id, start, size, sort=sort, **filters)]
    assert jumped == wanted
    assert vouchers.page_from(shuffled.id, starts[-1], size, sort=sort, **filters) == wanted[(len(starts) - 1) * size :]


def test_an_unknown_sort_is_refused_in_a_sentence(shuffled):
    with pytest.raises(InvalidInput, match="sorted by one of: id, claimed_at, redeemed_at"):
        vouchers.page_starts(shuffled.id, 10, sort=vouchers.Sort("member"))
