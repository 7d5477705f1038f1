"""Helpers for the claim site tests: the password the fixtures' members have, a small cookie-keeping
HTTP client that reads pages the way a member's browser would, and what a page shows to a person."""

from __future__ import annotations

import functools
import http.client
import http.cookiejar
import re
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

PASSWORD = "correct horse battery"
# Members made by fixtures get a quick hash so that hundreds of logins stay fast; the site's own
# registrations use its slow default (scrypt), and check_password_hash reads the method from the hash.
QUICK_HASH = "pbkdf2:sha256:1000"


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    found = CSRF_RE.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


class FakeClock:
    """Time for the login throttle that moves only when a test says so."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Page:
    status: int
    url: str  # where the browser ended up after redirects
    text: str
    headers: object
    body: bytes

    @property
    def path(self) -> str:
        parts = urllib.parse.urlsplit(self.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    @property
    def csrf(self) -> str:
        return csrf_from(self.text)


class Browser:
    """One member's browser: keeps cookies, follows redirects, and sends forms with the page's CSRF token."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self.last: Page | None = None

    def _open(self, request: urllib.request.Request) -> Page:
        try:
            with self.opener.open(request, timeout=30) as response:
                body = response.read()
                page = Page(response.status, response.geturl(), body.decode("utf-8", "replace"), response.headers, body)
        except urllib.error.HTTPError as error:
            body = error.read()
            page = Page(error.code, error.geturl(), body.decode("utf-8", "replace"), error.headers, body)
            error.close()
        self.last = page
        return page

    def get(self, path: str, headers: dict | None = None) -> Page:
        return self._open(urllib.request.Request(self.base_url + path, headers=headers or {}))

    def post(self, path: str, fields: dict | None = None, csrf: bool = True, headers: dict | None = None) -> Page:
        """Submit a form; with csrf=True the token comes from the last page this browser read."""
        fields = dict(fields or {})
        if csrf and "csrf_token" not in fields:
            fields["csrf_token"] = self.last.csrf
        data = urllib.parse.urlencode(fields).encode()
        return self._open(urllib.request.Request(self.base_url + path, data=data, method="POST", headers=headers or {}))

    def log_in(self, email: str, password: str = PASSWORD, next_path: str = "") -> Page:
        self.get("/en-us/login" + (f"?next={urllib.parse.quote(next_path)}" if next_path else ""))
        fields = {"email": email, "password": password}
        if next_path:
            fields["next"] = next_path
        return self.post("/en-us/login", fields)

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.cookies if c.name == name), None)


def visible(html: str) -> str:
    """The text a person reads on the page: tags dropped, entities decoded, spaces collapsed."""
    import html as html_module

    body = re.sub(r"(?s)<head>.*?</head>", " ", html)
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def claim_path(batch) -> str:
    return f"/en-us/claim/{batch.token}"


def claim(client, batch):
    """Claim a voucher of the batch with Flask's test client, as the claim page's button does."""
    token = csrf_from(client.get(claim_path(batch)).text)
    return client.post(claim_path(batch), data={"csrf_token": token})


def raw_request(server, method: str, path: str, headers: dict, body: bytes = b"") -> http.client.HTTPResponse:
    """A request exactly as written, the Host header included (a browser would not send these)."""
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    connection.putrequest(method, path, skip_host="Host" in headers)
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.endheaders(body or None)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def replay(server, cookie: str, method: str = "GET", path: str = "/en-us/my-cards", form: dict | None = None):
    """A request carrying a copy of someone's session cookie (taken from their phone, say)."""
    body = urllib.parse.urlencode(form or {}).encode()
    headers = {"Cookie": f"voucher_session={cookie}"}
    if method == "POST":
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Content-Length"] = str(len(body))
    return raw_request(server, method, path, headers, body)


def log_in(client, email, password=PASSWORD, **environ):
    token = csrf_from(client.get("/en-us/login", environ_base=environ).text)
    return client.post(
        "/en-us/login", data={"email": email, "password": password, "csrf_token": token}, environ_base=environ
    )


MEMBER_ADDRESS = "127.0.0.7"  # the phone, as its connection reaches Caddy


class _FromAddress(urllib.request.HTTPSHandler):
    """HTTPS that trusts Caddy's internal CA blindly (the tests check the headers instead) and
    connects from the member's own address."""

    def __init__(self, source: str):
        self._ctx = ssl.create_default_context()
        self._ctx.check_hostname = False
        self._ctx.verify_mode = ssl.CERT_NONE
        super().__init__(context=self._ctx)
        self._source = source

    def https_open(self, req):
        return self.do_open(
            functools.partial(http.client.HTTPSConnection, source_address=(self._source, 0)), req, context=self._ctx
        )


def member_browser(base_url: str) -> Browser:
    """A member's browser reaching the site through Caddy, from the member's own address."""
    browser = Browser(base_url)
    browser.opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(browser.cookies), _FromAddress(MEMBER_ADDRESS)
    )
    return browser
