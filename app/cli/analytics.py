"""voucher-batches batch stats ID and channels: how a batch and each channel perform, next to the guide's good rates."""

from __future__ import annotations

import sys

from app.core import (
    analytics,
    times,
    wording,
)

from .common import (
    Parsers,
)
from .output import print_json, table


def register(parsers: Parsers) -> None:
    stats = parsers.batch.add_parser(
        "stats",
        parents=[parsers.common],
        help="a batch's analytics: metrics, claims and redemptions over time, pace, hints",
    )
    stats.add_argument("id", type=int)
    stats.add_argument("--json", action="store_true", help="print JSON (times ISO 8601 with their offset)")
    stats.set_defaults(run=_batch_stats)
    channels = parsers.top.add_parser(
        "channels",
        parents=[parsers.common],
        help="every channel's batches and redemption rate next to the spec's good rates",
    )
    channels.add_argument(
        "--batches",
        metavar="PATTERN",
        default="",
        help="only batches whose name matches, * for any text, e.g. 'Summer 2025 - *'",
    )
    channels.add_argument("--json", action="store_true", help="print JSON")
    channels.set_defaults(run=_channels)


def _batch_stats(args) -> int:
    stats = analytics.batch_stats(args.id)
    if args.json:
        print_json(stats.to_json())
        return 0
    print(
        f"{stats.name} (batch {stats.batch_id}, {stats.channel}, {stats.status}), created "
        f"{times.local_text(stats.created_at, zone=True)}"
    )
    window = wording.schedule_line(stats.status, stats.starts_at, stats.ends_at)
    if window:
        print(f"{window} ({times.zone_label()})")
    print(
        f"Total {stats.total:,}   Claimed {stats.claimed:,}   Redeemed {stats.redeemed:,}   Available "
        f"{stats.available:,}"
        f"   Redemption rate {wording.rate_text(stats.claimed, stats.redeemed)}"
    )
    if stats.band is not None:
        verdict = f"; this batch: {wording.verdict_text(stats.verdict)}" if stats.verdict else ""
        if stats.too_early:
            verdict = f"; this batch: {wording.TOO_EARLY_TEXT[0].lower()}{wording.TOO_EARLY_TEXT[1:]}"
        print(f"Good rates for {stats.channel}: {wording.band_text(stats.band)}{verdict}")
    pace = f"{wording.rate_now(stats.claims_per_hour_now)} now"
    print(
        f"Claims in the last 24 hours: {stats.claims_last_24h:,} ({pace}); "
        + (f"{stats.sold_out_text} at this pace." if stats.sold_out_text else "not trending toward selling out.")
    )
    print(f"Still out there: {wording.still_out(stats.expiring_7d, stats.expired_unredeemed)}")
    if stats.money.totalled:
        print(
            f"Sales with vouchers: {wording.sales_text(stats.money.sales_cents, stats.money.totalled)}; "
            f"discount given {wording.money(stats.money.discount_cents)}."
        )
    if stats.median_hours_to_redeem is not None:
        print(
            f"Claim to redemption: median {wording.hours(stats.median_hours_to_redeem)}; "
            + ", ".join(f"{label} {n:,}" for label, n in stats.delay_histogram)
        )
    hourly = stats.bucket == "hour"
    shown = [b for b in stats.series if b.claims or b.redemptions]
    left_out = len(stats.series) - len(shown)
    unit = "hour" if hourly else "day"
    if not shown:
        print(f"\nNo claims or redemptions yet (since {times.local_text(stats.created_at)}, {times.zone_label()}).")
    else:
        print(
            f"\nPer {unit}, in {times.zone_label()}"
            + (f" ({left_out} empty {unit}{'s' if left_out != 1 else ''} left out):" if left_out else ":")
        )
    rows = [
        [
            times.local_text(b.start, zone=True) if hourly else f"{b.start:%Y-%m-%d %a}",
            f"{b.claims:,}",
            f"{b.redemptions:,}",
            f"{b.claimed_so_far:,}",
            f"{b.redeemed_so_far:,}",
        ]
        for b in shown
    ]
    if rows:
        table(
            rows,
            ["Hour" if hourly else "Day", "Claims", "Redemptions", "Claimed so far", "Redeemed so far"],
            right={1, 2, 3, 4},
        )
    if stats.hints:
        print("\nHints:")
        for hint in stats.hints:
            print(f"- {hint.message}")
    return 0


def _channels(args) -> int:
    found = analytics.channel_stats(args.batches)
    if args.json:
        print_json([c.to_json() for c in found])
        return 0
    notes = []
    rows = []
    for c in found:
        band = c.band
        mark = ""
        if band is not None and band.note:
            notes.append(band.note)
            mark = "*" * len(notes)
        rows.append(
            [
                c.channel + mark,
                f"{c.batches:,}",
                f"{c.total:,}",
                f"{c.claimed:,}",
                f"{c.redeemed:,}",
                wording.rate_text(c.claimed, c.redeemed),
                wording.typical_text(band),
                wording.great_text(band),
                wording.standing(c.verdict, c.too_early) + ("†" if c.too_early else "")
                if c.verdict or c.too_early
                else "—",
                f"{c.expiring_7d:,}",
                f"{c.expired_unredeemed:,}",
            ]
        )
    headers = [
        "Channel",
        "Batches",
        "Total",
        "Claimed",
        "Redeemed",
        "Rate",
        "Typical",
        "Great",
        "Verdict",
        wording.EXPIRING_CAPTION,
        wording.EXPIRED_CAPTION,
    ]
    if any(c.money.totalled for c in found):  # money at the till: only once a till gave an order total
        headers += ["Sales with vouchers", "Discount given"]
        for row, c in zip(rows, found, strict=True):
            row += [wording.money(c.money.sales_cents), wording.money(c.money.discount_cents)]
    table(rows, headers, right={1, 2, 3, 4, 5, 9, 10, 11, 12})
    for i, note in enumerate(notes, 1):
        print(f"{'*' * i} {note}")
    if any(c.too_early for c in found):
        print(f"† {wording.CHANNEL_TOO_EARLY_TEXT}")
    if args.batches.strip() and not any(c.batches for c in found):
        print(f"No batch's name matches {args.batches!r}.", file=sys.stderr)
    return 0
