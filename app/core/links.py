"""Whether a claim link reaches members: judged from the address itself, without reaching out."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

# Whether a link names this PC: this PC's addresses are known where its address on the network is.
from .settings import points_here, this_pcs_addresses

__all__ = ["FIX", "GUIDE", "OK", "PROBLEM", "WARNING", "Verdict", "judge", "points_here", "this_pcs_addresses"]

OK, WARNING, PROBLEM = "ok", "warning", "problem"

GUIDE = "Share links that work anywhere"
FIX = (
    f"See “{GUIDE}” (Settings, or the README): put the claim site behind your own domain with HTTPS "
    "(a reverse proxy such as Caddy), a tunnel with a stable name, or a hosted claim site."
)
_LOCAL_SUFFIXES = (".local", ".lan", ".home", ".internal", ".localdomain", ".home.arpa", ".intranet", ".corp")


@dataclass(frozen=True)
class Verdict:
    status: str  # ok, warning or problem
    message: str
    local_only: bool  # only this PC or this network can open it

    @property
    def fix(self) -> str:
        return FIX if self.status != OK else ""


def judge(url: str) -> Verdict:
    """A public host name over https is ok; plain http, or an address that only this network
    (private) or only this PC (loopback, link-local) can open, is not."""
    parts = urlsplit(url or "")
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return Verdict(PROBLEM, f"The claim link {url!r} is not a web address.", True)
    reach = _reach(host)
    if reach == "pc":
        return Verdict(
            PROBLEM, f"The claim link {url} can only be opened on this PC: no member's phone reaches it.", True
        )
    if reach == "network":
        return Verdict(
            WARNING,
            f"The claim link {url} can only be opened on this store's network: members on mobile data, "
            "and shoppers not on the Wi-Fi, cannot claim.",
            True,
        )
    if parts.scheme == "http":
        return Verdict(WARNING, f"The claim link {url} is plain http: members' passwords travel unencrypted.", False)
    return Verdict(OK, f"The claim link {url} is a public https address: members can open it from anywhere.", False)


def _reach(host: str) -> str:
    """'pc', 'network' or 'anywhere' for a host name or address."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        if host == "localhost" or host.endswith(".localhost"):
            return "pc"
        if "." not in host or host.endswith(_LOCAL_SUFFIXES):
            return "network"
        return "anywhere"
    if address.is_loopback or address.is_link_local or address.is_unspecified:
        return "pc"
    if address.is_private or address in ipaddress.ip_network("100.64.0.0/10"):  # and carrier-grade NAT
        return "network"
    return "anywhere"
