""" "Scan this QR with your phone": a check that the claim site is reachable from another device.

The manager starts a check (a fresh token), shows its link as a QR code, and scans it with a phone on
the shop's Wi-Fi; the claim site, in this process or another (`serve`), notes the first request from
another device that carries the token. The database holds it (two settings rows), so the window sees
it whichever process served the phone. A request from this PC itself (loopback) never counts."""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass

from app.core.store.models import Setting

from . import times
from .store import guarded, write_transaction
from .store.models import utcnow

TOKEN_KEY = "phone_check_token"
SEEN_KEY = "phone_check_seen"  # "<address> <ISO time>" of the first other device
PATH = "/en-us/phone-check/"


@dataclass(frozen=True)
class Seen:
    address: str
    at: str  # ISO 8601 with offset, in the store's time


def _put(key: str, value: str) -> None:
    Setting.insert(key=key, value=value).on_conflict(conflict_target=[Setting.key], preserve=[Setting.value]).execute()


@guarded
def start() -> str:
    """A new check: its token (the one before stops counting)."""
    token = secrets.token_urlsafe(12)
    with write_transaction():
        _put(TOKEN_KEY, token)
        Setting.delete().where(Setting.key == SEEN_KEY).execute()
    return token


def link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{PATH}{token}"


def from_another_device(address: str) -> bool:
    try:
        return not ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return False


@guarded
def visit(token: str, address: str) -> bool:
    """A request for the check's link from address; True when the token is the current check's.
    The first one from another device is kept."""
    with write_transaction():
        current = Setting.get_or_none(Setting.key == TOKEN_KEY)
        if current is None or not secrets.compare_digest(current.value, token):
            return False
        if from_another_device(address) and Setting.get_or_none(Setting.key == SEEN_KEY) is None:
            _put(SEEN_KEY, f"{address} {times.iso(utcnow())}")
    return True


@guarded
def seen(token: str) -> Seen | None:
    """The other device that reached the check's link, or None (yet, or another check since)."""
    current = Setting.get_or_none(Setting.key == TOKEN_KEY)
    row = Setting.get_or_none(Setting.key == SEEN_KEY)
    if current is None or current.value != token or row is None:
        return None
    address, _, at = row.value.partition(" ")
    return Seen(address, at)
