"""GET /en-us/phone-check/<token>: the page a manager's phone opens from the "scan this QR with your
phone" check; the window turns the check green once a device other than this PC has opened it."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from app.core import reach

bp = Blueprint("reach", __name__)


@bp.get(reach.PATH + "<token>")
def phone_check(token: str):
    if len(token) > 64 or not reach.visit(token, request.remote_addr or ""):
        abort(404)
    return render_template("phone_check.html"), 200, {"Cache-Control": "no-store"}
