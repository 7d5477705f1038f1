"""The activity log: who did what, at which till. Every change writes its entry inside its own
transaction (record), so a change that rolls back leaves none and none happens without one.
Nothing here updates or deletes an entry; the database refuses it as well."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast

from app.core.store.models import ACTIVITY_KINDS, Activity, as_datetime, utcnow

from . import codes, times
from .errors import InvalidInput
from .files import whole_csv
from .store import database, guarded, run_sql

MAX_NAME = 64  # a till's or a staff member's name
DEFAULT_LIMIT = 100

KIND_TEXT = {
    "template_created": "Template created",
    "batch_created": "Batch created",
    "batch_paused": "Batch paused",
    "batch_resumed": "Batch resumed",
    "batch_deleted": "Batch deleted",
    "voucher_redeemed": "Voucher redeemed",
    "redemption_undone": "Redemption undone",
    "settings_changed": "Settings changed",
    "member_erased": "Member erased",
    "member_reset": "Member reset",
    "restored": "Backup restored",
    "batch_edited": "Batch edited",
    "batch_scheduled": "Batch scheduled",
    "batch_ended": "Campaign ended",
    "template_edited": "Template edited",
    "template_archived": "Template archived",
    "template_restored": "Template restored",
    "template_deleted": "Template deleted",
}

# What an edit's entry names each change by (its details hold [before, after])
CHANGE_NAMES = {
    "name": "name",
    "channel": "channel",
    "description": "description",
    "title": "public title",
    "discount": "discount",
    "min_purchase": "minimum purchase",
    "expiry": "expiry",
    "terms": "terms",
}


def this_pc() -> str:
    """The till name a PC has until it is given one: its host name."""
    return (socket.gethostname() or "this PC")[:MAX_NAME]


@dataclass(frozen=True)
class Actor:
    """Who makes a change and where: the till (a PC's name) and the staff member at it (may be
    unnamed). Handed to each service that changes something; never kept globally."""

    till: str = field(default_factory=this_pc)
    staff: str = ""

    @classmethod
    def named(cls, till: str | None = None, staff: str | None = None) -> Actor:
        """An actor from what a person typed: names trimmed, an empty till is this PC."""
        till, staff = (till or "").strip(), (staff or "").strip()
        if len(till) > MAX_NAME or len(staff) > MAX_NAME:
            raise InvalidInput(f"A till's or a staff member's name is at most {MAX_NAME} characters.")
        return cls(till or this_pc(), staff)

    @property
    def words(self) -> str:
        """' by Anna, till 2' (or ' at till 2' when nobody was named), for the end of a sentence."""
        place = self.till if self.till.lower().startswith("till") else f"till {self.till}"
        if self.staff and self.till:
            return f" by {self.staff}, {place}"
        if self.staff:
            return f" by {self.staff}"
        return f" at {place}" if self.till else ""


def record(
    kind: str,
    actor: Actor | None,
    *,
    batch_id: int | None = None,
    batch_name: str = "",
    code: str | None = None,
    **details: object,
) -> None:
    """Append one entry. Call it inside the write_transaction of the change it records."""
    if kind not in ACTIVITY_KINDS:
        raise ValueError(f"unknown activity kind {kind!r}")
    if not database.in_transaction():
        raise RuntimeError("an activity entry is written inside the transaction of its change")
    actor = actor or Actor()
    run_sql(
        "INSERT INTO activity (at, kind, batch_id, batch_name, code, till, staff, details)"
        " VALUES (:at, :kind, :batch_id, :batch_name, :code, :till, :staff, :details)",
        {
            "at": Activity.at.db_value(utcnow()),
            "kind": kind,
            "batch_id": batch_id,
            "batch_name": batch_name or "",
            "code": code,
            "till": actor.till,
            "staff": actor.staff,
            "details": json.dumps(details, ensure_ascii=False),
        },
    )


@dataclass(frozen=True)
class Entry:
    id: int
    at: datetime
    kind: str
    batch_id: int | None
    batch_name: str
    code: str | None
    till: str
    staff: str
    details: dict[str, Any]

    @property
    def kind_text(self) -> str:
        return KIND_TEXT.get(self.kind, self.kind)

    @property
    def summary(self) -> str:
        """The details in words: 'quantity 500', 'reason: sale cancelled', 'store_name, port' ..."""
        d = self.details
        if self.kind == "batch_created" and not d.get("like"):
            return f"{d.get('quantity', 0):,} vouchers"
        if self.kind == "batch_deleted":
            return (
                f"{d.get('vouchers', 0):,} vouchers ({d.get('claimed', 0):,} claimed, {d.get('redeemed', 0):,} "
                "redeemed)"
            )
        if self.kind == "redemption_undone":
            return f"Reason: {d.get('reason', '')}"
        if self.kind == "settings_changed":
            return ", ".join(d.get("keys", []))
        if self.kind in ("template_created", "template_archived", "template_restored", "template_deleted"):
            return d.get("title", "")
        if self.kind in ("batch_edited", "template_edited"):
            return "; ".join(
                f"{label}: “{_short(d[key][0])}” → “{_short(d[key][1])}”"
                for key, label in CHANGE_NAMES.items()
                if isinstance(d.get(key), list) and len(d[key]) == 2
            )
        if self.kind == "batch_scheduled":
            return f"opens {_when(d.get('starts_at'), 'at once')}, ends {_when(d.get('ends_at'), 'never')}"
        if self.kind == "batch_ended":
            return f"ended {_when(d.get('ended_at'), 'now')}"
        if self.kind == "batch_created" and d.get("like"):
            return f"{d.get('quantity', 0):,} vouchers, like batch {d['like']}"
        if self.kind == "restored":
            made = f", made {times.local_text(datetime.fromisoformat(d['made']))}" if d.get("made") else ""
            again = d.get("erased_again", 0)
            return f"From {d.get('backup', '')}{made}; the replaced database is kept at {d.get('kept', '')}" + (
                f"; {again:,} erased member{'s' if again != 1 else ''} erased again" if again else ""
            )
        return ""

    def to_json(self) -> dict[str, Any]:
        return {
            "at": times.iso(self.at),
            "kind": self.kind,
            "batch_id": self.batch_id,
            "batch_name": self.batch_name,
            "code": self.code,
            "till": self.till,
            "staff": self.staff,
            "details": self.details,
        }


def _short(value: object, most: int = 60) -> str:
    text = " ".join(str(value or "").split())
    return text if len(text) <= most else text[: most - 1] + "…"


def _when(stamp: str | None, otherwise: str) -> str:
    """An ISO moment from an entry's details in the store's time, or `otherwise` when there is none."""
    return times.local_text(stamp, zone=True) if stamp else otherwise


_COLUMNS = "id, at, kind, batch_id, batch_name, code, till, staff, details"


def _entry(row: Sequence[Any]) -> Entry:
    eid, at, kind, batch_id, batch_name, code, till, staff, details = row
    return Entry(eid, as_datetime(at), kind, batch_id, batch_name, code, till, staff, json.loads(details or "{}"))


def start_of_day(day: date) -> datetime:
    """The first instant of `day` in the store's zone, as stored (naive UTC)."""
    return times.end_of_day_utc(day - timedelta(days=1))


