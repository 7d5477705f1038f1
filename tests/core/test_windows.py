"""Decisions only Windows needs (app/core/windows.py), tested on every platform with what Windows
would answer; where Windows CPython under Wine can show more, the test does it there too."""

from __future__ import annotations

import re
import sys
import time

import pytest

from app.core import doctor, settings, store, windows
from app.core.errors import DatabaseProblem
from app.core.store import network

REMOTE, FIXED = network.DRIVE_REMOTE, 3


@pytest.mark.parametrize(
    ("path", "drives", "remote"),
    [
        (r"\\fileserver\shop\vouchers.db", {}, True),
        ("//fileserver/shop/vouchers.db", {}, True),
        (r"\\?\UNC\fileserver\shop\vouchers.db", {}, True),
        (r"S:\Shared\vouchers.db", {"S:\\": REMOTE}, True),  # a drive letter mapped to a share
        (r"C:\Users\Ann\vouchers.db", {"C:\\": FIXED}, False),
        (r"\\?\C:\Users\Ann\vouchers.db", {"C:\\": FIXED}, False),
    ],
)
def test_a_database_on_a_network_drive_is_told_apart(path, drives, remote):
    """SQLite's locks and WAL do not hold over a network filesystem (SQLite's documentation); Wine
    has no mapped network drives, so what GetDriveTypeW answers is given here."""
    assert network.on_network_drive(path, "win32", drive_type=lambda root: drives[root]) is remote
    assert network.on_network_drive(path, "linux") is False


@pytest.mark.skipif(sys.platform != "win32", reason="a UNC path is a Windows path")
def test_on_windows_a_database_on_a_share_is_refused_with_a_sentence_pointing_to_postgresql(monkeypatch):
    monkeypatch.delenv(store.ENV_VAR, raising=False)
    where = r"\\fileserver\shop\vouchers.db"
    with pytest.raises(DatabaseProblem, match=re.escape(f"The database {where} is on a network drive")) as refused:
        store.open_database(where)
    assert "PostgreSQL" in str(refused.value) and "voucher-batches copy-to" in str(refused.value)


def test_the_pc_is_kept_awake_while_the_site_serves_and_let_sleep_after():
    """SetThreadExecutionState: its effect cannot be seen under Wine (no sleep), so the calls are."""
    said: list[int] = []
    with windows.kept_awake("win32", set_state=lambda flags: said.append(flags) or 0):
        assert said == [windows.ES_CONTINUOUS | windows.ES_SYSTEM_REQUIRED]
    assert said[-1] == windows.ES_CONTINUOUS and len(said) == 2
    with windows.kept_awake("linux", set_state=lambda flags: said.append(flags) or 0):
        pass
    assert len(said) == 2


@pytest.mark.skipif(sys.platform != "win32", reason="Windows' kernel32")
def test_on_windows_the_claim_sites_thread_asks_windows_to_stay_awake(db_path, monkeypatch):
    from app.web.server import start_server

    said: list[int] = []
    real = windows._set_thread_execution_state
    monkeypatch.setattr(windows, "_set_thread_execution_state", lambda flags: said.append(flags) or real(flags))
    running = start_server("127.0.0.1", 0)
    try:
        for _ in range(50):
            if said:
                break
            time.sleep(0.1)
        assert said == [windows.ES_CONTINUOUS | windows.ES_SYSTEM_REQUIRED]
    finally:
        running.stop()
    assert said[-1] == windows.ES_CONTINUOUS


NETSH_STATE_ON = """
Public Profile Settings:
----------------------------------------------------------------------
State                                 ON
Ok.
"""
NETSH_RULE = """
Rule Name:                            Voucher Batches
----------------------------------------------------------------------
Enabled:                              Yes
Direction:                            In
Profiles:                             Private
Action:                               Allow
Ok.
"""


def test_what_netsh_and_windows_say_about_the_firewall_is_read():
    """Sample answers of `netsh advfirewall` (Wine's netsh has no advfirewall)."""
    assert windows.firewall_on(lambda *args: NETSH_STATE_ON) is True
    assert windows.firewall_on(lambda *args: NETSH_STATE_ON.replace("ON", "OFF")) is False
    assert windows.firewall_on(lambda *args: "") is None
    assert windows.rule_allows("x.exe", lambda *args: NETSH_RULE) is True
    assert windows.rule_allows("x.exe", lambda *args: "No rules match the specified criteria.") is False
    assert windows.network_categories(lambda command: "Private\r\nPublic\r\n") == ["Private", "Public"]


def test_the_doctor_says_when_windows_will_keep_phones_out(db_path):
    config = settings.load()
    config.host = "0.0.0.0"
    public = doctor.check_phones(config, "win32", ask=lambda: (["Public"], True, True))
    assert public.name == "firewall" and public.status == "problem"
    assert "Windows treats this network as Public" in public.message and '"Private network"' in public.message
    no_rule = doctor.check_phones(config, "win32", ask=lambda: (["Private"], True, False))
    assert no_rule.status == "warning" and "netsh advfirewall firewall add rule" in no_rule.message
    assert doctor.check_phones(config, "win32", ask=lambda: (["Private"], True, True)) is None
    assert doctor.check_phones(config, "win32", ask=lambda: ([], None, False)) is None  # Windows did not say
    assert doctor.check_phones(config, "linux", ask=lambda: (["Public"], True, False)) is None
    config.host = "127.0.0.1"  # the site on this PC alone: phones are not meant to reach it
    assert doctor.check_phones(config, "win32", ask=lambda: (["Public"], True, False)) is None
