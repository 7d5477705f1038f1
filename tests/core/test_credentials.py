"""Database passwords kept for this user: in the keyring when there is one, else in a 0600 file;
the window and the command line open a server URL typed without its password with the kept one."""

from __future__ import annotations

import json
import stat
import sys
import types
from urllib.parse import urlsplit, urlunsplit

import peewee
import pytest

from app.core import store
from app.core.errors import DatabaseProblem
from app.core.store import credentials, explain
from tests.helpers.database import TEST_DB

URL = "postgresql://shop@db.example.com:5432/vouchers"


@pytest.fixture
def passwords_file(tmp_path, monkeypatch):
    path = tmp_path / "config" / "database-passwords.json"
    monkeypatch.setattr(credentials, "passwords_file", lambda: path)
    monkeypatch.setitem(sys.modules, "keyring", None)  # no keyring installed: import fails
    return path


@pytest.fixture
def fake_keyring(monkeypatch, passwords_file):
    """A keyring package with a working back end, holding passwords in a dict."""
    kept: dict[tuple[str, str], str] = {}
    ring = types.ModuleType("keyring")
    backends = types.ModuleType("keyring.backends")
    fail = types.ModuleType("keyring.backends.fail")
    fail.Keyring = type("Keyring", (), {})
    ring.get_keyring = lambda: object()
    ring.set_password = lambda service, name, password: kept.__setitem__((service, name), password)
    ring.get_password = lambda service, name: kept.get((service, name))
    ring.delete_password = lambda service, name: kept.pop((service, name))
    for name, module in (("keyring", ring), ("keyring.backends", backends), ("keyring.backends.fail", fail)):
        monkeypatch.setitem(sys.modules, name, module)
    return kept


@pytest.mark.posix_only("a file mode of 0600; on Windows the user's AppData folder is private by its access list")
def test_without_a_keyring_the_password_goes_to_a_file_only_its_user_may_read(passwords_file):
    credentials.store(URL, "s3cret:/@")
    assert credentials.lookup(URL) == "s3cret:/@"
    assert credentials.lookup("postgresql://shop@db.example.com/vouchers") == "s3cret:/@"  # 5432 is the default port
    assert credentials.lookup("postgresql://shop@db.example.com/other") is None
    assert stat.S_IMODE(passwords_file.stat().st_mode) == 0o600
    assert list(passwords_file.parent.iterdir()) == [passwords_file]  # no temporary file left beside it
    assert credentials.where_kept() == f"{passwords_file} (readable only by you)"
    credentials.forget(URL)
    assert credentials.lookup(URL) is None
    assert json.loads(passwords_file.read_text()) == {}


def test_with_a_keyring_the_password_goes_there_and_not_to_the_file(fake_keyring, passwords_file):
    credentials.store(URL, "s3cret")
    assert credentials.lookup(URL) == "s3cret"
    assert list(fake_keyring.values()) == ["s3cret"]
    assert "s3cret" not in next(iter(fake_keyring))[1]  # the key names the user and database, not the password
    assert not passwords_file.exists()
    assert credentials.where_kept() == "the system keyring"


def test_a_url_typed_with_its_password_is_split_from_it():
    assert credentials.split("postgresql://shop:p%40ss@db:5433/vouchers") == (
        "postgresql://shop@db:5433/vouchers",
        "p@ss",
    )
    assert credentials.split(URL) == (URL, "")


def test_a_server_url_without_a_password_is_opened_with_the_kept_one(passwords_file):
    credentials.store(URL, "s3cret")
    assert store.connect_options(URL) == {"connect_timeout": store.CONNECT_TIMEOUT, "password": "s3cret"}
    assert store.connect_options(URL, "typed") == {"connect_timeout": store.CONNECT_TIMEOUT, "password": "typed"}
    with_own = "postgresql://shop:own@db.example.com/vouchers?connect_timeout=2"
    assert store.connect_options(with_own) == {}  # its own password and wait win


def test_the_driver_is_handed_the_kept_password(passwords_file):
    """What psycopg2 would be given (trust authentication accepts any password: the parameters are the proof)."""
    credentials.store(URL, "s3cret")
    handle = store.server_handle(URL)
    assert handle.connect_params["password"] == "s3cret"
    assert handle.connect_params["connect_timeout"] == store.CONNECT_TIMEOUT


def test_a_password_written_in_the_url_is_percent_decoded(passwords_file):
    """A password with @, / or : in it can only be written in a URL percent-encoded; the server is
    given the password itself, and the kept one is the same."""
    typed = "postgresql://shop%2Dmgr:p%40ss%2Fw%3Ard@db.example.com/vouchers"
    handle = store.server_handle(typed)
    assert (handle.connect_params["user"], handle.connect_params["password"]) == ("shop-mgr", "p@ss/w:rd")
    assert credentials.split(typed)[1] == "p@ss/w:rd"


def test_an_unreachable_server_is_one_sentence_without_the_password(passwords_file):
    url = "postgresql://shop:s3cret@127.0.0.1:1/vouchers"
    with pytest.raises(DatabaseProblem) as refused:
        store.check_connection(url)
    said = str(refused.value)
    assert said == (
        "The database server of postgresql://127.0.0.1:1/vouchers does not answer: check that it runs, "
        "and that its firewall lets this PC in."
    )


@pytest.mark.parametrize(
    "message, sentence",
    [
        (
            'connection to server at "db", port 5432 failed: FATAL:  password authentication failed for user "shop"\n',
            "The database server of postgresql://db/vouchers refused the password: check it in Settings → Database.",
        ),
        (
            "fe_sendauth: no password supplied\n",
            "The database server of postgresql://db/vouchers refused the password: check it in Settings → Database.",
        ),
        (
            'connection to server at "db", port 5432 failed: FATAL:  database "vouchers" does not exist\n',
            "The database server of postgresql://db/vouchers answers, but has no such database: check its name.",
        ),
        (
            'connection to server at "db", port 5432 failed: FATAL:  role "shop" does not exist\n',
            "The database server of postgresql://db/vouchers answers, but has no such user: check the user name.",
        ),
    ],
)
def test_what_a_server_refuses_is_said_in_one_sentence(message, sentence):
    assert explain(peewee.OperationalError(message), "postgresql://db/vouchers") == sentence


@pytest.mark.postgres_only
def test_no_such_database_on_a_real_server(passwords_file):
    parts = urlsplit(TEST_DB)  # a host's URL or a socket's (postgresql://user@/name?host=/run/x&port=5432)
    url = urlunsplit(parts._replace(path="/no_such_database_here"))
    with pytest.raises(DatabaseProblem, match="answers, but has no such database"):
        store.check_connection(url)
    store.check_connection(TEST_DB)  # the real one lets us in


@pytest.mark.postgres_only
def test_open_database_uses_the_kept_password(db_path, passwords_file):
    credentials.store(TEST_DB, "kept-for-the-shop")
    store.open_database(TEST_DB)
    assert store.database.obj.connect_params["password"] == "kept-for-the-shop"
    assert "kept-for-the-shop" not in store.location()
