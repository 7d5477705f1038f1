"""What a security review tried against the claim site as an attacker would, each now refused."""

from __future__ import annotations

import statistics
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import peewee
import pytest
from werkzeug.security import generate_password_hash

from app.core import batches, members, store
from app.web import create_app
from app.web.security import SECURITY_HEADERS, LoginThrottle, Policy

from .helpers import PASSWORD, QUICK_HASH, Browser, FakeClock, claim_path, csrf_from, raw_request, replay, visible

# Slow enough that parallel guesses overlap inside the server, as they do with the site's scrypt.
OVERLAPPING_HASH = "pbkdf2:sha256:20000"


def test_forty_parallel_guesses_get_only_the_three_free_checks(server):
    ann = members.create_member("ann@example.com", generate_password_hash("the real one", OVERLAPPING_HASH))
    guesses = 40
    start_together = threading.Barrier(guesses)

    def guess(n: int) -> int:
        attacker = Browser(server.url)
        token = attacker.get("/en-us/login").csrf
        start_together.wait(timeout=60)
        return attacker.post("/en-us/login", {"email": ann.email, "password": f"guess {n}", "csrf_token": token}).status

    with ThreadPoolExecutor(guesses) as pool:
        statuses = Counter(pool.map(guess, range(guesses)))
    # the throttle allows three failures at once for an email, then a wait (the fake clock never moves)
    assert statuses == {401: 3, 429: guesses - 3}


# Cheap enough for a hundred and fifty logins, dear enough (several times a request's own cost, on
# any machine) that skipping it shows.
TIMED_HASH = "pbkdf2:sha256:20000"
NO_THROTTLE = Policy(free=10**6, lock_after=10**6)


def test_a_login_takes_as_long_whether_the_account_exists_or_not(db_path):
    """An empty password answered in 2.8 ms for an account and in 116 ms for none."""
    app = create_app(
        {
            "SETTINGS_MAX_AGE": 0,
            "PASSWORD_HASH_METHOD": TIMED_HASH,
            "LOGIN_THROTTLE": LoginThrottle(NO_THROTTLE, NO_THROTTLE),
        }
    )
    members.create_member("ann@example.com", generate_password_hash("the real one", TIMED_HASH))
    client = app.test_client()
    token = csrf_from(client.get("/en-us/login").text)
    cases = {
        "account, empty password": ("ann@example.com", ""),
        "no account, empty password": ("nobody@example.com", ""),
        "account, wrong password": ("ann@example.com", "wrong one"),
    }
    taken = {case: [] for case in cases}
    for _ in range(50):  # interleaved: a slow moment of the machine hits every case alike
        for case, (email, password) in cases.items():
            started = time.perf_counter()
            page = client.post("/en-us/login", data={"email": email, "password": password, "csrf_token": token})
            taken[case].append(time.perf_counter() - started)
            assert page.status_code == 401
    medians = {case: statistics.median(times) for case, times in taken.items()}
    print({case: f"{seconds * 1000:.1f} ms" for case, seconds in medians.items()})
    assert max(medians.values()) / min(medians.values()) < 3, medians


def register(client, email: str) -> int:
    token = csrf_from(client.get("/en-us/register").text)
    return client.post(
        "/en-us/register", data={"email": email, "password": "long enough", "csrf_token": token}
    ).status_code


def test_asking_whether_accounts_exist_counts_toward_the_registration_limit(db_path):
    """30 of 30 tries from one address answered "already exists"."""
    app = create_app({"SETTINGS_MAX_AGE": 0, "PASSWORD_HASH_METHOD": QUICK_HASH})
    for n in range(30):
        members.create_member(f"member{n}@example.com", "not-a-real-hash")
    client = app.test_client()
    answers = [register(client, f"member{n}@example.com") for n in range(30)]
    assert answers == [400] * 20 + [429] * 10  # 20 an hour from one address, made or not
    assert register(app.test_client(), "new@example.com") == 429  # another visitor, same address


def test_two_programs_on_one_database_share_the_registration_limit_and_a_restart_keeps_it(db_path):
    """Issue 21: each process counted in its own memory, so two made 40 accounts an hour from one
    address instead of 20, and every restart started again from none."""
    first = create_app({"SETTINGS_MAX_AGE": 0, "PASSWORD_HASH_METHOD": QUICK_HASH})
    second = create_app({"SETTINGS_MAX_AGE": 0, "PASSWORD_HASH_METHOD": QUICK_HASH})
    answers = [register((first if n % 2 else second).test_client(), f"new{n}@example.com") for n in range(24)]
    assert answers == [303] * 20 + [429] * 4  # 20 an hour from one address, whichever program answers
    restarted = create_app({"SETTINGS_MAX_AGE": 0, "PASSWORD_HASH_METHOD": QUICK_HASH})
    assert register(restarted.test_client(), "after-restart@example.com") == 429


