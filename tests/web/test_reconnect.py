"""The claim site outlives its database server: PostgreSQL restarted or stopped under a running
`voucher-batches serve`, the site says "try again in a moment" (503) while it is away and serves
claims again by itself within seconds of its return, without being restarted."""

from __future__ import annotations

import time

import pytest
from werkzeug.security import generate_password_hash

from app.core import batches, members, settings, store, templates
from tests.helpers.ports import free_port
from tests.helpers.serving import start_serve, stop_serve, until

from .helpers import PASSWORD, QUICK_HASH, Browser, claim_path, visible

BACK_WITHIN = 10.0  # seconds after the database returns by which the site must serve claims again


def _prepare(url: str, port: int, quantity: int = 10):
    """A store on the cluster: one batch, three members who can log in."""
    store.open_database(url)
    settings.save(settings.Settings(store_name="Corner Shop", public_base_url=f"http://127.0.0.1:{port}"))
    offer = templates.create_template("10% off", "10%", min_purchase="20", valid_days=30, terms="One per visit")
    batch = batches.create_batch("Restart batch", offer, quantity, "Email", "")
    emails = [
        members.create_member(f"m{n}@example.com", generate_password_hash(PASSWORD, QUICK_HASH), "").email
        for n in range(3)
    ]
    store.close_database()
    return batch, emails


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


@pytest.mark.parametrize("workers", ["1", "2"])
def test_the_claim_site_recovers_by_itself_after_postgresql_restarts(cluster, workers):
    port = free_port()
    batch, emails = _prepare(cluster.url, port)
    site = start_serve(cluster.url, port, "--workers", workers)
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
        for _ in range(5):  # whichever thread answers: the page, or "try again in a moment", never a bare 500
            page = shoppers[0].get(claim_path(batch))
            assert page.status == 200 or _says_try_again(page), (page.status, visible(page.text)[:300])
        assert until(lambda: _steady(shoppers[0], claim_path(batch)), BACK_WITHIN), (
            "still failing 10 s after the restart"
        )
        assert _claims(shoppers[0], batch)

        cluster.stop()
        for path in (claim_path(batch), "/en-us/my-cards"):
            page = shoppers[1].get(path)
            assert _says_try_again(page), (path, page.status, visible(page.text)[:300])
        health = shoppers[1].get("/healthz")
        assert health.status == 503 and '"unavailable"' in health.text

        cluster.start()
        back = time.monotonic()
        assert until(lambda: _claims(shoppers[1], batch), BACK_WITHIN), "no claim within 10 s of the database's return"
        assert time.monotonic() - back < BACK_WITHIN
        assert _claims(shoppers[2], batch)
        assert shoppers[0].get("/healthz").status == 200
    finally:
        _, _, err = stop_serve(site)
    assert "Traceback" not in err, err
    store.open_database(cluster.url)
    held = store.run_sql(
        "SELECT COUNT(*) FROM voucher WHERE batch_id = :batch AND member_id IS NOT NULL", {"batch": batch.id}
    )
    assert batches.get_batch(batch.id).claimed == held.fetchone()[0] == 3  # one each, counted once
