"""How the commands print: JSON, plain-text tables, a progress bar, and the one line that says a
change waits for the database."""

from __future__ import annotations

import json
import sys
from collections.abc import Set

from app.core import store


def print_json(data) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def table(rows: list[list[str]], headers: list[str], right: Set[int] = frozenset()) -> None:
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells):
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    print(line(headers))
    for row in rows:
        print(line(row))


class ProgressBar:
    """A progress bar on stderr: redrawn in place on a terminal, a line every 10 % elsewhere."""

    def __init__(self, label: str, enabled: bool = True):
        self.label, self.enabled = label, enabled
        self.tty = sys.stderr.isatty()
        self.last_tenth = -1

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or not total:
            return
        fraction = done / total
        if self.tty:
            filled = int(fraction * 30)
            sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] {done:,}/{total:,}")
            if done >= total:
                sys.stderr.write("\n")
        elif int(fraction * 10) > self.last_tenth:
            self.last_tenth = int(fraction * 10)
            sys.stderr.write(f"{self.label} {fraction:4.0%} ({done:,}/{total:,})\n")
        sys.stderr.flush()


def say_waiting():
    """Tell the person at once (on stderr) that a change waits for the database, once per command."""
    said: list[bool] = []

    def say() -> None:
        if not said:
            said.append(True)
            print(store.WAITING, file=sys.stderr, flush=True)

    return say