def test_parallel_guesses_through_two_programs_on_one_database_get_only_the_three_free_checks(db_path):
    """Issue 21: 6 parallel guesses were checked instead of 3 with two processes serving."""
    ann = members.create_member("ann@example.com", generate_password_hash("the real one", OVERLAPPING_HASH))
    clock = FakeClock()  # (each program's own throttle, on the one database; time stands still)
    programs = [create_app({"SETTINGS_MAX_AGE": 0, "LOGIN_THROTTLE": LoginThrottle(clock=clock)}) for _ in range(2)]
    guesses = 12
    start_together = threading.Barrier(guesses)

    def guess(n: int) -> int:
        client = programs[n % 2].test_client()
        token = csrf_from(client.get("/en-us/login").text)
        start_together.wait(timeout=60)
        fields = {"email": ann.email, "password": f"guess {n}", "csrf_token": token}
        return client.post("/en-us/login", data=fields, environ_base={"REMOTE_ADDR": f"203.0.113.{n}"}).status_code

    with ThreadPoolExecutor(guesses) as pool:
        statuses = Counter(pool.map(guess, range(guesses)))
    assert statuses == {401: 3, 429: guesses - 3}


def test_already_exists_offers_to_log_in(client, member_with_password):
    member = member_with_password("taken@example.com")
    token = csrf_from(client.get("/en-us/register").text)
    page = client.post("/en-us/register", data={"email": member.email, "password": "long enough", "csrf_token": token})
    assert page.status_code == 400
    assert "An account with this email already exists; log in instead." in visible(page.text)
    assert 'href="/en-us/login' in page.text and 'href="/en-us/forgot-password"' in page.text
    forgot = client.get("/en-us/forgot-password")
    assert (
        forgot.status_code == 200
        and "24 hours" in visible(forgot.text)
        and "Nothing is sent by email" in visible(forgot.text)
    )


def assert_security_headers(response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.getheader(name) == value, name
    assert response.getheader("Cache-Control") == "no-store"


def test_the_servers_own_refusals_carry_the_security_headers(server):
    """Waitress answers 413 and 431 itself, before the application and its headers."""
    too_long = raw_request(server, "POST", "/en-us/login", {"Content-Length": "10000000"}, b"email=a")
    too_many_headers = raw_request(server, "GET", "/", {"X-Padding": "a" * 300_000})
    assert (too_long.status, too_many_headers.status) == (413, 431)
    assert_security_headers(too_long)
    assert_security_headers(too_many_headers)


@pytest.mark.parametrize(
    "path, where",
    [
        ("//en-us//my-cards", "/en-us/my-cards"),  # doubled slashes merged
        ("/en-us", "/en-us/"),  # a trailing slash added
        ("/static//site.css", "/static/site.css"),
    ],
)
def test_a_redirect_never_names_the_host_the_request_claimed(server, path, where):
    response = raw_request(server, "GET", path, {"Host": "evil.example"})
    assert (response.status, response.getheader("Location")) == (308, where)


def test_a_copy_of_the_cookie_taken_before_logout_opens_nothing(server, make_batch, member_with_password):
    """A copy of the session cookie still opened My Cards and claimed, for 30 days, after logout."""
    batch = make_batch(quantity=5)
    ann = Browser(server.url)
    ann.log_in(member_with_password("ann@example.com").email)
    copy = ann.cookie("voucher_session")
    page = ann.get(claim_path(batch))
    token = page.csrf
    assert replay(server, copy).status == 200  # the copy works while she is logged in

    ann.post("/en-us/logout", {})
    my_cards = replay(server, copy)
    assert my_cards.status == 303 and my_cards.getheader("Location").startswith("/en-us/login")
    claim = replay(server, copy, "POST", claim_path(batch), {"csrf_token": token})
    assert claim.status == 303 and claim.getheader("Location").startswith("/en-us/login")
    assert batches.get_batch(batch.id).claimed == 0
    assert "voucher_session=;" in (my_cards.getheader("Set-Cookie") or "")  # and the browser is told to drop it

    again = ann.log_in("ann@example.com")  # logging in again gives a new session that works
    assert again.path == "/en-us/my-cards" and replay(server, ann.cookie("voucher_session")).status == 200
    assert replay(server, copy).status == 303  # the old copy stays worthless


def test_signed_out_everywhere_by_the_store_ends_every_session(server, member_with_password):
    member = member_with_password()
    phone, laptop = Browser(server.url), Browser(server.url)
    for browser in (phone, laptop):
        assert browser.log_in(member.email).path == "/en-us/my-cards"
    members.sign_out_everywhere(member.id)
    for browser in (phone, laptop):
        page = browser.get("/en-us/my-cards")
        assert page.path.startswith("/en-us/login") and "Log out" not in page.text


def test_checking_the_session_reads_and_never_writes(client, make_batch, member_with_password):
    member = member_with_password()
    batch = make_batch()
    token = csrf_from(client.get("/en-us/login").text)
    client.post("/en-us/login", data={"email": member.email, "password": PASSWORD, "csrf_token": token})
    connection = store.database.connection()  # the test client runs the site on this thread's connection
    if isinstance(store.database.obj, peewee.SqliteDatabase):
        before = connection.total_changes
    else:  # PostgreSQL refuses any write on this connection (and the page would fail)
        store.database.execute_sql("SET default_transaction_read_only = on")
    for path in ("/en-us/my-cards", claim_path(batch), "/", "/en-us/login"):
        assert client.get(path).status_code in (200, 303)
    if isinstance(store.database.obj, peewee.SqliteDatabase):
        assert connection.total_changes == before
    else:
        store.database.execute_sql("SET default_transaction_read_only = off")
    members.sign_out_everywhere(member.id)
    assert client.get("/en-us/my-cards").status_code == 303  # the same read sees the session ended
