"""The voucher-batches command, as a store manager or a script uses it."""

import csv
import io
import json
import os
import signal
import subprocess
import sys

import pytest
from PIL import Image

from app import cli
from app.core import claims, db, members
from app.core.models import Batch, Voucher


@pytest.fixture
def run(tmp_path, monkeypatch, capsys):
    """Run the command in this process on a fresh database; returns (exit code, stdout, stderr)."""
    path = tmp_path / "cli.db"
    monkeypatch.setenv(db.ENV_VAR, str(path))

    def run(*args, stdin=""):
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        try:
            code = cli.main(list(args))
        except SystemExit as exc:
            code = exc.code
        out, err = capsys.readouterr()
        return code, out, err

    yield run
    db.close_database()


@pytest.fixture
def with_batch(run):
    assert run("template", "create", "--name", "10% off", "--discount", "10%", "--min-purchase", "20",
               "--valid-days", "30", "--terms", "One per visit")[0] == 0  # fmt: skip
    code, out, err = run("batch", "create", "--name", "Summer 2025 - Email List", "--template", "10% off",
                         "--quantity", "500", "--channel", "email", "--description", "Summer treat for our list", "--json")  # fmt: skip
    assert code == 0, err
    return json.loads(out)


def codes_of(run, batch_id, *extra):
    code, out, _ = run("batch", "vouchers", str(batch_id), "--json", *extra)
    assert code == 0
    return [v["code"] for v in json.loads(out)]


def test_the_issue_walkthrough(run, with_batch, tmp_path):
    batch = with_batch
    assert batch["total"] == 500 and batch["channel"] == "Email" and batch["status"] == "active"
    assert batch["claim_url"].endswith("/en-us/claim/" + Batch.get_by_id(batch["id"]).token)

    code, out, _ = run("batch", "list")
    assert code == 0
    assert "Summer 2025 - Email List" in out and "Redemption Rate" in out and batch["claim_url"] in out

    code, out, _ = run("batch", "list", "--json")
    [listed] = json.loads(out)
    assert set(listed) >= {"id", "name", "status", "channel", "total", "claimed", "redeemed", "available",
                           "redemption_rate", "claim_url", "created_at"}  # fmt: skip
    assert (listed["available"], listed["redemption_rate"]) == (500, None)

    assert len(set(codes_of(run, batch["id"]))) == 500

    # a member claims (through the core, as the claim site does), then the till redeems
    member = members.create_member("ann@example.com", "hash")
    claimed = claims.claim(Batch.get_by_id(batch["id"]).token, member.id).voucher.code
    assert codes_of(run, batch["id"], "--status", "claimed") == [claimed]
    assert codes_of(run, batch["id"], "--search", "ann@") == [claimed]

    sloppy = claimed.lower().replace("-", " ")
    code, out, _ = run("redeem", sloppy, "--json")
    assert code == 0 and json.loads(out)["outcome"] == "redeemed"
    code, out, err = run("redeem", claimed, "--json")
    assert code == 1 and json.loads(out)["outcome"] == "already_redeemed" and "already redeemed" in err

    code, out, _ = run("lookup", claimed, "--json")
    found = json.loads(out)
    assert code == 0 and (found["batch_id"], found["batch_name"]) == (batch["id"], "Summer 2025 - Email List")
    assert found["member"] == "ann@example.com" and found["status"] == "redeemed" and found["redeemed_at"]

    code, out, _ = run("batch", "list", "--json")
    assert json.loads(out)[0]["redemption_rate"] == 100.0

    export = tmp_path / "vouchers.csv"
    assert run("batch", "export", str(batch["id"]), "--output", str(export))[0] == 0
    with export.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 500 and list(rows[0]) == ["code", "status", "member_email", "claimed_at", "redeemed_at"]
    assert [r for r in rows if r["status"] == "redeemed"][0]["member_email"] == "ann@example.com"

    poster = tmp_path / "poster.png"
    assert run("batch", "qr", str(batch["id"]), "--output", str(poster))[0] == 0
    with Image.open(poster) as image:
        assert min(image.size) >= 1000


def test_redeem_outcomes_and_exit_codes(run, with_batch):
    unclaimed = codes_of(run, with_batch["id"], "--limit", "1")[0]
    code, out, err = run("redeem", unclaimed, "--json")
    assert (code, json.loads(out)["outcome"]) == (1, "not_claimed") and "not been claimed" in err
    code, out, err = run("redeem", "NOPE-NOPE-NO", "--json")
    assert (code, json.loads(out)["outcome"]) == (1, "unknown_code")
    code, _, err = run("lookup", "NOPE-NOPE-NO")
    assert code == 1 and "NOPE-NOPE-NO" in err and "Traceback" not in err


def test_pause_and_resume_are_idempotent(run, with_batch):
    bid = str(with_batch["id"])
    for _ in range(2):
        code, out, _ = run("batch", "pause", bid, "--json")
        assert code == 0 and json.loads(out)["status"] == "paused"
    code, out, _ = run("batch", "resume", bid, "--json")
    assert json.loads(out)["status"] == "active"
    code, _, err = run("batch", "pause", "999")
    assert code == 1 and "999" in err