@dataclass(frozen=True)
class Filter:
    """Which entries to show. since/until are days in the store's time, both included."""

    batch_id: int | None = None
    kind: str | None = None
    staff: str | None = None
    till: str | None = None
    since: date | None = None
    until: date | None = None
    search: str = ""

    def where(self) -> tuple[str, dict[str, object]]:
        clauses: list[str] = []
        params: dict[str, object] = {}
        if self.batch_id is not None:
            clauses.append("batch_id = :batch_id")
            params["batch_id"] = self.batch_id
        if self.kind:
            if self.kind not in ACTIVITY_KINDS:
                raise InvalidInput(f"An activity kind is one of: {', '.join(ACTIVITY_KINDS)}.")
            clauses.append("kind = :kind")
            params["kind"] = self.kind
        for name in ("staff", "till"):
            if getattr(self, name):
                clauses.append(f"{name} = :{name}")
                params[name] = getattr(self, name)
        if self.since is not None:
            clauses.append("at >= :since")
            params["since"] = Activity.at.db_value(start_of_day(self.since))
        if self.until is not None:
            clauses.append("at < :until")
            params["until"] = Activity.at.db_value(times.end_of_day_utc(self.until))
        search = (self.search or "").strip().lower()
        if search:
            clauses.append(
                "(LOWER(batch_name) LIKE :search OR REPLACE(COALESCE(code, ''), '-', '') LIKE :typed_code"
                " OR LOWER(staff) LIKE :search OR LOWER(till) LIKE :search OR LOWER(details) LIKE :search)"
            )
            params["search"] = "%" + search.replace("\\", "").replace("%", "").replace("_", "") + "%"
            params["typed_code"] = "%" + (codes.normalise(search) or "-") + "%"
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


@dataclass(frozen=True)
class Sort:
    """The log's order: by time (newest first unless ascending) or by the kind of action (then by
    time the same way), each read from an index of its own."""

    column: str = "at"  # one of SORTS
    descending: bool = True


SORTS = ("at", "kind")
NEWEST_FIRST = Sort()


