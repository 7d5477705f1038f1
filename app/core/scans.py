"""What a scanner (or a person) typed into the till, read again as each keyboard mix-up would have
typed it: a keyboard-wedge scanner types a code as key presses for the layout it is set to, and the PC
reads those keys in its own layout. A scanner set to US keys on a German (QWERTZ) PC swaps Y and Z and
types ß for a dash; on a French (AZERTY) PC it types é"'(-è_çà for the digits; a scanner set to AZERTY
on a US PC types !@#$%^&*() for them; caps lock turns every letter's case (and on a French Windows PC
the digit row as well). Pure text: the database look-up that uses these readings is vouchers.lookup's.

A reading is what the scanner meant, given one mix-up. The readings of a text come in a fixed order,
the text as typed first; a code is looked up as typed before any repair is tried, and a repair is
used only when exactly one of them names a voucher (two would be a guess: refused)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# The keys of a keyboard by position, as the layout prints them without and with Shift: the same
# positions in every layout (the digit row, the three rows of letters). A space marks a dead key or
# one that types nothing, which no reading uses.
_US = (
    "`1234567890-=qwertyuiop[]\\asdfghjkl;'zxcvbnm,./",
    '~!@#$%^&*()_+QWERTYUIOP{}|ASDFGHJKL:"ZXCVBNM<>?',
)
_QWERTZ = (
    "^1234567890ß qwertzuiopü+#asdfghjklöäyxcvbnm,.-",
    "°!\"§$%&/()=? QWERTZUIOPÜ*'ASDFGHJKLÖÄYXCVBNM;:_",
)
_AZERTY = (
    " &é\"'(-è_çà)=azertyuiop $*qsdfghjklmùwxcvbn,;:!",
    " 1234567890°+AZERTYUIOP £µQSDFGHJKLM%WXCVBN?./§",
)
_DIGIT_ROW = 13  # the first row's keys: French Windows' caps lock shifts them too


def _layout_table(layout: tuple[str, str]) -> dict[str, str]:
    """US character -> what the layout types on the same key with the same Shift."""
    table: dict[str, str] = {}
    for us_row, row in zip(_US, layout, strict=True):
        for us, typed in zip(us_row, row, strict=True):
            if typed != " " and us != typed:
                table[us] = typed
    return table


def _inverse(table: dict[str, str]) -> dict[str, str]:
    return {typed: us for us, typed in table.items()}


def _caps_pairs(layout: tuple[str, str], digit_row: bool) -> dict[str, str]:
    """What caps lock swaps on this layout: each letter key's small and capital letter (é and É too:
    Linux types É on the é key with caps lock on), and with digit_row the digit row's two characters
    (French Windows types the digits there with caps lock on)."""
    pairs: dict[str, str] = {}
    plain, shifted = layout
    for position, (low, high) in enumerate(zip(plain, shifted, strict=True)):
        if " " in (low, high):
            continue
        if position < _DIGIT_ROW and digit_row:
            pairs[low], pairs[high] = high, low
        elif low.isalpha() and len(low.upper()) == 1 and low.upper() != low:  # (ß has no capital of one letter)
            pairs[low], pairs[low.upper()] = low.upper(), low
    return pairs


def _translation(mapping: dict[str, str]) -> dict[int, str]:
    return str.maketrans(mapping) if mapping else {}


@dataclass(frozen=True)
class MixUp:
    """One way the scanner's keys and the PC's layout can disagree, and how to read it back."""

    name: str  # a stable identifier: as_typed, us_on_qwertz, ...
    words: str  # for a person: "a scanner set to US keys on a German (QWERTZ) PC"
    caps_lock: dict[int, str]  # undoes caps lock, as the PC's layout has it (applied first)
    back: dict[int, str]  # then what the PC typed -> what the scanner meant
    symptom: str = ""  # what a person sees of it: "Y and Z swapped, ß for a dash"


_DE = _layout_table(_QWERTZ)  # what a scanner set to US keys types on a German PC
_FR = _layout_table(_AZERTY)  # ... on a French PC
_CAPS_US = _translation(_caps_pairs(_US, digit_row=False))
_CAPS_DE = _translation(_caps_pairs(_QWERTZ, digit_row=False))
_CAPS_FR_LINUX = _translation(_caps_pairs(_AZERTY, digit_row=False))
_CAPS_FR_WINDOWS = _translation(_caps_pairs(_AZERTY, digit_row=True))

_QWERTZ_SYMPTOM = "Y and Z swapped, ß for a dash"
_AZERTY_SYMPTOM = "é\"'(-è_çà for the digits, A and Q, Z and W swapped, ? for M"

# In the order they are tried: as typed, then the likelier mix-ups first.
MIX_UPS: tuple[MixUp, ...] = (
    MixUp("as_typed", "as typed", {}, {}),
    MixUp("caps_lock", "with caps lock on", _CAPS_US, {}, "small letters for capitals"),
    MixUp(
        "us_on_qwertz",
        "a scanner set to US keys on a German (QWERTZ) PC",
        {},
        _translation(_inverse(_DE)),
        _QWERTZ_SYMPTOM,
    ),
    MixUp(
        "us_on_qwertz_caps_lock",
        "a scanner set to US keys on a German (QWERTZ) PC, with caps lock on",
        _CAPS_DE,
        _translation(_inverse(_DE)),
        _QWERTZ_SYMPTOM + ", small letters for capitals",
    ),
    MixUp(
        "us_on_azerty",
        "a scanner set to US keys on a French (AZERTY) PC",
        {},
        _translation(_inverse(_FR)),
        _AZERTY_SYMPTOM,
    ),
    MixUp(
        "us_on_azerty_caps_lock",
        "a scanner set to US keys on a French (AZERTY) PC, with caps lock on",
        _CAPS_FR_LINUX,
        _translation(_inverse(_FR)),
        "ÉÈÇÀ for some digits, A and Q, Z and W swapped, small letters for capitals",
    ),
    MixUp(
        "us_on_azerty_shift_lock",
        "a scanner set to US keys on a French (AZERTY) Windows PC, with caps lock on",
        _CAPS_FR_WINDOWS,
        _translation(_inverse(_FR)),
        "A and Q, Z and W swapped, small letters for capitals",
    ),
    MixUp(
        "qwertz_on_us",
        "a scanner set to German (QWERTZ) keys on a US PC",
        {},
        _translation(_DE),
        "Y and Z swapped, / for a dash",
    ),
    MixUp(
        "qwertz_on_us_caps_lock",
        "a scanner set to German (QWERTZ) keys on a US PC, with caps lock on",
        _CAPS_US,
        _translation(_DE),
        "Y and Z swapped, / for a dash, small letters for capitals",
    ),
    MixUp(
        "azerty_on_us",
        "a scanner set to French (AZERTY) keys on a US PC",
        {},
        _translation(_FR),
        "!@#$%^&*() for the digits, A and Q, Z and W swapped",
    ),
    MixUp(
        "azerty_on_us_caps_lock",
        "a scanner set to French (AZERTY) keys on a US PC, with caps lock on",
        _CAPS_US,
        _translation(_FR),
        "!@#$%^&*() for the digits, A and Q, Z and W swapped, small letters for capitals",
    ),
)


MIX_UP_NAMED = {mix_up.name: mix_up for mix_up in MIX_UPS}


def read_as(mix_up: MixUp, typed: str) -> str:
    """What the scanner meant, had this mix-up typed it."""
    return typed.translate(mix_up.caps_lock).translate(mix_up.back)


@dataclass(frozen=True)
class Reading:
    text: str  # what the scanner meant
    mix_up: MixUp


@lru_cache(maxsize=256)
def readings(typed: str) -> tuple[Reading, ...]:
    """Every different reading of what was typed, as typed first, each with its first mix-up."""
    seen: dict[str, Reading] = {}
    for mix_up in MIX_UPS:
        text = read_as(mix_up, typed)
        if text not in seen:
            seen[text] = Reading(text, mix_up)
    return tuple(seen.values())


# Between a code's groups in a reading: what codes.normalise drops, and a slash (German keys type a
# dash where the scanner sent a slash, so a dash typed by hand reads as one there)
_SEPARATORS = re.compile(r"[\s\-_./]+")
_CODE = re.compile(r"[A-Za-z0-9]{1,40}")


def code_readings(typed: str) -> tuple[tuple[str, MixUp], ...]:
    """The stored codes the text could name, as typed first (each once, with its first mix-up)."""
    found: dict[str, MixUp] = {}
    for reading in readings(typed.strip()):
        code = _SEPARATORS.sub("", reading.text)
        if _CODE.fullmatch(code) and code.upper() not in found:
            found[code.upper()] = reading.mix_up
    return tuple(found.items())


# A claim link: .../claim/<token> (the token as batches make it: secrets.token_urlsafe)
_CLAIM_LINK = re.compile(r"/claim/([A-Za-z0-9_-]{8,64})/?$", re.IGNORECASE)


def looks_like_link(typed: str) -> bool:
    """Whether some reading of the text is a web address rather than a code."""
    return any("/" in r.text and ("://" in r.text or "/claim/" in r.text.lower()) for r in readings(typed.strip()))


def claim_tokens(typed: str) -> tuple[tuple[str, MixUp], ...]:
    """The claim-link tokens the text could hold, as typed first (a poster's or a handout sheet's QR
    code, or the link itself), each once."""
    found: dict[str, MixUp] = {}
    for reading in readings(typed.strip()):
        match = _CLAIM_LINK.search(reading.text)
        if match and match.group(1) not in found:
            found[match.group(1)] = reading.mix_up
    return tuple(found.items())


def mix_up_of(expected: str, typed: str) -> MixUp | None:
    """Which mix-up turns what the scanner should type (expected) into what it typed, or None:
    for the Test your scanner page. The first that explains it, as typed first."""
    for mix_up in MIX_UPS:
        if read_as(mix_up, typed) == expected:
            return mix_up
    return None


# -- the Test your scanner page ----------------------------------------------------------------

# What the test label holds: every letter and digit a keyboard mix-up changes (Y Z, A Q W M, the
# digits), capitals (caps lock) and dashes (ß on German keys), in the shape of a voucher code.
TEST_LABEL = "VB-TEST-YZ23-4567-89AM-QW"


@dataclass(frozen=True)
class ScannerCheck:
    """What one scan of the test label tells about the scanner."""

    typed: str
    sends_enter: bool
    mix_up: MixUp | None  # None: no mix-up explains what arrived

    @property
    def enter_sentence(self) -> str:
        if self.sends_enter:
            return "The scanner sends Enter after each code: the till looks a code up the moment it is scanned."
        return (
            "The scanner does not send Enter after a code: set it to add one (a carriage-return suffix; its "
            "manual has a barcode to scan for this), or press Enter after each scan."
        )

    @property
    def layout_sentence(self) -> str:
        mix_up = self.mix_up
        if mix_up is None:
            return (
                f"What arrived, “{self.typed}”, is not the test label under any keyboard mix-up known here: "
                "check that the test label was scanned, and the scanner's settings."
            )
        if mix_up.name == "as_typed":
            return "It types in this PC's keyboard layout: codes arrive exactly as printed."
        if mix_up.name == "caps_lock":
            return (
                "Caps lock is on, so codes arrive in small letters. The till reads them all the same; turn "
                "caps lock off for other programs."
            )
        return (
            f"This is {mix_up.words} ({mix_up.symptom}). The till and the point-of-sale API repair "
            "this, but set the scanner's keyboard layout to this PC's (its manual has a barcode for each "
            "layout), so that other programs read codes right too."
        )

    @property
    def all_right(self) -> bool:
        return self.sends_enter and self.mix_up is not None and self.mix_up.name == "as_typed"


def check_scanner(typed: str, sends_enter: bool) -> ScannerCheck:
    """What a scan of TEST_LABEL (typed, as it arrived) says about the scanner."""
    return ScannerCheck(typed, sends_enter, mix_up_of(TEST_LABEL, typed.strip()))
