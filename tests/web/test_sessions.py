"""A member's session cookie: checked once and then remembered (for speed), yet an old, altered or
foreign cookie is still refused, however often the good one was seen before."""

from __future__ import annotations

import time

from app.web import create_app, site

from .helpers import log_in


def _session_cookie(client) -> str:
    return client.get_cookie("voucher_session").value


def test_a_remembered_session_still_ends_when_its_lifetime_is_over(db_path, member_with_password, monkeypatch):
    app = create_app({"SETTINGS_MAX_AGE": 0, "PERMANENT_SESSION_LIFETIME": 3600})
    client = app.test_client()
    log_in(client, member_with_password().email)
    for _ in range(2):  # read, then remembered
        assert client.get("/en-us/my-cards").status_code == 200
    later = time.time() + 3601
    monkeypatch.setattr(site.time, "time", lambda: later)
    answer = client.get("/en-us/my-cards")
    assert answer.status_code == 303 and "/en-us/login" in answer.headers["Location"]


def test_an_altered_cookie_or_one_signed_with_another_key_is_refused(db_path, member_with_password):
    app = create_app({"SETTINGS_MAX_AGE": 0})
    client = app.test_client()
    log_in(client, member_with_password().email)
    good = _session_cookie(client)
    assert client.get("/en-us/my-cards").status_code == 200
    other = create_app({"SETTINGS_MAX_AGE": 0, "SECRET_KEY": "another site's key"}).test_client()
    other.set_cookie("voucher_session", good)
    assert other.get("/en-us/my-cards").status_code == 303  # the other site never trusts our cookie
    client.set_cookie("voucher_session", good[:-2] + ("AA" if not good.endswith("AA") else "BB"))
    assert client.get("/en-us/my-cards").status_code == 303
