"""The claim site's defences: CSRF tokens, safe redirects, response headers, proxy trust, login throttling
(its counts kept in the database by app.core.limits)."""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import time
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import parse_qs, urlsplit

from flask import abort, request, session
from werkzeug.middleware.proxy_fix import ProxyFix

from app.core import limits
from app.core.limits import Policy

CSRF_FIELD = "csrf_token"
_CSRF_KEY = "csrf"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # a claim link's token never leaves the site in a Referer
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def csrf_token() -> str:
    """This session's CSRF token, made on first use (so a visitor who sees no form gets no cookie)."""
    token = session.get(_CSRF_KEY)
    if not token:
        token = session[_CSRF_KEY] = secrets.token_urlsafe(32)
    return token


def new_csrf_token() -> str:
    session[_CSRF_KEY] = secrets.token_urlsafe(32)
    return session[_CSRF_KEY]


def _sent_token() -> str:
    """The form's CSRF token. A small url-encoded form (every form of this site) is read straight
    from its body, which stays for request.form: Werkzeug's form parser costs more than the claim."""
    if request.mimetype == "application/x-www-form-urlencoded":
        try:
            sent = parse_qs(request.get_data(cache=True), max_num_fields=64).get(CSRF_FIELD.encode())
        except ValueError:  # more fields than any form of this site has
            return ""
        return sent[0].decode("utf-8", "replace") if sent else ""
    return request.form.get(CSRF_FIELD, "")


def check_csrf() -> None:
    """Refuse (400) a state-changing request whose form lacks this session's token."""
    if request.method not in UNSAFE_METHODS:
        return
    expected = session.get(_CSRF_KEY)
    sent = _sent_token()
    if not expected or not sent or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(400, description="csrf")


def safe_next(target: str | None, default: str) -> str:
    """Where to go after logging in: a path of this site, or the default (never another site)."""
    if not target or len(target) > 2000:
        return default
    if any(ch <= " " or ch == "\\" or ch == "\x7f" for ch in target):
        return default
    if not target.startswith("/") or target.startswith("//"):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    if not (parts.path == "/" or parts.path.startswith("/en-us/")) or parts.path.rstrip("/") == "/en-us/logout":
        return default
    return target


# Over https a member's pages also run one script, the file that registers the service worker which
# keeps My Cards for use without signal; they may register that worker and name the web app manifest.
# Nothing else: no inline script, no other file (the sources name each file by its whole URL).
POCKET_SCRIPT, POCKET_WORKER = "static/pocket.js", "sw.js"
# The worker's own policy: it may fetch this site's pages and pictures, nothing else.
WORKER_POLICY = "default-src 'none'; connect-src 'self'"


@lru_cache(maxsize=64)
def pocket_policy(url_root: str) -> str:
    """The pages' policy over https, for the site at url_root ("https://host/" or with its prefix)."""
    return (
        f"{CONTENT_SECURITY_POLICY}; script-src {url_root}{POCKET_SCRIPT}; worker-src {url_root}{POCKET_WORKER}; "
        "manifest-src 'self'"
    )


def finish_response(response):
    """Every answer's defences, in one pass over its headers: the security headers, "no-store" for
    pages, and a redirect that names only a path of this site."""
    headers = response.headers
    present = set()
    location = None
    for name, value in headers.items():
        lower = name.lower()
        present.add(lower)
        if lower == "location":
            location = value
    html = response.mimetype == "text/html"
    if "content-security-policy" not in present and html and request.is_secure:
        headers["Content-Security-Policy"] = pocket_policy(request.url_root)
        present.add("content-security-policy")
    headers.extend((name, value) for name, value in SECURITY_HEADERS.items() if name.lower() not in present)
    if "cache-control" not in present and html:
        # pages carry CSRF tokens and a member's vouchers: never kept by a shared cache or the back button
        headers["Cache-Control"] = "no-store"
    if location and relative_location(location) != location:
        headers["Location"] = relative_location(location)
    return response


def relative_location(location: str) -> str:
    """A redirect names only a path of this site. Werkzeug's own (a doubled slash merged, a missing
    trailing slash added) build an absolute URL from the Host header, which whoever sends the
    request chooses; this site never sends anyone to another, so the host is dropped."""
    parts = urlsplit(location)
    if not (parts.scheme or parts.netloc):
        return location
    path = "/" + parts.path.lstrip("/")  # never '//host': that would name another site again
    return path + (f"?{parts.query}" if parts.query else "")


