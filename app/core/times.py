"""Times as people read them: the store's local time, formatted in one place for every front end.

The database stores naive UTC. What a person reads (window, claim site, CLI text, CSV) is the
store's local time; machine output is ISO 8601 with its offset. The store's time zone is a setting
(empty: this PC's zone); settings.load() hands it here, so formatting never reads the database.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import overload

from .errors import InvalidInput

_zone_name = ""  # the store's IANA zone; "" = this PC's own zone


def set_zone(name: str) -> None:
    """Use this zone from now on (called with the store's setting whenever the settings are read)."""
    global _zone_name
    _zone_name = name or ""


def validate_zone(name: str) -> str:
    """The zone name as stored, or InvalidInput for one this PC does not know."""
    name = (name or "").strip()
    if name and _zone(name) is None:
        raise InvalidInput(
            f"Unknown time zone {name!r}; use a name like Europe/Paris or America/New_York, or leave it empty for "
            "this PC's."
        )
    return name


@lru_cache(maxsize=64)
def _zone(name: str) -> tzinfo | None:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def zone_choices() -> list[str]:
    """Every IANA zone name this PC knows, sorted (for a picker)."""
    return sorted(zoneinfo.available_timezones())


def zone_label() -> str:
    """The zone in words: 'America/New_York', or "this PC's time zone (CET)"."""
    if _zone_name:
        return _zone_name
    return f"this PC's time zone ({abbreviation(datetime.now().astimezone())})"


def abbreviation(moment: datetime) -> str:
    """The zone of an aware time as people read it after a time: 'CET', 'EST', 'UTC', or 'UTC+05:30'.

    An IANA zone and a POSIX PC give an abbreviation; Windows names its own zone in words for a
    control panel ('W. Europe Standard Time', 'Greenwich Standard Time'), which is no abbreviation:
    then the offset says it."""
    name = moment.tzname() or ""
    if 0 < len(name) <= 6 and name.isalpha() and name.isupper():
        return name
    offset = moment.utcoffset() or timedelta(0)
    if not offset:
        return "UTC"
    sign, offset = ("-", -offset) if offset < timedelta(0) else ("+", offset)
    hours, minutes = divmod(int(offset.total_seconds()) // 60, 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def _as_utc(value: datetime | str | None) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(str(value))
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value


@overload
def local(value: datetime) -> datetime: ...
@overload
def local(value: datetime | str | None) -> datetime | None: ...
def local(value: datetime | str | None) -> datetime | None:
    """A stored timestamp (naive UTC, aware, or its ISO text) as an aware time in the store's zone."""
    moment = _as_utc(value)
    if moment is None:
        return None
    zone = _zone(_zone_name) if _zone_name else None
    return moment.astimezone(zone) if zone is not None else moment.astimezone()


def local_text(value: datetime | str | None, zone: bool = False) -> str:
    """'2026-12-01 14:06' in the store's time, with the zone's abbreviation when asked ('… EST')."""
    moment = local(value)
    if moment is None:
        return ""
    text = f"{moment:%Y-%m-%d %H:%M}"
    return f"{text} {abbreviation(moment)}" if zone else text


def spoken(value: datetime | str | None) -> str:
    """For members: '1 Dec 2026, 14:06'; a time exactly at midnight reads as the end of the day before."""
    moment = local(value)
    if moment is None:
        return ""
    if (moment.hour, moment.minute, moment.second) == (0, 0, 0):
        last_day = moment - timedelta(days=1)
        return f"the end of {last_day.day} {last_day:%b %Y}"
    return f"{moment.day} {moment:%b %Y, %H:%M}"


def iso(value: datetime | str | None) -> str | None:
    """ISO 8601 in the store's time, with its offset: 2026-12-01T14:06:00-05:00."""
    moment = local(value)
    return moment.isoformat() if moment is not None else None


def in_store_zone(moment: datetime) -> datetime:
    """A time of day as read on the store's clocks (naive) made aware in the store's zone."""
    zone = _zone(_zone_name) if _zone_name else None
    return moment.replace(tzinfo=zone) if zone is not None else moment.astimezone()


def end_of_day_utc(day: date) -> datetime:
    """The first instant after `day` in the store's zone, as stored (naive UTC)."""
    zone = _zone(_zone_name) if _zone_name else None
    start_next = datetime.combine(day + timedelta(days=1), time())
    aware = start_next.replace(tzinfo=zone) if zone is not None else start_next.astimezone()
    return aware.astimezone(timezone.utc).replace(tzinfo=None)
