"""Two back offices on one database (two PCs; two processes here): a claim, a pause, a new batch and a
delete made by the other program show in this window within 2 s at the window's own refresh rate, and
when both act at once nothing is lost: the counters equal the real counts and every action is logged.

Runs on the SQLite file and, with VOUCHER_BATCHES_TEST_DB, on PostgreSQL (the case of issue 13)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from app.core import batches
from app.core.store.models import Activity, Voucher
from app.gui.controllers.live_numbers import REFRESH_MS
from tests.helpers import ROOT

from .helpers import card_of, menu_action, status_of

SHOWS_WITHIN_MS = 2_000


@pytest.fixture
def window(db_path, make_window):
    """The window as a store runs it: refreshing at its own pace (REFRESH_MS), not the tests' faster one."""
    return make_window(refresh_ms=REFRESH_MS)


def start(db_path, *args: str, module: str = "app.cli") -> subprocess.Popen:
    """The other back office: a process of its own on the same database."""
    command = [
        sys.executable,
        "-m",
        module,
        *(("--db", str(db_path)) if module == "app.cli" else (str(db_path),)),
        *args,
    ]
    return subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )


def finished(qtbot, proc: subprocess.Popen) -> str:
    """Its output, once it has exited (and committed): the window's event loop runs meanwhile."""
    qtbot.waitUntil(lambda: proc.poll() is not None, timeout=60_000)
    out, err = proc.communicate()
    assert proc.returncode == 0, err
    return out


def test_what_the_other_back_office_does_shows_here_within_two_seconds(qtbot, window, db_path, make_batch, template):
    batch = make_batch(quantity=20, name="Spring Fair")
    card = card_of(qtbot, window, batch.id)
    assert card.claimed.value.text() == "0"

    finished(qtbot, start(db_path, "claim", batch.token, "3", module="tests.gui.other_back_office"))
    qtbot.waitUntil(lambda: card.claimed.value.text() == "3", timeout=SHOWS_WITHIN_MS)
    assert card.available.text() == "17"

    finished(qtbot, start(db_path, "batch", "pause", str(batch.id), "--till", "Back office 2"))
    qtbot.waitUntil(lambda: status_of(card) == "Paused", timeout=SHOWS_WITHIN_MS)

    out = finished(
        qtbot,
        start(
            db_path,
            "batch",
            "create",
            "--name",
            "Made elsewhere",
            "--template",
            str(template.id),
            "--quantity",
            "5",
            "--json",
            "--quiet",
        ),
    )
    made = json.loads(out)["id"]
    qtbot.waitUntil(lambda: window.dashboard.grid.card_for(made) is not None, timeout=SHOWS_WITHIN_MS)

    finished(qtbot, start(db_path, "batch", "delete", str(batch.id), "--yes"))
    qtbot.waitUntil(lambda: window.dashboard.grid.card_for(batch.id) is None, timeout=SHOWS_WITHIN_MS)
    assert window.dashboard.grid.card_for(made) is not None


def test_both_back_offices_acting_at_once_lose_nothing(qtbot, window, db_path, make_batch):
    batch = make_batch(quantity=500, name="Both at once")
    card = card_of(qtbot, window, batch.id)
    other = start(db_path, "busy", batch.token, "120", module="tests.gui.other_back_office")
    assert other.stdout.readline().strip() == "ready"
    other.stdin.write("go\n")
    other.stdin.flush()
    toggles = 0
    while other.poll() is None and toggles < 20:  # this window pauses and resumes while the other claims and redeems
        menu_action(card, "Pause Batch" if toggles % 2 == 0 else "Resume Batch").trigger()
        wanted = "Paused" if toggles % 2 == 0 else "Active"
        qtbot.waitUntil(
            lambda wanted=wanted: status_of(card) == wanted and card.actions_button.isEnabled(), timeout=10_000
        )
        toggles += 1
    if toggles % 2:
        menu_action(card, "Resume Batch").trigger()
        qtbot.waitUntil(lambda: status_of(card) == "Active" and card.actions_button.isEnabled(), timeout=10_000)
        toggles += 1
    assert toggles >= 2, "the other back office finished before this window acted"
    done = json.loads(finished(qtbot, other))
    claimed, redeemed = done["outcomes"].get("claimed", 0), done["redeemed"]
    assert claimed + done["outcomes"].get("paused", 0) == 120  # each claim either went through or met a pause
    assert claimed > 0 and done["outcomes"].get("paused", 0) > 0  # the two overlapped

    qtbot.waitUntil(lambda: card.claimed.value.text() == f"{claimed:,}", timeout=SHOWS_WITHIN_MS)
    assert card.redeemed.value.text() == f"{redeemed:,}"
    summary = batches.get_batch(batch.id)
    real_claimed = Voucher.select().where(Voucher.batch == batch.id, Voucher.claimed_at.is_null(False)).count()
    real_redeemed = Voucher.select().where(Voucher.batch == batch.id, Voucher.redeemed_at.is_null(False)).count()
    assert (summary.claimed, summary.redeemed) == (real_claimed, real_redeemed) == (claimed, redeemed)
    assert summary.status == "active"
    logged = {
        kind: Activity.select().where(Activity.batch_id == batch.id, Activity.kind == kind).count()
        for kind in ("batch_paused", "batch_resumed", "voucher_redeemed")
    }
    assert logged == {"batch_paused": toggles // 2, "batch_resumed": toggles // 2, "voucher_redeemed": redeemed}
