"""The claim site's Flask application: configuration, hooks, error pages and template helpers."""

from __future__ import annotations

import logging
import time

import peewee
from flask import Flask, current_app, g, render_template, request, url_for
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature
from werkzeug.exceptions import HTTPException

from app.core import members, store, times
from app.core import settings as core_settings
from app.core.errors import DatabaseProblem, InvalidInput, NotFound
from app.resources import resource_path

from . import accounts, api, health, pages, passwords, pocket, prerendered, reach, security

log = logging.getLogger(__name__)

MAX_BODY = 16 * 1024  # the largest form is a few hundred bytes
RETRY_AFTER = 5  # seconds a phone is asked to wait when the database is busy or away


class SettingsCache:
    """The shared settings, read from the database at most every `max_age` seconds.

    Every request needs them (store name, proxy, cookie security) and a read costs a few tenths
    of a millisecond; a change made in the desktop window shows within `max_age` seconds."""

    def __init__(self, max_age: float):
        self.max_age = max_age
        self._cached: tuple[core_settings.Settings, float] | None = None  # replaced whole: no lock needed

    def get(self) -> core_settings.Settings:
        """The settings; while the database cannot be read, the last ones read (if any)."""
        now = time.monotonic()
        cached = self._cached
        if cached is None or now - cached[1] >= self.max_age:
            try:
                cached = self._cached = (core_settings.load(), now)
            except DatabaseProblem:
                if cached is None:
                    raise
        return cached[0]


class _Session(SecureCookieSession):
    """A session that knows when its cookie was signed (0: a new one)."""

    signed_at = 0.0


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, Secure whenever the public base URL is https.

    A member's cookie stays the same from page to page (it changes only when the session does), so
    each cookie is checked once: its signature's verdict and content are kept, keyed by the whole
    cookie, and only its age is checked again. That check cost a tenth of a millisecond a request.

    A session lasts while it is used (members.SESSION_LASTS after the last visit): a permanent
    session whose cookie was signed more than members.SESSION_RENEWED ago is signed again, with a
    new expiry, on the member's next page; a cookie re-signed on every page would cost each one."""

    KEPT = 10_000
    session_class = _Session

    def __init__(self):
        self._opened: dict[str, tuple[dict, float]] = {}  # cookie: (its content, when it was signed)

    def open_session(self, app: Flask, request):
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        max_age = app.permanent_session_lifetime.total_seconds()
        opened = self._opened.get(cookie)
        if opened is None:
            serializer = self.get_signing_serializer(app)
            if serializer is None:
                return None
            try:
                data, signed = serializer.loads(cookie, max_age=int(max_age), return_timestamp=True)
            except BadSignature:  # a forged, damaged or expired cookie: an empty session, as Flask's own
                return self.session_class()
            if len(self._opened) >= self.KEPT:
                self._opened.clear()
            opened = self._opened[cookie] = (data, signed.timestamp())
        data, signed_at = opened
        if time.time() - signed_at > max_age:
            self._opened.pop(cookie, None)
            return self.session_class()
        session = self.session_class(data)  # a copy: the kept content is never changed
        session.signed_at = signed_at
        return session

    def should_set_cookie(self, app: Flask, session) -> bool:
        """Also when a permanent session's cookie is due for renewal (see the class)."""
        if super().should_set_cookie(app, session):
            return True
        signed_at = getattr(session, "signed_at", 0.0)
        renew_after = members.SESSION_RENEWED.total_seconds()
        return bool(session.permanent and signed_at and time.time() - signed_at >= renew_after)

    def save_session(self, app: Flask, session, response) -> None:
        """Flask's, but for a page that leaves a session's cookie as it is (nearly every page of a
        logged-in member): then only "Vary: Cookie" is said, as Flask's own does, without working out
        the cookie's six attributes first."""
        if session and not self.should_set_cookie(app, session):
            if session.accessed:
                if response.headers.get("Vary") is None:
                    response.headers["Vary"] = "Cookie"
                else:
                    response.vary.add("Cookie")
            return
        super().save_session(app, session, response)

    def get_cookie_secure(self, app: Flask) -> bool:
        try:
            https = app.extensions["voucher_settings"].get().base_url.startswith("https://")
        except DatabaseProblem:  # never read, and the database is away: the safe answer
            https = True
        return https or super().get_cookie_secure(app)


def current_settings() -> core_settings.Settings:
    if "settings" not in g:
        g.settings = current_app.extensions["voucher_settings"].get()
    return g.settings


