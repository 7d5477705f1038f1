"""The vouchers table model, tested without any widget: it knows its row count at once and reads only
the pages asked for, into a small cache."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.core import claims, vouchers
from app.gui.pages.voucher_model import (
    CLAIM,
    CODE,
    LOADING,
    MEMBER,
    REDEMPTION,
    RowRole,
    VoucherTableModel,
)


class CountingRunner:
    """run_task, synchronous, counting the page reads."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, fn, on_done=None, on_error=None, **_kwargs):
        self.calls += 1
        try:
            result = fn()
        except Exception as exc:  # as run_task does: the error goes to on_error
            on_error(exc)
        else:
            on_done(result)


def ask(model: VoucherTableModel, row: int, role=Qt.ItemDataRole.DisplayRole, column: int = CODE):
    """What the view would get for a cell; a page asked for is read on the next turn of the loop."""
    return model.data(model.index(row, column), role)


@pytest.fixture
def runner():
    return CountingRunner()


def test_row_count_is_known_before_any_page_but_the_first(qtbot, make_batch, runner):
    batch = make_batch(quantity=1_000)
    model = VoucherTableModel(batch.id, page_size=50, cache_pages=4, runner=runner)
    model.set_filter(None, "")
    assert model.rowCount() == 1_000
    assert model.columnCount() == 6
    assert runner.calls == 2  # the count and the first page, then the page starts: nothing else was read
    assert model.row_at(49) is not None and model.row_at(50) is None
    first = ask(model, 0, RowRole)
    assert first.code == vouchers.page(batch.id, limit=1)[0].code


def test_a_row_far_down_is_read_as_one_page_when_asked(qtbot, make_batch, runner):
    batch = make_batch(quantity=1_000)
    model = VoucherTableModel(batch.id, page_size=50, cache_pages=4, runner=runner)
    model.set_filter(None, "")
    reads = runner.calls
    assert ask(model, 990) == LOADING
    with qtbot.waitSignal(model.dataChanged):
        pass
    assert runner.calls == reads + 1
    last_codes = [row.code for row in vouchers.page(batch.id, limit=1_000)][950:]
    assert ask(model, 990) == last_codes[40]
    assert ask(model, 999) == last_codes[49]


def test_the_cache_keeps_only_a_few_pages(qtbot, make_batch, runner):
    batch = make_batch(quantity=1_000)
    model = VoucherTableModel(batch.id, page_size=50, cache_pages=4, runner=runner)
    model.set_filter(None, "")
    for row in range(0, 1_000, 50):
        ask(model, row)
        qtbot.waitUntil(lambda row=row: model.row_at(row) is not None)
    in_memory = [page for page in range(20) if model.row_at(page * 50) is not None]
    assert in_memory == [16, 17, 18, 19]  # the four read last
    assert not model.is_loading()


def test_filter_and_search(qtbot, make_batch, make_member, runner):
    batch = make_batch(quantity=30)
    alice = make_member("alice@example.com")
    bob = make_member("bob@example.com")
    code_alice = claims.claim(batch.token, alice.id).voucher.code
    code_bob = claims.claim(batch.token, bob.id).voucher.code
    claims.redeem(code_bob)
    model = VoucherTableModel(batch.id, runner=runner)

    model.set_filter("unclaimed", "")
    assert model.rowCount() == 28
    assert {ask(model, row, column=CLAIM) for row in range(28)} == {"Unclaimed"}

    model.set_filter("claimed", "")
    assert model.rowCount() == 1
    assert ask(model, 0) == code_alice
    assert ask(model, 0, column=MEMBER) == "alice@example.com"
    assert ask(model, 0, column=REDEMPTION) == "Not redeemed"

    model.set_filter("redeemed", "")
    assert [ask(model, 0), ask(model, 0, column=REDEMPTION)] == [code_bob, "Redeemed"]

    model.set_filter(None, "bob@")
    assert model.rowCount() == 1 and ask(model, 0) == code_bob

    sloppy = code_alice.lower().replace("-", " ")[:7]  # as typed at a till
    model.set_filter(None, sloppy)
    assert model.rowCount() == 1 and ask(model, 0) == code_alice


def test_an_error_becomes_a_sentence(qtbot, make_batch, runner):
    model = VoucherTableModel(424242, runner=runner)
    with qtbot.waitSignal(model.failed) as failed:
        model.set_filter(None, "")
    assert failed.args == ["There is no batch with id 424242."]
    assert model.rowCount() == 0


def test_the_real_worker_loads_pages_off_the_gui_thread(qtbot, make_batch):
    batch = make_batch(quantity=500)
    model = VoucherTableModel(batch.id, page_size=40)
    with qtbot.waitSignal(model.loaded):
        model.set_filter(None, "")
    assert model.rowCount() == 500
    assert ask(model, 499) == LOADING
    qtbot.waitUntil(lambda: model.row_at(499) is not None)
    assert not model.is_loading()


def test_rows_that_went_away_stay_empty_instead_of_loading(qtbot, make_batch, make_member, runner):
    batch = make_batch(quantity=10)
    claimed = [claims.claim(batch.token, make_member().id).voucher.code for _ in range(3)]
    model = VoucherTableModel(batch.id, page_size=2, runner=runner)
    model.set_filter("claimed", "")
    assert model.rowCount() == 3
    claims.redeem(claimed[2])  # meanwhile, at the till: it leaves the "claimed" filter
    assert ask(model, 2) == LOADING
    qtbot.waitUntil(lambda: not model.is_loading())
    assert ask(model, 2) == ""
    assert [ask(model, 0), ask(model, 1)] == claimed[:2]


def load_every_page(qtbot, model: VoucherTableModel, status) -> None:
    with qtbot.waitSignal(model.loaded):
        model.set_filter(status, "")
    for row in range(0, model.rowCount(), model.page_size):
        ask(model, row)
        qtbot.waitUntil(lambda row=row: model.row_at(row) is not None)
    qtbot.waitUntil(lambda: not model.is_loading())


@pytest.mark.parametrize("status", [None, "unclaimed", "claimed", "redeemed"])
def test_the_model_keeps_qts_rules_with_data_loaded(qtbot, qtmodeltester, make_batch, make_member, status):
    """Qt's own model checks (pytest-qt's qtmodeltester) with every page read, and through a reload."""
    batch = make_batch(quantity=250)
    for n in range(6):
        voucher = claims.claim(batch.token, make_member().id).voucher
        if n % 2:
            claims.redeem(voucher.code)
    model = VoucherTableModel(batch.id, page_size=40)
    load_every_page(qtbot, model, status)
    assert model.rowCount() == {None: 250, "unclaimed": 244, "claimed": 3, "redeemed": 3}[status]
    qtmodeltester.check(model, force_py=True)  # it stays attached, and watches the reload that follows
    load_every_page(qtbot, model, status)
    assert model.row_at(model.rowCount() - 1) is not None
