"""Webhooks: voucher-batches webhook add, list, remove and deliveries. Each claim, redemption and undo
a webhook subscribes to is POSTed to it, signed with its secret, and retried for a day."""

from __future__ import annotations

import sys

from app.core import times, webhooks

from .common import Parsers, actor, positive_int
from .output import print_json, table


def register(parsers: Parsers) -> None:
    group = parsers.top.add_parser("webhook", help="tell another system of every claim, redemption and undo")
    actions = group.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", parents=[parsers.common, parsers.who], help="send events to an address")
    add.add_argument("url", help="where to POST each event, e.g. https://pos.example.com/hooks/vouchers")
    add.add_argument(
        "--events", required=True, help=f"which, comma-separated: {','.join(webhooks.EVENTS)}", metavar="EVENTS"
    )
    add.add_argument("--secret", default="", help="the secret that signs each delivery (default: one made now)")
    add.add_argument("--json", action="store_true", help="print JSON (with the secret)")
    add.set_defaults(run=_add, creates=True)
    listing = actions.add_parser(
        "list", parents=[parsers.common], help="every webhook with its deliveries: last status, next try"
    )
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(run=_list)
    remove = actions.add_parser(
        "remove", parents=[parsers.common, parsers.who], help="stop sending to an address (its undelivered events too)"
    )
    remove.add_argument("url", help="the webhook's address (or its id)")
    remove.set_defaults(run=_remove)
    sent = actions.add_parser("deliveries", parents=[parsers.common], help="the latest deliveries, newest first")
    sent.add_argument("url", nargs="?", help="only this webhook's (its address or id)")
    sent.add_argument("--limit", type=positive_int, default=50, help="at most this many (default 50)")
    sent.add_argument("--json", action="store_true", help="print JSON")
    sent.set_defaults(run=_deliveries)


def _add(args) -> int:
    hook = webhooks.add(args.url, args.events, args.secret, actor(args))
    if args.json:
        print_json({**hook.to_json(), "secret": hook.secret})
        return 0
    print(f"Webhook added: {hook.url} gets {', '.join(hook.events)}.")
    print(f"Secret (the receiver checks each delivery's signature with it): {hook.secret}")
    print(
        "Each delivery is a POST of JSON with the headers X-Voucher-Batches-Timestamp and "
        'X-Voucher-Batches-Signature (v1=HMAC-SHA256 of "<timestamp>.<body>"), sent while the claim site runs.',
        file=sys.stderr,
    )
    return 0


def _status(status: int | None, error: str) -> str:
    if status is None:
        return "—"
    return f"{status}" if status else f"no answer ({error})" if error else "no answer"


def _list(args) -> int:
    found = webhooks.hooks()
    if args.json:
        print_json([hook.to_json() for hook in found])
        return 0
    if not found:
        print("No webhooks. Add one with: voucher-batches webhook add URL --events claimed,redeemed,undone")
        return 0
    rows = [
        [
            hook.url,
            ",".join(hook.events),
            f"{hook.delivered:,}",
            f"{hook.pending:,}",
            f"{hook.failed:,}",
            _status(hook.last_status, hook.last_error),
            times.local_text(hook.next_try_at) or "—",
        ]
        for hook in found
    ]
    print(f"Times in {times.zone_label()}.", file=sys.stderr)
    table(rows, ["Webhook", "Events", "Delivered", "Waiting", "Failed", "Last status", "Next try"], right={2, 3, 4})
    return 0


def _remove(args) -> int:
    url = webhooks.remove(args.url, actor(args))
    print(f"Webhook removed: nothing more is sent to {url}.")
    return 0


def _deliveries(args) -> int:
    found = webhooks.deliveries(args.url, args.limit)
    if args.json:
        print_json([delivery.to_json() for delivery in found])
        return 0
    if not found:
        print("No deliveries yet.")
        return 0
    print(f"Times in {times.zone_label()}.", file=sys.stderr)
    rows = [
        [
            times.local_text(d.created_at),
            d.event,
            d.url,
            d.state,
            f"{d.attempts}",
            _status(d.last_status, d.last_error),
            times.local_text(d.next_try_at) or "—",
        ]
        for d in found
    ]
    table(rows, ["Event at", "Event", "Webhook", "State", "Tries", "Last status", "Next try"], right={4})
    return 0
