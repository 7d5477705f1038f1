"""The local API for a point of sale, under /api/v1/ beside the claim site: a Flask application of its
own, so that none of the claim site's machinery (its session cookie, its CSRF check, its HTML error
pages) applies to it, and nothing of the API (keys, JSON, no cookies at all) weakens the site.

Off (404) until an API key exists; then answered only to a request with `Authorization: Bearer <key>`
(401 otherwise, 429 after too many failed attempts from one address, counted in the database so that
every worker process refuses alike). Changes need an Idempotency-Key. The answers themselves are
app.core.pos_answers'; the document describing them is app.web.openapi's."""

from __future__ import annotations

import json
import logging
from typing import Any

import peewee
from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from app.core import api_keys, idempotency, pos_answers, store
from app.core.errors import DatabaseProblem, InvalidInput

from .openapi import document

log = logging.getLogger(__name__)

PREFIX = "/api/v1"
MAX_BODY = 8 * 1024
RETRY_AFTER = 5  # seconds a point of sale is asked to wait while the database is busy or away
# JSON only, never cached, never framed or sniffed; no cookie is ever set, no CORS header ever sent
# (a browser page elsewhere cannot read an answer, and a key never rides along on its own).
HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}
OFF_MESSAGE = (
    "The point-of-sale API is off: it answers once an API key exists (voucher-batches api-key create --name NAME, "
    "or Settings → Point of sale)."
)


def mounted(site_wsgi: Any, api: Flask | None = None) -> DispatcherMiddleware:
    """The claim site with the API answering under /api/v1 (the site never sees those requests)."""
    return DispatcherMiddleware(site_wsgi, {PREFIX: (api or create_api()).wsgi_app})


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json")
    response.headers.update(headers or {})
    return response


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None, **extra: Any) -> Response:
    return _json(*pos_answers.error(status, code, message, **extra), headers=headers)


def create_api() -> Flask:
    """The API's application (the core database must be open when it answers)."""
    api = Flask(__name__)
    api.config.update(MAX_CONTENT_LENGTH=MAX_BODY)
    api.url_map.merge_slashes = False  # a scanned link sent as a code keeps its //
    api.url_map.strict_slashes = False

    api.before_request(_fresh_connection)
    api.before_request(_authenticate)
    api.after_request(_headers)
    api.add_url_rule("/openapi.json", "openapi", _openapi, methods=["GET"])
    api.add_url_rule("/vouchers/<path:code>/redeem", "redeem", _redeem, methods=["POST"])
    api.add_url_rule("/vouchers/<path:code>/undo", "undo", _undo, methods=["POST"])
    api.add_url_rule("/vouchers/<path:code>", "voucher", _voucher, methods=["GET"])
    api.add_url_rule("/batches", "batches", _batches, methods=["GET"])
    _register_errors(api)
    return api


def _fresh_connection() -> None:
    store.replace_lost_connection()


def _bearer() -> str:
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _authenticate() -> Response | None:
    """Let a request with a live key through; refuse every other (and count it against its address)."""
    address = request.remote_addr or ""
    wait = api_keys.wait_for(address)
    if wait:
        return _error(
            429,
            "too_many_attempts",
            f"Too many attempts with a wrong key from this address: try again in {wait} seconds.",
            {"Retry-After": str(wait)},
        )
    key = api_keys.authenticate(_bearer())
    if key is not None:
        g.api_key = key
        return None
    if not api_keys.any_active():
        return _error(404, "api_off", OFF_MESSAGE)
    api_keys.failed(address)
    return _error(
        401,
        "unauthorized",
        "Send a valid API key: Authorization: Bearer <key>. This one is missing, wrong or revoked.",
        {"WWW-Authenticate": 'Bearer realm="voucher-batches"'},
    )


def _headers(response: Response) -> Response:
    response.headers.update(HEADERS)
    response.headers.pop("Set-Cookie", None)
    return response


def _openapi() -> Response:
    return _json(200, document())


def _voucher(code: str) -> Response:
    return _json(*pos_answers.voucher(code))


def _batches() -> Response:
    return _json(*pos_answers.batch_list())


def _body() -> Any:
    """The request's JSON (None for no body at all); InvalidInput for anything else."""
    data = request.get_data(cache=True)
    if not data.strip():
        return None
    if request.mimetype != "application/json":
        raise InvalidInput("Send the body as JSON (Content-Type: application/json).")
    try:
        return json.loads(data)
    except ValueError:
        raise InvalidInput("The request body is not valid JSON.") from None


def _once(answer: Any) -> Response:
    """A change made at most once per Idempotency-Key: its answer, or the first answer again."""
    key = idempotency.valid_key(request.headers.get("Idempotency-Key"))
    body = _body()
    fingerprint = idempotency.request_hash(request.method, request.path, body)
    (status, answered), replayed = idempotency.answer_once(g.api_key.id, key, fingerprint, lambda: answer(body))
    return _json(status, answered, {"Idempotent-Replayed": "true"} if replayed else None)


def _redeem(code: str) -> Response:
    return _once(
        lambda body: pos_answers.redeem(code, g.api_key, pos_answers.checked_body(body, pos_answers.REDEEM_FIELDS))
    )


def _undo(code: str) -> Response:
    return _once(
        lambda body: pos_answers.undo(code, g.api_key, pos_answers.checked_body(body, pos_answers.UNDO_FIELDS))
    )


def _register_errors(api: Flask) -> None:
    @api.errorhandler(idempotency.KeyReused)
    def _reused(exc: idempotency.KeyReused) -> Response:
        return _error(422, "idempotency_key_reused", str(exc))

    @api.errorhandler(InvalidInput)
    def _invalid(exc: InvalidInput) -> Response:
        return _error(400, "invalid_request", str(exc))

    @api.errorhandler(DatabaseProblem)
    def _database(exc: DatabaseProblem) -> Response:
        log.error("The point-of-sale API could not use the database: %s", exc)
        return _error(503, "unavailable", f"{exc} Nothing was changed; try again.", {"Retry-After": str(RETRY_AFTER)})

    @api.errorhandler(peewee.OperationalError)
    @api.errorhandler(peewee.InterfaceError)
    def _driver(exc: Exception) -> Response:
        if not store.is_connection_lost(exc):
            log.exception("The point-of-sale API failed", exc_info=exc)
            return _error(500, "internal_error", "Something went wrong; nothing was changed.")
        store.connection_lost()
        return _error(
            503,
            "unavailable",
            "The database cannot be reached just now; nothing was changed: try again.",
            {"Retry-After": str(RETRY_AFTER)},
        )

    @api.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        status = exc.code or 500
        words = {
            404: ("not_found", "There is no such address in the API; see /api/v1/openapi.json."),
            405: ("method_not_allowed", "This address does not answer that method; see /api/v1/openapi.json."),
            413: ("too_large", "The request body is larger than the API accepts."),
        }
        code, message = words.get(status, ("bad_request" if status < 500 else "internal_error", exc.description or ""))
        return _error(status, code, message)

    @api.errorhandler(Exception)
    def _bug(exc: Exception) -> Response:
        log.exception("The point-of-sale API failed", exc_info=exc)
        return _error(500, "internal_error", "Something went wrong; nothing was changed.")
