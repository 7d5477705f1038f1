"""Reading vouchers: one by code, keyset pages of a batch, and a streamed CSV export."""

from __future__ import annotations

import csv
import io
import itertools
import operator
import os
import sqlite3
import threading
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from contextlib import closing, suppress
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from peewee import JOIN, Case, ModelSelect, SqliteDatabase, fn

from app.core.store.models import (
    CLAIMED,
    REDEEMED,
    TEMPLATE_COLUMNS,
    UNCLAIMED,
    VOUCHER_STATUSES,
    Batch,
    Member,
    Template,
    Voucher,
    as_datetime,
    from_row,
    utcnow,
)

from . import codes, scans, times
from .errors import InvalidInput, NotFound
from .files import written_whole
from .store import database, guarded, run_sql
from .templates import public_title


@dataclass(frozen=True)
class VoucherRow:
    """One voucher as the vouchers view, `batch vouchers` and the export show it."""

    id: int
    code: str  # grouped for reading
    status: str  # unclaimed / claimed / redeemed
    member: str | None  # the member's email
    claimed_at: datetime | None
    redeemed_at: datetime | None
    expires_at: datetime | None

    @property
    def expired(self) -> bool:
        return self.status == "claimed" and self.expires_at is not None and utcnow() >= as_datetime(self.expires_at)

    @property
    def state(self) -> str:
        """What the voucher is now: unclaimed, claimed (and still valid), expired or redeemed."""
        return "expired" if self.expired else self.status

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "status": self.status,
            "state": self.state,
            "member": self.member,
            "claimed_at": times.iso(self.claimed_at),
            "redeemed_at": times.iso(self.redeemed_at),
            "expires_at": times.iso(self.expires_at),
        }


@dataclass(frozen=True)
class VoucherDetail(VoucherRow):
    """A voucher found by its code: with its batch and its offer (for the till and `lookup`)."""

    batch_id: int = 0
    batch_name: str = ""
    batch_title: str = ""  # the public title, as members read it
    batch_status: str = ""
    template: Template | None = None
    scanned_as: str = ""  # the keyboard mix-up its code was read back from (a scans.MixUp's name); "": as typed
    order_cents: int | None = None  # the order total given when it was redeemed, if one was

    def to_json(self) -> dict[str, Any]:
        data = super().to_json()
        data.update(batch_id=self.batch_id, batch_name=self.batch_name, expired=self.expired)
        if self.order_cents is not None:
            data["order_total"] = float(self.order_cents) / 100
        return data


def status_code(status: str | None) -> int | None:
    if status in (None, "", "all"):
        return None
    if status not in VOUCHER_STATUSES:
        raise InvalidInput(f"A voucher status is one of: {', '.join(VOUCHER_STATUSES)}.")
    return VOUCHER_STATUSES.index(status)


_ROW_FIELDS = (
    Voucher.id,
    Voucher.code,
    Voucher.status,
    Member.email,
    Voucher.claimed_at,
    Voucher.redeemed_at,
    Voucher.expires_at,
)


def _row(values: Sequence[Any], prefix_length: int) -> VoucherRow:
    vid, code, status, email, claimed_at, redeemed_at, expires_at = values
    return VoucherRow(
        vid, codes.display(code, prefix_length), VOUCHER_STATUSES[status], email, claimed_at, redeemed_at, expires_at
    )


def _filtered(
    batch: Batch, status: str | None, search: str, fields: Sequence[Any] = _ROW_FIELDS
) -> ModelSelect[Voucher]:
    query = Voucher.select(*fields).join(Member, JOIN.LEFT_OUTER).where(Voucher.batch == batch.id)
    wanted = status_code(status)
    if wanted is not None:
        query = query.where(Voucher.status == wanted)
    search = (search or "").strip()
    if search:
        typed = codes.normalise(search)
        matches = Voucher.member.in_(Member.select(Member.id).where(Member.email.contains(search.lower())))
        for start in {typed, batch.code_prefix + typed} if typed else ():
            # a prefix range on the unique code index, not a scan
            matches |= (Voucher.code >= start) & (Voucher.code < start + "\x7f")
        query = query.where(matches)
    return query


