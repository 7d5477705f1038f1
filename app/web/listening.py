"""The claim site's listening sockets, as each platform needs them.

Windows decides two things differently here: a second program may take over a port bound with
SO_REUSEADDR (so the site binds with SO_EXCLUSIVEADDRUSE instead), and a port Windows keeps for
itself (Hyper-V's and WSL's excluded ranges) refuses a bind with WSAEACCES on any port number.
(How many connections fit the select() that waitress waits with there is connections.limits_for's.)"""

from __future__ import annotations

import socket
import sys

WSAEACCES = 10013


def exclusive_bind(platform: str = sys.platform) -> bool:
    """Whether to bind with SO_EXCLUSIVEADDRUSE: on Windows, SO_REUSEADDR (waitress's choice) lets a
    second server bind the same port and take some of its connections, so two claim sites could
    share 8080 silently. Elsewhere SO_REUSEADDR only allows a restart over closing connections."""
    return platform == "win32"


def claim_port(listener: socket.socket) -> None:
    """Before its bind: on Windows, the port for this socket alone (SO_EXCLUSIVEADDRUSE); elsewhere
    SO_REUSEADDR, which only lets a restart bind over connections still closing."""
    if sys.platform == "win32":  # exclusive_bind()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
    else:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)


def listening_sockets(host: str, port: int, *, inheritable: bool = False, backlog: int = 1024) -> list[socket.socket]:
    """Bound, listening sockets for host:port (one per address of host); an OSError when one cannot
    be bound (those made already are closed)."""
    made: list[socket.socket] = []
    try:
        for family, kind, proto, _, address in socket.getaddrinfo(
            host or None, port, socket.AF_UNSPEC, socket.SOCK_STREAM, 0, socket.AI_PASSIVE
        ):
            if made and port == 0:
                break  # a free port is picked once: one socket
            listener = socket.socket(family, kind, proto)
            made.append(listener)
            claim_port(listener)
            if family == socket.AF_INET6:
                listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            listener.bind(address)
            listener.listen(backlog)
            listener.set_inheritable(inheritable)
    except OSError:
        for listener in made:
            listener.close()
        raise
    return made


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
