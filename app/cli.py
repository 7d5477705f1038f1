"""The `voucher-batches` command: no arguments opens the window; subcommands script the same services.

Exit codes: 0 done, 1 refused (by a rule of the spec, or the database), 2 bad usage, 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from app import __version__
from app.core import activity, analytics, backups, batches, claims, codes, database, db, links, members, settings, templates, times, vouchers
from app.core.db import ENV_VAR, open_database
from app.core.errors import FileProblem, GenerationCancelled, InvalidInput, VoucherError
from app.core.models import ACTIVITY_KINDS, CHANNELS, VOUCHER_STATUSES
from app.core.signage import LAYOUTS

PROG = "voucher-batches"


class UsageError(Exception):
    """Bad usage that argparse cannot see (exit 2)."""


def _positive_int(text: str) -> int:
    try:
        value = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return value


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2025-12-31") from None


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="PATH_OR_URL",
        default=argparse.SUPPRESS,
        help=f"database file or URL (default: ${ENV_VAR}, else a file in your data folder)",
    )
    common.add_argument(
        "--wait",
        metavar="SECONDS",
        type=_seconds,
        default=argparse.SUPPRESS,
        help=f"how long a change waits for a database another program holds (default ${WAIT_VAR}, else {database.DEFAULT_WAIT:g})",
    )
    common.add_argument(
        "--i-have-a-backup",
        action="store_true",
        default=argparse.SUPPRESS,
        help="update a server database's schema though pg_dump cannot back it up first (you made a backup yourself)",
    )
    # who makes a change and where: every change is recorded in the activity log with both
    who = argparse.ArgumentParser(add_help=False)
    who.add_argument("--staff", metavar="NAME", default="", help="the staff member making the change (recorded in the activity log)")
    who.add_argument("--till", metavar="NAME", default="", help="the till making the change (default: this PC's host name)")
    parser = argparse.ArgumentParser(
        prog=PROG,
        parents=[common],
        description="Create, share, monitor and redeem batches of unique vouchers. Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser("serve", parents=[common], help="run the claim site until Ctrl+C")
    serve.add_argument("--host", help="address to listen on (default: the setting, 0.0.0.0)")
    serve.add_argument("--port", type=int, help="port to listen on (default: the setting, 8080)")
    serve.add_argument(
        "--workers", type=_positive_int, default=1, metavar="N",
        help="server processes sharing the port (default 1; more than 1 needs Linux or macOS)",
    )  # fmt: skip

    template = commands.add_parser("template", help="voucher templates: the offer a batch hands out")
    template_commands = template.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = template_commands.add_parser("create", parents=[common, who], help="create a template")
    create.add_argument("--name", required=True, help="the template's title, e.g. '10%% off'")
    create.add_argument("--discount", required=True, help="a percentage (10%%) or an amount (5.00)")
    create.add_argument("--min-purchase", default="0", help="minimum purchase (default 0)")
    expiry = create.add_mutually_exclusive_group()
    expiry.add_argument("--valid-days", type=_positive_int, help="vouchers expire this many days after claim")
    expiry.add_argument("--expires-on", type=_date, help="vouchers expire after this day (YYYY-MM-DD)")
    create.add_argument("--terms", default="", help="terms shown with the offer")
    create.add_argument("--json", action="store_true", help="print JSON")
    listing = template_commands.add_parser("list", parents=[common], help="list templates")
    listing.add_argument("--json", action="store_true", help="print JSON")

    batch = commands.add_parser("batch", help="batches of vouchers")
    batch_commands = batch.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = batch_commands.add_parser("create", parents=[common, who], help="generate a batch of vouchers")
    create.add_argument("--name", required=True, help="your internal name, e.g. 'Summer 2025 - Email List'")
    create.add_argument("--template", required=True, help="template title or id")
    create.add_argument("--quantity", required=True, type=_positive_int, help="how many vouchers (1 to 1,000,000)")
    create.add_argument("--channel", default="Other", help=f"one of: {', '.join(CHANNELS)} (default Other)")
    create.add_argument("--title", default="", help="the public title members read, e.g. '10%% off your next visit' (default: the offer)")
    create.add_argument("--description", default="", help="shown on the claim page")
    create.add_argument("--prefix", default="", help=f"code prefix, up to {codes.MAX_PREFIX} letters or digits")
    create.add_argument("--code-length", type=int, help=f"random characters per code (default {codes.DEFAULT_LENGTH})")
    create.add_argument("--json", action="store_true", help="print the new batch as JSON")
    create.add_argument("--quiet", action="store_true", help="no progress bar")
    listing = batch_commands.add_parser("list", parents=[common], help="list batches with their metrics")
    listing.add_argument("--status", choices=("active", "paused"))
    listing.add_argument("--channel")
    listing.add_argument("--search", default="", help="part of the batch name")
    listing.add_argument("--json", action="store_true", help="print JSON")
    for action, text in (("pause", "stop new claims (claimed vouchers stay valid)"), ("resume", "allow claims again")):
        sub = batch_commands.add_parser(action, parents=[common, who], help=text)
        sub.add_argument("id", type=int)
        sub.add_argument("--json", action="store_true", help="print the batch as JSON")
    delete = batch_commands.add_parser("delete", parents=[common, who], help="delete a batch and all its vouchers, for good")
    delete.add_argument("id", type=int)
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    listing = batch_commands.add_parser("vouchers", parents=[common], help="list a batch's vouchers")
    listing.add_argument("id", type=int)
    listing.add_argument("--status", choices=VOUCHER_STATUSES)
    listing.add_argument("--search", default="", help="part of a code, or of a member's email")
    listing.add_argument("--limit", type=_positive_int, help="at most this many")
    listing.add_argument("--json", action="store_true", help="print JSON")
    export = batch_commands.add_parser("export", parents=[common], help="export a batch's vouchers to CSV")
    export.add_argument("id", type=int)
    export.add_argument("--output", "-o", required=True, type=Path, help="the CSV file to write")
    export.add_argument("--status", choices=VOUCHER_STATUSES)
    qr = batch_commands.add_parser("qr", parents=[common], help="save the claim link's QR code: PNG, SVG or PDF by the file's extension")
    qr.add_argument("id", type=int)
    qr.add_argument("--output", "-o", required=True, type=Path, help="the file to write: .svg or .pdf for vector, else a PNG")
    qr.add_argument("--size", type=_positive_int, default=1200, help="PNG only: pixels a side (default 1200; 500 at least for print)")
    poster = batch_commands.add_parser("poster", parents=[common], help="write print-ready signage (poster, flyer, tent, cards) as a PDF")
    poster.add_argument("id", type=int)
    poster.add_argument("--output", "-o", required=True, type=Path, help="the PDF file to write")
    poster.add_argument("--layout", choices=LAYOUTS, default="a4", help="a4 or letter poster, a5 flyer, a6-tent counter card, 4-up or 8-up handout cards (default a4)")
    poster.add_argument("--paper", choices=("a4", "letter"), default="a4", help="paper of the tent and the cards (default a4; a poster's paper is its layout)")
    stats = batch_commands.add_parser("stats", parents=[common], help="a batch's analytics: metrics, claims and redemptions over time, pace, hints")
    stats.add_argument("id", type=int)
    stats.add_argument("--json", action="store_true", help="print JSON (times ISO 8601 with their offset)")
    title = batch_commands.add_parser("title", parents=[common], help="change a batch's public title (empty: the offer)")
    title.add_argument("id", type=int)
    title.add_argument("title", help="the title members read, e.g. '10%% off your next visit'")

    member = commands.add_parser("member", help="members of the claim site: find, reset a password, sign out, export, erase")
    member_commands = member.add_subparsers(dest="action", metavar="ACTION", required=True)
    find = member_commands.add_parser("find", parents=[common], help="find members by part of their email or name")
    find.add_argument("text", help='part of an email or name (any case; "" lists every member)')
    find.add_argument("--limit", type=_positive_int, default=50, help="at most this many (default 50)")
    find.add_argument("--json", action="store_true", help="print JSON")
    reset = member_commands.add_parser(
        "reset-password", parents=[common], help="a one-time link (24 hours) for the member to choose a new password"
    )
    reset.add_argument("email")
    reset.add_argument("--json", action="store_true", help='print {"email", "link", "expires_at"}')
    export = member_commands.add_parser("export", parents=[common], help="write everything held about the member to a JSON file")
    export.add_argument("email")
    export.add_argument("--output", "-o", required=True, type=Path, help="the JSON file to write")
    erase = member_commands.add_parser(
        "erase", parents=[common], help="erase the member: account and personal data go, their vouchers stay counted"
    )
    erase.add_argument("email")
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    sign_out = member_commands.add_parser("sign-out", parents=[common], help="end every session of the member, on every phone and browser")
    sign_out.add_argument("email")

    for name, text, parents in (
        ("lookup", "find a voucher by its code", [common]),
        ("redeem", "redeem a voucher at the till", [common, who]),
        ("undo", "undo a redemption made by mistake (within the undo window)", [common, who]),
    ):
        sub = commands.add_parser(name, parents=parents, help=text)
        sub.add_argument("code", help="the code, typed or scanned (case, spaces and dashes do not matter)")
        if name == "undo":
            sub.add_argument("--reason", required=True, help=f"why, e.g. {', '.join(repr(r) for r in claims.COMMON_REASONS)}")
        sub.add_argument("--json", action="store_true", help="print JSON")

    channels = commands.add_parser("channels", parents=[common], help="every channel's batches and redemption rate next to the spec's good rates")
    channels.add_argument("--batches", metavar="PATTERN", default="", help="only batches whose name matches, * for any text, e.g. 'Summer 2025 - *'")
    channels.add_argument("--json", action="store_true", help="print JSON")

    log = commands.add_parser("activity", parents=[common], help="the activity log: who did what, newest first")
    log.add_argument("--batch", type=int, metavar="ID", help="only this batch's entries (deleted batches too)")
    log.add_argument("--kind", choices=ACTIVITY_KINDS, help="only this kind of action")
    log.add_argument("--since", type=_date, metavar="DATE", help="only from this day on (YYYY-MM-DD, the store's time)")
    log.add_argument("--limit", type=_positive_int, default=activity.DEFAULT_LIMIT, help=f"at most this many (default {activity.DEFAULT_LIMIT})")
    log.add_argument("--json", action="store_true", help="print JSON")

    backup = commands.add_parser("backup", parents=[common], help="make a backup of the database now")
    backup.add_argument("--output", "-o", required=True, type=Path, help="the backup file to write")
    restore = commands.add_parser("restore", parents=[common], help="put a backup back in place of the database")
    restore.add_argument("file", type=Path, help="the backup to put back (it is checked first)")
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    copy = commands.add_parser(
        "copy-to", parents=[common],
        help="copy this whole database into an empty PostgreSQL database (moving the store onto a server)",
    )  # fmt: skip
    copy.add_argument("url", help="the PostgreSQL database to copy into, e.g. postgresql://vouchers@server:5432/vouchers")
    copy.add_argument("--quiet", action="store_true", help="no progress bar")
    doctor = commands.add_parser("doctor", parents=[common], help="check the setup: database, claim link, claim site, port")
    doctor.add_argument("--json", action="store_true", help='print {"checks": [{"name", "status", "message"}]}')

    config = commands.add_parser("settings", parents=[common, who], help="show or change the shared settings")
    config.add_argument("--store-name")
    config.add_argument("--public-url", help="the address printed in claim links and QR codes, e.g. https://yoursite.com")
    config.add_argument("--host", help="address the claim site listens on")
    config.add_argument("--port", type=int, help="port the claim site listens on")
    config.add_argument("--currency", help="currency symbol for amounts")
    config.add_argument("--trusted-proxy", help="address of the reverse proxy whose forwarded headers are trusted")
    config.add_argument("--time-zone", help="the store's time zone, e.g. America/New_York (empty: this PC's)")
    config.add_argument("--undo-days", type=int, help="how many days after a redemption it can be undone (default 7)")
    config.add_argument("--logo", help="a PNG or SVG printed on the signage (empty: none)")
    config.add_argument("--accent-color", help="the signage's accent colour, e.g. #0b6e4f (empty: the default)")
    config.add_argument(
        "--claim-site", choices=settings.CLAIM_SITES,
        help="local: the window serves the claim site on this PC; hosted: a server does, at the public URL (no local site)",
    )  # fmt: skip
    config.add_argument("--yes", action="store_true", help="change the public URL without asking, though links are out")
    config.add_argument("--json", action="store_true", help="print JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    location = getattr(args, "db", None) or os.environ.get(ENV_VAR) or None
    have_backup = getattr(args, "i_have_a_backup", False)
    if args.command is None:
        return _open_window(location, have_backup)
    try:
        database.set_wait_limit(_wait_limit(args))
        if args.command == "restore":
            return _restore(args)
        # only commands that make something may start a new database
        open_database(location, create=args.command in CREATING or getattr(args, "action", None) == "create", have_backup=have_backup)
        if db.migration_notice():
            print(f"{PROG}: {db.migration_notice()}", file=sys.stderr)
        settings.load()  # the store's time zone and currency, for everything printed
        with database.reporting_waits(_say_waiting()):
            return COMMANDS[(args.command, getattr(args, "action", None))](args)
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


WAIT_VAR = "VOUCHER_BATCHES_WAIT"


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"{text!r} must be more than 0 and at most 3600 seconds")
    return value


def _wait_limit(args) -> float:
    if hasattr(args, "wait"):
        return args.wait
    try:
        return _seconds(os.environ[WAIT_VAR])
    except (KeyError, argparse.ArgumentTypeError):
        return database.DEFAULT_WAIT


def _say_waiting():
    """Tell the person at once (on stderr) that a change waits for the database, once per command."""
    said = []

    def say() -> None:
        if not said:
            said.append(True)
            print(database.WAITING, file=sys.stderr, flush=True)

    return say


def _open_window(location: str | None, have_backup: bool = False) -> int:
    from app.gui import main as gui_main
    from app.web.server import start_server

    return gui_main(sys.argv[:1], start_server=start_server, db_location=location, have_backup=have_backup)


# -- output helpers -----------------------------------------------------------------------------


def _print_json(data) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def _table(rows: list[list[str]], headers: list[str], right: set[int] = frozenset()) -> None:
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells):
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

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


def _actor(args) -> activity.Actor:
    """Who the command acts as: --staff and --till, the till being this PC unless named."""
    return activity.Actor.named(getattr(args, "till", ""), getattr(args, "staff", ""))


# -- commands ----------------------------------------------------------------------------------


def _serve(args) -> int:
    from app.web.server import serve

    config = settings.load()
    serve(args.host or config.host, args.port if args.port is not None else config.port, workers=args.workers)
    return 0


def _template_json(template) -> dict:
    return {
        "id": template.id,
        "title": template.title,
        "discount_kind": template.discount_kind,
        "discount_value": str(template.discount_value),
        "min_purchase": str(template.min_purchase),
        "valid_days": template.valid_days,
        "expires_on": template.expires_on.isoformat() if template.expires_on else None,
        "terms": template.terms,
        "offer": templates.describe_offer(template),
    }


def _template_create(args) -> int:
    template = templates.create_template(
        args.name, args.discount, args.min_purchase, valid_days=args.valid_days, expires_on=args.expires_on, terms=args.terms,
        actor=_actor(args),
    )
    if args.json:
        _print_json(_template_json(template))
    else:
        print(f"Created template {template.id}: {template.title}")
    return 0


def _template_list(args) -> int:
    found = templates.list_templates()
    if args.json:
        _print_json([_template_json(t) for t in found])
        return 0
    rows = []
    for t in found:
        offer = templates.describe_offer(t)
        rows.append([str(t.id), t.title, offer["discount"], offer["min_purchase"], offer["expiry"]])
    _table(rows, ["ID", "Title", "Discount", "Minimum", "Expiry"], right={0})
    return 0


def _batch_create(args) -> int:
    backups.check_open_database()  # never write into a damaged file
    template = templates.find_template(args.template)
    progress = ProgressBar("Generating vouchers", enabled=not args.quiet)
    try:
        summary = batches.create_batch(
            args.name,
            template,
            args.quantity,
            batches.channel_named(args.channel),
            args.description,
            prefix=args.prefix,
            code_length=args.code_length,
            progress=progress,
            actor=_actor(args),
            title=args.title,
        )
    except (KeyboardInterrupt, GenerationCancelled):
        print(f"\n{PROG}: interrupted; no batch was created.", file=sys.stderr)
        return 130
    if args.json:
        _print_json(summary.to_json())
    else:
        print(f"Created batch {summary.id}: {summary.name} with {summary.total:,} vouchers")
        print(f"Claim link: {summary.claim_url}")
    return 0


def _batch_list(args) -> int:
    channel = batches.channel_named(args.channel) if args.channel else None
    found = batches.list_batches(args.search, args.status, channel)
    if args.json:
        _print_json([b.to_json() for b in found])
        return 0
    rows = [
        [str(b.id), b.name, b.status.capitalize(), b.channel, f"{b.total:,}", f"{b.claimed:,}", f"{b.redeemed:,}",
         f"{b.available:,}", b.rate_text, b.claim_url]
        for b in found
    ]  # fmt: skip
    if not rows:
        print("No batches yet. Create one with: voucher-batches batch create --help")
        return 0
    headers = ["ID", "Name", "Status", "Channel", "Total", "Claimed", "Redeemed", "Available", "Redemption Rate", "Claim URL"]
    _table(rows, headers, right={0, 4, 5, 6, 7, 8})
    return 0


def _batch_status(args) -> int:
    summary = (batches.pause_batch if args.action == "pause" else batches.resume_batch)(args.id, _actor(args))
    if args.json:
        _print_json(summary.to_json())
    else:
        print(f"Batch {summary.id} ({summary.name}) is {summary.status}.")
    return 0


def _batch_delete(args) -> int:
    backups.check_open_database()
    summary = batches.get_batch(args.id)
    if not _go_ahead(args, batches.delete_confirmation(summary), "Not deleted."):
        return 1
    deleted = batches.delete_batch(args.id, _actor(args))
    print(f"Deleted batch {summary.id} ({summary.name}) and its {deleted:,} vouchers.")
    return 0


def _batch_vouchers(args) -> int:
    batches.get_batch(args.id)  # an unknown id is a clear error, not an empty list
    rows = _iter_vouchers(args.id, args.status, args.search, args.limit)
    if args.json:
        # streamed: a million vouchers never sit in memory at once
        sys.stdout.write("[")
        for i, row in enumerate(rows):
            sys.stdout.write(("," if i else "") + "\n  " + json.dumps(row.to_json(), ensure_ascii=False))
        sys.stdout.write("\n]\n")
        return 0
    print(f"Times in {times.zone_label()}.", file=sys.stderr)
    print(f"{'Code':<20}  {'Status':<9}  {'Member':<30}  {'Claimed at':<16}  Redeemed at")
    for row in rows:
        print(
            f"{row.code:<20}  {row.state:<9}  {row.member or '':<30}  {times.local_text(row.claimed_at):<16}  "
            f"{times.local_text(row.redeemed_at)}".rstrip()
        )
    return 0


def _iter_vouchers(batch_id, status, search, limit):
    after, left = 0, limit or float("inf")
    while left > 0:
        rows = vouchers.page(batch_id, status, search, after_id=after, limit=int(min(left, 5000)))
        if not rows:
            return
        yield from rows
        left -= len(rows)
        after = rows[-1].id


def _batch_export(args) -> int:
    summary = batches.get_batch(args.id)
    written = vouchers.export_csv(args.id, args.output, status=args.status, progress=ProgressBar("Exporting"))
    print(f"Exported {written:,} vouchers of {summary.name} to {args.output}")
    return 0


def _batch_qr(args) -> int:
    """SVG or PDF for a file named so; a PNG otherwise, as before there was a choice."""
    from app.core import qr

    kind = args.output.suffix.lower()
    if kind not in (".svg", ".pdf") and args.size < 500:
        raise InvalidInput("A QR code for print needs at least 500×500 pixels.")
    url = _printed_link(args.id)
    with _writing(args.output):
        if kind == ".svg":
            qr.save_qr_svg(url, args.output)
        elif kind == ".pdf":
            from app.gui import signage_render

            signage_render.save_qr_pdf(url, args.output)
        else:
            qr.save_qr_png(url, args.output, args.size)
    print(f"Saved the QR code of {url} to {args.output}")
    return 0


def _batch_poster(args) -> int:
    from app.core import signage
    from app.gui import signage_render

    _printed_link(args.id)  # checked, and warned about, before anything is drawn
    content = signage.content_for(args.id)
    page = signage.layout(content, args.layout, args.paper)
    with _writing(args.output):
        signage_render.save_pdf(page, args.output, content.title)
    paper = "" if args.layout in signage.POSTERS else f" on {args.paper.upper() if args.paper == 'a4' else 'Letter'} paper"
    print(f"Saved the signage ({signage.LAYOUT_NAMES[args.layout]}{paper}) for {content.url} to {args.output}")
    return 0


def _printed_link(batch_id: int) -> str:
    """The stable claim link a print carries (fixed now if it was not yet); warns on stderr, and
    still goes on, when it only works on this network or this PC."""
    settings.choose_claim_base()
    url = batches.get_batch(batch_id).claim_url
    verdict = links.judge(url)
    if verdict.local_only:
        print(f"{PROG}: warning: {verdict.message} {verdict.fix}", file=sys.stderr)
    return url


@contextmanager
def _writing(target: Path):
    """An OSError while writing the output becomes the one sentence of exit 1."""
    try:
        yield
    except OSError as exc:
        raise FileProblem(f"Cannot write {target}: {exc.strerror or exc}.") from None


def _batch_title(args) -> int:
    summary = batches.set_title(args.id, args.title)
    print(f"Batch {summary.id} ({summary.name}) is titled “{summary.title}” for members.")
    return 0


def _batch_stats(args) -> int:
    stats = analytics.batch_stats(args.id)
    if args.json:
        _print_json(stats.to_json())
        return 0
    print(f"{stats.name} (batch {stats.batch_id}, {stats.channel}, {stats.status}), created {times.local_text(stats.created_at, zone=True)}")
    print(f"Total {stats.total:,}   Claimed {stats.claimed:,}   Redeemed {stats.redeemed:,}   Available {stats.available:,}"
          f"   Redemption rate {batches.rate_text(stats.claimed, stats.redeemed)}")  # fmt: skip
    if stats.band is not None:
        verdict = f"; this batch: {analytics.VERDICT_WORDS[stats.verdict]}" if stats.verdict else ""
        if stats.too_early:
            verdict = f"; this batch: {analytics.TOO_EARLY_TEXT[0].lower()}{analytics.TOO_EARLY_TEXT[1:]}"
        print(f"Good rates for {stats.channel}: {analytics.band_text(stats.band)}{verdict}")
    pace = f"{stats.claims_per_hour_now:.1f} an hour now"
    print(f"Claims in the last 24 hours: {stats.claims_last_24h:,} ({pace}); "
          + (f"{stats.sold_out_text} at this pace." if stats.sold_out_text else "not trending toward selling out."))  # fmt: skip
    if stats.median_hours_to_redeem is not None:
        print(f"Claim to redemption: median {_hours_text(stats.median_hours_to_redeem)}; "
              + ", ".join(f"{label} {n:,}" for label, n in stats.delay_histogram))  # fmt: skip
    hourly = stats.bucket == "hour"
    shown = [b for b in stats.series if b.claims or b.redemptions]
    left_out = len(stats.series) - len(shown)
    unit = "hour" if hourly else "day"
    if not shown:
        print(f"\nNo claims or redemptions yet (since {times.local_text(stats.created_at)}, {times.zone_label()}).")
    else:
        print(f"\nPer {unit}, in {times.zone_label()}"
              + (f" ({left_out} empty {unit}{'s' if left_out != 1 else ''} left out):" if left_out else ":"))  # fmt: skip
    rows = [
        [times.local_text(b.start, zone=True) if hourly else f"{b.start:%Y-%m-%d %a}",
         f"{b.claims:,}", f"{b.redemptions:,}", f"{b.claimed_so_far:,}", f"{b.redeemed_so_far:,}"]
        for b in shown
    ]  # fmt: skip
    if rows:
        _table(rows, ["Hour" if hourly else "Day", "Claims", "Redemptions", "Claimed so far", "Redeemed so far"], right={1, 2, 3, 4})
    if stats.hints:
        print("\nHints:")
        for hint in stats.hints:
            print(f"- {hint.message}")
    return 0


def _hours_text(hours: float) -> str:
    if hours < 1:  # counted by whole hours since the claim: nothing finer within the first one
        return "under 1 hour"
    return f"{hours:.1f} hours" if hours < 48 else f"{hours / 24:.1f} days"


def _channels(args) -> int:
    found = analytics.channel_stats(args.batches)
    if args.json:
        _print_json([c.to_json() for c in found])
        return 0
    notes = []
    rows = []
    for c in found:
        band = c.band
        mark = ""
        if band is not None and band.note:
            notes.append(band.note)
            mark = "*" * len(notes)
        rows.append([
            c.channel + mark, f"{c.batches:,}", f"{c.total:,}", f"{c.claimed:,}", f"{c.redeemed:,}",
            batches.rate_text(c.claimed, c.redeemed),
            f"{band.typical[0]:g}–{band.typical[1]:g}%" if band else "—", f"{band.great:g}%+" if band else "—",
            analytics.VERDICT_WORDS[c.verdict] if c.verdict else analytics.TOO_EARLY_WORDS + "†" if c.too_early else "—",
        ])  # fmt: skip
    _table(rows, ["Channel", "Batches", "Total", "Claimed", "Redeemed", "Rate", "Typical", "Great", "Verdict"], right={1, 2, 3, 4, 5})
    for i, note in enumerate(notes, 1):
        print(f"{'*' * i} {note}")
    if any(c.too_early for c in found):
        print(f"† {analytics.CHANNEL_TOO_EARLY_TEXT}")
    if args.batches.strip() and not any(c.batches for c in found):
        print(f"No batch's name matches {args.batches!r}.", file=sys.stderr)
    return 0


def _lookup(args) -> int:
    found = vouchers.lookup(args.code)
    if args.json:
        _print_json(found.to_json())
        return 0
    offer = templates.describe_offer(found.template)
    print(f"Code:      {found.code}")
    print(f"Batch:     {found.batch_name} (id {found.batch_id}, {found.batch_status})")
    print(f"Status:    {found.state}")
    print(f"Member:    {found.member or '—'}")
    print(f"Claimed:   {times.local_text(found.claimed_at, zone=True) or '—'}")
    print(f"Redeemed:  {times.local_text(found.redeemed_at, zone=True) or '—'}")
    print(f"Expires:   {times.local_text(found.expires_at, zone=True) or offer['expiry']}")
    print(f"Offer:     {offer['discount']}; {offer['min_purchase']}")
    if offer["terms"]:
        print(f"Terms:     {offer['terms']}")
    return 0


def _redeem(args) -> int:
    result = claims.redeem(args.code, _actor(args))
    by = result.redeemed_by
    return _till_answer(args, result, result.outcome is claims.RedeemOutcome.REDEEMED,
                        redeemed_by={"staff": by.staff, "till": by.till} if by else None)  # fmt: skip


def _undo(args) -> int:
    result = claims.undo_redemption(args.code, args.reason, _actor(args))
    return _till_answer(args, result, result.outcome is claims.UndoOutcome.UNDONE)


def _till_answer(args, result, done: bool, **extra) -> int:
    """What redeem and undo print: the outcome and the till's sentence (JSON with the voucher)."""
    if args.json:
        data = {"outcome": result.outcome.value, "message": result.message, **extra}
        data.update(result.voucher.to_json() if result.voucher else {"code": codes.normalise(args.code)})
        _print_json(data)
    if done:
        if not args.json:
            print(result.message)
        return 0
    print(f"{PROG}: {result.message}", file=sys.stderr)
    return 1


