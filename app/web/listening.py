"""The claim site's listening sockets, as each platform needs them.

On Windows a second program may take over a port bound with SO_REUSEADDR, so the site binds with
SO_EXCLUSIVEADDRUSE instead. (What a bind Windows refuses with WSAEACCES means, an excluded range
or such an exclusive bind, is app.core.windows.refusal_sentence's, which the setup checks say too.)
(How many connections fit the select() that waitress waits with there is connections.limits_for's.)"""

from __future__ import annotations

import socket
import sys


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