@lru_cache(maxsize=32)
def _networks(trusted: str) -> tuple:
    found = []
    for part in trusted.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            found.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            continue  # not an address: trust nothing for it
    return tuple(found)


def is_trusted_proxy(peer: str, trusted: str) -> bool:
    """Whether the connecting address is the configured reverse proxy (an address, a network, or a list)."""
    if not trusted or not peer:
        return False
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return any(address in network for network in _networks(trusted))


class TrustedProxy:
    """Believe X-Forwarded-For/-Proto/-Host/-Port only when they come from the configured proxy.

    X-Forwarded-Prefix never: the site always answers at the root of its address, and a prefix a
    proxy passed on (one that forwards whatever a client sent, say "//evil.example") would start
    every link of every page, which would then lead to another site.

    The setting is read on each request, so a change in the desktop window applies without a restart."""

    def __init__(self, app, trusted: Callable[[], str]):
        self.app = app
        self.fixed = ProxyFix(app, x_for=1, x_proto=1, x_host=1, x_port=1, x_prefix=0)
        self.trusted = trusted

    def __call__(self, environ, start_response):
        try:
            trusted = self.trusted()
        except Exception:  # settings unreadable (database away): believe no forwarded header
            trusted = ""
        if is_trusted_proxy(environ.get("REMOTE_ADDR", ""), trusted):
            return self.fixed(environ, start_response)
        return self.app(environ, start_response)


EMAIL_POLICY = Policy(free=3, lock_after=10)
ADDRESS_POLICY = Policy(free=10, lock_after=50)


class LoginThrottle:
    """Slows down, then locks, repeated failed logins for one email and from one address, counted
    in the database (app.core.limits): every process serving it counts together, and a restart
    forgets nothing.

    It never looks at whether the email has an account, so its answers tell nothing about that."""

    def __init__(
        self,
        per_email: Policy = EMAIL_POLICY,
        per_address: Policy = ADDRESS_POLICY,
        clock: Callable[[], float] = time.time,
    ):
        self._clock = clock
        self._per_email = per_email
        self._per_address = per_address

    def _email(self, email: str) -> limits.Counter:
        return limits.Counter(limits.LOGIN_EMAIL, email, self._per_email)

    def _address(self, address: str) -> limits.Counter:
        return limits.Counter(limits.LOGIN_ADDRESS, address, self._per_address)

    def wait_time(self, email: str, address: str) -> float:
        """Seconds before another attempt for this email from this address is allowed (0: now)."""
        return limits.wait_time([self._email(email), self._address(address)], self._clock())

    def attempt(self, email: str, address: str) -> float:
        """Check an attempt and count it against the email in one step: the seconds to wait
        (nothing counted), or 0 and the attempt counts as a failure of the email until
        succeeded() forgets them. Parallel guesses at one account therefore each see the ones
        before them, whichever process serves them, and no more are checked than the policy allows.

        The address is checked in the same step but charged only when the password proves wrong
        (attempt_failed): members logging in at once behind one shop's Wi-Fi are never held up
        by each other. Parallel guesses at many emails can pass the address's step by at most the
        server's threads, and its lock still comes after lock_after failures."""
        email_counter = self._email(email)
        return limits.attempt([email_counter, self._address(address)], [email_counter], self._clock())

    def attempt_failed(self, address: str) -> None:
        """The password of an attempt (counted against its email already) was wrong."""
        limits.attempt([], [self._address(address)], self._clock())

    def failed(self, email: str, address: str) -> None:
        """A failure counted against both at once (an attempt not let through attempt())."""
        limits.attempt([], [self._email(email), self._address(address)], self._clock())

    def succeeded(self, email: str) -> None:
        limits.forget([self._email(email)])


class RateLimit:
    """At most `limit` events per key in `window` seconds (account creation per address), counted
    in the database as the login throttle is."""

    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.time, scope: str = limits.REGISTRATION
    ):
        self._policy = Policy(free=limit, lock_after=limit, window=window, lock_for=window)
        self._clock = clock
        self._scope = scope

    def _counter(self, key: str) -> limits.Counter:
        return limits.Counter(self._scope, key, self._policy)

    def wait_time(self, key: str) -> float:
        return limits.wait_time([self._counter(key)], self._clock())

    def take(self, key: str) -> float:
        """Check and count one event in one step: the seconds to wait (nothing counted), or 0."""
        counter = self._counter(key)
        return limits.attempt([counter], [counter], self._clock())
