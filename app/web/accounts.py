"""Member accounts on the claim site: create one, log in, the logged-in member, log out."""

from __future__ import annotations

import functools
import math
from functools import lru_cache
from typing import TYPE_CHECKING, TypeGuard

from flask import (
    Blueprint,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.security import check_password_hash, generate_password_hash

from app.core import members, vouchers
from app.core.errors import AccountExists, InvalidInput

from .security import new_csrf_token, safe_next

if TYPE_CHECKING:
    from app.core.store.models import Member

bp = Blueprint("accounts", __name__)

BAD_LOGIN = "The email or password is not right. Check them and try again."


def after_login_target() -> str:
    return safe_next(request.values.get("next"), url_for("pages.my_cards"))


def start_member_session(member_id: int, generation: int) -> None:
    """A fresh session for the member: nothing from before login survives, the CSRF token included.
    It carries the member's session generation: raising that ends it (see current_member)."""
    session.clear()
    session.permanent = True
    session["member_id"] = member_id
    session["generation"] = generation
    g.pop("member", None)
    new_csrf_token()


def members_only(view):
    """A view for a logged-in member, who is passed to it first; anyone else goes to the login
    page, which comes back here afterwards."""

    @functools.wraps(view)
    def checked(*args, **kwargs):
        member = current_member()
        if member is None:
            return redirect(url_for("accounts.login", next=request.path), 303)
        return view(member, *args, **kwargs)

    return checked


def current_member() -> members.SessionMember | None:
    """The logged-in member, while their session is still good: a session ended by logging out,
    a new password, the store's "sign out everywhere" or erasure is dropped here, whoever holds a
    copy of its cookie. One read by primary key per request that uses the member, no write."""
    if "member" not in g:
        g.member = None
        member_id = session.get("member_id")
        if member_id is not None:
            g.member = members.session_member(member_id, session.get("generation", -1))
            if g.member is None:
                session.clear()  # and the browser is told to forget the cookie
    return g.member


def hash_password(password: str) -> str:
    """A password as it is stored: slow and salted (the site's configured method)."""
    return generate_password_hash(password, current_app.config["PASSWORD_HASH_METHOD"])


@lru_cache(maxsize=4)
def _decoy_hash(method: str) -> str:
    """Checked against when the email has no account, so that answer takes as long as a wrong password."""
    return generate_password_hash("not the password of anyone", method)


def _password_matches(member: Member | None, password: str) -> TypeGuard[Member]:
    """One hash checked on every attempt, whether or not the email has an account and whatever
    the password (an empty one too): the answer takes as long either way."""
    stored = member.password_hash if member is not None else _decoy_hash(current_app.config["PASSWORD_HASH_METHOD"])
    matches = check_password_hash(stored, password)
    return matches and member is not None and password != ""


def _wait_message(seconds: float) -> str:
    seconds = math.ceil(seconds)
    if seconds >= 90:
        return f"Too many failed attempts. Logging in is locked for {math.ceil(seconds / 60)} minutes; try again later."
    return f"Too many failed attempts. Wait {seconds} second{'s' if seconds != 1 else ''} and try again."


@bp.route("/en-us/login", methods=["GET", "POST"])
def login():
    next_target = after_login_target()
    if request.method == "GET":
        if current_member() is not None:  # already in: go on where the link was heading
            return redirect(next_target, 303)
        return render_template("login.html", next=next_target, email="", error=None)
    email = members.normalise_email(request.form.get("email", ""))[:254]
    password = request.form.get("password", "")[: members.MAX_PASSWORD]
    address = request.remote_addr or ""
    throttle = current_app.extensions["login_throttle"]
    wait = throttle.attempt(email, address)  # counted as a failure from here until it succeeds
    if wait > 0:
        return render_template("login.html", next=next_target, email=email, error=_wait_message(wait)), 429
    member = members.find_member(email) if email else None
    if not _password_matches(member, password):
        throttle.attempt_failed(address)
        return render_template("login.html", next=next_target, email=email, error=BAD_LOGIN), 401
    throttle.succeeded(email)
    start_member_session(member.id, member.session_generation)
    return redirect(next_target, 303)


@bp.route("/en-us/register", methods=["GET", "POST"])
def register():
    next_target = after_login_target()
    form = {"email": request.form.get("email", "").strip(), "name": request.form.get("name", "").strip()}
    if request.method == "GET":
        if current_member() is not None:
            return redirect(next_target, 303)
        return render_template("register.html", next=next_target, form=form, errors={})
    errors = {}
    password = request.form.get("password", "")
    try:
        members.validate_email(form["email"])
    except InvalidInput as exc:
        errors["email"] = str(exc)
    try:
        members.validate_password(password, form["email"])
    except InvalidInput as exc:
        errors["password"] = str(exc)
    if len(form["name"]) > 120:
        errors["name"] = "A name is at most 120 characters."
    if errors:
        return render_template("register.html", next=next_target, form=form, errors=errors), 400
    # Every attempt counts, not only the accounts made: "already exists" must not be a free oracle.
    if current_app.extensions["registration_limit"].take(request.remote_addr or "") > 0:
        errors["form"] = "Too many accounts were created from this device. Try again later."
        return render_template("register.html", next=next_target, form=form, errors=errors), 429
    try:
        member = members.create_member(form["email"], hash_password(password), form["name"])
    except AccountExists as exc:
        errors["email"] = str(exc)
        return render_template("register.html", next=next_target, form=form, errors=errors, taken=True), 400
    start_member_session(member.id, member.session_generation)
    return redirect(next_target, 303)


@bp.route("/en-us/account/delete", methods=["GET", "POST"])
@members_only
def delete_account(member):
    """A member deletes their own account (after a confirmation page): the same as the store's erase."""
    if request.method == "GET":
        return render_template("delete_account.html", held=len(vouchers.for_member(member.id)))
    members.erase_member(member.id)
    session.clear()
    g.member = None
    return render_template("account_deleted.html")


@bp.post("/en-us/logout")
def logout():
    """Log out here and everywhere: every session of the member, and every copy of its cookie, ends."""
    member = current_member()
    if member is not None:
        members.sign_out_everywhere(member.id)
    session.clear()
    return redirect(url_for("pages.home"), 303)