def _activity(args) -> int:
    found = activity.entries(activity.Filter(batch_id=args.batch, kind=args.kind, since=args.since), args.limit)
    if args.json:
        _print_json([entry.to_json() for entry in found])
        return 0
    if not found:
        print("No activity recorded yet." if not (args.batch or args.kind or args.since) else "No activity matches.")
        return 0
    print(f"Times in {times.zone_label()}.", file=sys.stderr)
    rows = [
        [times.local_text(e.at), e.kind_text, e.batch_name + (f" ({e.batch_id})" if e.batch_id is not None else ""),
         e.code or "", e.till, e.staff, e.summary]
        for e in found
    ]  # fmt: skip
    _table(rows, ["Time", "Action", "Batch", "Code", "Till", "Staff", "Details"])
    return 0


def _backup(args) -> int:
    target = backups.backup_to(args.output)
    print(f"Backed up {db.location()} to {target}")
    return 0


def _copy_to(args) -> int:
    from app.core import transfer

    copied = transfer.copy_to(args.url, progress=ProgressBar("Copying", enabled=not args.quiet))
    print(copied.summary())
    print(f"This database is left as it was. Open the copy from now on: Settings → Database in the window, or --db {copied.target}.")
    if copied.links_now in ("", copied.links_before):
        print(f"The claim links keep their address ({copied.links_before}): it must reach the claim site serving the copy "
              "(see packaging/deploy/README.md).")  # fmt: skip
    else:
        print(f"The copy's claim links carry the server's address ({copied.links_now}); links and posters already out carry "
              f"{copied.links_before} and reach the new claim site only if that address does (see packaging/deploy/README.md).")  # fmt: skip

    return 0


