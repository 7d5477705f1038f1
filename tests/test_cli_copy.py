"""`voucher-batches copy-to URL`, as a manager moving the store onto a server runs it: what it says,
and its refusal while this PC's claim site still hands out vouchers from the database."""

from __future__ import annotations

import sys

import pytest

from app import cli
from app.core import batches, claims, settings, store
from tests.helpers.ports import free_port
from tests.helpers.serving import start_serve, stop_serve

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="the private PostgreSQL cluster needs Debian's server programs"
)


def copy_to(source, url, capsys) -> tuple[int, str, str]:
    store.close_database()
    try:
        code = cli.main(["--db", str(source), "copy-to", url, "--quiet"])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_copy_to_says_what_it_copied_and_where_the_links_point(db_path, make_batch, make_member, cluster, capsys):
    batch = make_batch(quantity=40)
    claims.claim(batch.token, make_member().id)
    code, out, err = copy_to(db_path, cluster.url, capsys)
    assert code == 0, err
    assert f"Copied to {cluster.url}: 1 template, 1 batch with 40 vouchers, 1 member and " in out
    assert "This database is left as it was." in out
    assert "The claim links keep their address (http://shop.test:8080)" in out
    store.open_database(cluster.url)
    assert [(b.name, b.total, b.claimed) for b in batches.list_batches()] == [(batch.name, 40, 1)]

    code, out, err = copy_to(db_path, cluster.url, capsys)  # again: the target holds the store now
    assert code == 2 and "already holds a store's data" in err and "Nothing was copied." in err


def test_copy_to_is_refused_while_this_pcs_claim_site_serves_the_database(db_path, make_batch, cluster, capsys):
    port = free_port()
    current = settings.load()
    current.port = port
    settings.save(current)  # before the batch: once links are out, their port is the site's
    make_batch(quantity=5)
    site = start_serve(str(db_path), port)
    try:
        code, out, err = copy_to(db_path, cluster.url, capsys)
    finally:
        stop_serve(site)
    assert code == 2 and f"The claim site on port {port} of this PC serves this database" in err
    assert "Nothing was copied." in err and out == ""
    code, out, err = copy_to(db_path, cluster.url, capsys)  # once it is stopped
    assert code == 0 and "1 batch with 5 vouchers" in out, err


def test_copy_to_says_when_the_copys_links_carry_the_servers_address(db_path, make_batch, cluster, capsys):
    make_batch(quantity=5)
    store.open_database(cluster.url)  # the hosted guide's step 5, on the server's database first
    settings.save(
        settings.Settings(store_name="Corner Shop", public_base_url="https://vouchers.shop.test", claim_site="hosted")
    )
    code, out, err = copy_to(db_path, cluster.url, capsys)
    assert code == 0, err
    assert (
        "The server's own claim-site settings were kept: claim_site, host, port, public_base_url, trusted_proxy." in out
    )
    assert (
        "The copy's claim links carry the server's address (https://vouchers.shop.test); links and posters "
        "already out carry http://shop.test:8080"
    ) in out
