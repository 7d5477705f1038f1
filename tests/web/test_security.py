"""The claim site's defences on their own: return targets, login throttling, proxy trust."""

from __future__ import annotations

import pytest

from app.core import limits
from app.core.store.models import Throttle
from app.web.security import (
    LoginThrottle,
    Policy,
    RateLimit,
    is_trusted_proxy,
    safe_next,
)

from .helpers import FakeClock

DEFAULT = "/en-us/my-cards"


@pytest.mark.parametrize(
    "target",
    [
        "/en-us/claim/abc123",
        "/en-us/my-cards",
        "/",
        "/en-us/claim/abc?x=1",
    ],
)
def test_paths_of_this_site_are_kept(target):
    assert safe_next(target, DEFAULT) == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "https://evil.example/en-us/claim/x",
        "//evil.example/en-us/",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "/en-us/claim/x\r\nSet-Cookie: a=b",
        "/en-us/ claim",
        "en-us/claim/x",
        "/admin",
        "/en-us/logout",
        "/" + "a" * 3000,
    ],
)
def test_anything_else_goes_to_the_default(target):
    assert safe_next(target, DEFAULT) == DEFAULT


def test_failed_logins_slow_down_then_lock_and_are_forgotten(db_path):
    clock = FakeClock()
    throttle = LoginThrottle(per_email=Policy(free=3, lock_after=6, window=600, lock_for=600), clock=clock)
    for _ in range(3):
        assert throttle.wait_time("a@example.com", "10.0.0.1") == 0
        throttle.failed("a@example.com", "10.0.0.1")
    assert throttle.wait_time("a@example.com", "10.0.0.1") == 1  # 1 s after the third failure
    assert throttle.wait_time("b@example.com", "10.0.0.2") == 0  # another email from elsewhere is free
    clock.advance(1)
    throttle.failed("a@example.com", "10.0.0.1")
    assert throttle.wait_time("a@example.com", "10.0.0.3") == 2  # doubling, whatever the address
    clock.advance(2)
    throttle.failed("a@example.com", "10.0.0.1")
    clock.advance(4)
    throttle.failed("a@example.com", "10.0.0.1")  # the sixth: locked
    assert throttle.wait_time("a@example.com", "10.0.0.1") == 600
    clock.advance(599)
    assert throttle.wait_time("a@example.com", "10.0.0.1") == 1
    clock.advance(1)
    assert throttle.wait_time("a@example.com", "10.0.0.1") == 0


def test_many_emails_from_one_address_lock_that_address(db_path):
    clock = FakeClock()
    throttle = LoginThrottle(per_address=Policy(free=5, lock_after=8), clock=clock)
    for n in range(8):
        throttle.failed(f"guess{n}@example.com", "10.0.0.9")
    assert throttle.wait_time("new@example.com", "10.0.0.9") == 15 * 60
    assert throttle.wait_time("new@example.com", "10.0.0.10") == 0


def test_a_success_forgets_the_emails_failures(db_path):
    throttle = LoginThrottle(clock=FakeClock())
    for _ in range(3):
        throttle.failed("a@example.com", "10.0.0.1")
    throttle.succeeded("a@example.com")
    assert throttle.wait_time("a@example.com", "10.0.0.2") == 0


def test_the_counts_keep_no_email_nor_address_and_go_once_they_no_longer_count(db_path):
    clock = FakeClock()
    throttle = LoginThrottle(clock=clock)
    for n in range(100):
        throttle.failed(f"guess{n}@example.com", f"10.0.0.{n}")
    rows = Throttle.select().count()
    assert rows == 200  # an email and an address for each
    stored = " ".join(f"{row.scope} {row.key} {row.times}" for row in Throttle.select())
    assert "example.com" not in stored and "10.0.0." not in stored  # keyed hashes only
    clock.advance(15 * 60 - 1)
    assert limits.prune(clock()) == 0  # still within their window
    clock.advance(2)
    assert limits.prune(clock()) == 200
    assert throttle.wait_time("guess1@example.com", "10.0.0.1") == 0


def test_rate_limit_allows_the_limit_then_waits_out_the_window(db_path):
    clock = FakeClock()
    limit = RateLimit(3, 60, clock=clock)
    for _ in range(3):
        assert limit.take("10.0.0.1") == 0
    assert limit.wait_time("10.0.0.1") == 60
    clock.advance(60)
    assert limit.wait_time("10.0.0.1") == 0


@pytest.mark.parametrize(
    "peer, trusted, expected",
    [
        ("10.0.0.5", "10.0.0.5", True),
        ("10.0.0.6", "10.0.0.5", False),
        ("10.0.0.6", "10.0.0.0/24", True),
        ("::1", "127.0.0.1, ::1", True),
        ("10.0.0.5", "", False),
        ("10.0.0.5", "proxy.example", False),
        ("", "10.0.0.5", False),
    ],
)
def test_only_the_configured_proxy_is_trusted(peer, trusted, expected):
    assert is_trusted_proxy(peer, trusted) is expected


def test_an_attempt_counts_against_its_email_when_checked_and_against_its_address_when_wrong(db_path):
    clock = FakeClock()
    throttle = LoginThrottle(
        per_email=Policy(free=3, lock_after=6), per_address=Policy(free=2, lock_after=5), clock=clock
    )
    assert [throttle.attempt("a@example.com", "10.0.0.1") for _ in range(5)] == [0, 0, 0, 1, 1]
    assert throttle.wait_time("a@example.com", "10.0.0.1") == 1  # the refused ones were not counted
    throttle.succeeded("a@example.com")
    assert throttle.wait_time("a@example.com", "10.0.0.1") == 0
    for n in range(5):  # members logging in at once behind one shop's Wi-Fi do not hold each other up
        assert throttle.attempt(f"m{n}@example.com", "10.0.0.2") == 0
    for _ in range(2):
        throttle.attempt_failed("10.0.0.2")
    assert throttle.attempt("new@example.com", "10.0.0.2") == 1  # two wrong passwords: the address waits
