"""Voucher codes: random, unambiguous when read aloud or typed, and forgiving when typed."""

from __future__ import annotations

import operator
import re
import secrets
from collections.abc import Callable

# No 0/O and no 1/I/L: nothing a cashier can misread.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
DEFAULT_LENGTH = 10
MIN_LENGTH, MAX_LENGTH = 6, 20
MAX_PREFIX = 8
GROUP = 4
# The chance that one random guess of a code hits a valid voucher must stay below this.
MAX_GUESS_CHANCE = 1e-6

_PREFIX_RE = re.compile(rf"^[A-Z0-9]{{0,{MAX_PREFIX}}}$")
_SEPARATORS = re.compile(r"[\s\-_.]+")

# bytes.translate turns random bytes into code characters in C: each byte below 248 (= 31 * 8)
# maps to ALPHABET[byte % 31]; bytes 248..255 are dropped, so every character is equally likely.
_USABLE = len(ALPHABET) * (256 // len(ALPHABET))
_TABLE = bytes(ord(ALPHABET[b % len(ALPHABET)]) if b < _USABLE else 0 for b in range(256))
_DROP = bytes(range(_USABLE, 256))


def normalise(typed: str) -> str:
    """The stored form of a typed or scanned code: upper-case, without spaces or dashes."""
    return _SEPARATORS.sub("", typed or "").upper()


def normalise_prefix(prefix: str | None) -> str:
    prefix = normalise(prefix or "")
    if not _PREFIX_RE.match(prefix):
        raise ValueError(f"A code prefix is at most {MAX_PREFIX} letters or digits.")
    return prefix


def display(code: str, prefix_length: int = 0) -> str:
    """A stored code grouped for reading: SUMMER-K7QM-3XT9-PA."""
    prefix, body = code[:prefix_length], code[prefix_length:]
    groups = [body[i : i + GROUP] for i in range(0, len(body), GROUP)]
    return "-".join(([prefix] if prefix else []) + groups)


def displayer(prefix_length: int, length: int) -> Callable[[str], str]:
    """display() for the codes of one batch (its prefix, then `length` characters), the cuts worked
    out once: an export says a million codes. A code of another length is said by display() itself."""
    total = prefix_length + length
    cuts = ([slice(0, prefix_length)] if prefix_length else []) + [
        slice(start, min(start + GROUP, total)) for start in range(prefix_length, total, GROUP)
    ]
    if len(cuts) < 2:
        return lambda code: display(code, prefix_length)
    pieces, join = operator.itemgetter(*cuts), "-".join
    return lambda code: join(pieces(code)) if len(code) == total else display(code, prefix_length)


def guess_chance(valid_codes: int, length: int) -> float:
    """The chance that one random code of this length (after a given prefix) is one of valid_codes."""
    return valid_codes / float(len(ALPHABET) ** length)


def minimum_length(valid_codes: int) -> int:
    """The shortest random part that keeps guessing below MAX_GUESS_CHANCE."""
    length = MIN_LENGTH
    while guess_chance(valid_codes, length) >= MAX_GUESS_CHANCE:
        length += 1
    return length


def random_codes(count: int, length: int, prefix: str = "") -> list[str]:
    """count random codes, each prefix + length characters. Duplicates are possible but rare
    (the database's unique index catches them and the caller draws again)."""
    codes: list[str] = []
    while len(codes) < count:
        need = count - len(codes)
        # 248/256 of the bytes survive; ask for a little more than needed.
        raw = secrets.token_bytes(int(need * length * 1.04) + 64).translate(_TABLE, _DROP).decode("ascii")
        end = min(len(raw) // length, need) * length
        codes.extend(prefix + raw[i : i + length] for i in range(0, end, length))
    return codes