def create_app(config: dict | None = None) -> Flask:
    """The claim site. The core database must already be open (app.core.store.open_database)."""
    app = Flask(
        __name__,
        template_folder=str(resource_path("templates")),
        static_folder=str(resource_path("static")),
        static_url_path="/static",
    )
    app.config.update(
        SESSION_COOKIE_NAME="voucher_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_REFRESH_EACH_REQUEST=False,
        PERMANENT_SESSION_LIFETIME=members.SESSION_LASTS,  # after the last visit (renewed, see _SessionInterface)
        MAX_CONTENT_LENGTH=MAX_BODY,
        MAX_FORM_MEMORY_SIZE=MAX_BODY,
        SEND_FILE_MAX_AGE_DEFAULT=3600,
        PASSWORD_HASH_METHOD="scrypt",  # Werkzeug's default: slow and salted
        SETTINGS_MAX_AGE=2.0,
        REGISTRATIONS_PER_ADDRESS=(20, 3600.0),  # accounts one address may create per window (seconds)
        LOGIN_THROTTLE=None,  # a security.LoginThrottle; tests pass one with their own clock
    )
    app.config.update(config or {})
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = core_settings.secret(core_settings.SESSION_KEY)

    settings_cache = SettingsCache(float(app.config["SETTINGS_MAX_AGE"]))
    app.extensions["voucher_settings"] = settings_cache
    app.extensions["login_throttle"] = app.config["LOGIN_THROTTLE"] or security.LoginThrottle()
    limit, window = app.config["REGISTRATIONS_PER_ADDRESS"]
    app.extensions["registration_limit"] = security.RateLimit(int(limit), float(window))
    app.session_interface = _SessionInterface()
    # The point-of-sale API answers /api/v1/ as an application of its own: none of the site's hooks
    # (session cookie, CSRF) reaches it. Both behind the proxy check, so the API sees who connects.
    app.wsgi_app = api.mounted(app.wsgi_app)  # type: ignore[method-assign]
    # Flask's documented way to wrap the app in WSGI middleware (its types see only the method)
    app.wsgi_app = security.TrustedProxy(app.wsgi_app, lambda: settings_cache.get().trusted_proxy)  # type: ignore[method-assign]

    app.before_request(_before_request)
    app.after_request(security.finish_response)
    _register_template_helpers(app)
    _register_error_pages(app)

    app.register_blueprint(accounts.bp)
    app.register_blueprint(passwords.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(pocket.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(reach.bp)
    return app


def _before_request() -> None:
    """What every request of the site needs first (one hook: each costs Flask a call and a lookup).
    A connection that failed in an earlier request on this thread (the database server restarted,
    the network dropped) is replaced now, without a round trip to the server; then a form that
    changes something must carry the session's CSRF token."""
    store.replace_lost_connection()
    security.check_csrf()


URLS_KEPT = 2048


def _url_for_kept(app: Flask):
    """url_for for the templates and the pages, each address built once: a page names eight or so
    of them, and building one costs Werkzeug's router some microseconds. An address depends only on
    where the site is mounted (a proxy's prefix), the endpoint and its values."""
    kept: dict = {}

    def kept_url_for(endpoint: str, **values) -> str:
        if any(name.startswith("_") for name in values):  # _external, _anchor ...: built each time
            return url_for(endpoint, **values)
        key = (request.script_root, endpoint, *values.items())
        found = kept.get(key)
        if found is None:
            if len(kept) >= URLS_KEPT:
                kept.clear()
            found = kept[key] = url_for(endpoint, **values)
        return found

    return kept_url_for


def _when(value) -> str:
    """A time in the store's local time, as members read it; a page's hole for one (prerendered) as it is."""
    return value if isinstance(value, prerendered.Hole) else times.spoken(value)


def _register_template_helpers(app: Flask) -> None:
    app.jinja_env.globals["csrf_token"] = security.csrf_token
    app.jinja_env.globals["password_rule"] = members.PASSWORD_RULE  # said before a new password is chosen
    app.jinja_env.globals["url_for"] = _url_for_kept(app)
    app.jinja_env.filters["when"] = _when
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def _shared():
        try:
            store_name = current_settings().store_name
        except DatabaseProblem:  # the error page for a database failure must still render
            store_name = ""
        try:
            member = accounts.current_member()
        except DatabaseProblem:
            member = None
        # over https a member's pages carry the web app manifest and the service worker's registration
        return {"store_name": store_name, "member": member, "pocket": member is not None and request.is_secure}


ERROR_PAGES = {
    400: ("Something was wrong with that request", "Go back, reload the page and try again."),
    404: (
        "Page not found",
        "This page or promotion doesn't exist. The promotion may have ended, or the link may be mistyped.",
    ),
    405: ("Page not found", "This page can't be opened that way."),
    413: ("Too much data", "That form sent more than this site accepts."),
    429: ("Too many attempts", "Wait a moment and try again."),
    500: ("Something went wrong", "The store's system hit a problem. Please try again in a moment."),
    503: ("The store's system is busy", "Nothing was changed. Please try again in a moment."),
}
CSRF_MESSAGE = (
    "Form expired",
    "This form has expired or didn't come from this site, so nothing was changed. "
    "Go back, reload the page and try again.",
)


def error_page(status: int, heading: str | None = None, message: str | None = None):
    default_heading, default_message = ERROR_PAGES.get(status, ERROR_PAGES[500])
    # busy: the same page again is the way on (a claim that waited too long can simply be retried)
    retry_url = request.path if status == 503 and request.path.startswith("/en-us/") else None
    return (
        render_template(
            "error.html",
            heading=heading or default_heading,
            message=message or default_message,
            status=status,
            retry_url=retry_url,
        ),
        status,
    )


def _register_error_pages(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if exc.code == 400 and exc.description == "csrf":
            return error_page(400, *CSRF_MESSAGE)
        # an unexpected error arrives here as a 500 after Flask has logged it with its traceback
        return error_page(exc.code or 500)

    @app.errorhandler(NotFound)
    def _not_found(exc):
        return error_page(404)

    @app.errorhandler(InvalidInput)
    def _invalid(exc):
        return error_page(400, message=str(exc))

    @app.errorhandler(DatabaseProblem)
    def _database(exc):
        log.error("The claim site could not use the database: %s", exc)
        return _unavailable()

    @app.errorhandler(peewee.OperationalError)
    @app.errorhandler(peewee.InterfaceError)
    def _driver(exc):
        """A failure outside the core's services (which give DatabaseProblem): a lost connection is
        said like any database that is away (and replaced); anything else is a bug, a 500."""
        if not store.is_connection_lost(exc):
            log.exception("The claim site failed", exc_info=exc)
            return error_page(500)
        store.connection_lost()
        log.error(
            "The claim site lost its database connection: %s",
            str(exc).strip().splitlines()[0] if str(exc).strip() else exc,
        )
        return _unavailable()


def _unavailable():
    page, status = error_page(503)
    return page, status, {"Retry-After": str(RETRY_AFTER)}
