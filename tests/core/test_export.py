"""Export: a CSV of a batch's vouchers, whole or not at all."""

import csv
import errno
from datetime import datetime, timezone

import pytest

from app.core import claims, vouchers
from app.core.errors import FileProblem, NotFound


def read_csv(path):
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return list(csv.reader(handle))


def parse_iso(text):
    """An exported time: ISO 8601 with its offset, back to the stored naive UTC."""
    moment = datetime.fromisoformat(text)
    assert moment.utcoffset() is not None, text
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def test_the_csv_has_a_row_per_voucher_with_its_status_member_and_times(make_batch, claim_some, tmp_path):
    batch = make_batch(quantity=20)
    held = claim_some(batch, 5)
    redeemed = claims.redeem(held[0].code)
    out = tmp_path / "out"
    out.mkdir()
    target = out / "vouchers.csv"
    assert vouchers.export_csv(batch.id, target) == 20
    header, *rows = read_csv(target)
    assert header == ["code", "status", "member_email", "claimed_at", "redeemed_at"]
    assert len(rows) == 20
    by_code = {row[0]: row for row in rows}
    assert set(by_code) == {r.code for r in vouchers.page(batch.id, limit=100)}
    code, status, email, claimed_at, redeemed_at = by_code[held[0].code]
    assert (status, email) == ("redeemed", held[0].member)
    assert parse_iso(claimed_at) == held[0].claimed_at and parse_iso(redeemed_at) == redeemed.redeemed_at
    code, status, email, claimed_at, redeemed_at = by_code[held[1].code]
    assert (status, email, redeemed_at) == ("claimed", held[1].member, "")
    assert parse_iso(claimed_at) == held[1].claimed_at
    assert sum(row[1:] == ["unclaimed", "", "", ""] for row in rows) == 15
    assert list(out.iterdir()) == [target]  # nothing left beside it


def test_an_export_can_be_filtered_and_reports_progress(make_batch, claim_some, tmp_path):
    batch = make_batch(quantity=30)
    claim_some(batch, 4)
    seen = []
    target = tmp_path / "claimed.csv"
    assert (
        vouchers.export_csv(batch.id, target, status="claimed", progress=lambda d, t: seen.append((d, t)), chunk=3) == 4
    )
    assert [row[1] for row in read_csv(target)[1:]] == ["claimed"] * 4
    assert seen == [(3, 4), (4, 4)]


def test_an_export_into_a_missing_folder_says_so_and_writes_nothing(make_batch, tmp_path):
    batch = make_batch()
    with pytest.raises(FileProblem, match="no-such-folder"):
        vouchers.export_csv(batch.id, tmp_path / "no-such-folder" / "vouchers.csv")
    assert not (tmp_path / "no-such-folder").exists()


def test_an_export_onto_a_folder_says_so_and_leaves_no_partial_file(make_batch, tmp_path):
    batch = make_batch()
    out = tmp_path / "out"
    (out / "vouchers.csv").mkdir(parents=True)
    with pytest.raises(FileProblem, match="Nothing was exported"):
        vouchers.export_csv(batch.id, out / "vouchers.csv")
    assert [p.name for p in out.iterdir()] == ["vouchers.csv"]


def test_a_disk_filling_up_midway_leaves_the_old_file_untouched_and_no_partial_file(make_batch, tmp_path, monkeypatch):
    batch = make_batch(quantity=50)
    out = tmp_path / "out"
    out.mkdir()
    target = out / "vouchers.csv"
    target.write_text("last week's export\n")
    real_chunks = vouchers._chunks

    def filling_up(*args):
        chunks = real_chunks(*args)
        yield next(chunks)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(vouchers, "_chunks", filling_up)
    with pytest.raises(FileProblem, match="No space left on device"):
        vouchers.export_csv(batch.id, target, chunk=10)
    assert [p.name for p in out.iterdir()] == ["vouchers.csv"]
    assert target.read_text() == "last week's export\n"


def test_an_export_of_an_unknown_batch_is_not_found(db_path, tmp_path):
    with pytest.raises(NotFound, match="4242"):
        vouchers.export_csv(4242, tmp_path / "vouchers.csv")
    assert not (tmp_path / "vouchers.csv").exists()


