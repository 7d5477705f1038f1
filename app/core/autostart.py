"""Start when I log in: the entry each desktop reads at login to start Voucher Batches (whose window
then keeps the claim site serving). An XDG autostart entry on Linux, a command file in the Startup
folder on Windows, a LaunchAgent on macOS. Plain files: no Qt, no registry."""

from __future__ import annotations

import os
import plistlib
import sys
from pathlib import Path

from .errors import FileProblem

APP_ID = "io.github.voucherbatches.VoucherBatches"


def command(db_location: str | None = None) -> list[str]:
    """What starts this very program again: the bundle's executable, or this Python with the CLI module."""
    args = [sys.executable] if getattr(sys, "frozen", False) else [sys.executable, "-m", "app.cli"]
    return args + (["--db", db_location] if db_location else [])


def entry_path(platform: str = sys.platform, home: Path | None = None) -> Path:
    home = home or Path.home()
    if platform == "win32":
        appdata = Path(os.environ.get("APPDATA") or home / "AppData" / "Roaming")
        return appdata / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "Startup" / "Voucher Batches.cmd"
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
        quoted = " ".join(f'"{arg}"' for arg in args[1:])
        return f'@start "" "{args[0]}" {quoted}\r\n'.encode()
    if platform == "darwin":
        return plistlib.dumps({"Label": APP_ID, "ProgramArguments": args, "RunAtLoad": True})
    return (
        "[Desktop Entry]\nType=Application\nName=Voucher Batches\n"
        "Comment=Keeps claim links working: starts the claim site when you log in\n"
        f"Exec={' '.join(_desktop_quote(arg) for arg in args)}\nIcon={APP_ID}\nTerminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
    ).encode()


def is_enabled(platform: str = sys.platform, home: Path | None = None) -> bool:
    return entry_path(platform, home).is_file()


def set_enabled(
    enabled: bool, db_location: str | None = None, platform: str = sys.platform, home: Path | None = None
) -> Path:
    """Write (or remove) the login entry; a FileProblem sentence when the folder cannot be written."""
    path = entry_path(platform, home)
    try:
        if enabled:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(entry_text(command(db_location), platform))
        else:
            path.unlink(missing_ok=True)
    except OSError as exc:
        raise FileProblem(f"Cannot change the login entry {path}: {exc.strerror or exc}.") from None
    return path
