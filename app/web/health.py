"""GET /healthz: whether the claim site and its database answer, for a monitor, a proxy or `doctor`;
and which database it serves (database_id), so that `doctor` and the window can tell whether a link's
address reaches this store's claim site. Anyone may ask, so a failure is said by its kind only
("unreachable", "busy", ...): never the database's address, a file path or a server's name."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify

from app import __version__
from app.core import settings, store
from app.core.errors import VoucherError

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    try:
        store.check_reachable()
        database_id = settings.database_id()
    except VoucherError as exc:
        log.error("/healthz: %s", exc)
        response = jsonify(status="unavailable", database=store.failure_word(exc))
        response.status_code = 503
        response.headers["Retry-After"] = "5"
        response.headers["Cache-Control"] = "no-store"
        return response
    response = jsonify(status="ok", database="ok", database_id=database_id, version=__version__)
    response.headers["Cache-Control"] = "no-store"
    return response