def batch_row(batch_id: int) -> Batch:
    """The batch's row (its name, status, code prefix and counts), or NotFound."""
    batch = (
        Batch.select(
            Batch.id,
            Batch.name,
            Batch.status,
            Batch.code_prefix,
            Batch.code_length,
            Batch.quantity,
            Batch.claimed_count,
            Batch.redeemed_count,
        )
        .where(Batch.id == batch_id)
        .first()
    )
    if batch is None:
        raise NotFound(f"There is no batch with id {batch_id}.")
    return batch


@dataclass(frozen=True)
class Sort:
    """The order of a batch's vouchers: by id (as generated), or by claim or redemption time, either
    way. Vouchers without that time (not claimed, not redeemed) come after the others, by id."""

    column: str = "id"  # one of SORTS
    descending: bool = False


SORTS = ("id", "claimed_at", "redeemed_at")  # each one index range of (batch_id, column, id): kept fast
AS_GENERATED = Sort()
PageStart = Any  # an int (a voucher id) by id ascending; else a key: (has the time, the time, the id)


def _sort(sort: Sort | None) -> Sort:
    sort = sort or AS_GENERATED
    if sort.column not in SORTS:
        raise InvalidInput(f"Vouchers are sorted by one of: {', '.join(SORTS)}.")
    return sort


def _timed(sort: Sort) -> Any:
    return getattr(Voucher, sort.column)


@guarded
def page(
    batch_id: int, status: str | None = None, search: str = "", after_id: int = 0, limit: int = 100
) -> list[VoucherRow]:
    """The next `limit` vouchers after voucher id `after_id` (keyset paging: as fast at the end as at the start)."""
    batch = batch_row(batch_id)
    query = _filtered(batch, status, search).where(Voucher.id > after_id).order_by(Voucher.id).limit(limit)
    return _rows(batch, query)


def _rows(batch: Batch, query: ModelSelect[Voucher]) -> list[VoucherRow]:
    n = len(batch.code_prefix)
    return [_row(values, n) for values in cast("Iterable[Sequence[Any]]", query.tuples())]  # (stubs: models)


@guarded
def page_from(
    batch_id: int,
    first: PageStart,
    limit: int,
    status: str | None = None,
    search: str = "",
    sort: Sort | None = None,
) -> list[VoucherRow]:
    """`limit` vouchers starting at a page start from page_starts, in the sort's order: one keyset
    read (two where the page runs from the vouchers with the time into those without)."""
    sort = _sort(sort)
    if sort == AS_GENERATED:
        return page(batch_id, status, search, after_id=first - 1, limit=limit)
    batch = batch_row(batch_id)
    base = _filtered(batch, status, search)
    if sort.column == "id":  # as generated, newest first
        return _rows(batch, base.where(Voucher.id <= first[2]).order_by(Voucher.id.desc()).limit(limit))
    column = _timed(sort)
    has_time, moment, first_id = first
    rows: list[VoucherRow] = []
    if has_time:
        after = (
            (column < moment) | ((column == moment) & (Voucher.id <= first_id))
            if sort.descending
            else (column > moment) | ((column == moment) & (Voucher.id >= first_id))
        )
        order = [column.desc(), Voucher.id.desc()] if sort.descending else [column, Voucher.id]
        rows = _rows(batch, base.where(column.is_null(False) & after).order_by(*order).limit(limit))
        first_id = 0
    if len(rows) < limit:
        without = base.where(column.is_null() & (Voucher.id >= first_id)).order_by(Voucher.id)
        rows += _rows(batch, without.limit(limit - len(rows)))
    return rows