def _restore(args) -> int:
    """Run without opening the database: the one to replace may be too damaged to open."""
    from app.core import migrations

    target = Path(db.resolve_location(getattr(args, "db", None)))
    if db.is_url(str(target)):
        raise InvalidInput(backups.PG_DUMP_HINT)
    question = f"Put {args.file} back in place of {target}? What was changed since that backup is replaced (the current file is kept aside)."
    if not _go_ahead(args, question, "Not restored."):
        return 1
    aside = backups.restore(args.file, target, migrations.CURRENT_VERSION)
    print(f"Restored {args.file} into {target}; the replaced database is kept at {aside}")
    return 0


def _doctor(args) -> int:
    from app.core import doctor

    checks = doctor.run_checks()
    if args.json:
        _print_json({"checks": [check.to_json() for check in checks]})
    else:
        marks = {"ok": "ok     ", "warning": "warning", "problem": "PROBLEM"}
        for check in checks:
            print(f"{marks[check.status]}  {check.name:<11} {check.message}")
    return 1 if any(check.status == "problem" for check in checks) else 0


def _settings(args) -> int:
    before = settings.load()
    config = settings.load()
    changes = {
        "store_name": args.store_name,
        "public_base_url": args.public_url,
        "host": args.host,
        "port": args.port,
        "currency": args.currency,
        "trusted_proxy": args.trusted_proxy,
        "time_zone": args.time_zone,
        "undo_days": args.undo_days,
        "logo_path": args.logo,
        "accent_color": args.accent_color,
        "claim_site": args.claim_site,
    }
    changes = {k: v for k, v in changes.items() if v is not None}
    if changes:
        for key, value in changes.items():
            setattr(config, key, value)
        if "public_base_url" in changes:
            config.public_base_url = settings.validate_base_url(config.public_base_url)
        warning = settings.base_change_warning(before, config)
        if warning and not _go_ahead(args, f"{warning} Change it?", "Not changed."):
            return 1
        config = settings.save(config, _actor(args))
    data = {**config.__dict__, "claim_link_base": config.base_url}
    if args.json:
        _print_json(data)
    else:
        for key, value in data.items():
            print(f"{key.replace('_', ' ').capitalize():<18} {value}")
        verdict = links.judge(config.base_url)
        if verdict.status != "ok":
            print(f"\n{verdict.message} {verdict.fix}", file=sys.stderr)
    return 0


