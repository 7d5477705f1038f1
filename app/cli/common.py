"""What every command group shares: the program's name, the options every command takes (the
database, the wait, who acts), argument types, asking before a change, and who the command acts as."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app.core import activity, store
from app.core.errors import FileProblem

PROG = "voucher-batches"
WAIT_VAR = "VOUCHER_BATCHES_WAIT"


class UsageError(Exception):
    """Bad usage that argparse cannot see (exit 2)."""


def _missing(*args, **kwargs):
    raise UsageError("this needs the window or the claim site, which only the voucher-batches command starts")


@dataclass
class FrontEnds:
    """What the command line starts but does not import (app.launch hands them in): the window, and
    the claim site in the foreground."""

    open_window: Callable[..., int] = _missing
    serve: Callable[..., None] = _missing


@dataclass
class Parsers:
    """Where a command group adds its subcommands: the top level and the groups (template, batch,
    member), with the parents every command takes: `common` (--db, --wait, --i-have-a-backup) and
    `who` (--staff, --till) for the commands that change something."""

    top: argparse._SubParsersAction
    template: argparse._SubParsersAction
    batch: argparse._SubParsersAction
    member: argparse._SubParsersAction
    common: argparse.ArgumentParser
    who: argparse.ArgumentParser


def common_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="PATH_OR_URL",
        default=argparse.SUPPRESS,
        help=f"database file or URL (default: ${store.ENV_VAR}, else a file in your data folder)",
    )
    common.add_argument(
        "--wait",
        metavar="SECONDS",
        type=seconds,
        default=argparse.SUPPRESS,
        help=(
            f"how long a change waits for a database another program holds (default ${WAIT_VAR}, else "
            f"{store.DEFAULT_WAIT:g})"
        ),
    )
    common.add_argument(
        "--i-have-a-backup",
        action="store_true",
        default=argparse.SUPPRESS,
        help="update a server database's schema though pg_dump cannot back it up first (you made a backup yourself)",
    )
    return common


def who_options() -> argparse.ArgumentParser:
    """Who makes a change and where: every change is recorded in the activity log with both."""
    who = argparse.ArgumentParser(add_help=False)
    who.add_argument(
        "--staff", metavar="NAME", default="", help="the staff member making the change (recorded in the activity log)"
    )
    who.add_argument(
        "--till", metavar="NAME", default="", help="the till making the change (default: this PC's host name)"
    )
    return who


def positive_int(text: str) -> int:
    try:
        value = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return value


def day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2025-12-31") from None


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"{text!r} must be more than 0 and at most 3600 seconds")
    return value


def wait_limit(args) -> float:
    if hasattr(args, "wait"):
        return args.wait
    try:
        return seconds(os.environ[WAIT_VAR])
    except (KeyError, argparse.ArgumentTypeError):
        return store.DEFAULT_WAIT


def actor(args) -> activity.Actor:
    """Who the command acts as: --staff and --till, the till being this PC unless named."""
    return activity.Actor.named(getattr(args, "till", ""), getattr(args, "staff", ""))


def go_ahead(args, question: str, declined: str) -> bool:
    """--yes, or the person answers yes to the question; otherwise say what was not done."""
    if args.yes or confirmed(question):
        return True
    print(declined, file=sys.stderr)
    return False


def confirmed(question: str) -> bool:
    """Ask on the terminal; with no terminal to answer (a script), the answer is no."""
    if not sys.stdin or sys.stdin.closed:
        return False
    print(f"{question} [y/N] ", end="", file=sys.stderr, flush=True)
    return sys.stdin.readline().strip().lower() in ("y", "yes")


@contextmanager
def writing(target: Path):
    """An OSError while writing the output becomes the one sentence of exit 1."""
    try:
        yield
    except OSError as exc:
        raise FileProblem(f"Cannot write {target}: {exc.strerror or exc}.") from None
