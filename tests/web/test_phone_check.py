""" "Scan this QR with your phone": the claim site notes the first other device that opens the check's link."""

from __future__ import annotations

from app.core import reach
from app.web.site import create_app


def test_a_phone_opening_the_checks_link_is_noted_and_this_pc_is_not(db_path):
    client = create_app({"SETTINGS_MAX_AGE": 0}).test_client()
    token = reach.start()
    assert reach.link("http://192.168.1.20:8080/", token) == f"http://192.168.1.20:8080/en-us/phone-check/{token}"
    here = client.get(f"/en-us/phone-check/{token}", environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert here.status_code == 200 and reach.seen(token) is None  # this PC's own browser proves nothing
    phone = client.get(f"/en-us/phone-check/{token}", environ_base={"REMOTE_ADDR": "192.168.1.23"})
    assert phone.status_code == 200 and "This phone reaches the claim site" in phone.get_data(as_text=True)
    assert phone.headers["Cache-Control"] == "no-store"
    assert reach.seen(token).address == "192.168.1.23"
    client.get(f"/en-us/phone-check/{token}", environ_base={"REMOTE_ADDR": "192.168.1.99"})
    assert reach.seen(token).address == "192.168.1.23"  # the first one is kept
    again = reach.start()  # a new check starts from nothing
    assert reach.seen(again) is None and reach.seen(token) is None
    assert client.get(f"/en-us/phone-check/{token}", environ_base={"REMOTE_ADDR": "192.168.1.5"}).status_code == 404
    assert reach.seen(again) is None
