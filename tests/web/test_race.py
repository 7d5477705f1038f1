"""Many members claiming one batch at once, over HTTP: never more claims than vouchers, never two for one member."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from app.core import batches, vouchers
from app.core.store.models import Voucher

from .helpers import Browser, claim_path

CLIENTS = 50
MEMBERS = 1000
QUANTITY = 300


@pytest.mark.slow
def test_fifty_clients_and_a_thousand_members_get_exactly_three_hundred_vouchers(
    server_process, db_path, make_batch, member_with_password
):
    batch = make_batch(quantity=QUANTITY, name="Doorbuster")
    everyone = [member_with_password(f"racer{n}@example.com") for n in range(MEMBERS)]
    start_together = threading.Barrier(CLIENTS)

    def client(members):
        browsers = []
        for member in members:
            browser = Browser(server_process)
            page = browser.log_in(member.email, next_path=claim_path(batch))
            assert page.status == 200 and "Claim voucher" in page.text, page.status
            browsers.append(browser)
        start_together.wait(timeout=60)
        results = []
        for browser in browsers:
            page = browser.post(claim_path(batch))
            code = re.search(r'<p class="code">([^<]+)</p>', page.text)
            results.append((page.status, "No vouchers available" in page.text, code.group(1) if code else None))
        return results

    with ThreadPoolExecutor(CLIENTS) as pool:
        shares = [everyone[n::CLIENTS] for n in range(CLIENTS)]
        results = [r for share in pool.map(client, shares) for r in share]

    statuses = Counter(status for status, _, _ in results)
    assert not [s for s in statuses if s >= 500], statuses
    assert statuses == {200: QUANTITY, 409: MEMBERS - QUANTITY}
    assert sum(sold_out for _, sold_out, _ in results) == MEMBERS - QUANTITY
    codes = [code for _, _, code in results if code]
    assert len(codes) == len(set(codes)) == QUANTITY

    # What the members were shown is what the database holds.
    assert batches.get_batch(batch.id).claimed == QUANTITY
    claimed = list(
        Voucher.select(Voucher.member).where(Voucher.batch == batch.id, Voucher.member.is_null(False)).tuples()
    )
    assert len(claimed) == len({m for (m,) in claimed}) == QUANTITY
    assert {vouchers.lookup(code).member for code in codes} == {
        m.email for m in everyone if m.id in {m for (m,) in claimed}
    }

    # `voucher-batches batch list`, another process on the same file, sees every claim at once.
    listed = subprocess.run(
        [sys.executable, "-m", "app.cli", "batch", "list", "--json", "--db", str(db_path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    [row] = [b for b in json.loads(listed.stdout) if b["name"] == "Doorbuster"]
    assert (row["claimed"], row["available"]) == (QUANTITY, 0)
