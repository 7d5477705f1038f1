"""GET /healthz: whether the claim site and its database answer, for a monitor, a proxy or `doctor`."""

from __future__ import annotations

from flask import Blueprint, jsonify

from app import __version__
from app.core import settings, store
from app.core.errors import VoucherError

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    try:
        store.check_reachable()
        database_id = settings.database_id()
    except VoucherError as exc:
        response = jsonify(status="unavailable", database=str(exc))
        response.status_code = 503
        response.headers["Retry-After"] = "5"
        return response
    response = jsonify(status="ok", database="ok", database_id=database_id, version=__version__)
    response.headers["Cache-Control"] = "no-store"
    return response