def test_delete_asks_and_deletes_only_on_yes(run, with_batch):
    bid = str(with_batch["id"])
    question = "Are you sure you want to permanently delete this batch? 500 vouchers will be permanently deleted."
    for answer in ("", "n\n", "no\n", "maybe\n"):
        code, _, err = run("batch", "delete", bid, stdin=answer)
        assert code == 1 and question in err
        assert Batch.select().count() == 1 and Voucher.select().count() == 500
    code, out, _ = run("batch", "delete", bid, stdin="yes\n")
    assert code == 0 and "500" in out
    assert Batch.select().count() == 0 and Voucher.select().count() == 0


def test_delete_with_yes_does_not_ask(run, with_batch):
    code, _, err = run("batch", "delete", str(with_batch["id"]), "--yes")
    assert code == 0 and "Are you sure" not in err and Batch.select().count() == 0


@pytest.mark.parametrize(
    "args, says",
    [
        (["batch", "create", "--name", "x", "--template", "10% off", "--quantity", "0"], "1 or more"),
        (["batch", "create", "--name", "x", "--template", "10% off", "--quantity", "1000001"], "1,000,000"),
        (["batch", "create", "--name", "x", "--template", "10% off", "--quantity", "5", "--channel", "fax"], "channel"),
        (["template", "create", "--name", "y", "--discount", "150%"], "100%"),
        (["batch", "vouchers", "1", "--status", "lost"], "invalid choice"),
        (["batch"], "required"),
    ],
)
def test_bad_usage_exits_2_with_a_reason(run, with_batch, args, says):
    code, _, err = run(*args)
    assert code == 2 and says in err and "Traceback" not in err


def test_a_file_that_cannot_be_written_is_a_refusal_not_bad_usage(run, with_batch, tmp_path):
    for command in ("export", "qr"):
        target = tmp_path / "no-such-folder" / f"out.{command}"
        code, _, err = run("batch", command, str(with_batch["id"]), "--output", str(target))
        assert code == 1 and "no-such-folder" in err and "Traceback" not in err
        assert not target.parent.exists()


def test_unknown_template_is_refused(run, with_batch):
    code, _, err = run("batch", "create", "--name", "x", "--template", "50% off", "--quantity", "5")
    assert code == 1 and "50% off" in err


def test_settings_change_the_claim_url(run, with_batch):
    code, out, _ = run("settings", "--public-url", "https://yoursite.com/", "--store-name", "Corner Shop", "--json")
    assert code == 0 and json.loads(out)["public_base_url"] == "https://yoursite.com"
    code, out, _ = run("batch", "list", "--json")
    assert json.loads(out)[0]["claim_url"].startswith("https://yoursite.com/en-us/claim/")
    code, _, err = run("settings", "--public-url", "yoursite")
    assert code == 2 and "http" in err


def _command(*args):
    return [sys.executable, "-m", "app.cli", *args]


def test_database_problems_are_one_sentence(tmp_path):
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(os.urandom(8192))
    problems = (
        (corrupt, "not a Voucher Batches database"),
        (tmp_path / "nowhere" / "x.db", "does not exist"),
        (tmp_path / "mistyped.db", "There is no database at"),
    )
    for location, says in problems:
        done = subprocess.run(_command("--db", str(location), "batch", "list"), capture_output=True, text=True)
        assert done.returncode == 1
        assert says in done.stderr and str(location.parent) in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "mistyped.db").exists()


def test_ctrl_c_during_generation_leaves_nothing(tmp_path):
    path = tmp_path / "interrupted.db"
    env = {**os.environ, db.ENV_VAR: str(path)}
    subprocess.run(_command("template", "create", "--name", "T", "--discount", "5"), env=env, check=True, capture_output=True)
    with subprocess.Popen(
        _command("batch", "create", "--name", "Big", "--template", "T", "--quantity", "1000000"),
        env=env, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    ) as child:  # fmt: skip
        # the progress lines say when generation is under way
        for line in child.stderr:
            if "Generating vouchers" in line and "(0/" not in line:
                break
        child.send_signal(signal.SIGINT)
        rest = child.stderr.read()
        assert child.wait(timeout=60) == 130
    assert "no batch was created" in rest
    db.open_database(path)
    try:
        assert Batch.select().count() == 0 and Voucher.select().count() == 0
    finally:
        db.close_database()


def test_progress_is_shown_on_stderr_not_stdout(run, with_batch):
    code, out, err = run("batch", "create", "--name", "B", "--template", "10% off", "--quantity", "120000")
    assert code == 0 and "Generating vouchers" in err and "100%" in err and "Generating" not in out


def test_the_installed_command_is_on_the_path():
    done = subprocess.run(["voucher-batches", "batch", "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "pause" in done.stdout and "export" in done.stdout, done.stderr


def test_version_is_printed_from_the_one_place_it_is_kept(run):
    from importlib.metadata import version

    import app

    done = subprocess.run(["voucher-batches", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout == f"voucher-batches {app.__version__}\n", done.stderr
    assert run("--version") == (0, f"voucher-batches {app.__version__}\n", "")
    # pyproject.toml takes its version from app.__version__: the installed package says the same
    assert version("voucher-batches") == app.__version__
    assert all(part.isdigit() for part in app.__version__.split("."))
