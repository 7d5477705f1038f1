"""Voucher codes: an alphabet without look-alikes, forgiving typing, uniqueness, and no guessable batches."""

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core import codes
from app.core.errors import GenerationCancelled, InvalidInput
from app.core.store.models import Voucher

from .helpers import table_counts

code_bodies = st.text(alphabet=codes.ALPHABET, min_size=1, max_size=codes.MAX_LENGTH)
prefixes = st.text(alphabet=codes.ALPHABET, max_size=codes.MAX_PREFIX)


def test_the_alphabet_has_no_look_alike_characters():
    assert not set("0O1IL") & set(codes.ALPHABET)
    assert len(set(codes.ALPHABET)) == len(codes.ALPHABET) == 31
    assert all(ch.isdigit() or ch.isupper() for ch in codes.ALPHABET)


@given(count=st.integers(1, 40), length=st.integers(codes.MIN_LENGTH, codes.MAX_LENGTH), prefix=prefixes)
def test_codes_are_the_prefix_then_characters_of_the_alphabet(count, length, prefix):
    drawn = codes.random_codes(count, length, prefix)
    assert len(drawn) == count
    for code in drawn:
        assert code.startswith(prefix) and len(code) == len(prefix) + length
        assert set(code[len(prefix) :]) <= set(codes.ALPHABET)


def test_every_character_of_the_alphabet_is_equally_likely():
    drawn = "".join(codes.random_codes(31_000, 10))
    expected = len(drawn) / len(codes.ALPHABET)
    seen = Counter(drawn)
    assert set(seen) == set(codes.ALPHABET)
    # 10,000 draws a character: 5% is about 9 standard deviations, and a modulo bias would be 12%.
    assert all(abs(n - expected) < 0.05 * expected for n in seen.values()), seen


@given(code=code_bodies, data=st.data())
def test_typing_ignores_case_spaces_and_dashes(code, data):
    typed = "".join(
        data.draw(st.sampled_from(["", "", " ", "-", " - ", "  ", "\t"]))
        + (ch.lower() if data.draw(st.booleans()) else ch)
        for ch in code
    ) + data.draw(st.sampled_from(["", " ", "\n", "-"]))
    assert codes.normalise(typed) == code


@given(body=code_bodies, prefix=prefixes)
def test_a_displayed_code_reads_back_as_the_stored_code(body, prefix):
    code = prefix + body
    shown = codes.display(code, len(prefix))
    assert codes.normalise(shown) == code
    assert codes.normalise(shown.lower()) == code
    assert codes.display(codes.normalise(shown.lower().replace("-", " ")), len(prefix)) == shown
    groups = shown.split("-")
    if prefix:
        assert groups.pop(0) == prefix
    assert all(1 <= len(g) <= codes.GROUP for g in groups) and all(len(g) == codes.GROUP for g in groups[:-1])


def test_a_default_code_is_grouped_for_reading():
    assert codes.display("K7QM3XT9PA") == "K7QM-3XT9-PA"
    assert codes.display("SUMMERK7QM3XT9PA", 6) == "SUMMER-K7QM-3XT9-PA"


def test_a_batch_gets_codes_of_the_default_length_with_its_prefix(make_batch):
    batch = make_batch(quantity=50, prefix="sum-24")
    stored = [v.code for v in Voucher.select(Voucher.code).where(Voucher.batch == batch.id)]
    assert len(stored) == 50
    assert all(c.startswith("SUM24") and len(c) == 5 + codes.DEFAULT_LENGTH for c in stored)
    assert all(set(c[5:]) <= set(codes.ALPHABET) for c in stored)


@pytest.mark.parametrize("prefix", ["TOO-LONG-PREFIX", "ÄÖ", "A!"])
def test_a_bad_prefix_is_refused(make_batch, prefix):
    with pytest.raises(InvalidInput):
        make_batch(prefix=prefix)
    assert table_counts() == (0, 0)


def test_codes_are_unique_across_every_batch(make_batch):
    for n in range(5):
        make_batch(quantity=2_000, name=f"Batch {n}")
    total, distinct = Voucher.select().count(), len({v.code for v in Voucher.select(Voucher.code)})
    assert total == distinct == 10_000


def test_a_batch_still_gets_exactly_its_quantity_when_drawn_codes_are_taken(make_batch, monkeypatch):
    first = make_batch(quantity=20, name="First")
    taken = [v.code for v in Voucher.select(Voucher.code).where(Voucher.batch == first.id)]
    real = codes.random_codes
    calls = []

    def unlucky(count, length, prefix=""):
        calls.append(count)
        if len(calls) > 1:
            return real(count, length, prefix)
        # the first draw: half of it codes of the other batch, and every new code twice
        fresh = real(count // 4, length, prefix)
        return (taken[: count // 2] + fresh + fresh)[:count]

    monkeypatch.setattr(codes, "random_codes", unlucky)
    second = make_batch(quantity=20, name="Second")
    assert len(calls) >= 2, "the taken codes were drawn again"
    mine = [v.code for v in Voucher.select(Voucher.code).where(Voucher.batch == second.id)]
    assert len(mine) == len(set(mine)) == 20
    assert not set(mine) & set(taken)
    assert Voucher.select().where(Voucher.batch == first.id).count() == 20


def test_a_batch_whose_codes_would_be_guessable_is_refused(make_batch):
    # 6 characters: 31**6 = 887,503,681 codes; 1,000 valid ones are a 1 in 887,503 chance a guess.
    with pytest.raises(InvalidInput, match=r"guessable.*1,000 vouchers.*at least 7 characters"):
        make_batch(quantity=1_000, code_length=6)
    assert table_counts() == (0, 0)
    assert make_batch(quantity=1_000, code_length=7).total == 1_000


def test_guessing_counts_every_batch_sharing_the_prefix_and_length(make_batch):
    make_batch(quantity=800, code_length=6, name="First")  # a 1 in 1.1 million chance: allowed
    with pytest.raises(InvalidInput, match="guessable"):
        make_batch(quantity=200, code_length=6, name="Second")
    # another prefix is another pool of codes to guess from
    assert make_batch(quantity=200, code_length=6, name="Prefixed", prefix="X").total == 200


def test_the_default_code_length_takes_a_million_vouchers(make_batch):
    assert codes.guess_chance(1_000_000, codes.DEFAULT_LENGTH) < codes.MAX_GUESS_CHANCE
    seen = []

    def progress(done, total):
        seen.append((done, total))

    # Stopped at once: what matters here is that the guessing rule let it start.
    with pytest.raises(GenerationCancelled):
        make_batch(quantity=1_000_000, progress=progress, should_stop=lambda: True)
    assert seen == [(0, 1_000_000)]


@pytest.mark.parametrize("length", [codes.MIN_LENGTH - 1, codes.MAX_LENGTH + 1])
def test_a_code_length_out_of_range_is_refused(make_batch, length):
    with pytest.raises(InvalidInput):
        make_batch(quantity=1, code_length=length)


@given(valid=st.integers(1, 20_000_000))
def test_the_shortest_safe_length_is_safe_and_one_less_is_not(valid):
    length = codes.minimum_length(valid)
    assert codes.guess_chance(valid, length) < codes.MAX_GUESS_CHANCE
    if length > codes.MIN_LENGTH:
        assert codes.guess_chance(valid, length - 1) >= codes.MAX_GUESS_CHANCE
