"""The claim site outlives its database server: PostgreSQL restarted or stopped under a running
`voucher-batches serve`, the site says "try again in a moment" (503) while it is away and serves
claims again by itself within seconds of its return, without being restarted."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from werkzeug.security import generate_password_hash

from app.core import batches, db, members, settings, templates
from tests.pg_cluster import free_port, private_cluster

from .conftest import PASSWORD, QUICK_HASH, Browser, claim_path, visible

ROOT = Path(__file__).resolve().parents[2]
BACK_WITHIN = 10.0  # seconds after the database returns by which the site must serve claims again


@pytest.fixture
def cluster(monkeypatch):
    monkeypatch.delenv(db.ENV_VAR, raising=False)
    running = private_cluster()
    yield running
    db.close_database()
    running.stop_for_good()


def _prepare(url: str, port: int, quantity: int = 10):
    """A store on the cluster: one batch, three members who can log in."""
    db.open_database(url)
    settings.save(settings.Settings(store_name="Corner Shop", public_base_url=f"http://127.0.0.1:{port}"))
    offer = templates.create_template("10% off", "10%", min_purchase="20", valid_days=30, terms="One per visit")
    batch = batches.create_batch("Restart batch", offer, quantity, "Email", "")
    emails = [members.create_member(f"m{n}@example.com", generate_password_hash(PASSWORD, QUICK_HASH), "").email for n in range(3)]
    db.close_database()
    return batch, emails


def _serve(url: str, port: int, *extra: str) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--db", url, "--host", "127.0.0.1", "--port", str(port), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    for line in process.stdout:
        if "Press Ctrl+C to stop." in line:
            return process
    raise AssertionError(f"the claim site did not start: {process.stderr.read()}")


def _stop(process: subprocess.Popen) -> str:
    process.terminate()
    try:
        _, err = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
    return err


def _until(check, seconds: float):
    """check() until it returns something true, for at most `seconds`; its last answer."""
    deadline = time.monotonic() + seconds
    while True:
        answer = check()
        if answer or time.monotonic() > deadline:
            return answer
        time.sleep(0.2)


def _claims(browser: Browser, batch) -> bool:
    page = browser.get(claim_path(batch))
    if page.status != 200:
        return False
    answer = browser.post(claim_path(batch), {"csrf_token": page.csrf}, csrf=False)
    return answer.status == 200 and "Voucher claimed!" in visible(answer.text)


def _warm(base: str, path: str) -> None:
    """Requests at once, so that many of the server's threads hold a database connection."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(16) as pool:
        assert set(pool.map(lambda _: Browser(base).get(path).status, range(48))) == {200}


def _steady(browser: Browser, path: str, times: int = 20) -> bool:
    """The page answers `times` times in a row: no server thread is left with a dead connection."""
    return all(browser.get(path).status == 200 for _ in range(times))


def _says_try_again(page) -> bool:
    return page.status == 503 and "try again in a moment" in visible(page.text).lower() and page.headers["Retry-After"]


def test_the_claim_site_recovers_by_itself_after_postgresql_restarts(cluster):
    port = free_port()
    batch, emails = _prepare(cluster.url, port)
    site = _serve(cluster.url, port)
    try:
        base = f"http://127.0.0.1:{port}"
        shoppers = []
        for email in emails:
            shopper = Browser(base)
            assert shopper.log_in(email).status == 200
            assert shopper.get(claim_path(batch)).status == 200  # every one holds a connection now
            shoppers.append(shopper)

        _warm(base, claim_path(batch))
        cluster.restart()  # every connection the site holds is dead now
        assert _until(lambda: _steady(shoppers[0], claim_path(batch)), BACK_WITHIN), "still failing 10 s after the restart"
        assert _claims(shoppers[0], batch)

        cluster.stop()
        for path in (claim_path(batch), "/en-us/my-cards"):
            page = shoppers[1].get(path)
            assert _says_try_again(page), (path, page.status, visible(page.text)[:300])
        health = shoppers[1].get("/healthz")
        assert health.status == 503 and '"unavailable"' in health.text

        cluster.start()
        back = time.monotonic()
        assert _until(lambda: _claims(shoppers[1], batch), BACK_WITHIN), "no claim within 10 s of the database's return"
        assert time.monotonic() - back < BACK_WITHIN
        assert _claims(shoppers[2], batch)
        assert shoppers[0].get("/healthz").status == 200
    finally:
        err = _stop(site)
    assert "Traceback" not in err, err
    db.open_database(cluster.url)
    held = db.run_sql("SELECT COUNT(*) FROM voucher WHERE batch_id = :batch AND member_id IS NOT NULL", {"batch": batch.id})
    assert batches.get_batch(batch.id).claimed == held.fetchone()[0] == 3  # one each, counted once
