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
