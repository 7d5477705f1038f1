"""A voucher's last day as a calendar entry (an iCalendar .ics file, RFC 5545): the reminder a member
gets without the store sending any mail. An all-day event on the last day the voucher can be used,
with an alarm at 9:00 the day before, in the member's own calendar."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.core.store.models import utcnow

from . import times
from .vouchers import VoucherDetail

REMINDER = "-PT15H"  # before the start of the all-day event (its midnight): 9:00 the day before
PRODUCT = "-//Voucher Batches//My Cards//EN"


def _escaped(text: str) -> str:
    """TEXT as RFC 5545 writes it: backslash, semicolon, comma and line breaks escaped."""
    return (
        text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def _folded(line: str) -> str:
    """A content line folded at 75 octets (continuation lines start with a space), never inside a
    UTF-8 character."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts, start, limit = [], 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # a continuation byte: step back
            end -= 1
        parts.append(data[start:end].decode("utf-8"))
        start, limit = end, 74  # the leading space counts
    return "\r\n ".join(parts)


def last_day_event(
    voucher: VoucherDetail, store_name: str, offer: str, link: str, host: str, now: datetime | None = None
) -> str:
    """The .ics text of a voucher with an expiry: "Use your voucher: <promotion>" on its last day."""
    if voucher.expires_at is None:
        raise ValueError("a voucher without an expiry has no last day")
    last_day = times.local(voucher.expires_at - timedelta(seconds=1)).date()
    stamp = (now or utcnow()).strftime("%Y%m%dT%H%M%SZ")
    description = (
        f"{offer}. Show the code {voucher.code} at the till of {store_name}, "
        f"or its QR code in My Cards: {link}. Valid until {times.spoken(voucher.expires_at)}."
    )
    if voucher.template is not None and voucher.template.terms:
        description += f" Terms: {voucher.template.terms}"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:voucher-{voucher.code}@{host or 'voucher-batches'}",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{last_day:%Y%m%d}",
        f"DTEND;VALUE=DATE:{last_day + timedelta(days=1):%Y%m%d}",
        f"SUMMARY:{_escaped(f'Last day for your voucher: {voucher.batch_title} ({store_name})')}",
        f"DESCRIPTION:{_escaped(description)}",
        f"LOCATION:{_escaped(store_name)}",
        f"URL:{link}",
        "TRANSP:TRANSPARENT",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        f"DESCRIPTION:{_escaped(f'Tomorrow is the last day of your voucher {voucher.batch_title} at {store_name}')}",
        f"TRIGGER;RELATED=START:{REMINDER}",
        "END:VALARM",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(_folded(line) + "\r\n" for line in lines)
