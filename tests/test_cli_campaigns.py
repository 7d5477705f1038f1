"""The command for campaigns: batch edit, clone, schedule and end, create with --starts/--ends, the
states in batch list, and template edit, archive and delete; each action run twice, as a person retries."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from app.core import claims, members
from app.core.store import models

from .test_cli import with_batch  # noqa: F401 (the fixture)


@pytest.fixture
def paris(run):  # noqa: F811
    assert run("settings", "--time-zone", "Europe/Paris")[0] == 0


def as_json(result):
    code, out, err = result
    assert code == 0, err
    return json.loads(out)


def test_a_batch_is_edited_and_the_name_must_stay_unique(run, with_batch):  # noqa: F811
    bid = str(with_batch["id"])
    run("batch", "create", "--name", "Winter", "--template", "10% off", "--quantity", "5", "--quiet")
    for _ in range(2):
        code, out, err = run("batch", "edit", bid, "--name", "Summer 2025 - SMS", "--channel", "sms")
        assert code == 0, err
        assert out == f"Batch {bid} is now “Summer 2025 - SMS”, SMS.\n"
    edited = as_json(run("batch", "edit", bid, "--description", "", "--title", "Sun's out", "--json"))
    assert (edited["description"], edited["title"], edited["total"]) == ("", "Sun's out", 500)
    for name in ("winter", "  WINTER "):
        code, out, err = run("batch", "edit", bid, "--name", name)
        assert code == 2 and out == ""  # bad input: a sentence, nothing changed
        assert err == (
            f"voucher-batches: The name “{name.strip()}” is already taken by another batch (“Winter”); "
            "choose another.\n"
        )
    code, _, err = run("batch", "create", "--name", "winter", "--template", "10% off", "--quantity", "5")
    assert code == 2 and "already taken" in err
    code, _, err = run("batch", "edit", bid)
    assert code == 2 and "say what to change" in err
    code, out, _ = run("activity", "--json")
    edits = [e for e in json.loads(out) if e["kind"] == "batch_edited"]
    assert len(edits) == 2  # the second identical edit changed nothing and recorded nothing


def test_a_batch_is_cloned_with_a_new_link(run, with_batch):  # noqa: F811
    bid = str(with_batch["id"])
    clone = as_json(run("batch", "clone", bid, "--name", "Summer 2025 - Email (more)", "--quiet", "--json"))
    assert (clone["channel"], clone["description"], clone["total"]) == ("Email", "Summer treat for our list", 500)
    assert clone["claim_url"] != with_batch["claim_url"]
    code, _, err = run("batch", "clone", bid, "--name", "Summer 2025 - Email (more)", "--quiet")
    assert code == 2 and "already taken" in err  # the same again: refused, nothing made
    smaller = as_json(run("batch", "clone", bid, "--name", "Last few", "--quantity", "25", "--quiet", "--json"))
    assert smaller["total"] == 25
    code, out, _ = run("batch", "clone", bid, "--name", "Text", "--quiet")
    assert code == 0 and out.startswith("Created batch ") and "Claim link: http" in out
    assert len(as_json(run("batch", "list", "--json"))) == 4


def test_create_with_a_window_then_schedule_and_end(run, with_batch, paris):  # noqa: F811
    models.set_clock(datetime(2031, 5, 20, 10, 0))
    try:
        made = as_json(
            run(
                "batch",
                "create",
                "--name",
                "June",
                "--template",
                "10% off",
                "--quantity",
                "10",
                "--starts",
                "2031-06-01 09:00",
                "--ends",
                "2031-06-30",
                "--quiet",
                "--json",
            )
        )
        assert (made["status"], made["starts_at"], made["ends_at"]) == (
            "scheduled",
            "2031-06-01T09:00:00+02:00",
            "2031-07-01T00:00:00+02:00",
        )
        bid = str(made["id"])
        listed = {b["name"]: b for b in as_json(run("batch", "list", "--json"))}
        assert listed["June"]["status"] == "scheduled" and listed["Summer 2025 - Email List"]["status"] == "active"
        assert listed["Summer 2025 - Email List"]["starts_at"] is None
        assert [b["name"] for b in as_json(run("batch", "list", "--status", "scheduled", "--json"))] == ["June"]
        code, out, _ = run("batch", "list")
        june = next(line for line in out.splitlines() if line.split()[1:2] == ["June"])
        assert "Scheduled" in june and "Opens 1 Jun 2031, 09:00 · until the end of 30 Jun 2031" in june
        for _ in range(2):
            code, out, err = run("batch", "schedule", bid, "--starts", "2031-06-02", "--no-end")
            assert code == 0, err
            assert out == f"Batch {bid} (June) is scheduled: opens 2 Jun 2031, 00:00.\n"
        code, _, err = run("batch", "schedule", bid, "--ends", "2031-05-01")
        assert code == 2 and "has passed; to end “June” now, use End campaign" in err
        code, _, err = run("batch", "schedule", bid, "--ends", "1 June")
        assert code == 2 and "is not a date like 2026-06-01" in err
        code, _, err = run("batch", "schedule", bid, "--ends", "2031-07-01", "--no-end")
        assert code == 2
        code, _, err = run("batch", "schedule", bid)
        assert code == 2 and "say what to change" in err
        opened = as_json(run("batch", "schedule", bid, "--starts", "now", "--json"))
        assert (opened["status"], opened["starts_at"]) == ("active", None)
        member = members.create_member("ann@example.com", "not-a-hash")
        held = claims.claim(_token(int(bid)), member.id).voucher
        for _ in range(2):
            code, out, err = run("batch", "end", bid)
            assert code == 0, err
            assert out == (
                f"Batch {bid} (June) has ended: no new claims; the 1 vouchers members hold and have not used stay "
                "valid until they expire.\n"
            )
        ended = as_json(run("batch", "list", "--status", "ended", "--json"))
        assert [b["name"] for b in ended] == ["June"] and ended[0]["ends_at"] == "2031-05-20T12:00:00+02:00"
        code, _, err = run("batch", "resume", bid)
        assert code == 2 and "has ended: it takes no claims ever again" in err
        models.set_clock(datetime(2031, 6, 5, 10, 0))
        code, out, err = run("redeem", held.code)
        assert code == 0, err  # the voucher held stays valid after the end
        code, out, _ = run("activity", "--json")
        assert [e["kind"] for e in json.loads(out)][:4] == [
            "voucher_redeemed",
            "batch_ended",
            "batch_scheduled",
            "batch_scheduled",
        ]
    finally:
        models.set_clock(None)


def _token(batch_id: int) -> str:
    return models.Batch.get_by_id(batch_id).token


def test_batch_stats_and_channels_say_what_is_still_out_there(run, with_batch):  # noqa: F811
    bid = with_batch["id"]
    stats = as_json(run("batch", "stats", str(bid), "--json"))
    assert (stats["expiring_7d"], stats["expired_unredeemed"]) == (0, 0)
    member = members.create_member("bea@example.com", "not-a-hash")
    claimed_at = models.utcnow() - timedelta(days=25)
    models.set_clock(claimed_at)
    try:
        claims.claim(_token(bid), member.id)  # valid 30 days: expires in 5
    finally:
        models.set_clock(None)
    stats = as_json(run("batch", "stats", str(bid), "--json"))
    assert (stats["expiring_7d"], stats["expired_unredeemed"]) == (1, 0)
    code, out, _ = run("batch", "stats", str(bid))
    assert "Still out there: 1 claimed voucher not yet redeemed expires in the next 7 days; 0 expired unused." in out
    email = next(c for c in as_json(run("channels", "--json")) if c["channel"] == "Email")
    assert (email["expiring_7d"], email["expired_unredeemed"]) == (1, 0)


def test_templates_are_edited_archived_and_deleted(run, with_batch):  # noqa: F811
    for _ in range(2):
        code, out, err = run("template", "edit", "10% off", "--discount", "15%", "--terms", "Members only")
        assert code == 0, err
        assert out == "Template 1: 10% off — 15% off, minimum purchase $20.00\n"
    member = members.create_member("cy@example.com", "not-a-hash")
    claims.claim(_token(with_batch["id"]), member.id)
    code, _, err = run("template", "edit", "1", "--no-expiry")
    assert code == 2 and "can no longer change: 1 of its vouchers has been claimed" in err
    renamed = as_json(run("template", "edit", "1", "--name", "Summer welcome", "--json"))
    assert (renamed["title"], renamed["terms"], renamed["archived"]) == ("Summer welcome", "Members only", False)
    for _ in range(2):
        code, out, err = run("template", "archive", "Summer welcome")
        assert code == 0 and out == "Template 1 (Summer welcome) is archived: New batch no longer offers it.\n"
    code, _, err = run("batch", "create", "--name", "More", "--template", "1", "--quantity", "5")
    assert code == 2 and "is archived; restore it" in err
    listed = as_json(run("template", "list", "--json"))
    assert [(t["title"], t["archived"]) for t in listed] == [("Summer welcome", True)]
    code, out, _ = run("template", "archive", "1", "--restore")
    assert code == 0 and "offered in New batch again" in out
    code, _, err = run("template", "delete", "1", "--yes")
    assert code == 2 and "is the offer of 1 batch, so it cannot be deleted; archive it" in err
    assert run("template", "create", "--name", "Spare", "--discount", "5")[0] == 0
    code, _, err = run("template", "delete", "Spare")  # no terminal to answer: not deleted
    assert code == 1 and "Not deleted." in err
    code, out, _ = run("template", "delete", "Spare", "--yes")
    assert code == 0 and out == "Deleted the template 'Spare'.\n"
    code, _, err = run("template", "delete", "Spare", "--yes")
    assert code == 1 and "There is no template 'Spare'." in err
