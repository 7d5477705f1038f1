"""voucher-batches member ...: find a member, a one-time password reset link, sign out everywhere, export, erase."""

from __future__ import annotations

import sys
from pathlib import Path

from app.core import (
    members,
    times,
)

from .common import (
    Parsers,
    go_ahead,
    positive_int,
)
from .output import print_json, table


def register(parsers: Parsers) -> None:
    common, member = parsers.common, parsers.member
    find = member.add_parser("find", parents=[common], help="find members by part of their email or name")
    find.add_argument("text", help='part of an email or name (any case; "" lists every member)')
    find.add_argument("--limit", type=positive_int, default=50, help="at most this many (default 50)")
    find.add_argument("--json", action="store_true", help="print JSON")
    find.set_defaults(run=_member_find)
    reset = member.add_parser(
        "reset-password", parents=[common], help="a one-time link (24 hours) for the member to choose a new password"
    )
    reset.add_argument("email")
    reset.add_argument("--json", action="store_true", help='print {"email", "link", "expires_at"}')
    reset.set_defaults(run=_member_reset_password)
    export = member.add_parser("export", parents=[common], help="write everything held about the member to a JSON file")
    export.add_argument("email")
    export.add_argument("--output", "-o", required=True, type=Path, help="the JSON file to write")
    export.set_defaults(run=_member_export)
    erase = member.add_parser(
        "erase", parents=[common], help="erase the member: account and personal data go, their vouchers stay counted"
    )
    erase.add_argument("email")
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    erase.set_defaults(run=_member_erase)
    sign_out = member.add_parser(
        "sign-out", parents=[common], help="end every session of the member, on every phone and browser"
    )
    sign_out.add_argument("email")
    sign_out.set_defaults(run=_member_sign_out)


def _member_find(args) -> int:
    found = members.find_members(args.text, args.limit)
    if args.json:
        print_json([m.to_json() for m in found])
        return 0
    if not found:
        print(f"No member's email or name contains {args.text!r}.")
        return 0
    print(f"Times in {times.zone_label()}.", file=sys.stderr)
    rows = [[str(m.id), m.email, m.name, f"{m.vouchers:,}", times.local_text(m.created_at)] for m in found]
    table(rows, ["ID", "Email", "Name", "Vouchers", "Joined"], right={0, 3})
    return 0


def _member_reset_password(args) -> int:
    member = members.member_with_email(args.email)
    code, expires_at = members.issue_reset_code(member.email)
    link = members.reset_url(code)
    if args.json:
        print_json({"email": member.email, "link": link, "expires_at": times.iso(expires_at)})
    else:
        print(link)
        print(
            f"Hand this link to {member.email}: it works once, until {times.local_text(expires_at, zone=True)} (24 "
            "hours). "
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
    if not go_ahead(args, members.erase_confirmation(member), "Not erased."):
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