def test_the_csv_starts_with_a_byte_order_mark_so_excel_reads_it_as_utf8(make_batch, tmp_path):
    """Excel opens a CSV without one in the ANSI code page: "Łódź" read as "ÅÃ³dÅº" (read from
    Excel's documented behaviour; Excel does not run here, so this is checked on the bytes)."""
    batch = make_batch(quantity=2, name="Łódź – Email")
    target = tmp_path / "vouchers.csv"
    vouchers.export_csv(batch.id, target)
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfcode,status,") and data.count(b"\xef\xbb\xbf") == 1


def reference_csv(batch_id, prefix_length) -> bytes:
    """The export as its format says, one row at a time: the code grouped for reading, the status in
    words, the member's email, the times in the store's zone as ISO 8601 with their offset."""
    import io

    from peewee import JOIN

    from app.core import codes, times
    from app.core.store.models import VOUCHER_STATUSES, Member, Voucher

    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(vouchers.EXPORT_COLUMNS)
    query = (
        Voucher.select(Voucher.code, Voucher.status, Member.email, Voucher.claimed_at, Voucher.redeemed_at)
        .join(Member, on=(Voucher.member == Member.id), join_type=JOIN.LEFT_OUTER)
        .where(Voucher.batch == batch_id)
        .order_by(Voucher.id)
        .tuples()
    )
    for code, status, email, claimed_at, redeemed_at in query:
        writer.writerow(
            (
                codes.display(code, prefix_length),
                VOUCHER_STATUSES[status],
                email or "",
                times.iso(claimed_at) or "",
                times.iso(redeemed_at) or "",
            )
        )
    return b"\xef\xbb\xbf" + out.getvalue().encode()


def test_the_csv_is_byte_for_byte_its_format_across_both_dst_changes(make_batch, claim_some, tmp_path):
    """Times either side of New York's spring and autumn changes (01:30 happens twice in November),
    a time with a fraction of a second, a code of another length, an email CSV must quote."""
    from app.core import codes, settings
    from app.core.store.models import Member, Voucher

    current = settings.load()
    current.time_zone = "America/New_York"
    settings.save(current)
    batch = make_batch(quantity=12, prefix="SUMMER")
    held = claim_some(batch, 6)
    claims.redeem(held[0].code)
    claims.redeem(held[1].code)
    moments = {
        held[0].code: (datetime(2026, 3, 8, 6, 59, 59), datetime(2026, 3, 8, 7, 0, 0)),
        held[1].code: (datetime(2026, 11, 1, 5, 30), datetime(2026, 11, 1, 6, 30)),
        held[2].code: (datetime(2026, 7, 1, 12, 0, 0, 250000), None),
    }
    for code, (claimed_at, redeemed_at) in moments.items():
        fields = {Voucher.claimed_at: claimed_at} | ({Voucher.redeemed_at: redeemed_at} if redeemed_at else {})
        Voucher.update(fields).where(Voucher.code == codes.normalise(code)).execute()
    Member.update(email='o"neil,jr@example.com').where(Member.email == held[3].member).execute()
    Voucher.update(code="SUMMERAB").where(
        Voucher.code == codes.normalise(held[4].code)
    ).execute()  # as an older import left one
    unclaimed = Voucher.select(Voucher.id).where(Voucher.batch == batch.id, Voucher.status == 0).order_by(Voucher.id)
    Voucher.update(code='SUMMER"B,C\nFGHIJ').where(Voucher.id == unclaimed[0].id).execute()  # its length, CSV's quoting
    target = tmp_path / "vouchers.csv"
    assert vouchers.export_csv(batch.id, target, chunk=5) == 12
    data = target.read_bytes()
    assert data == reference_csv(batch.id, len("SUMMER"))
    text = data.decode("utf-8-sig")
    assert "2026-03-08T01:59:59-05:00,2026-03-08T03:00:00-04:00" in text
    assert "2026-11-01T01:30:00-04:00,2026-11-01T01:30:00-05:00" in text
    assert ",2026-07-01T08:00:00.250000-04:00,\r\n" in text
    assert (
        '"o""neil,jr@example.com"' in text
        and '\r\n"SUMMER-""B,C-\nFGH-IJ",unclaimed,,,\r\n' in text
        and "\r\nSUMMER-AB,claimed," in text
    )
    assert sum(line.count("SUMMER-") == 1 and line.count("-") >= 3 for line in text.splitlines()) >= 11
