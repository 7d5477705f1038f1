"""Member accounts for the claim site. Passwords arrive here already hashed; this module never sees one."""

from __future__ import annotations

import re

import peewee

from .database import guarded, write_transaction
from .errors import AccountExists, InvalidInput
from .models import Member

_EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def validate_email(email: str) -> str:
    email = normalise_email(email)
    if len(email) > 254 or not _EMAIL_RE.match(email):
        raise InvalidInput("Enter a valid email address, like name@example.com.")
    return email


@guarded
def create_member(email: str, password_hash: str, name: str = "") -> Member:
    email = validate_email(email)
    name = (name or "").strip()
    if len(name) > 120:
        raise InvalidInput("A name is at most 120 characters.")
    try:
        with write_transaction():
            return Member.create(email=email, name=name, password_hash=password_hash)
    except peewee.IntegrityError:
        raise AccountExists("An account with this email already exists; log in instead.") from None


@guarded
def find_member(email: str) -> Member | None:
    return Member.get_or_none(Member.email == normalise_email(email))


@guarded
def get_member(member_id: int) -> Member | None:
    return Member.get_or_none(Member.id == member_id)