@guarded
def count(batch_id: int, status: str | None = None, search: str = "") -> int:
    """How many vouchers a filter shows; without a search it comes from the batch's counters."""
    batch = batch_row(batch_id)
    if not (search or "").strip():
        by_status = {
            None: batch.quantity,
            UNCLAIMED: batch.quantity - batch.claimed_count,
            CLAIMED: batch.claimed_count - batch.redeemed_count,
            REDEEMED: batch.redeemed_count,
        }
        return by_status[status_code(status)]
    return _filtered(batch, status, search).count()


@guarded
def page_starts(
    batch_id: int, page_size: int, status: str | None = None, search: str = "", sort: Sort | None = None
) -> list[PageStart]:
    """The start of every page of page_size rows in the sort's order: with these, any page is one
    keyset read (page_from).

    Reads only keys from an index (a million in about a quarter of a second) and keeps one a page."""
    sort = _sort(sort)
    batch = batch_row(batch_id)
    if sort == AS_GENERATED and status_code(status) is None and not (search or "").strip():
        # two queries: SQLite answers a lone MIN or MAX from the index's ends, but scans for both at once
        first = Voucher.select(fn.MIN(Voucher.id)).where(Voucher.batch == batch_id).scalar()
        last = Voucher.select(fn.MAX(Voucher.id)).where(Voucher.batch == batch_id).scalar()
        if first is not None and last - first + 1 == batch.quantity:  # generated in one go: ids are contiguous
            return list(range(first, last + 1, page_size))
    base = _filtered(batch, status, search)
    if sort.column == "id":
        order = [Voucher.id.desc()] if sort.descending else [Voucher.id]
        starts = _every(base, [Voucher.id], order, page_size, 0)
        return [row[0] for row in starts] if not sort.descending else [(True, None, row[0]) for row in starts]
    column = _timed(sort)
    order = [column.desc(), Voucher.id.desc()] if sort.descending else [column, Voucher.id]
    timed = base.where(column.is_null(False))
    found = [(True, row[0], row[1]) for row in _every(timed, [column, Voucher.id], order, page_size, 0)]
    before = timed.count()  # the pages run on from the timed vouchers into the others
    untimed = _every(base.where(column.is_null()), [Voucher.id], [Voucher.id], page_size, before)
    return found + [(False, None, row[0]) for row in untimed]


def _every(
    query: ModelSelect[Voucher], keys: list[Any], order: list[Any], page_size: int, offset: int
) -> list[Sequence[Any]]:
    """The keys of every page_size-th row of the query in this order, counting `offset` rows before it."""
    named = [key.alias(f"k{i}") for i, key in enumerate(keys)]
    inner = query.select(*named, fn.ROW_NUMBER().over(order_by=order).alias("n"))
    sql, params = inner.sql()
    every = int(page_size)
    # (n - 1 + offset) is a multiple of the page size; integer division, as '%' means a parameter to some drivers
    position = f"(n - 1 + {int(offset)})"
    columns = ", ".join(f"k{i}" for i in range(len(keys)))
    cursor = database.execute_sql(
        f"SELECT {columns} FROM ({sql}) AS numbered WHERE {position} - ({position} / {every}) * {every} = 0 ORDER BY n",
        params,
    )
    return list(cursor)


# A voucher with its batch and its template, in plain SQL run on the driver: the claim site and
# the till call this on every request, and Peewee's query building cost ten times the query.
_DETAIL_SQL = (
    "SELECT v.id, v.code, v.status, m.email, v.claimed_at, v.redeemed_at, v.expires_at,"
    " b.id, b.name, b.status, b.code_prefix,"
    " t.id, t.title, t.discount_kind, t.discount_value, t.min_purchase, t.expires_on, t.valid_days, t.terms,"
    " t.created_at,"
    " b.title, v.order_cents"
    " FROM voucher v JOIN batch b ON b.id = v.batch_id JOIN template t ON t.id = b.template_id"
    " LEFT JOIN member m ON m.id = v.member_id"
)


