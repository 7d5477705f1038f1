"""A member's session cookie: checked once and then remembered (for speed), yet an old, altered or
foreign cookie is still refused, however often the good one was seen before."""

from __future__ import annotations

import time

from app.web import create_app, site

from .helpers import csrf_from, log_in


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


def test_a_member_who_keeps_coming_back_stays_logged_in_and_logging_out_still_ends_it(
    db_path, member_with_password, monkeypatch
):
    app = create_app({"SETTINGS_MAX_AGE": 0})
    phone, laptop = app.test_client(), app.test_client()
    email = member_with_password().email
    day = 24 * 3600
    start = time.time()
    now = [start]
    monkeypatch.setattr(time, "time", lambda: now[0])  # the cookie's signature and its age read this clock
    log_in(phone, email)
    log_in(laptop, email)

    def visit(client):
        answer = client.get("/en-us/my-cards")
        return answer.status_code, "voucher_session=" in answer.headers.get("Set-Cookie", "")

    now[0] = start + 25 * day
    assert visit(phone) == (200, True)  # renewed: its 30 days start again
    now[0] = start + 25.5 * day
    assert visit(phone) == (200, False)  # renewed at most once a day
    now[0] = start + 50 * day  # 50 days after logging in, 25 after the last renewal
    assert visit(phone) == (200, True)
    assert visit(laptop)[0] == 303  # not opened for 50 days: logged out
    log_in(laptop, email)
    token = csrf_from(laptop.get("/en-us/my-cards").text)
    laptop.post("/en-us/logout", data={"csrf_token": token})  # logout ends every session, renewed ones too
    assert visit(phone)[0] == 303
