"""voucher-batches batch ...: create, list, edit, clone, schedule, pause, resume, end and delete a batch;
its vouchers, export, QR code, signage and title."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from app.core import (
    batches,
    codes,
    links,
    schedule,
    settings,
    templates,
    times,
    vouchers,
    wording,
)
from app.core.errors import GenerationCancelled, InvalidInput
from app.core.signage import LAYOUTS
from app.core.store.models import CHANNELS, VOUCHER_STATUSES

from .common import (
    PROG,
    Parsers,
    UsageError,
    actor,
    go_ahead,
    positive_int,
    writing,
)
from .output import ProgressBar, print_json, table


def register(parsers: Parsers) -> None:
    common, who, batch = parsers.common, parsers.who, parsers.batch
    create = batch.add_parser("create", parents=[common, who], help="generate a batch of vouchers")
    create.add_argument("--name", required=True, help="your internal name, e.g. 'Summer 2025 - Email List'")
    create.add_argument("--template", required=True, help="template title or id")
    create.add_argument("--quantity", required=True, type=positive_int, help="how many vouchers (1 to 1,000,000)")
    create.add_argument("--channel", default="Other", help=f"one of: {', '.join(CHANNELS)} (default Other)")
    create.add_argument(
        "--title",
        default="",
        help="the public title members read, e.g. '10%% off your next visit' (default: the offer)",
    )
    create.add_argument("--description", default="", help="shown on the claim page")
    _window_options(create)
    create.add_argument("--prefix", default="", help=f"code prefix, up to {codes.MAX_PREFIX} letters or digits")
    create.add_argument("--code-length", type=int, help=f"random characters per code (default {codes.DEFAULT_LENGTH})")
    create.add_argument("--json", action="store_true", help="print the new batch as JSON")
    create.add_argument("--quiet", action="store_true", help="no progress bar")
    create.set_defaults(run=_batch_create, creates=True)
    listing = batch.add_parser("list", parents=[common], help="list batches with their metrics")
    listing.add_argument("--status", choices=schedule.STATES, help="only batches in this state now")
    listing.add_argument("--channel")
    listing.add_argument("--search", default="", help="part of the batch name")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(run=_batch_list)
    for action, text in (("pause", "stop new claims (claimed vouchers stay valid)"), ("resume", "allow claims again")):
        sub = batch.add_parser(action, parents=[common, who], help=text)
        sub.add_argument("id", type=int)
        sub.add_argument("--json", action="store_true", help="print the batch as JSON")
        sub.set_defaults(run=_batch_status)
    edit = batch.add_parser(
        "edit", parents=[common, who], help="rename a batch, change its channel, description or public title"
    )
    edit.add_argument("id", type=int)
    edit.add_argument("--name", help="a new name (unique among batches, any case)")
    edit.add_argument("--channel", help=f"one of: {', '.join(CHANNELS)}")
    edit.add_argument("--description", help="shown on the claim page ('' for none)")
    edit.add_argument("--title", help="the public title members read ('' for the offer's name)")
    edit.add_argument("--json", action="store_true", help="print the batch as JSON")
    edit.set_defaults(run=_batch_edit)
    clone = batch.add_parser(
        "clone",
        parents=[common, who],
        help="a new batch like this one: same offer, channel, title and description, a new claim link",
    )
    clone.add_argument("id", type=int)
    clone.add_argument("--name", required=True, help="the new batch's name")
    clone.add_argument("--quantity", type=positive_int, help="how many vouchers (default: as many as this one)")
    clone.add_argument("--json", action="store_true", help="print the new batch as JSON")
    clone.add_argument("--quiet", action="store_true", help="no progress bar")
    clone.set_defaults(run=_batch_clone)
    plan = batch.add_parser(
        "schedule", parents=[common, who], help="when claims open and when the campaign ends (the store's time)"
    )
    plan.add_argument("id", type=int)
    _window_options(plan, keep=True)
    plan.add_argument("--json", action="store_true", help="print the batch as JSON")
    plan.set_defaults(run=_batch_schedule)
    end = batch.add_parser(
        "end",
        parents=[common, who],
        help="end the campaign now, for good: no new claims; vouchers held stay valid until they expire",
    )
    end.add_argument("id", type=int)
    end.add_argument("--json", action="store_true", help="print the batch as JSON")
    end.set_defaults(run=_batch_end)
    delete = batch.add_parser("delete", parents=[common, who], help="delete a batch and all its vouchers, for good")
    delete.add_argument("id", type=int)
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    delete.set_defaults(run=_batch_delete)
    listing = batch.add_parser("vouchers", parents=[common], help="list a batch's vouchers")
    listing.add_argument("id", type=int)
    listing.add_argument("--status", choices=VOUCHER_STATUSES)
    listing.add_argument("--search", default="", help="part of a code, or of a member's email")
    listing.add_argument("--limit", type=positive_int, help="at most this many")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(run=_batch_vouchers)
    export = batch.add_parser("export", parents=[common], help="export a batch's vouchers to CSV")
    export.add_argument("id", type=int)
    export.add_argument("--output", "-o", required=True, type=Path, help="the CSV file to write")
    export.add_argument("--status", choices=VOUCHER_STATUSES)
    export.set_defaults(run=_batch_export)
    qr = batch.add_parser(
        "qr", parents=[common], help="save the claim link's QR code: PNG, SVG or PDF by the file's extension"
    )
    qr.add_argument("id", type=int)
    qr.add_argument(
        "--output", "-o", required=True, type=Path, help="the file to write: .svg or .pdf for vector, else a PNG"
    )
    qr.add_argument(
        "--size", type=positive_int, default=1200, help="PNG only: pixels a side (default 1200; 500 at least for print)"
    )
    qr.set_defaults(run=_batch_qr)
    poster = batch.add_parser(
        "poster", parents=[common], help="write print-ready signage (poster, flyer, tent, cards) as a PDF"
    )
    poster.add_argument("id", type=int)
    poster.add_argument("--output", "-o", required=True, type=Path, help="the PDF file to write")
    poster.add_argument(
        "--layout",
        choices=LAYOUTS,
        default="a4",
        help="a4 or letter poster, a5 flyer, a6-tent counter card, 4-up or 8-up handout cards (default a4)",
    )
    poster.add_argument(
        "--paper",
        choices=("a4", "letter"),
        default="a4",
        help="paper of the tent and the cards (default a4; a poster's paper is its layout)",
    )
    poster.set_defaults(run=_batch_poster)
    title = batch.add_parser(
        "title", parents=[common, who], help="change a batch's public title (empty: the offer's name)"
    )
    title.add_argument("id", type=int)
    title.add_argument("title", help="the title members read, e.g. '10%% off your next visit'")
    title.set_defaults(run=_batch_title)


WHEN = "a local date (2026-06-01) or date and time (2026-06-01 09:00), in the store's time zone"


def _window_options(parser, keep: bool = False) -> None:
    """--starts and --ends (and, for `schedule`, --no-end)."""
    parser.add_argument(
        "--starts",
        metavar="WHEN",
        help=f"claims open then: {WHEN}" + ("; 'now' opens them now" if keep else " (default: at once)"),
    )
    ends = parser.add_mutually_exclusive_group() if keep else parser
    ends.add_argument(
        "--ends", metavar="WHEN", help=f"claims end for good then: {WHEN}; a date alone ends after that day"
    )
    if keep:
        ends.add_argument("--no-end", action="store_true", help="take the end away: the campaign runs until ended")


def _starts(text: str | None) -> Any:
    if text is None:
        return schedule.KEEP
    return None if text.strip().lower() == "now" else schedule.parse_moment(text)


def _ends(text: str | None, no_end: bool = False) -> Any:
    if no_end:
        return None
    return schedule.KEEP if text is None else schedule.parse_moment(text, end=True)


def _say_batch(args, summary, sentence: str) -> int:
    if getattr(args, "json", False):
        print_json(summary.to_json())
    else:
        print(sentence)
    return 0


def _state_sentence(summary) -> str:
    window = wording.schedule_line(summary.status, summary.starts_at, summary.ends_at)
    state = wording.batch_state_word(summary.status)
    said = f": {window[:1].lower()}{window[1:]}." if window else "."
    return f"Batch {summary.id} ({summary.name}) is {state.lower()}{said}"


def _batch_create(args) -> int:
    template = templates.find_template(args.template)
    starts = _starts(args.starts)
    ends = _ends(args.ends)
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
            actor=actor(args),
            title=args.title,
            starts_at=None if starts is schedule.KEEP else starts,
            ends_at=None if ends is schedule.KEEP else ends,
        )
    except (KeyboardInterrupt, GenerationCancelled):
        print(f"\n{PROG}: interrupted; no batch was created.", file=sys.stderr)
        return 130
    return _say_created(args, summary)


def _say_created(args, summary) -> int:
    if args.json:
        print_json(summary.to_json())
    else:
        print(f"Created batch {summary.id}: {summary.name} with {summary.total:,} vouchers")
        print(f"Claim link: {summary.claim_url}")
        window = wording.schedule_line(summary.status, summary.starts_at, summary.ends_at)
        if window:
            print(f"{window} ({times.zone_label()})")
    return 0


def _batch_edit(args) -> int:
    changes = {
        name: value
        for name, value in (
            ("name", args.name),
            ("channel", batches.channel_named(args.channel) if args.channel is not None else None),
            ("description", args.description),
            ("title", args.title),
        )
        if value is not None
    }
    if not changes:
        raise UsageError("say what to change: --name, --channel, --description or --title")
    summary = batches.edit_batch(args.id, **changes, actor=actor(args))
    return _say_batch(args, summary, f"Batch {summary.id} is now “{summary.name}”, {summary.channel}.")


def _batch_clone(args) -> int:
    progress = ProgressBar("Generating vouchers", enabled=not args.quiet)
    try:
        summary = batches.clone_batch(args.id, args.name, args.quantity, actor(args), progress=progress)
    except (KeyboardInterrupt, GenerationCancelled):
        print(f"\n{PROG}: interrupted; no batch was created.", file=sys.stderr)
        return 130
    return _say_created(args, summary)


def _batch_schedule(args) -> int:
    starts, ends = _starts(args.starts), _ends(args.ends, args.no_end)
    if starts is schedule.KEEP and ends is schedule.KEEP:
        raise UsageError("say what to change: --starts, --ends or --no-end")
    schedule.set_schedule(args.id, starts, ends, actor(args))
    summary = batches.get_batch(args.id)
    return _say_batch(args, summary, _state_sentence(summary))


def _batch_end(args) -> int:
    schedule.end_campaign(args.id, actor(args))
    summary = batches.get_batch(args.id)
    return _say_batch(
        args,
        summary,
        f"Batch {summary.id} ({summary.name}) has ended: no new claims; the {summary.claimed - summary.redeemed:,} "
        "vouchers members hold and have not used stay valid until they expire.",
    )


def _batch_list(args) -> int:
    channel = batches.channel_named(args.channel) if args.channel else None
    found = batches.list_batches(args.search, args.status, channel)
    if args.json:
        print_json([b.to_json() for b in found])
        return 0
    rows = [
        [
            str(b.id),
            b.name,
            wording.batch_state_word(b.status),
            wording.schedule_line(b.status, b.starts_at, b.ends_at),
            b.channel,
            f"{b.total:,}",
            f"{b.claimed:,}",
            f"{b.redeemed:,}",
            f"{b.available:,}",
            b.rate_text,
            b.claim_url,
        ]
        for b in found
    ]
    if not rows:
        print("No batches yet. Create one with: voucher-batches batch create --help")
        return 0
    headers = [
        "ID",
        "Name",
        "Status",
        f"Schedule ({times.zone_label()})" if any(b.starts_at or b.ends_at for b in found) else "Schedule",
        "Channel",
        "Total",
        "Claimed",
        "Redeemed",
        "Available",
        "Redemption Rate",
        "Claim URL",
    ]
    table(rows, headers, right={0, 5, 6, 7, 8, 9})
    return 0


def _batch_status(args) -> int:
    summary = (batches.pause_batch if args.action == "pause" else batches.resume_batch)(args.id, actor(args))
    return _say_batch(args, summary, _state_sentence(summary))


def _batch_delete(args) -> int:
    summary = batches.get_batch(args.id)
    if not go_ahead(args, batches.delete_confirmation(summary), "Not deleted."):
        return 1
    deleted = batches.delete_batch(args.id, actor(args))
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
            f"{row.code:<20}  {wording.state_word(row.state):<9}  {row.member or '':<30}  "
            f"{times.local_text(row.claimed_at):<16}  "
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
    with writing(args.output):
        if kind == ".svg":
            qr.save_qr_svg(url, args.output)
        elif kind == ".pdf":
            from app.render import painting

            painting.save_qr_pdf(url, args.output)
        else:
            qr.save_qr_png(url, args.output, args.size)
    print(f"Saved the QR code of {url} to {args.output}")
    return 0


def _batch_poster(args) -> int:
    from app.core import signage
    from app.render import painting

    _printed_link(args.id)  # checked, and warned about, before anything is drawn
    content = signage.content_for(args.id)
    page = signage.layout(content, args.layout, args.paper)
    with writing(args.output):
        painting.save_pdf(page, args.output, content.title)
    paper = (
        "" if args.layout in signage.POSTERS else f" on {args.paper.upper() if args.paper == 'a4' else 'Letter'} paper"
    )
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


def _batch_title(args) -> int:
    summary = batches.set_title(args.id, args.title, actor(args))
    print(f"Batch {summary.id} ({summary.name}) is titled “{summary.title}” for members.")
    return 0