def _details(where: str, params: Mapping[str, object]) -> list[VoucherDetail]:
    cursor = run_sql(f"{_DETAIL_SQL} WHERE {where}", params)
    found = []
    for row in cursor:
        template = from_row(Template, TEMPLATE_COLUMNS, row[11 : 11 + len(TEMPLATE_COLUMNS)])
        found.append(
            VoucherDetail(
                id=row[0],
                code=codes.display(row[1], len(row[10])),
                status=VOUCHER_STATUSES[row[2]],
                member=row[3],
                claimed_at=as_datetime(row[4]),
                redeemed_at=as_datetime(row[5]),
                expires_at=as_datetime(row[6]),
                batch_id=row[7],
                batch_name=row[8],
                batch_title=public_title(row[20], template.title),
                batch_status=row[9],
                template=template,
                order_cents=row[21],
            )
        )
    return found


class NotACode(NotFound):
    """What was scanned names no one voucher, and the sentence says what it is instead: a claim
    link (`batch` is its batch's (id, name)), a code that two keyboard mix-ups read as two vouchers,
    or another web address. `code` is the stable word for it (the API's refusal code)."""

    def __init__(self, message: str, code: str, batch: tuple[int, str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.batch = batch


@guarded
def lookup(typed_code: str) -> VoucherDetail:
    """The voucher a typed or scanned code names, in any batch: the code as typed first; when no
    voucher has it, as each keyboard mix-up would have typed it (app.core.scans), used only when
    exactly one of those readings names a voucher. A claim link (a poster's or a handout sheet's
    QR code) is said as such (NotACode), with its batch."""
    typed = (typed_code or "").strip()
    code = codes.normalise(typed)
    if not code:
        raise InvalidInput("Type or scan a voucher code.")
    if code.isalnum() and code.isascii():
        found = _details("v.code = :code", {"code": code})
        if found:
            return found[0]
    return _repaired(typed, code)


def _repaired(typed: str, as_typed: str) -> VoucherDetail:
    """The one voucher a mix-up's reading names (scanned_as says which), or why there is none."""
    readings = {code: mix_up for code, mix_up in scans.code_readings(typed) if code != as_typed}
    if readings:
        names = {f"c{i}": code for i, code in enumerate(readings)}
        found = _details(f"v.code IN ({', '.join(':' + name for name in names)})", names)
        if len(found) == 1:
            mix_up = readings[codes.normalise(found[0].code)]
            return replace(found[0], scanned_as=mix_up.name)
        if len(found) > 1:
            shown = " and ".join(v.code for v in sorted(found, key=lambda v: v.code)[:2])
            raise NotACode(
                f"This scan reads as more than one voucher's code ({shown}), depending on the scanner's "
                "keyboard layout, so none was chosen: type the code by hand.",
                "ambiguous_code",
            )
    tokens = [token for token, _ in scans.claim_tokens(typed)]
    if tokens:
        names = {f"t{i}": token for i, token in enumerate(tokens)}
        batches = run_sql(
            f"SELECT id, name FROM batch WHERE token IN ({', '.join(':' + name for name in names)}) ORDER BY id", names
        ).fetchall()
        if len(batches) == 1:
            batch_id, name = batches[0]
            raise NotACode(
                f"This is the claim link of the batch “{name}” (id {batch_id}), not a voucher: members claim "
                "their voucher with it. Scan the code on the member's My Cards instead.",
                "claim_link",
                (batch_id, name),
            )
    if scans.looks_like_link(typed):
        raise NotACode(
            "This is a web address, not a voucher's code, and no batch's claim link: scan the code on the "
            "member's My Cards.",
            "not_a_code",
        )
    raise NotFound(f"No voucher has the code {typed}.")


@guarded
def voucher_of(member_id: int, batch_id: int) -> VoucherDetail | None:
    """The voucher a member claimed from a batch, if any (at most one: the schema says so)."""
    found = _details("v.member_id = :member AND v.batch_id = :batch", {"member": member_id, "batch": batch_id})
    return found[0] if found else None


@guarded
def member_voucher(member_id: int, typed_code: str) -> VoucherDetail | None:
    """The member's own voucher with this code, or None (anyone else's, or no such code): what a
    member's QR code, image, calendar entry and pass are read from. One read by the unique code."""
    code = codes.normalise(typed_code)
    if not code:
        return None
    found = _details("v.code = :code AND v.member_id = :member", {"code": code, "member": member_id})
    return found[0] if found else None


@guarded
def for_member(member_id: int) -> list[VoucherDetail]:
    """A member's vouchers (My Cards), newest claim first. Vouchers of deleted batches are gone with them."""
    return _details("v.member_id = :member ORDER BY v.claimed_at DESC, v.id DESC", {"member": member_id})


EXPORT_COLUMNS = ("code", "status", "member_email", "claimed_at", "redeemed_at")


@guarded
def export_csv(
    batch_id: int,
    target: str | os.PathLike[str],
    status: str | None = None,
    search: str = "",
    progress: Callable[[int, int], None] | None = None,
    chunk: int = 20_000,
) -> int:
    """Write the batch's vouchers to a CSV file, streamed page by page; returns the rows written.

    The file appears whole or not at all: it is written beside the target and renamed at the end."""
    batch = batch_row(batch_id)
    total = count(batch_id, status, search)
    written = 0
    with written_whole(Path(target), " Nothing was exported.", encoding="utf-8-sig") as handle:
        csv.writer(handle).writerow(EXPORT_COLUMNS)
        with closing(_chunks(batch, status, search, chunk)) as chunks:
            for rows, text in chunks:
                handle.write(text)
                written += rows
                if progress:
                    progress(written, total)
    return written


def _chunks(batch: Batch, status: str | None, search: str, size: int) -> Generator[tuple[int, str], None, None]:
    """The rows' CSV text, `size` rows at a time (how many, the text), in id order."""
    if isinstance(database.obj, SqliteDatabase):
        yield from _sqlite_chunks(batch, status, search, size)
        return
    for rows in _server_pages(batch, status, search, size):
        yield len(rows), _csv_text(batch, rows)


def _csv_text(batch: Batch, rows: Sequence[tuple[Any, ...]]) -> str:
    """The exported columns of rows as the file says them, through csv.writer: the code grouped
    for reading, the status in words, the member's email, the times in the store's zone."""
    say = codes.displayer(len(batch.code_prefix), batch.code_length)
    statuses, iso = VOUCHER_STATUSES, times.iso
    out = io.StringIO(newline="")
    csv.writer(out).writerows(
        (say(r[0]), statuses[r[1]], r[2] or "", "" if r[3] is None else iso(r[3]), "" if r[4] is None else iso(r[4]))
        for r in rows
    )
    return out.getvalue()


def _sqlite_chunks(batch: Batch, status: str | None, search: str, size: int) -> Generator[tuple[int, str], None, None]:
    """The CSV text of the rows, `size` rows at a time, with no Python call per row for the
    vouchers no one claimed yet (most of a batch): the export runs about as fast as sqlite3 rows
    straight into csv.writer (issue 25).

    The statement gives such a voucher's code as it is stored, and every other row's whole line
    (claimed or redeemed, or a code of another length) as bytes, made by _line. The codes are cut
    into their groups and their lines completed by C functions mapped over the chunk (the
    codes' own text checked first: a comma, a quote or a line break in one would need csv's
    quoting, and _line makes those lines)."""
    prefix_length = len(batch.code_prefix)
    whole = prefix_length + batch.code_length
    cuts = ([slice(0, prefix_length)] if prefix_length else []) + [
        slice(start, min(start + codes.GROUP, whole)) for start in range(prefix_length, whole, codes.GROUP)
    ]
    pieces = operator.itemgetter(*cuts)
    unclaimed = VOUCHER_STATUSES[UNCLAIMED]
    said = ("-".join(["%s"] * len(cuts)) + f",{unclaimed},,,").__mod__  # (the schema's check: no member, no times)
    plain = Case(
        None,
        [((Voucher.status == UNCLAIMED) & (fn.length(Voucher.code) == whole), Voucher.code)],
        fn.vb_line(prefix_length, *_EXPORTED),
    )
    query = _filtered(batch, status, search, (plain,)).order_by(Voucher.id)
    _export_functions(database.obj.connection())
    cursor = database.obj.execute_sql(*database.get_sql_context().sql(query).query())

    def lines(run: list[str]) -> Iterable[str]:
        if any(character in "".join(run) for character in ',"\r\n'):
            return [_line(prefix_length, code, UNCLAIMED, None, None, None) for code in run]
        return map(said, map(pieces, run))

    try:
        while rows := cursor.fetchmany(size):
            values = list(map(_first, rows))
            made: list[str] = []
            start = 0
            for at in itertools.compress(itertools.count(), map(isinstance, values, itertools.repeat(bytes))):
                made.extend(lines(values[start:at]))
                made.append(values[at].decode())
                start = at + 1
            made.extend(lines(values[start:]))
            yield len(rows), "\r\n".join(made) + "\r\n"
    finally:
        cursor.close()  # (an export given up midway leaves no statement open on the connection)


def _export_functions(connection: sqlite3.Connection) -> None:
    """The Python the export's statement calls for its few rows (claimed, redeemed, a code of
    another length), on this connection. SQLite refuses to (re)define a function while a statement
    is open on the connection: then it was defined by an export before, as it is."""
    with suppress(sqlite3.OperationalError):
        connection.create_function("vb_line", 6, _line_bytes)


_buffers = threading.local()  # each thread's own one-line csv.writer (exports run in the window's tasks too)


def _line(prefix_length: int, code: str, status: int, email: str | None, claimed: Any, redeemed: Any) -> str:
    """One row's CSV line (without its line break), as csv.writer writes it: the code grouped for
    reading, the status in words, the member's email, the times in the store's zone (ISO 8601)."""
    if not hasattr(_buffers, "writer"):
        _buffers.out = io.StringIO(newline="")
        _buffers.writer = csv.writer(_buffers.out)
    out = _buffers.out
    out.seek(0)
    out.truncate()
    _buffers.writer.writerow(
        (
            codes.display(code, prefix_length),
            VOUCHER_STATUSES[status],
            email or "",
            "" if claimed is None else times.iso(claimed),
            "" if redeemed is None else times.iso(redeemed),
        )
    )
    return out.getvalue()[:-2]


def _line_bytes(*row: Any) -> bytes:
    """_line as a blob: the statement's one column tells these lines from codes by their type."""
    return _line(*row).encode()


_first = operator.itemgetter(0)


_EXPORTED = (Voucher.code, Voucher.status, Member.email, Voucher.claimed_at, Voucher.redeemed_at)


def _server_pages(batch: Batch, status: str | None, search: str, size: int) -> Iterator[list[tuple[Any, ...]]]:
    """A server database's exported columns of the rows, `size` at a time, in id order: pages along
    the id (keyset), the statement built once (its driver would hold a whole statement's rows in
    memory at once)."""
    query = _filtered(batch, status, search, (*_EXPORTED, Voucher.id))
    sql, params = (
        database.get_sql_context().sql(query.where(Voucher.id > _AFTER).order_by(Voucher.id).limit(size)).query()
    )
    at = params.index(_AFTER)  # where the page's starting id goes
    after = 0
    while True:
        params[at] = after
        rows = database.obj.execute_sql(sql, params).fetchall()
        if not rows:
            return
        yield rows
        after = rows[-1][-1]


_AFTER = -7_654_321  # stands for the last id of the page before while the statement is built (ids are positive)
