"""A TCP port for a test's server."""

from __future__ import annotations

import socket
from contextlib import ExitStack


def free_port() -> int:
    """A port that nothing listens on just now, on any address (the OS's pick)."""
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """count different ports that nothing listens on just now, on any address (the OS's picks, all
    held while picking: picked one after another, the OS may give the same port twice)."""
    with ExitStack() as held:
        probes = [held.enter_context(socket.socket()) for _ in range(count)]
        for probe in probes:
            probe.bind(("", 0))
        return [probe.getsockname()[1] for probe in probes]
