"""voucher-batches template create | list | edit | archive | delete: the offers a batch hands out."""

from __future__ import annotations

from app.core import (
    templates,
)

from .common import (
    Parsers,
    UsageError,
    actor,
    day,
    go_ahead,
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
    edit = parsers.template.add_parser(
        "edit",
        parents=[parsers.common, parsers.who],
        help="change a template: its name and terms always, its offer only while none of its vouchers is claimed",
    )
    edit.add_argument("template", help="template title or id")
    edit.add_argument("--name", help="a new title")
    edit.add_argument("--terms", help="terms shown with the offer ('' for none)")
    edit.add_argument("--discount", help="a percentage (10%%) or an amount (5.00)")
    edit.add_argument("--min-purchase", help="minimum purchase (0 for none)")
    expiry = edit.add_mutually_exclusive_group()
    expiry.add_argument("--valid-days", type=positive_int, help="vouchers expire this many days after claim")
    expiry.add_argument("--expires-on", type=day, help="vouchers expire after this day (YYYY-MM-DD)")
    expiry.add_argument("--no-expiry", action="store_true", help="vouchers never expire")
    edit.add_argument("--json", action="store_true", help="print JSON")
    edit.set_defaults(run=_template_edit)
    archive = parsers.template.add_parser(
        "archive",
        parents=[parsers.common, parsers.who],
        help="hide a template from New batch (its batches go on as they were)",
    )
    archive.add_argument("template", help="template title or id")
    archive.add_argument("--restore", action="store_true", help="bring an archived template back")
    archive.set_defaults(run=_template_archive)
    delete = parsers.template.add_parser(
        "delete", parents=[parsers.common, parsers.who], help="delete a template that no batch uses"
    )
    delete.add_argument("template", help="template title or id")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    delete.set_defaults(run=_template_delete)


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
        "archived": template.archived_at is not None,
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
    found = templates.list_templates(archived=True)
    if args.json:
        print_json([_template_json(t) for t in found])
        return 0
    rows = []
    for t in found:
        offer = templates.describe_offer(t)
        archived = "Archived" if t.archived_at is not None else ""
        rows.append([str(t.id), t.title, offer["discount"], offer["min_purchase"], offer["expiry"], archived])
    table(rows, ["ID", "Title", "Discount", "Minimum", "Expiry", ""], right={0})
    return 0


def _template_edit(args) -> int:
    template = templates.find_template(args.template)
    changes: dict = {}
    for name, value in (
        ("title", args.name),
        ("terms", args.terms),
        ("discount", args.discount),
        ("min_purchase", args.min_purchase),
    ):
        if value is not None:
            changes[name] = value
    if args.valid_days is not None:
        changes["expiry"] = args.valid_days
    elif args.expires_on is not None:
        changes["expiry"] = args.expires_on
    elif args.no_expiry:
        changes["expiry"] = templates.NEVER
    if not changes:
        raise UsageError("say what to change: --name, --terms, --discount, --min-purchase or an expiry")
    edited = templates.edit_template(template.id, **changes, actor=actor(args))
    if args.json:
        print_json(_template_json(edited))
    else:
        offer = templates.describe_offer(edited)
        print(f"Template {edited.id}: {edited.title} — {offer['discount']}, {offer['min_purchase'].lower()}")
    return 0


def _template_archive(args) -> int:
    template = templates.archive_template(templates.find_template(args.template).id, args.restore, actor(args))
    if args.restore:
        print(f"Template {template.id} ({template.title}) is offered in New batch again.")
    else:
        print(f"Template {template.id} ({template.title}) is archived: New batch no longer offers it.")
    return 0


def _template_delete(args) -> int:
    template = templates.find_template(args.template)
    question = f"Delete the template “{template.title}” for good?"
    if not go_ahead(args, question, "Not deleted."):
        return 1
    title = templates.delete_template(template.id, actor(args))
    print(f"Deleted the template {title!r}.")
    return 0
