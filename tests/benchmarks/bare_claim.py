"""The reference of bench_claim_site.py: a bare Flask app doing the same claim on the same schema.

What a developer would write by hand for the claim link and nothing else: Flask's own signed-cookie
session (the member's id and session generation, a CSRF token), one read of the member per request
(a session ended elsewhere is refused, as the rules say), the claim in one transaction of plain SQL
on the driver (the batch, the member's voucher of it, the first free voucher, the batch's counter,
the quarter hour's claim count and the expiry count), and a page made by an f-string. No Jinja, no
blueprint, no wording. It is served by the claim site's own server (app.web.server.start_server:
the same channel, without the spinning loop, and the same threads), so the comparison measures the
claim path and not the loop.

Its routes answer as the claim site's do for what the benchmark's clients use: /en-us/login (GET, a
form with csrf_token; POST, 303 and a cookie), /en-us/my-cards (a csrf_token) and POST
/en-us/claim/<token> ("Voucher claimed!" and the code).
"""

from __future__ import annotations

import html
import secrets
import sqlite3
import threading
from datetime import datetime, timedelta, timezone

from flask import Flask, abort, redirect, request, session

UNCLAIMED, CLAIMED = 0, 1  # app.core.store.models' numbering of voucher.status
SLOT_SECONDS = 900
_EPOCH = datetime(1970, 1, 1)

_FORM = '<form method="post"><input type="hidden" name="csrf_token" value="{token}"></form>'


class Database:
    """One connection a thread; SQL written with %s, turned into ? for SQLite."""

    def __init__(self, location: str):
        self.location = location
        self.postgres = location.startswith(("postgres://", "postgresql://"))
        self.local = threading.local()

    def connection(self):
        con = getattr(self.local, "con", None)
        if con is None:
            if self.postgres:
                import psycopg2

                con = psycopg2.connect(self.location)
            else:
                con = sqlite3.connect(self.location, isolation_level=None, check_same_thread=False)
                con.execute("PRAGMA journal_mode = wal")
                con.execute("PRAGMA synchronous = normal")
                con.execute("PRAGMA busy_timeout = 10000")
            self.local.con = con
        return con

    def sql(self, text: str) -> str:
        return text if self.postgres else text.replace("%s", "?")

    def one(self, text: str, params: tuple):
        cursor = self.connection().cursor()
        cursor.execute(self.sql(text), params)
        return cursor.fetchone()

    def stamp(self, moment: datetime):
        return moment if self.postgres else str(moment)


def _slot(moment: datetime) -> int:
    return int((moment - _EPOCH).total_seconds()) // SLOT_SECONDS


def claim(db: Database, token: str, member_id: int) -> tuple[str, str] | None:
    """(the code, the batch's name) claimed, the member's code again if claimed already, None if none left."""
    con = db.connection()
    lock = " FOR KEY SHARE OF b" if db.postgres else ""
    skip = " FOR UPDATE SKIP LOCKED" if db.postgres else ""
    cursor = con.cursor()
    if not db.postgres:
        cursor.execute("BEGIN IMMEDIATE")
    try:
        cursor.execute(
            db.sql(
                "SELECT b.id, b.name, b.status, b.quantity, b.claimed_count, t.valid_days"
                f" FROM batch b JOIN template t ON t.id = b.template_id WHERE b.token = %s{lock}"
            ),
            (token,),
        )
        batch = cursor.fetchone()
        if batch is None:
            abort(404)
        batch_id, name, status, quantity, claimed, valid_days = batch
        cursor.execute(db.sql("SELECT code FROM voucher WHERE member_id = %s AND batch_id = %s"), (member_id, batch_id))
        mine = cursor.fetchone()
        if mine is not None:
            return mine[0], name
        if status != "active" or claimed >= quantity:
            return None
        now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
        expires = now + timedelta(days=valid_days)
        cursor.execute(
            db.sql(f"SELECT id FROM voucher WHERE batch_id = %s AND status = %s ORDER BY id LIMIT 1{skip}"),
            (batch_id, UNCLAIMED),
        )
        free = cursor.fetchone()
        if free is None:
            return None
        cursor.execute(
            db.sql(
                "UPDATE voucher SET status = %s, member_id = %s, claimed_at = %s, expires_at = %s WHERE id = %s"
                " RETURNING code"
            ),
            (CLAIMED, member_id, db.stamp(now), db.stamp(expires), free[0]),
        )
        code = cursor.fetchone()[0]
        cursor.execute(db.sql("UPDATE batch SET claimed_count = claimed_count + 1 WHERE id = %s"), (batch_id,))
        cursor.execute(
            db.sql(
                "INSERT INTO slot_count (batch_id, slot, claims, redemptions) VALUES (%s, %s, 1, 0)"
                " ON CONFLICT (batch_id, slot) DO UPDATE SET claims = slot_count.claims + 1"
            ),
            (batch_id, _slot(now)),
        )
        cursor.execute(
            db.sql(
                "INSERT INTO expiry_count (batch_id, slot, vouchers) VALUES (%s, %s, 1)"
                " ON CONFLICT (batch_id, slot) DO UPDATE SET vouchers = expiry_count.vouchers + 1"
            ),
            (batch_id, _slot(expires)),
        )
        con.commit()
        return code, name
    finally:
        if db.postgres or con.in_transaction:
            con.rollback()  # after the commit: nothing to undo


def create_app(location: str) -> Flask:
    db = Database(location)
    app = Flask(__name__)
    app.secret_key = secrets.token_bytes(32)

    def member_id() -> int | None:
        found = session.get("member_id")
        if found is None:
            return None
        row = db.one(
            "SELECT id FROM member WHERE id = %s AND session_generation = %s AND erased_at IS NULL",
            (found, session.get("generation", -1)),
        )
        if db.postgres:
            db.connection().rollback()
        return row[0] if row else None

    def form() -> str:
        session.setdefault("csrf", secrets.token_urlsafe(16))
        return _FORM.format(token=session["csrf"])

    @app.get("/en-us/login")
    def login_form():
        return form()

    @app.post("/en-us/login")
    def login():
        if request.form.get("csrf_token") != session.get("csrf"):
            abort(400)
        row = db.one("SELECT id, session_generation FROM member WHERE email = %s", (request.form["email"],))
        if db.postgres:
            db.connection().rollback()
        if row is None:
            abort(403)
        session["member_id"], session["generation"] = row
        return redirect("/en-us/my-cards", 303)

    @app.get("/en-us/my-cards")
    def my_cards():
        return form()

    @app.post("/en-us/claim/<token>")
    def claim_voucher(token: str):
        member = member_id()
        if member is None:
            return redirect("/en-us/login", 303)
        if request.form.get("csrf_token") != session.get("csrf"):
            abort(400)
        claimed = claim(db, token, member)
        if claimed is None:
            return "<!doctype html><title>Sold out</title><p>No vouchers left.</p>", 409
        code, name = claimed
        return (
            f"<!doctype html><title>{html.escape(name)}</title><h1>Voucher claimed!</h1>"
            f"<p>Your code: <strong>{html.escape(code)}</strong></p>"
        )

    return app
