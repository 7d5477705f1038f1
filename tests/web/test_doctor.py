"""doctor against a real claim site serving this database."""

from __future__ import annotations

import peewee

from app.core import doctor, settings, store


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


def _hosted_at(url: str) -> None:
    config = settings.load()
    config.public_base_url, config.claim_site = url, settings.HOSTED
    settings.save(config)


def test_doctor_asks_the_hosted_claim_site_at_its_public_url(server):
    _hosted_at(server.url)
    checks = {check.name: check for check in doctor.run_checks()}
    assert checks["claim_site"].status == "ok"
    assert checks["claim_site"].message == f"Claim site hosted at {server.url}: answering"
    assert checks["port"].status == "ok" and "needs no port" in checks["port"].message
    assert "listens on port" not in checks["claim_link"].message  # this PC's port is not the hosted site's


def test_doctor_says_when_the_hosted_site_answers_but_its_database_is_away(server, monkeypatch):
    from app.core.errors import DatabaseProblem

    _hosted_at(server.url)

    def away():
        raise DatabaseProblem("The database server of postgresql://db/vouchers does not answer.") from (
            peewee.OperationalError("could not connect to server: Connection refused")
        )

    monkeypatch.setattr(store, "check_reachable", away)  # as the hosted site's own database would fail it
    check = doctor.check_hosted_site(server.url)
    assert check.status == "problem"
    assert (
        check.message == f"Claim site hosted at {server.url}: answering, but its database is unavailable (unreachable)"
    )


def test_doctor_says_when_the_hosted_site_does_not_answer(db_path):
    import socket

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}"  # bound, never listening: refused
        _hosted_at(url)
        check = {check.name: check for check in doctor.run_checks()}["claim_site"]
    assert check.status == "problem"
    assert check.message == f"Claim site hosted at {url}: not answering (Connection refused)"
    assert doctor.check_hosted_site(url + "/").message == check.message


def test_a_hosted_claim_site_needs_a_public_url(db_path):
    import pytest

    from app.core.errors import InvalidInput

    config = settings.load()
    config.public_base_url, config.claim_site = "", settings.HOSTED
    with pytest.raises(InvalidInput, match="answers at the public base URL"):
        settings.save(config)
    config.claim_site = "elsewhere"
    with pytest.raises(InvalidInput, match="'local' \\(on this PC\\) or 'hosted'"):
        settings.save(config)