def _member_find(args) -> int:
    found = members.find_members(args.text, args.limit)
    if args.json:
        _print_json([m.to_json() for m in found])
        return 0
    if not found:
        print(f"No member's email or name contains {args.text!r}.")
        return 0
    print(f"Times in {times.zone_label()}.", file=sys.stderr)
    rows = [[str(m.id), m.email, m.name, f"{m.vouchers:,}", times.local_text(m.created_at)] for m in found]
    _table(rows, ["ID", "Email", "Name", "Vouchers", "Joined"], right={0, 3})
    return 0


def _member_reset_password(args) -> int:
    member = members.member_with_email(args.email)
    code, expires_at = members.issue_reset_code(member.email)
    link = members.reset_url(code)
    if args.json:
        _print_json({"email": member.email, "link": link, "expires_at": times.iso(expires_at)})
    else:
        print(link)
        print(
            f"Hand this link to {member.email}: it works once, until {times.local_text(expires_at, zone=True)} (24 hours). "
            "Nothing is emailed.",
            file=sys.stderr,
        )
    return 0


def _member_export(args) -> int:
    member = members.member_with_email(args.email)
    members.save_export(member.id, args.output)
    print(f"Exported everything held about {member.email} to {args.output}")
    return 0


def _member_erase(args) -> int:
    member = members.member_with_email(args.email)
    if not _go_ahead(args, members.erase_confirmation(member), "Not erased."):
        return 1
    kept = members.erase_member(member.id)
    # names no email: what is printed may be kept in a log
    print(f"Erased member {member.id}; {kept:,} of their vouchers stay counted, pointing to no one.")
    return 0


