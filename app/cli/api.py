"""The point-of-sale API's keys: voucher-batches api-key create, list and revoke. A key is printed
once, when it is made; only its hash is kept."""

from __future__ import annotations

import sys

from app.core import api_keys, times

from .common import Parsers, actor
from .output import print_json, table


def register(parsers: Parsers) -> None:
    group = parsers.top.add_parser(
        "api-key", help="keys to the local API for a point of sale (under /api/v1/ of the claim site)"
    )
    actions = group.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = actions.add_parser(
        "create", parents=[parsers.common, parsers.who], help="make a key and print it, once (only its hash is kept)"
    )
    create.add_argument("--name", required=True, help='the till it is for, e.g. "Till 1" (the activity log names it)')
    create.add_argument("--json", action="store_true", help='print {"name", "key", ...}')
    create.set_defaults(run=_create, creates=True)
    listing = actions.add_parser("list", parents=[parsers.common], help="every key (never the key itself)")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(run=_list)
    revoke = actions.add_parser(
        "revoke", parents=[parsers.common, parsers.who], help="stop a key working, from its next request on"
    )
    revoke.add_argument("name", help="the key's name")
    revoke.set_defaults(run=_revoke)


def _create(args) -> int:
    key, secret = api_keys.create(args.name, actor(args))
    if args.json:
        print_json({**key.to_json(), "key": secret})
        return 0
    print(secret)
    print(
        f"API key “{key.name}” made. It is shown this once: put it in the point of sale now, as the header "
        "Authorization: Bearer <key>. The API answers under /api/v1/ of the claim site.",
        file=sys.stderr,
    )
    return 0


def _list(args) -> int:
    found = api_keys.every_key()
    if args.json:
        print_json([key.to_json() for key in found])
        return 0
    if not found:
        print("No API keys: the point-of-sale API is off. Make one with: voucher-batches api-key create --name NAME")
        return 0
    rows = [
        [
            key.name,
            key.prefix + "…",
            times.local_text(key.created_at),
            times.local_text(key.last_used_at) or "never",
            "revoked " + times.local_text(key.revoked_at) if key.revoked_at else "in use",
        ]
        for key in found
    ]
    table(rows, ["Name", "Key", "Created", "Last used", "State"])
    return 0


def _revoke(args) -> int:
    key = api_keys.revoke(args.name, actor(args))
    left = "" if api_keys.any_active() else " No key is left in use: the point-of-sale API is off."
    print(f"API key “{key.name}” revoked: it no longer works.{left}")
    return 0
