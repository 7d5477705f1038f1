"""Passwords on the claim site: how to get a reset, the one-time reset link, and changing one.

Nothing is emailed (no mail is configured): the store hands the member a reset link."""

from __future__ import annotations

from typing import cast

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from werkzeug.security import check_password_hash

from app.core import members
from app.core.errors import InvalidInput, NotFound

from .accounts import hash_password, members_only, start_member_session

bp = Blueprint("passwords", __name__)

WRONG_CURRENT = "That is not your current password."
# Said on My Cards after the change, so that the member knows it worked (and what else it did).
CHANGED = "Your password has been changed. Every other phone and browser is logged out; this one stays logged in."
RESET = "Your new password is saved and you are logged in. Every other phone and browser is logged out."


@bp.get("/en-us/forgot-password")
def forgot_password():
    return render_template("forgot_password.html")


def _new_password(email: str) -> tuple[str | None, str | None]:
    """The new password of the form, checked by the one rule, and the sentence if it breaks it."""
    password = request.form.get("password", "")
    try:
        return members.validate_password(password, email), None
    except InvalidInput as exc:
        return None, str(exc)


@bp.route("/en-us/reset/<code>", methods=["GET", "POST"])
def reset_password(code: str):
    """The link the store handed over: choose a new password once, within 24 hours; then logged in."""
    email = members.reset_code_email(code)
    if email is None:
        return render_template("reset_password.html", usable=False, refused=members.RESET_REFUSED), 404
    if request.method == "GET":
        return render_template("reset_password.html", usable=True, email=email, error=None)
    password, error = _new_password(email)
    if error is not None:
        return render_template("reset_password.html", usable=True, email=email, error=error), 400
    try:
        member = members.reset_password(code, hash_password(cast(str, password)))  # no error: a password
    except NotFound as exc:  # used or replaced in the meantime
        return render_template("reset_password.html", usable=False, refused=str(exc)), 404
    start_member_session(member.id, member.generation)
    flash(RESET)
    return redirect(url_for("pages.my_cards"), 303)


@bp.route("/en-us/password", methods=["GET", "POST"])
@members_only
def change_password(member):
    """A new password for the logged-in member, who gives the current one: every other session ends."""
    if request.method == "GET":
        return render_template("change_password.html", errors={})
    throttle = current_app.extensions["login_throttle"]  # a stolen session must not be a way to guess
    address = request.remote_addr or ""
    stored = members.get_member(member.id)
    if throttle.attempt(member.email, address) > 0:
        return render_template(
            "change_password.html", errors={"current": "Too many failed attempts. Try again later."}
        ), 429
    current = request.form.get("current_password", "")[: members.MAX_PASSWORD]
    if stored is None or not check_password_hash(stored.password_hash, current):
        throttle.attempt_failed(address)
        return render_template("change_password.html", errors={"current": WRONG_CURRENT}), 400
    throttle.succeeded(member.email)
    password, error = _new_password(member.email)
    if error is not None:
        return render_template("change_password.html", errors={"password": error}), 400
    renewed = members.change_password(member.id, hash_password(cast(str, password)))  # no error: a password
    start_member_session(renewed.id, renewed.generation)
    flash(CHANGED)
    return redirect(url_for("pages.my_cards"), 303)
