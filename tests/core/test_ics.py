"""A voucher's calendar entry: an all-day event on its last day in the store's calendar, a reminder at
9:00 the day before, text escaped and lines folded as RFC 5545 asks."""

from __future__ import annotations

from datetime import datetime

from app.core import claims, ics, settings, vouchers
from app.core.store.models import Voucher


def _unfolded(text: str) -> list[str]:
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def test_the_event_is_the_last_day_with_a_reminder_the_day_before(make_batch, make_member):
    config = settings.load()
    config.time_zone = "America/New_York"
    settings.save(config)
    batch = make_batch(name="Summer, 2026")  # the template's terms: "One per visit"
    voucher = claims.claim(batch.token, make_member().id).voucher
    # valid until the end of 12 June in New York (04:00 UTC the next day)
    Voucher.update(expires_at=datetime(2026, 6, 13, 4, 0)).where(Voucher.id == voucher.id).execute()
    voucher = vouchers.lookup(voucher.code)
    text = ics.last_day_event(
        voucher,
        "Corner Shop; Main St",
        "10% off",
        "https://shop.test/en-us/my-cards",
        "shop.test",
        now=datetime(2026, 6, 1, 9, 30),
    )
    lines = _unfolded(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "DTSTART;VALUE=DATE:20260612" in lines and "DTEND;VALUE=DATE:20260613" in lines
    assert "DTSTAMP:20260601T093000Z" in lines
    assert f"UID:voucher-{voucher.code}@shop.test" in lines
    assert "TRIGGER;RELATED=START:-PT15H" in lines  # 9:00 on 11 June
    assert lines[lines.index("BEGIN:VALARM") : lines.index("BEGIN:VALARM") + 2] == ["BEGIN:VALARM", "ACTION:DISPLAY"]
    summary = next(line for line in lines if line.startswith("SUMMARY:"))
    assert summary == f"SUMMARY:Last day for your voucher: {voucher.batch_title} (Corner Shop\\; Main St)"
    description = next(line for line in lines if line.startswith("DESCRIPTION:"))
    assert voucher.code in description and "One per visit" in description
    assert "\\;" in next(line for line in lines if line.startswith("LOCATION:"))


def test_long_lines_fold_between_characters_not_inside_one():
    line = "DESCRIPTION:" + "é" * 100
    folded = ics._folded(line)
    parts = folded.split("\r\n ")
    assert all(len(part.encode()) <= 75 for part in parts[:1]) and all(len(p.encode()) <= 74 for p in parts[1:])
    assert "".join(parts) == line
