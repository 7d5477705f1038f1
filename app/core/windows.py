"""What only Windows needs, decided in one place (no Qt): keeping the PC awake while the claim site
serves, and whether Windows Firewall lets phones reach it (a database on a network drive is the
store's to refuse: app/core/store/network.py).

Each decision takes the platform (and what it would ask Windows) as arguments, so that it is tested
everywhere; only the small functions that ask Windows call it (ctypes, netsh)."""

from __future__ import annotations

import ctypes
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# -- keeping the PC awake while the claim site serves ---------------------------------------------

ES_CONTINUOUS = 0x80000000
ES_SYSTEM_REQUIRED = 0x00000001


def _set_thread_execution_state(flags: int) -> int:
    if sys.platform != "win32":
        raise OSError("SetThreadExecutionState is Windows'")
    return int(ctypes.windll.kernel32.SetThreadExecutionState(ctypes.c_uint(flags)))


@contextmanager
def kept_awake(platform: str = sys.platform, set_state: Callable[[int], int] | None = None) -> Iterator[None]:
    """While the body runs (the claim site's serving thread), Windows does not put the PC to sleep on
    its own (a sleeping PC takes the claim site offline); the display may still turn off. The state
    belongs to the calling thread and is given back when the body ends. Elsewhere nothing is done
    (macOS's App Nap: see packaging/README.md)."""
    if platform != "win32":
        yield
        return
    set_state = set_state or _set_thread_execution_state
    set_state(ES_CONTINUOUS | ES_SYSTEM_REQUIRED)
    try:
        yield
    finally:
        set_state(ES_CONTINUOUS)


# -- whether phones can reach the claim site through Windows Firewall -----------------------------

RULE_NAME = "Voucher Batches"  # the inbound rule the installer adds (private networks)


def _netsh(*args: str) -> str:
    try:
        done = subprocess.run(
            ["netsh", *args],
            capture_output=True,
            timeout=10,
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.decode("mbcs" if sys.platform == "win32" else "utf-8", "replace")


def _powershell(command: str) -> str:
    try:
        done = subprocess.run(
            ["powershell", "-NoProfile", "-NonInteractive", "-Command", command],
            capture_output=True,
            timeout=20,
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.decode("utf-8", "replace")


def network_categories(ask: Callable[[str], str] = _powershell) -> list[str]:
    """The categories of the networks this PC is on now ('Public', 'Private', 'DomainAuthenticated')."""
    answer = ask("[Console]::OutputEncoding = [Text.Encoding]::UTF8; (Get-NetConnectionProfile).NetworkCategory")
    return [line.strip() for line in answer.splitlines() if line.strip()]


def firewall_on(ask: Callable[..., str] = _netsh) -> bool | None:
    """Whether Windows Firewall is on for the current profile (None: Windows did not say)."""
    states = [
        line.split()[-1].upper()
        for line in ask("advfirewall", "show", "currentprofile", "state").splitlines()
        if line.strip().lower().startswith("state")
    ]
    if not states:
        return None
    return "ON" in states


def rule_allows(program: str, ask: Callable[..., str] = _netsh) -> bool:
    """Whether an inbound rule named RULE_NAME allows this program (or any program) in."""
    answer = ask("advfirewall", "firewall", "show", "rule", f"name={RULE_NAME}", "verbose")
    enabled = any(
        line.split(":", 1)[-1].strip().lower() == "yes"
        for line in answer.splitlines()
        if line.strip().lower().startswith("enabled")
    )
    allowed = any(
        line.split(":", 1)[-1].strip().lower() == "allow"
        for line in answer.splitlines()
        if line.strip().lower().startswith("action")
    )
    return enabled and allowed


def phones_blocked_sentence(
    port: int, categories: list[str], firewall: bool | None, rule: bool, program: str
) -> tuple[str, str] | None:
    """(status, sentence) when Windows will keep phones out of the claim site, or None when it will not.

    A "Public" network profile blocks every program not allowed in for public networks, and the
    installer's rule allows the app on private networks only: on a Public network phones cannot
    reach the site whatever the rule. On a private network, a firewall without the rule blocks them."""
    how = (
        f'Allow it with: netsh advfirewall firewall add rule name="{RULE_NAME}" dir=in action=allow '
        f'program="{program}" profile=private (as administrator), or run the installer again and keep '
        '"Allow phones on private networks".'
    )
    if "Public" in categories:
        return (
            "problem",
            "Windows treats this network as Public, so Windows Firewall keeps phones out of the claim site "
            f'(port {port}). In Settings → Network & Internet → this network, choose "Private network". '
            + (how if firewall and not rule else ""),
        )
    if firewall and not rule:
        return (
            "warning",
            f"Windows Firewall may keep phones out of the claim site (port {port}): no rule lets Voucher Batches "
            f"in. {how}",
        )
    return None


# -- a port Windows refuses -------------------------------------------------------------------------

WSAEACCES = 10013


def refusal_sentence(exc: OSError, port: int) -> str | None:
    """What a bind refused by Windows means, or None when it is not that. Windows has no ports
    reserved for administrators: WSAEACCES means a range Windows keeps (Hyper-V, WSL, Docker) or
    a program that bound the port for itself alone."""
    if getattr(exc, "winerror", None) != WSAEACCES and exc.errno != WSAEACCES:
        return None
    return (
        f"Port {port} is already in use by another program (perhaps the claim site is running already), or Windows "
        "reserves it (it keeps ranges of ports for Hyper-V and WSL: `netsh interface ipv4 show excludedportrange "
        "protocol=tcp` lists them). Stop that program or choose another port, such as 8090."
    )
