"""Which database this is: its random name (database-id, made on first use by
app.core.settings.database_id), and a copy of a database file getting a name of its own.

A claim site answers /healthz with its database's id, and the window takes a running claim site for
its own only when the ids match. A copy of the file (copied by hand, a backup opened where it lies)
would carry the original's id: so the file remembers the path it was last opened at, and opened at
another path while a different file is still at that one, it is a copy, and forgets its id. A file
moved (nothing left at its old path), restored in place, or reached by another name of the same
file keeps its id."""

from __future__ import annotations

import os
from pathlib import Path

from app.core.errors import DatabaseProblem

from .models import Setting
from .transactions import guarded, write_transaction

DATABASE_ID = "database-id"  # the secret naming this database
PATH_KEY = "database-path"  # where this file was last opened (not a setting anyone edits; never copied)


def secret_key(name: str) -> str:
    """The settings row that holds the secret of this name."""
    return f"secret:{name}"


def _same_file(one: str, other: Path) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:
        return False


@guarded
def claim_this_file(path: Path) -> None:
    """At opening: remember where this file is; a copy (see the module) forgets the original's id,
    so that a new one is made when it is first asked for. Nothing happens when the file cannot be
    written (read-only, damaged): its next writable opening does it."""
    here = str(path.resolve())
    row = Setting.get_or_none(Setting.key == PATH_KEY)
    if row is not None and row.value == here:
        return
    copied = row is not None and os.path.exists(row.value) and not _same_file(row.value, path)
    try:
        with write_transaction():
            Setting.insert(key=PATH_KEY, value=here).on_conflict_replace().execute()
            if copied:
                Setting.delete().where(Setting.key == secret_key(DATABASE_ID)).execute()
    except DatabaseProblem:
        pass
