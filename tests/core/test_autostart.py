"""Start when I log in: the entry files each desktop reads, written into a temporary home."""

from __future__ import annotations

import plistlib
import shlex
import sys

import pytest

from app.core import autostart
from app.core.errors import FileProblem

DB = "/home/ann/My Shop/vouchers.db"


def test_linux_writes_an_xdg_autostart_entry_that_runs_this_program(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    path = autostart.set_enabled(True, DB, platform="linux", home=tmp_path)
    assert path == tmp_path / "config" / "autostart" / "io.github.voucherbatches.VoucherBatches.desktop"
    assert autostart.is_enabled("linux", tmp_path)
    lines = dict(line.split("=", 1) for line in path.read_text().splitlines()[1:])
    assert path.read_text().startswith("[Desktop Entry]\n")
    assert lines["Type"] == "Application" and lines["Name"] == "Voucher Batches"
    assert shlex.split(lines["Exec"]) == [sys.executable, "-m", "app.cli", "--db", DB]
    autostart.set_enabled(False, platform="linux", home=tmp_path)
    autostart.set_enabled(False, platform="linux", home=tmp_path)  # twice: nothing left to remove
    assert not path.exists() and not autostart.is_enabled("linux", tmp_path)


def test_without_xdg_config_home_the_entry_goes_in_dot_config(tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    assert autostart.entry_path("linux", tmp_path) == tmp_path / ".config" / "autostart" / f"{autostart.APP_ID}.desktop"


def test_a_bundle_starts_its_own_executable(monkeypatch):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert autostart.command() == [sys.executable]


def test_on_windows_the_login_entry_is_one_command_line_run_windowless(tmp_path, monkeypatch):
    """The Run key's value: pythonw.exe (no console window) when not a bundle, quoted as Windows splits it."""
    folder = tmp_path / "Zoë" / "Python311"
    folder.mkdir(parents=True)
    for name in ("python.exe", "pythonw.exe"):
        (folder / name).write_bytes(b"")
    monkeypatch.setattr(sys, "executable", str(folder / "python.exe"))
    db = r"C:\Zoë\My Shop\vouchers.db"
    args = autostart.command(db, platform="win32")
    assert args == [str(folder / "pythonw.exe"), "-m", "app.cli", "--db", db]
    assert " " not in str(folder)  # (a temporary folder: only the database's path needs quotes)
    assert autostart.run_command_line(args) == f'{folder / "pythonw.exe"} -m app.cli --db "{db}"'
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", r"C:\Program Files\Voucher Batches\voucher-batches.exe")
    assert autostart.run_command_line(autostart.command(None, platform="win32")) == (
        '"C:\\Program Files\\Voucher Batches\\voucher-batches.exe"'
    )


@pytest.fixture
def run_key():
    """The Run key of the tests (tests/conftest.py sets it), never the user's own."""
    assert autostart.RUN_KEY == r"Software\VoucherBatchesTests\Run"
    return autostart.RUN_KEY


@pytest.mark.skipif(sys.platform != "win32", reason="the Windows registry")
def test_windows_writes_the_run_key_and_removes_the_old_startup_command(tmp_path, monkeypatch, run_key):
    """Before, a Startup-folder .cmd written in UTF-8 was read by cmd in the OEM code page: with a
    path such as C:\\Zoë\\… it never started."""
    import winreg

    monkeypatch.setenv("APPDATA", str(tmp_path / "Roaming"))
    old = tmp_path / "Roaming/Microsoft/Windows/Start Menu/Programs/Startup/Voucher Batches.cmd"
    old.parent.mkdir(parents=True)
    old.write_text("@start old")
    db = str(tmp_path / "Zoë" / "vouchers.db")
    assert not autostart.is_enabled("win32")
    autostart.set_enabled(True, db, platform="win32")
    autostart.set_enabled(True, db, platform="win32")  # twice: one value
    with winreg.OpenKey(winreg.HKEY_CURRENT_USER, run_key) as key:
        value, kind = winreg.QueryValueEx(key, "Voucher Batches")
    assert kind == winreg.REG_SZ and value == autostart.run_command_line(autostart.command(db, "win32"))
    assert "Zoë" in value and autostart.is_enabled("win32") and not old.exists()
    autostart.set_enabled(False, platform="win32")
    autostart.set_enabled(False, platform="win32")  # twice: nothing left to remove
    assert not autostart.is_enabled("win32")


def test_macos_writes_a_launch_agent(tmp_path):
    path = autostart.set_enabled(True, None, platform="darwin", home=tmp_path)
    assert path == tmp_path / "Library" / "LaunchAgents" / "io.github.voucherbatches.VoucherBatches.plist"
    agent = plistlib.loads(path.read_bytes())
    assert agent == {
        "Label": autostart.APP_ID,
        "ProgramArguments": [sys.executable, "-m", "app.cli"],
        "RunAtLoad": True,
    }


def test_a_folder_that_cannot_be_made_is_a_sentence(tmp_path, monkeypatch):
    (tmp_path / "config").write_text("a file where the folder should be")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    with pytest.raises(FileProblem, match=r"^Cannot change the login entry .*autostart"):
        autostart.set_enabled(True, DB, platform="linux", home=tmp_path)
