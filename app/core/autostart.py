"""Start when I log in: the entry each desktop reads at login to start Voucher Batches (whose window
then keeps the claim site serving). An XDG autostart entry on Linux, a value under the user's Run
key in the registry on Windows, a LaunchAgent on macOS. No Qt."""

from __future__ import annotations

import os
import plistlib
import subprocess
import sys
from pathlib import Path

from .errors import FileProblem

APP_ID = "io.github.voucherbatches.VoucherBatches"
# Windows: the user's Run key, read by Explorer at every login. It takes a command line in UTF-16,
# so a path such as C:\Zoë\… starts (a Startup folder .cmd, written in UTF-8, was read by cmd in the
# OEM code page and never started).
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
RUN_VALUE = "Voucher Batches"
OLD_STARTUP_FILE = "Voucher Batches.cmd"  # what versions before wrote in the Startup folder


def command(db_location: str | None = None, platform: str = sys.platform) -> list[str]:
    """What starts this very program again: the bundle's executable, or this Python with the CLI module
    (on Windows pythonw.exe beside it, which opens no console window)."""
    if getattr(sys, "frozen", False):
        args = [sys.executable]
    else:
        python = Path(sys.executable)
        windowless = python.with_name("pythonw.exe")
        if platform == "win32" and python.name.lower() == "python.exe" and windowless.is_file():
            python = windowless
        args = [str(python), "-m", "app.cli"]
    return args + (["--db", db_location] if db_location else [])


def run_command_line(args: list[str]) -> str:
    """The Run key's value: one command line, quoted as Windows programs split it."""
    return subprocess.list2cmdline(args)


def entry_path(platform: str = sys.platform, home: Path | None = None) -> Path:
    """Where the entry is: a file, or on Windows the registry key (HKEY_CURRENT_USER\\<RUN_KEY>)."""
    home = home or Path.home()
    if platform == "win32":
        return Path("HKEY_CURRENT_USER") / RUN_KEY / RUN_VALUE
    if platform == "darwin":
        return home / "Library" / "LaunchAgents" / f"{APP_ID}.plist"
    config = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    return config / "autostart" / f"{APP_ID}.desktop"


def _desktop_quote(arg: str) -> str:
    """An Exec argument as the Desktop Entry Specification quotes it."""
    if arg and not any(c in arg for c in " \t\n\"'\\><~|&;$*?#()`"):
        return arg.replace("%", "%%")
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in arg)
    return '"' + escaped.replace("%", "%%") + '"'


def entry_text(args: list[str], platform: str = sys.platform) -> bytes:
    if platform == "win32":
        return run_command_line(args).encode("utf-16-le")
    if platform == "darwin":
        return plistlib.dumps({"Label": APP_ID, "ProgramArguments": args, "RunAtLoad": True})
    return (
        "[Desktop Entry]\nType=Application\nName=Voucher Batches\n"
        "Comment=Keeps claim links working: starts the claim site when you log in\n"
        f"Exec={' '.join(_desktop_quote(arg) for arg in args)}\nIcon={APP_ID}\nTerminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
    ).encode()


def _old_startup_file() -> Path:
    appdata = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    return appdata / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "Startup" / OLD_STARTUP_FILE


def _run_value() -> str | None:
    if sys.platform != "win32":
        return None
    import winreg

    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
            return str(winreg.QueryValueEx(key, RUN_VALUE)[0])
    except FileNotFoundError:
        return None


def _set_run_value(enabled: bool, db_location: str | None) -> None:
    if sys.platform != "win32":
        raise OSError("the Run key is Windows'")
    import winreg

    with winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
        if enabled:
            winreg.SetValueEx(key, RUN_VALUE, 0, winreg.REG_SZ, run_command_line(command(db_location, "win32")))
        else:
            try:
                winreg.DeleteValue(key, RUN_VALUE)
            except FileNotFoundError:
                pass
    _old_startup_file().unlink(missing_ok=True)  # never two entries (nor the old one that did not start)


def is_enabled(platform: str = sys.platform, home: Path | None = None) -> bool:
    if platform == "win32":
        return _run_value() is not None
    return entry_path(platform, home).is_file()


def set_enabled(
    enabled: bool, db_location: str | None = None, platform: str = sys.platform, home: Path | None = None
) -> Path:
    """Write (or remove) the login entry; a FileProblem sentence when the folder cannot be written."""
    path = entry_path(platform, home)
    try:
        if platform == "win32":
            _set_run_value(enabled, db_location)
        elif enabled:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(entry_text(command(db_location, platform), platform))
        else:
            path.unlink(missing_ok=True)
    except OSError as exc:
        raise FileProblem(f"Cannot change the login entry {path}: {exc.strerror or exc}.") from None
    return path
