"""voucher-batches template create | list: the offers a batch hands out."""

from __future__ import annotations

from app.core import (
    templates,
)

from .common import (
    Parsers,
    actor,
    day,
    positive_int,
)
from .output import print_json, table


def register(parsers: Parsers) -> None:
    create = parsers.template.add_parser("create", parents=[parsers.common, parsers.who], help="create a template")
    create.add_argument("--name", required=True, help="the template's title, e.g. '10%% off'")
    create.add_argument("--discount", required=True, help="a percentage (10%%) or an amount (5.00)")
    create.add_argument("--min-purchase", default="0", help="minimum purchase (default 0)")
    expiry = create.add_mutually_exclusive_group()
    expiry.add_argument("--valid-days", type=positive_int, help="vouchers expire this many days after claim")
    expiry.add_argument("--expires-on", type=day, help="vouchers expire after this day (YYYY-MM-DD)")
    create.add_argument("--terms", default="", help="terms shown with the offer")
    create.add_argument("--json", action="store_true", help="print JSON")
    create.set_defaults(run=_template_create, creates=True)
    listing = parsers.template.add_parser("list", parents=[parsers.common], help="list templates")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(run=_template_list)


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
        args.name,
        args.discount,
        args.min_purchase,
        valid_days=args.valid_days,
        expires_on=args.expires_on,
        terms=args.terms,
        actor=actor(args),
    )
    if args.json:
        print_json(_template_json(template))
    else:
        print(f"Created template {template.id}: {template.title}")
    return 0


def _template_list(args) -> int:
    found = templates.list_templates()
    if args.json:
        print_json([_template_json(t) for t in found])
        return 0
    rows = []
    for t in found:
        offer = templates.describe_offer(t)
        rows.append([str(t.id), t.title, offer["discount"], offer["min_purchase"], offer["expiry"]])
    table(rows, ["ID", "Title", "Discount", "Minimum", "Expiry"], right={0})
    return 0
