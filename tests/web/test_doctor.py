"""doctor against a real claim site serving this database."""

from __future__ import annotations

from app.core import doctor, settings


def test_doctor_finds_the_claim_site_serving_this_database(server):
    config = settings.load()
    config.port = server.port
    config.public_base_url = server.url
    settings.save(config)
    checks = {check.name: check for check in doctor.run_checks()}
    assert checks["claim_site"].status == "ok", checks["claim_site"].message
    assert checks["port"].status == "ok" and "this database's claim site" in checks["port"].message
    assert checks["claim_link"].status == "problem" and "only be opened on this PC" in checks["claim_link"].message


def test_doctor_says_when_the_port_is_taken_by_another_program(db_path):
    import socket

    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        config = settings.load()
        config.port = other.getsockname()[1]
        config.host = "127.0.0.1"
        settings.save(config)
        checks = {check.name: check for check in doctor.run_checks()}
    assert checks["port"].status == "problem" and "another program" in checks["port"].message
    assert checks["claim_site"].status == "warning"
