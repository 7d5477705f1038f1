"""Code 128 (set B) barcodes as pure data, for the scanner's test label: a scanner that reads only
barcodes (a laser scanner at a checkout) cannot read a QR code. Each symbol is the widths of its
bars and spaces, in modules, as the standard (ISO/IEC 15417) tables them."""

from __future__ import annotations

# Symbol values 0-106: bar, space, bar, space, bar, space (the stop adds a last bar).
_TABLE = (
    "212222 222122 222221 121223 121322 131222 122213 122312 132212 221213 "
    "221312 231212 112232 122132 122231 113222 123122 123221 223211 221132 "
    "221231 213212 223112 312131 311222 321122 321221 312212 322112 322211 "
    "212123 212321 232121 111323 131123 131321 112313 132113 132311 211313 "
    "231113 231311 112133 112331 132131 113123 113321 133121 313121 211331 "
    "231131 213113 213311 213131 311123 311321 331121 312113 312311 332111 "
    "314111 221411 431111 111224 111422 121124 121421 141122 141221 112214 "
    "112412 122114 122411 142112 142211 241211 221114 413111 241112 134111 "
    "111242 121142 121241 114212 124112 124211 411212 421112 421211 212141 "
    "214121 412121 111143 111341 131141 114113 114311 411113 411311 113141 "
    "114131 311141 411131 211412 211214 211232 2331112"
)
_PATTERNS = tuple(_TABLE.split())
START_B, STOP = 104, 106
QUIET = 10  # modules of white before and after, as the standard asks


def code128(text: str) -> list[int]:
    """The widths (bar first, alternating) of text as Code 128 set B, quiet zones left out.
    Printable ASCII only (ValueError otherwise)."""
    if not text or any(not 32 <= ord(ch) < 127 for ch in text):
        raise ValueError("Code 128 set B holds printable ASCII only")
    values = [START_B] + [ord(ch) - 32 for ch in text]
    checksum = (START_B + sum(position * value for position, value in enumerate(values[1:], 1))) % 103
    return [int(width) for value in [*values, checksum, STOP] for width in _PATTERNS[value]]


def modules(widths: list[int]) -> int:
    """How many modules wide the symbol is, quiet zones included."""
    return sum(widths) + 2 * QUIET