@guarded
def entries(
    where: Filter | None = None,
    limit: int = DEFAULT_LIMIT,
    before: tuple[datetime, int] | None = None,
    sort: Sort | None = None,
    following: Entry | None = None,
) -> list[Entry]:
    """The first `limit` entries that match in the sort's order (newest first by default);
    `following`: the last entry of the page before (or `before`, its at and id, newest first). Read
    from the (at, id) or (kind, at, id) index: as fast at a million entries as at ten."""
    sort = sort or NEWEST_FIRST
    if sort.column not in SORTS:
        raise InvalidInput(f"The activity is sorted by one of: {', '.join(SORTS)}.")
    sql_where, params = (where or Filter()).where()
    if following is not None:
        before = (following.at, following.id)
    elif before is not None and sort.column != "at":
        raise ValueError("the page after another in the order of actions starts after that page's last entry")
    if before is not None:
        than = "<" if sort.descending else ">"
        after = f"(at {than} :before_at OR (at = :before_at AND id {than} :before_id))"
        if sort.column == "kind":
            after = f"(kind {than} :before_kind OR (kind = :before_kind AND {after}))"
            params["before_kind"] = following.kind if following is not None else ""
        sql_where += (" AND " if sql_where else " WHERE ") + after
        params.update(before_at=Activity.at.db_value(before[0]), before_id=before[1])
    way = " DESC" if sort.descending else ""
    order = f"at{way}, id{way}" if sort.column == "at" else f"kind{way}, at{way}, id{way}"
    params["limit"] = int(limit)
    rows = run_sql(f"SELECT {_COLUMNS} FROM activity{sql_where} ORDER BY {order} LIMIT :limit", params)
    return [_entry(row) for row in rows.fetchall()]


@guarded
def staff_names() -> list[str]:
    """Every staff member named in the log, for a filter or a picker."""
    rows = run_sql("SELECT DISTINCT staff FROM activity WHERE staff <> '' ORDER BY staff").fetchall()
    return [row[0] for row in rows]


@guarded
def batches_named() -> list[tuple[int, str]]:
    """Every batch the log names, deleted ones too, newest first: (id, name as last recorded)."""
    rows = run_sql(
        "SELECT batch_id, batch_name FROM activity WHERE id IN"
        " (SELECT MAX(id) FROM activity WHERE batch_id IS NOT NULL GROUP BY batch_id) ORDER BY batch_id DESC"
    ).fetchall()
    return [(row[0], row[1]) for row in rows]


@guarded
def redeemed_by(code: str) -> Actor | None:
    """Who redeemed this voucher (its code as shown) most recently; None before the log existed."""
    row = run_sql(
        "SELECT till, staff FROM activity WHERE code = :code AND kind = 'voucher_redeemed' ORDER BY id DESC LIMIT 1",
        {"code": code},
    ).fetchone()
    return Actor(row[0], row[1]) if row else None


@dataclass(frozen=True)
class Redemption:
    """A redemption made at a till, and whether it still stands (not undone since)."""

    entry: Entry
    standing: bool


@guarded
def last_redemptions(till: str, limit: int = 10) -> list[Redemption]:
    """The last redemptions made at this till, newest first, each with whether it can still be undone
    in principle (the voucher is still redeemed, from this very redemption)."""
    found = entries(Filter(kind="voucher_redeemed", till=till), limit)
    result = []
    for entry in found:
        later = run_sql(
            "SELECT COUNT(*) FROM activity WHERE code = :code AND id > :id"
            " AND kind IN ('redemption_undone', 'voucher_redeemed')",
            {"code": entry.code, "id": entry.id},
        ).fetchone()[0]
        status = run_sql(
            "SELECT status FROM voucher WHERE code = :code",
            {"code": codes.normalise(cast(str, entry.code))},  # a redemption names its code
        ).fetchone()
        result.append(Redemption(entry, standing=not later and status is not None and status[0] == 2))
    return result


CSV_HEADERS = ["Time", "Action", "Batch ID", "Batch", "Code", "Till", "Staff", "Details"]


def csv_row(entry: Entry) -> list[str]:
    """One entry as the CSV export writes it: times in the store's zone, as people read them."""
    batch_id = "" if entry.batch_id is None else str(entry.batch_id)
    return [
        times.local_text(entry.at, zone=True),
        entry.kind_text,
        batch_id,
        entry.batch_name,
        entry.code or "",
        entry.till,
        entry.staff,
        entry.summary,
    ]


def _cell(text: str) -> str:
    """A cell a spreadsheet will not run: names and reasons are typed by people."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


@guarded
def export_csv(target: str | os.PathLike[str], where: Filter | None = None) -> int:
    """Write every matching entry, newest first, to a CSV file (whole or not at all); returns how many."""
    written, before = 0, None
    with whole_csv(target) as writer:
        writer.writerow(CSV_HEADERS)
        while True:
            page = entries(where, 5000, before)
            writer.writerows([_cell(cell) for cell in csv_row(entry)] for entry in page)
            written += len(page)
            if len(page) < 5000:
                return written
            before = (page[-1].at, page[-1].id)
