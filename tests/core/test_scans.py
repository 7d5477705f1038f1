"""A code scanned through a keyboard mix-up is found all the same: a scanner types key presses for its
own layout, and the PC reads them in its layout. These tests type every code as such a scanner would
(a keyboard simulated key by key, below) and check that the till's look-up finds the voucher meant,
never another one, and refuses when two vouchers could be meant."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from app.core import claims, codes, scans, vouchers
from app.core.errors import NotFound
from app.core.vouchers import NotACode

# -- a keyboard, key by key ---------------------------------------------------------------------
# Each layout: its keys' characters without and with Shift, by position (digit row, then the three
# rows of letters), as the layouts' own charts print them. "" marks a dead key.
ROWS = {
    "us": (
        list("`1234567890-=") + list("qwertyuiop[]\\") + list("asdfghjkl;'") + list("zxcvbnm,./"),
        list("~!@#$%^&*()_+") + list("QWERTYUIOP{}|") + list('ASDFGHJKL:"') + list("ZXCVBNM<>?"),
    ),
    "de": (
        ["", *"1234567890ß", ""] + list("qwertzuiopü+#") + list("asdfghjklöä") + list("yxcvbnm,.-"),
        list('°!"§$%&/()=?') + [""] + list("QWERTZUIOPÜ*'") + list("ASDFGHJKLÖÄ") + list("YXCVBNM;:_"),
    ),
    "fr": (
        ["", *"&é\"'(-è_çà)="] + list("azertyuiop") + ["", "$", "*"] + list("qsdfghjklmù") + list("wxcvbn,;:!"),
        ["", *"1234567890°+"] + list("AZERTYUIOP") + ["", "£", "µ"] + list("QSDFGHJKLM%") + list("WXCVBN?./§"),
    ),
}
DIGIT_ROW = range(13)


def keys_for(layout: str, char: str) -> tuple[int, bool]:
    """The key (position) and Shift a layout needs to type char."""
    plain, shifted = ROWS[layout]
    if char in plain:
        return plain.index(char), False
    return shifted.index(char), True


def typed_on(pc: str, key: int, shift: bool, caps_lock: str) -> str:
    """What the PC's layout types for a key press. caps_lock: "" (off), "linux" or "windows". Caps
    lock turns the Shift of a letter key (and on French Windows of the digit row's keys); Linux
    types the capital of an accented letter on the digit row (é: É)."""
    plain, shifted = ROWS[pc]
    if caps_lock:
        letter_key = plain[key].isalpha() and shifted[key] == plain[key].upper()
        if letter_key or (caps_lock == "windows" and pc == "fr" and key in DIGIT_ROW):
            shift = not shift
        elif plain[key].isalpha() and len(plain[key].upper()) == 1 and not shift:
            return plain[key].upper()
    return (shifted if shift else plain)[key]


def scan(text: str, scanner: str, pc: str, caps_lock: str = "") -> str:
    """What a scanner set to one layout types on a PC set to another."""
    return "".join(typed_on(pc, *keys_for(scanner, ch), caps_lock) for ch in text)


MIX_UPS = [
    ("us", "us", ""),
    ("us", "us", "linux"),
    ("us", "de", ""),
    ("us", "de", "linux"),
    ("us", "fr", ""),
    ("us", "fr", "linux"),
    ("us", "fr", "windows"),
    ("de", "us", ""),
    ("de", "us", "linux"),
    ("fr", "us", ""),
    ("fr", "us", "linux"),
]


def test_the_simulated_keyboards_type_what_the_layouts_are_known_for():
    """The keyboard the tests type on, checked against the well-known symptoms."""
    assert scan("K7QM-3XYZ-29", "us", "us") == "K7QM-3XYZ-29"
    assert scan("K7QM-3XYZ-29", "us", "de") == "K7QMß3XZYß29"  # Y and Z swapped, ß for a dash
    assert scan("2345-6789", "us", "fr") == "é\"'()-è_ç"  # the digit row
    assert scan("AMQZW", "us", "fr") == "Q?AWZ"
    assert scan("K7QM", "us", "us", "linux") == "k7qm"
    assert scan("29", "us", "fr", "linux") == "ÉÇ"
    assert scan("K729", "us", "fr", "windows") == "k729"
    assert scan("2345", "fr", "us") == "@#$%"  # shifted symbols: a French scanner on a US PC
    assert scan("http://shop.test/claim/aB", "us", "de") == "httpÖ--shop.test-claim-aB"


# -- every mix-up, over the whole code alphabet ----------------------------------------------------

bodies = st.text(alphabet=codes.ALPHABET, min_size=codes.MIN_LENGTH, max_size=codes.MAX_LENGTH)
prefixes = st.text(alphabet=codes.ALPHABET, max_size=codes.MAX_PREFIX)


@given(body=bodies, prefix=prefixes, mix_up=st.sampled_from(MIX_UPS), grouped=st.booleans())
def test_every_mix_up_reads_back_as_the_code(body, prefix, mix_up, grouped):
    code = prefix + body
    shown = codes.display(code, len(prefix)) if grouped else code
    typed = scan(shown, *mix_up)
    assert code in [found for found, _ in scans.code_readings(typed)]


@given(body=bodies, mix_up=st.sampled_from(MIX_UPS))
def test_the_code_as_typed_comes_first(body, mix_up):
    """Whatever the readings, the text as typed is tried before any repair."""
    typed = scan(codes.display(body), *mix_up)
    assume(re.fullmatch("[A-Za-z0-9]+", re.sub(r"[\s._-]", "", typed)))
    assert scans.code_readings(typed)[0] == (codes.normalise(typed), scans.MIX_UPS[0])


@given(body=bodies, mix_up=st.sampled_from(MIX_UPS))
def test_the_scanner_test_names_the_mix_up(body, mix_up):
    """What the Test your scanner page says: the mix-up that explains what the scanner typed."""
    typed = scan(body, *mix_up)
    found = scans.mix_up_of(body, typed)
    assert found is not None
    assert scans.read_as(found, typed) == body


def test_the_scanner_test_names_each_setup_in_words():
    label = "VB-TEST-YZ23-4567-89AM-QW"
    said = {mix_up: scans.mix_up_of(label, scan(label, *mix_up)).words for mix_up in MIX_UPS}
    assert said[("us", "us", "")] == "as typed"
    assert said[("us", "de", "")] == "a scanner set to US keys on a German (QWERTZ) PC"
    assert said[("us", "fr", "")] == "a scanner set to US keys on a French (AZERTY) PC"
    assert said[("fr", "us", "")] == "a scanner set to French (AZERTY) keys on a US PC"
    assert said[("us", "us", "linux")] == "with caps lock on"
    assert "caps lock" in said[("us", "fr", "windows")]
    assert scans.mix_up_of(label, "something else entirely") is None


@given(
    token=st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", min_size=32, max_size=32
    ),
    mix_up=st.sampled_from(MIX_UPS),
)
def test_a_claim_link_reads_back_as_its_token(token, mix_up):
    link = f"http://shop.test:8080/en-us/claim/{token}"
    typed = scan(link, *mix_up)
    assert token in [found for found, _ in scans.claim_tokens(typed)]
    assert scans.looks_like_link(typed)


# -- the look-up: the voucher meant, or none ------------------------------------------------------


@pytest.fixture
def voucher(make_batch, make_member):
    batch = make_batch(quantity=5, name="Spring Fair", prefix="spr")
    return claims.claim(batch.token, make_member().id).voucher


@pytest.mark.parametrize("mix_up", MIX_UPS)
def test_the_till_finds_a_voucher_through_every_mix_up(voucher, mix_up):
    found = vouchers.lookup(scan(voucher.code, *mix_up))
    assert found.code == voucher.code
    assert (found.scanned_as == "") == (mix_up in (("us", "us", ""), ("us", "us", "linux")))


def test_a_code_as_typed_wins_over_a_repair(make_batch):
    """Two vouchers whose codes differ only by Y and Z: each is found as typed, never as the other."""
    batch = make_batch(quantity=1)
    _insert(batch, "SPRY7QM3XT9PA", "SPRZ7QM3XT9PA")
    assert vouchers.lookup("SPRY-7QM3-XT9P-A").code.replace("-", "") == "SPRY7QM3XT9PA"
    assert vouchers.lookup("SPRZ-7QM3-XT9P-A").code.replace("-", "") == "SPRZ7QM3XT9PA"


def test_two_repairs_naming_two_vouchers_are_refused(make_batch):
    """Typed Z: no voucher has it; German keys read it as Y, French keys (with caps lock on
    Windows) as W, and both exist."""
    batch = make_batch(quantity=1)
    _insert(batch, "Y7XK3RT9PB", "W7XK3RT9PB")
    with pytest.raises(NotACode) as refused:
        vouchers.lookup("Z7XK3RT9PB")
    assert refused.value.code == "ambiguous_code"
    assert "W7XK-3RT9-PB and Y7XK-3RT9-PB" in str(refused.value)
    # and redeeming refuses it the same way, changing nothing
    with pytest.raises(NotACode):
        claims.redeem("Z7XK3RT9PB")


def test_an_unknown_code_stays_unknown(voucher):
    with pytest.raises(NotFound) as refused:
        vouchers.lookup("ZZZZ-ZZZZ-ZZ")
    assert str(refused.value) == "No voucher has the code ZZZZ-ZZZZ-ZZ."
    assert claims.redeem("ZZZZ-ZZZZ-ZZ").outcome is claims.RedeemOutcome.UNKNOWN_CODE


@pytest.mark.parametrize("mix_up", MIX_UPS)
def test_a_claim_link_says_which_batch_it_belongs_to(make_batch, mix_up):
    batch = make_batch(quantity=3, name="Spring Fair")
    other = make_batch(quantity=3, name="Autumn")
    link = f"http://shop.test:8080/en-us/claim/{batch.token}"
    with pytest.raises(NotACode) as refused:
        vouchers.lookup(scan(link, *mix_up))
    assert refused.value.code == "claim_link"
    assert refused.value.batch == (batch.id, "Spring Fair")
    assert str(refused.value).startswith(f"This is the claim link of the batch “Spring Fair” (id {batch.id})")
    assert other.id != batch.id


def test_another_web_address_is_no_code(db_path):
    with pytest.raises(NotACode) as refused:
        vouchers.lookup("https://example.com/some/page")
    assert refused.value.code == "not_a_code"


def _insert(batch, *stored: str) -> None:
    from app.core.store import run_sql, write_transaction

    with write_transaction():
        for code in stored:
            run_sql("INSERT INTO voucher (batch_id, code, status) VALUES (:b, :c, 0)", {"b": batch.id, "c": code})
