"""The database as a whole: voucher-batches backup, restore and copy-to (moving the store onto PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from app.core import (
    store,
)
from app.core.errors import InvalidInput
from app.core.store import backups, restoring

from .common import (
    Parsers,
    actor,
    go_ahead,
)
from .output import ProgressBar


def register(parsers: Parsers) -> None:
    backup = parsers.top.add_parser("backup", parents=[parsers.common], help="make a backup of the database now")
    backup.add_argument("--output", "-o", required=True, type=Path, help="the backup file to write")
    backup.set_defaults(run=_backup)
    restore = parsers.top.add_parser(
        "restore", parents=[parsers.common, parsers.who], help="put a backup back in place of the database"
    )
    restore.add_argument("file", type=Path, help="the backup to put back (it is checked first)")
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    # run without opening the database: the one to replace may be too damaged to open
    restore.set_defaults(run=_restore, opens=False)
    copy = parsers.top.add_parser(
        "copy-to",
        parents=[parsers.common],
        help="copy this whole database into an empty PostgreSQL database (moving the store onto a server)",
    )
    copy.add_argument(
        "url", help="the PostgreSQL database to copy into, e.g. postgresql://vouchers@server:5432/vouchers"
    )
    copy.add_argument("--quiet", action="store_true", help="no progress bar")
    copy.set_defaults(run=_copy_to)


def _backup(args) -> int:
    target = backups.backup_to(args.output)
    print(f"Backed up {store.location()} to {target}")
    return 0


def _copy_to(args) -> int:
    from app.core import transfer

    copied = transfer.copy_to(args.url, progress=ProgressBar("Copying", enabled=not args.quiet))
    print(copied.summary())
    print(
        "This database is left as it was. Open the copy from now on: Settings → Database in the window, "
        f"or --db {copied.target}."
    )
    if copied.links_now in ("", copied.links_before):
        print(
            f"The claim links keep their address ({copied.links_before}): it must reach the claim site serving "
            "the copy (see packaging/deploy/README.md)."
        )
    else:
        print(
            f"The copy's claim links carry the server's address ({copied.links_now}); links and posters already "
            f"out carry {copied.links_before} and reach the new claim site only if that address does "
            "(see packaging/deploy/README.md)."
        )

    return 0


def _restore(args) -> int:
    """Run without opening the database: the one to replace may be too damaged to open."""
    from app.core import recovery

    target = Path(store.resolve_location(getattr(args, "db", None)))
    if store.is_url(str(target)):
        raise InvalidInput(backups.PG_DUMP_HINT)
    restoring.check_backup(args.file)  # before asking: a file that cannot be put back is said at once
    question = (
        f"Put {args.file} back in place of {target}? What was changed since that backup is replaced (the "
        "current file is kept aside); members erased since are erased again."
    )
    if not go_ahead(args, question, "Not restored."):
        return 1
    restored = recovery.restore(args.file, target, actor(args))
    print(restored.summary())
    return 0
