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


def test_windows_writes_a_command_in_the_startup_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("APPDATA", str(tmp_path / "Roaming"))
    path = autostart.set_enabled(True, DB, platform="win32", home=tmp_path)
    assert path == tmp_path / "Roaming/Microsoft/Windows/Start Menu/Programs/Startup/Voucher Batches.cmd"
    assert path.read_bytes() == f'@start "" "{sys.executable}" "-m" "app.cli" "--db" "{DB}"\r\n'.encode()


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