def _member_sign_out(args) -> int:
    member = members.member_with_email(args.email)
    members.sign_out_everywhere(member.id)
    print(f"Signed {member.email} out everywhere: every phone and browser must log in again.")
    return 0


def _go_ahead(args, question: str, declined: str) -> bool:
    """--yes, or the person answers yes to the question; otherwise say what was not done."""
    if args.yes or _confirmed(question):
        return True
    print(declined, file=sys.stderr)
    return False


def _confirmed(question: str) -> bool:
    """Ask on the terminal; with no terminal to answer (a script), the answer is no."""
    if not sys.stdin or sys.stdin.closed:
        return False
    print(f"{question} [y/N] ", end="", file=sys.stderr, flush=True)
    return sys.stdin.readline().strip().lower() in ("y", "yes")


CREATING = {"serve", "settings"}

COMMANDS = {
    ("serve", None): _serve,
    ("template", "create"): _template_create,
    ("template", "list"): _template_list,
    ("batch", "create"): _batch_create,
    ("batch", "list"): _batch_list,
    ("batch", "pause"): _batch_status,
    ("batch", "resume"): _batch_status,
    ("batch", "delete"): _batch_delete,
    ("batch", "vouchers"): _batch_vouchers,
    ("batch", "export"): _batch_export,
    ("batch", "qr"): _batch_qr,
    ("member", "find"): _member_find,
    ("member", "reset-password"): _member_reset_password,
    ("member", "export"): _member_export,
    ("member", "erase"): _member_erase,
    ("member", "sign-out"): _member_sign_out,
    ("batch", "poster"): _batch_poster,
    ("batch", "title"): _batch_title,
    ("batch", "stats"): _batch_stats,
    ("channels", None): _channels,
    ("lookup", None): _lookup,
    ("redeem", None): _redeem,
    ("undo", None): _undo,
    ("activity", None): _activity,
    ("settings", None): _settings,
    ("doctor", None): _doctor,
    ("backup", None): _backup,
    ("copy-to", None): _copy_to,
}

if __name__ == "__main__":
    sys.exit(main())
