"""Pages rendered by Jinja once with holes, then filled for each request: the claim's answer, the page
a member sees after every claim, costs a join of strings instead of a template render (which was a
third of the claim's CPU under load).

A hole is a mark that Jinja prints unchanged (letters and digits: escaping leaves them alone, and so
does an address built around one). The marks carry a random part made when the process starts, so
no text a manager or member typed can contain one by chance or design. The values put in the holes
are escaped as Jinja's autoescape would escape them."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping

from markupsafe import escape

_NONCE = secrets.token_hex(8)


class Hole(str):
    """A value's place in the one render: prints as its mark. The site's `when` filter passes it
    through (it stands for a time, said per request), and it is true in an `{% if %}`."""

    __slots__ = ()


def hole(name: str) -> Hole:
    return Hole(f"vbhole{_NONCE}{name}")


class Skeleton:
    """A page rendered with holes, cut at them."""

    def __init__(self, rendered: str, names: tuple[str, ...]):
        marks = {str(hole(name)): name for name in names}
        pieces = re.split("(" + "|".join(re.escape(mark) for mark in marks) + ")", rendered)
        self.pieces = pieces
        self.holes = tuple((at, marks[piece]) for at, piece in enumerate(pieces) if at % 2)

    def fill(self, values: Mapping[str, object]) -> str:
        """The page with each hole's value put in, escaped (a markupsafe.Markup value as it is)."""
        pieces = self.pieces.copy()
        for at, name in self.holes:
            pieces[at] = escape(values[name])
        return "".join(pieces)
