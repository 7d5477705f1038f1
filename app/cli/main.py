"""The parser, built from the command groups, and main(): open the database, run the command, say its
failure in one sentence with the exit code."""

from __future__ import annotations

import argparse
import os
import sys

from app import __version__
from app.core import settings, store
from app.core.errors import InvalidInput, VoucherError

from . import admin, analytics, api, batches, members, site, templates, till, webhooks
from .common import (
    PROG,
    FrontEnds,
    Parsers,
    UsageError,
    common_options,
    wait_limit,
    who_options,
)
from .output import say_waiting

GROUPS = (site, templates, batches, analytics, members, till, api, webhooks, admin)


def build_parser() -> argparse.ArgumentParser:
    common, who = common_options(), who_options()
    parser = argparse.ArgumentParser(
        prog=PROG,
        parents=[common],
        description=(
            "Create, share, monitor and redeem batches of unique vouchers. Without a command, opens the window."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    top = parser.add_subparsers(dest="command", metavar="COMMAND")
    template = top.add_parser("template", help="voucher templates: the offer a batch hands out")
    batch = top.add_parser("batch", help="batches of vouchers")
    member = top.add_parser("member", help="members of the claim site: find, reset a password, sign out, export, erase")
    parsers = Parsers(
        top=top,
        template=template.add_subparsers(dest="action", metavar="ACTION", required=True),
        batch=batch.add_subparsers(dest="action", metavar="ACTION", required=True),
        member=member.add_subparsers(dest="action", metavar="ACTION", required=True),
        common=common,
        who=who,
    )
    for group in GROUPS:
        group.register(parsers)
    return parser


def utf8_output() -> None:
    """Say everything in UTF-8, whatever the console or pipe: a Windows program whose output is
    redirected writes in the ANSI code page (cp1252), which has no 'Ł' ("Łódź – Email" ended the
    command with UnicodeEncodeError). A Windows console itself is UTF-8 in Python already."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        if stream is not None and hasattr(stream, "reconfigure") and encoding != "utf8":
            stream.reconfigure(encoding="utf-8")


def main(argv: list[str] | None = None, front_ends: FrontEnds | None = None) -> int:
    """Run the command line. front_ends: the window and the claim site (app.launch hands them in:
    the command line never imports another front end); without them, only the commands that need
    neither run."""
    utf8_output()
    parser = build_parser()
    args = parser.parse_args(argv)
    args.front_ends = front_ends or FrontEnds()
    location = getattr(args, "db", None) or os.environ.get(store.ENV_VAR) or None
    have_backup = getattr(args, "i_have_a_backup", False)
    if args.command is None:
        return args.front_ends.open_window(location, have_backup)
    try:
        store.set_wait_limit(wait_limit(args))
        if not getattr(args, "opens", True):
            return args.run(args)
        # only commands that make something may start a new database
        store.open_database(location, create=getattr(args, "creates", False), have_backup=have_backup)
        if store.migration_notice():
            print(f"{PROG}: {store.migration_notice()}", file=sys.stderr)
        settings.load()  # the store's time zone and currency, for everything printed
        with store.reporting_waits(say_waiting()):
            return args.run(args)
    except UsageError as exc:
        parser.exit(2, f"{PROG}: {exc}\n")
    except InvalidInput as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    except VoucherError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted; nothing was changed.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `voucher-batches batch vouchers 1 | head`
        sys.stderr.close()
        return 0
