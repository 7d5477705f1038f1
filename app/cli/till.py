"""At the till: voucher-batches lookup, redeem and undo; and the activity log (who did what, at which till)."""

from __future__ import annotations

import sys
from typing import cast

from app.core import (
    activity,
    claims,
    codes,
    money,
    scans,
    templates,
    times,
    vouchers,
    wording,
)
from app.core.store.models import ACTIVITY_KINDS, Template

from .common import (
    PROG,
    Parsers,
    actor,
    day,
    positive_int,
)
from .output import print_json, table


def register(parsers: Parsers) -> None:
    for name, text, parents, run in (
        ("lookup", "find a voucher by its code", [parsers.common], _lookup),
        ("redeem", "redeem a voucher at the till", [parsers.common, parsers.who], _redeem),
        ("undo", "undo a redemption made by mistake (within the undo window)", [parsers.common, parsers.who], _undo),
    ):
        sub = parsers.top.add_parser(name, parents=parents, help=text)
        sub.add_argument("code", help="the code, typed or scanned (case, spaces and dashes do not matter)")
        if name == "undo":
            sub.add_argument(
                "--reason", required=True, help=f"why, e.g. {', '.join(repr(r) for r in claims.COMMON_REASONS)}"
            )
        if name == "redeem":
            sub.add_argument(
                "--order-total",
                metavar="AMOUNT",
                help="the order's total, e.g. 25.50: kept with the redemption, for sales and discount given",
            )
            sub.add_argument(
                "--override",
                action="store_true",
                help="redeem though the order total is below the offer's minimum purchase",
            )
        sub.add_argument("--json", action="store_true", help="print JSON")
        sub.set_defaults(run=run)
    log = parsers.top.add_parser(
        "activity", parents=[parsers.common], help="the activity log: who did what, newest first"
    )
    log.add_argument("--batch", type=int, metavar="ID", help="only this batch's entries (deleted batches too)")
    log.add_argument("--kind", choices=ACTIVITY_KINDS, help="only this kind of action")
    log.add_argument("--since", type=day, metavar="DATE", help="only from this day on (YYYY-MM-DD, the store's time)")
    log.add_argument(
        "--limit",
        type=positive_int,
        default=activity.DEFAULT_LIMIT,
        help=f"at most this many (default {activity.DEFAULT_LIMIT})",
    )
    log.add_argument("--json", action="store_true", help="print JSON")
    log.set_defaults(run=_activity)


def _lookup(args) -> int:
    found = vouchers.lookup(args.code)
    if args.json:
        print_json(found.to_json())
        return 0
    offer = templates.describe_offer(cast(Template, found.template))  # a voucher looked up carries its offer
    print(f"Code:      {found.code}")
    print(f"Batch:     {found.batch_name} (id {found.batch_id}, {found.batch_status})")
    print(f"Status:    {wording.state_line(found)}")
    print(f"Member:    {found.member or '—'}")
    print(f"Claimed:   {times.local_text(found.claimed_at, zone=True) or '—'}")
    print(f"Redeemed:  {times.local_text(found.redeemed_at, zone=True) or '—'}")
    print(f"Expires:   {times.local_text(found.expires_at, zone=True) or offer['expiry']}")
    print(f"Offer:     {offer['discount']}; {offer['min_purchase']}")
    if offer["terms"]:
        print(f"Terms:     {offer['terms']}")
    if found.order_cents is not None:
        print(f"Order:     {wording.money(found.order_cents)}")
    if found.scanned_as:
        print(f"Read as typed by {scans.MIX_UP_NAMED[found.scanned_as].words}.", file=sys.stderr)
    return 0


def _redeem(args) -> int:
    result = claims.redeem(args.code, actor(args), money.order(args.order_total, override=args.override))
    by = result.redeemed_by
    return _till_answer(
        args,
        result,
        result.outcome is claims.RedeemOutcome.REDEEMED,
        redeemed_by={"staff": by.staff, "till": by.till} if by else None,
        order_total=money.to_json(result.order_cents),
        discount=money.to_json(result.discount_cents),
    )


def _undo(args) -> int:
    result = claims.undo_redemption(args.code, args.reason, actor(args))
    return _till_answer(args, result, result.outcome is claims.UndoOutcome.UNDONE)


def _till_answer(args, result, done: bool, **extra) -> int:
    """What redeem and undo print: the outcome and the till's sentence (JSON with the voucher)."""
    if args.json:
        data = {"outcome": result.outcome.value, "message": result.message, **extra}
        data.update(result.voucher.to_json() if result.voucher else {"code": codes.normalise(args.code)})
        print_json(data)
    if done:
        if not args.json:
            print(result.message)
        return 0
    print(f"{PROG}: {result.message}", file=sys.stderr)
    return 1


def _activity(args) -> int:
    found = activity.entries(activity.Filter(batch_id=args.batch, kind=args.kind, since=args.since), args.limit)
    if args.json:
        print_json([entry.to_json() for entry in found])
        return 0
    if not found:
        print("No activity recorded yet." if not (args.batch or args.kind or args.since) else "No activity matches.")
        return 0
    print(f"Times in {times.zone_label()}.", file=sys.stderr)
    rows = [
        [
            times.local_text(e.at),
            e.kind_text,
            e.batch_name + (f" ({e.batch_id})" if e.batch_id is not None else ""),
            e.code or "",
            e.till,
            e.staff,
            e.summary,
        ]
        for e in found
    ]
    table(rows, ["Time", "Action", "Batch", "Code", "Till", "Staff", "Details"])
    return 0
