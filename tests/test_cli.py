"""The voucher-batches command, as a store manager or a script uses it."""

import csv
import json
import os
import re
import signal
import subprocess
import sys
from datetime import datetime

import pytest
from PIL import Image

from app.core import claims, members, store
from app.core.store.models import Batch, Voucher


@pytest.fixture
def with_batch(run):
    assert (
        run(
            "template",
            "create",
            "--name",
            "10% off",
            "--discount",
            "10%",
            "--min-purchase",
            "20",
            "--valid-days",
            "30",
            "--terms",
            "One per visit",
        )[0]
        == 0
    )
    code, out, err = run(
        "batch",
        "create",
        "--name",
        "Summer 2025 - Email List",
        "--template",
        "10% off",
        "--quantity",
        "500",
        "--channel",
        "email",
        "--description",
        "Summer treat for our list",
        "--json",
    )
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
    assert set(listed) >= {
        "id",
        "name",
        "status",
        "channel",
        "total",
        "claimed",
        "redeemed",
        "available",
        "redemption_rate",
        "claim_url",
        "created_at",
    }
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
    with export.open(newline="", encoding="utf-8-sig") as handle:
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
    before = with_batch["claim_url"]
    code, out, err = run("settings", "--public-url", "https://yoursite.com/", "--store-name", "Corner Shop", "--json")
    assert code == 1 and "stop working" in err and "Not changed" in err  # links are out: it asks first
    assert json.loads(run("batch", "list", "--json")[1])[0]["claim_url"] == before
    code, out, err = run("settings", "--public-url", "https://yoursite.com/", "--json", stdin="y\n")
    assert code == 0 and json.loads(out)["public_base_url"] == "https://yoursite.com"
    code, out, _ = run("batch", "list", "--json")
    assert json.loads(out)[0]["claim_url"].startswith("https://yoursite.com/en-us/claim/")
    code, _, err = run("settings", "--public-url", "yoursite")
    assert code == 2 and "http" in err


def test_a_port_the_links_carry_is_kept_and_the_refusal_says_why(run, with_batch):
    """Issue 21: with the first batch's links at http://<this PC>:8080, `settings --port` said
    nothing and moved the site: every link out then led to a port nobody listened on."""
    base = with_batch["claim_url"].partition("/en-us/")[0]
    assert base.endswith(":8080")
    for _ in range(2):
        code, out, err = run("settings", "--port", "8090")
        assert code == 1 and out == ""
        assert err.strip().endswith(
            f"1 batch has claim links starting {base}: posters and messages already out reach the claim site at "
            "port 8080 of this PC, and would lead nowhere once it listens on port 8090. Keep port 8080."
        )
    assert json.loads(run("settings", "--json")[1])["port"] == 8080


def test_settings_say_where_the_claim_site_runs(run, with_batch):
    code, out, err = run("settings", "--claim-site", "hosted", "--json")
    assert code == 0 and json.loads(out)["claim_site"] == "hosted"  # the base was kept with the first batch
    assert run("settings", "--claim-site", "local", "--json")[0] == 0
    code, _, err = run("settings", "--claim-site", "elsewhere")
    assert code == 2 and "invalid choice" in err


def test_a_server_url_typed_without_its_password_opens_with_the_kept_one(run, monkeypatch, tmp_path):
    from app.core.store import credentials
    from tests.helpers.database import ON_POSTGRES, TEST_DB

    monkeypatch.setattr(credentials, "passwords_file", lambda: tmp_path / "passwords.json")
    monkeypatch.setitem(sys.modules, "keyring", None)
    unreachable = "postgresql://shop@127.0.0.1:1/vouchers"
    credentials.store(unreachable, "s3cret")
    code, out, err = run("--db", unreachable, "batch", "list")
    assert code == 1 and "s3cret" not in err
    assert err.strip() == (
        "voucher-batches: The database server of postgresql://127.0.0.1:1/vouchers does not answer: "
        "check that it runs, and that its firewall lets this PC in."
    )
    if ON_POSTGRES:  # trust authentication takes any password: what the driver was handed is the proof
        credentials.store(TEST_DB, "kept-for-the-shop")
        assert run("--db", TEST_DB, "settings", "--json")[0] == 0
        assert store.database.obj.connect_params["password"] == "kept-for-the-shop"


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


@pytest.mark.posix_only(
    "sends SIGINT or SIGTERM to another process: a Windows program gets Ctrl+C only from its own console"
)
def test_ctrl_c_during_generation_leaves_nothing(tmp_path):
    path = tmp_path / "interrupted.db"
    env = {**os.environ, store.ENV_VAR: str(path)}
    subprocess.run(
        _command("template", "create", "--name", "T", "--discount", "5"), env=env, check=True, capture_output=True
    )
    with subprocess.Popen(
        _command("batch", "create", "--name", "Big", "--template", "T", "--quantity", "1000000"),
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as child:
        # the progress lines say when generation is under way
        for line in child.stderr:
            if "Generating vouchers" in line and "(0/" not in line:
                break
        child.send_signal(signal.SIGINT)
        rest = child.stderr.read()
        assert child.wait(timeout=60) == 130
    assert "no batch was created" in rest
    store.open_database(path)
    try:
        assert Batch.select().count() == 0 and Voucher.select().count() == 0
    finally:
        store.close_database()


def test_progress_is_shown_on_stderr_not_stdout(run, with_batch):
    code, out, err = run("batch", "create", "--name", "B", "--template", "10% off", "--quantity", "120000")
    assert code == 0 and "Generating vouchers" in err and "100%" in err and "Generating" not in out


def test_the_installed_command_is_on_the_path():
    done = subprocess.run(["voucher-batches", "batch", "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "pause" in done.stdout and "export" in done.stdout, done.stderr


def _claim_and_redeem(batch_id: int, claimed: int, redeemed: int) -> list[str]:
    token = Batch.get_by_id(batch_id).token
    codes = []
    for n in range(claimed):
        member = members.create_member(f"m{n}@example.com", "not-a-real-hash")
        codes.append(claims.claim(token, member.id).voucher.code)
    for code in codes[:redeemed]:
        claims.redeem(code)
    return codes


def test_batch_list_rounds_the_rate_once_from_the_counts(run, with_batch):
    """5 redeemed of 11 claimed is 45.45 %: the list said 46 % (rounded to 45.5 first)."""
    _claim_and_redeem(with_batch["id"], 11, 5)
    code, out, _ = run("batch", "list")
    assert code == 0
    assert "45%" in out.splitlines()[1] and "46%" not in out
    code, out, _ = run("batch", "list", "--json")
    assert json.loads(out)[0]["redemption_rate"] == 45.5


def test_text_output_is_in_the_stores_time_zone_and_json_says_its_offset(run, with_batch):
    from datetime import datetime

    assert run("settings", "--time-zone", "America/New_York")[0] == 0
    code_text = _claim_and_redeem(with_batch["id"], 1, 1)[0]
    Voucher.update(redeemed_at=datetime(2026, 12, 1, 19, 6)).where(Voucher.code == code_text.replace("-", "")).execute()
    code, out, _ = run("lookup", code_text)
    assert code == 0 and "Redeemed:  2026-12-01 14:06 EST" in out
    code, _, err = run("redeem", code_text)
    assert code == 1 and "already redeemed on 2026-12-01 at 14:06 EST" in err
    code, out, _ = run("lookup", code_text, "--json")
    assert json.loads(out)["redeemed_at"] == "2026-12-01T14:06:00-05:00"
    code, out, err = run("batch", "vouchers", str(with_batch["id"]), "--status", "redeemed")
    assert "2026-12-01 14:06" in out and "America/New_York" in err


def test_an_unknown_time_zone_is_bad_input(run):
    code, _, err = run("settings", "--time-zone", "Mars/Base")
    assert code == 2 and "Unknown time zone" in err


def test_the_claim_link_keeps_its_address_when_the_pcs_address_changes(run, with_batch, monkeypatch):
    """Printed posters pointed nowhere once the PC got another address: the base was worked out anew."""
    from app.core import settings

    printed = with_batch["claim_url"]
    monkeypatch.setattr(settings, "_lan_cache", (0.0, ""))
    monkeypatch.setattr(settings, "_route_address", lambda: "192.168.77.200")
    assert json.loads(run("batch", "list", "--json")[1])[0]["claim_url"] == printed
    code, out, _ = run("doctor", "--json")
    link = next(c for c in json.loads(out)["checks"] if c["name"] == "claim_link")
    assert link["status"] == "problem" and "not this PC's address any more" in link["message"]
    assert code == 1


def test_doctor_checks_the_setup(run, with_batch):
    code, out, err = run("settings", "--public-url", "https://vouchers.example.com", "--yes")
    assert code == 0
    code, out, _ = run("doctor", "--json")
    checks = {c["name"]: c for c in json.loads(out)["checks"]}
    assert list(checks) == ["database", "claim_link", "claim_site", "port"]
    assert all(c["status"] in ("ok", "warning", "problem") and c["message"] for c in checks.values())
    assert checks["database"]["status"] == "ok" and "intact" in checks["database"]["message"]
    assert checks["claim_link"]["status"] == "ok"
    assert checks["claim_site"]["status"] == "warning"  # nothing serves it in this test
    code, text, _ = run("doctor")
    assert len(text.splitlines()) == 4 and "claim_link" in text


@pytest.mark.parametrize(
    "url, status",
    [
        ("https://vouchers.example.com", "ok"),
        ("http://vouchers.example.com", "warning"),
        ("http://192.168.1.20:8080", "warning"),
        ("http://10.0.0.5:8080", "warning"),
        ("https://shop.local", "warning"),
        ("http://127.0.0.1:8080", "problem"),
        ("http://localhost:8080", "problem"),
        ("http://169.254.10.10:8080", "problem"),
        ("http://[fe80::1]:8080", "problem"),
        ("https://93.184.216.34", "ok"),
    ],
)
def test_a_link_is_judged_from_its_address_alone(url, status):
    from app.core import links

    verdict = links.judge(url)
    assert verdict.status == status
    assert (verdict.fix != "") == (status != "ok")


def test_version_is_printed_from_the_one_place_it_is_kept(run):
    from importlib.metadata import version

    import app

    done = subprocess.run(["voucher-batches", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout == f"voucher-batches {app.__version__}\n", done.stderr
    assert run("--version") == (0, f"voucher-batches {app.__version__}\n", "")
    # pyproject.toml takes its version from app.__version__: the installed package says the same
    assert version("voucher-batches") == app.__version__
    assert all(part.isdigit() for part in app.__version__.split("."))


# -- members (security pass): find, reset-password, export, erase, sign-out ----------------------


@pytest.fixture
def ann(run, with_batch):
    """Ann, who claimed a voucher of the batch and redeemed it, and Bob; links on a public address."""
    assert run("settings", "--public-url", "https://vouchers.example.com", "--yes")[0] == 0
    member = members.create_member("ann.lee@example.com", "not-a-real-hash", "Ann <b>Lee</b>")
    members.create_member("bob@example.com", "not-a-real-hash", "Bob")
    code = claims.claim(Batch.get_by_id(with_batch["id"]).token, member.id).voucher.code
    claims.redeem(code)
    return member


def test_member_find_by_email_or_name_as_text_and_json(run, ann):
    code, out, _ = run("member", "find", "LEE")
    assert code == 0
    header, row = out.splitlines()
    assert header.split() == ["ID", "Email", "Name", "Vouchers", "Joined"]
    assert "ann.lee@example.com" in row and "Ann <b>Lee</b>" in row and "bob" not in row
    code, out, _ = run("member", "find", "example.com", "--json")
    listed = json.loads(out)
    assert [m["email"] for m in listed] == ["ann.lee@example.com", "bob@example.com"]
    assert listed[0]["vouchers"] == 1 and listed[0]["created_at"][-6] in "+-"  # ISO 8601 with its offset
    code, out, _ = run("member", "find", "nobody")
    assert code == 0 and "No member's email or name contains 'nobody'." in out


def test_member_reset_password_prints_a_one_time_link_for_24_hours(run, ann):
    code, out, err = run("member", "reset-password", "Ann.Lee@Example.com")
    assert code == 0
    link = out.strip()
    assert link.startswith("https://vouchers.example.com/en-us/reset/") and "works once" in err and "24 hours" in err
    reset_code = link.rsplit("/", 1)[1]
    assert members.reset_code_email(reset_code) == "ann.lee@example.com"
    code, out, _ = run("member", "reset-password", "ann.lee@example.com", "--json")
    data = json.loads(out)
    assert data["email"] == "ann.lee@example.com" and data["link"].startswith(
        "https://vouchers.example.com/en-us/reset/"
    )
    assert data["expires_at"][-6] in "+-"
    assert members.reset_code_email(reset_code) is None  # the newer link replaced the first
    code, _, err = run("member", "reset-password", "nobody@example.com")
    assert code == 1 and "No member has the email nobody@example.com." in err


def test_member_export_writes_every_row_whole_or_not_at_all(run, ann, tmp_path):
    target = tmp_path / "ann.json"
    code, out, _ = run("member", "export", "ann.lee@example.com", "--output", str(target))
    assert code == 0 and str(target) in out
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["member"]["email"] == "ann.lee@example.com" and data["member"]["name"] == "Ann <b>Lee</b>"
    assert [v["status"] for v in data["vouchers"]] == ["redeemed"] and "not-a-real-hash" not in target.read_text()
    missing = tmp_path / "no-such-folder" / "ann.json"
    code, _, err = run("member", "export", "ann.lee@example.com", "--output", str(missing))
    assert code == 1 and "no-such-folder" in err and not missing.parent.exists()
    code, _, err = run("member", "export", "ann.lee@example.com")
    assert code == 2 and "--output" in err


def test_member_erase_asks_then_leaves_the_counts_and_no_personal_data(run, ann, with_batch, tmp_path):
    from tests.core.helpers import raw_rows_holding

    for answer in ("", "n\n"):
        code, _, err = run("member", "erase", "ann.lee@example.com", stdin=answer)
        assert code == 1 and "Erase the member ann.lee@example.com for good?" in err and "Not erased." in err
        assert members.find_member("ann.lee@example.com") is not None
    code, out, _ = run("member", "erase", "ann.lee@example.com", "--yes")
    assert code == 0 and "ann.lee" not in out and "1 of their vouchers stay counted" in out
    assert raw_rows_holding(tmp_path / "cli.db", "ann.lee", "Ann <b>Lee</b>") == []
    code, out, _ = run("batch", "list", "--json")
    assert (json.loads(out)[0]["claimed"], json.loads(out)[0]["redeemed"]) == (1, 1)
    code, _, err = run("member", "erase", "ann.lee@example.com", "--yes")
    assert code == 1 and "No member has the email ann.lee@example.com." in err


def test_member_sign_out_ends_every_session(run, ann):
    before = members.get_member(ann.id).session_generation
    code, out, _ = run("member", "sign-out", "ann.lee@example.com")
    assert code == 0 and "Signed ann.lee@example.com out everywhere" in out
    assert members.session_member(ann.id, before) is None


def claimed_code(batch_id, email="undo@example.com"):
    member = members.create_member(email, "not-a-real-hash")
    return claims.claim(Batch.get_by_id(batch_id).token, member.id).voucher.code


def test_undo_outcomes_and_exit_codes(run, with_batch):
    code_ = claimed_code(with_batch["id"])
    assert run("redeem", code_, "--staff", "Anna", "--till", "2")[0] == 0
    code, out, err = run("redeem", code_, "--staff", "Ben", "--till", "3", "--json")
    answer = json.loads(out)
    assert (code, answer["outcome"], answer["redeemed_by"]) == (1, "already_redeemed", {"staff": "Anna", "till": "2"})
    assert answer["message"].startswith(f"Voucher {code_} was already redeemed on ")
    assert answer["message"].endswith(" by Anna, till 2.") and answer["message"] in err
    code, out, err = run("undo", code_.lower(), "--reason", "sale cancelled", "--staff", "Ben", "--json")
    answer = json.loads(out)
    assert (code, answer["outcome"], answer["status"], answer["code"]) == (0, "undone", "claimed", code_)
    code, out, err = run("undo", code_, "--reason", "sale cancelled", "--json")
    assert (code, json.loads(out)["outcome"]) == (1, "not_redeemed") and "no redemption to undo" in err
    code, out, _ = run("undo", "NOPE-NOPE-NO", "--reason", "x", "--json")
    assert (code, json.loads(out)["outcome"]) == (1, "unknown_code")
    assert run("redeem", code_)[0] == 0  # redeemable again
    Voucher.update(redeemed_at="2020-01-01 10:00:00", claimed_at="2020-01-01 09:00:00").where(
        Voucher.code == code_.replace("-", "")
    ).execute()
    code, out, err = run("undo", code_, "--reason", "sale cancelled", "--json")
    assert (code, json.loads(out)["outcome"]) == (1, "too_late") and "within 7 days" in err
    code, out, _ = run("undo", code_, "--reason", "sale cancelled")
    assert code == 1 and out == ""
    assert json.loads(run("batch", "list", "--json")[1])[0]["redeemed"] == 1


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_undo_without_a_reason_is_bad_usage(run, with_batch, reason):
    code_ = claimed_code(with_batch["id"])
    run("redeem", code_)
    code, _, err = run("undo", code_, *(["--reason", reason] if reason is not None else []))
    assert code == 2 and "reason" in err and "Traceback" not in err
    assert json.loads(run("lookup", code_, "--json")[1])["status"] == "redeemed"


def test_activity_lists_who_did_what_newest_first(run, with_batch):
    bid = str(with_batch["id"])
    code_ = claimed_code(with_batch["id"])
    assert run("batch", "pause", bid, "--staff", "Anna", "--till", "office")[0] == 0
    assert run("redeem", code_, "--staff", "Anna", "--till", "2")[0] == 0
    assert run("undo", code_, "--reason", "scanned by mistake", "--staff", "Ben", "--till", "2")[0] == 0
    assert run("batch", "delete", bid, "--yes", "--staff", "Ben")[0] == 0
    code, out, _ = run("activity", "--batch", bid, "--json")
    found = json.loads(out)
    assert code == 0
    assert [e["kind"] for e in found] == [
        "batch_deleted",
        "redemption_undone",
        "voucher_redeemed",
        "batch_paused",
        "batch_created",
    ]
    deleted, undone = found[0], found[1]
    assert set(deleted) == {"at", "kind", "batch_id", "batch_name", "code", "till", "staff", "details"}
    assert (deleted["batch_id"], deleted["batch_name"], deleted["code"], deleted["staff"]) == (
        with_batch["id"],
        "Summer 2025 - Email List",
        None,
        "Ben",
    )
    assert deleted["details"] == {"vouchers": 500, "claimed": 1, "redeemed": 0}
    assert (undone["code"], undone["till"], undone["details"]["reason"]) == (code_, "2", "scanned by mistake")
    assert datetime.fromisoformat(deleted["at"]).utcoffset() is not None
    code, out, _ = run("activity", "--kind", "voucher_redeemed", "--limit", "1", "--json")
    assert [e["staff"] for e in json.loads(out)] == ["Anna"]
    code, out, _ = run("activity", "--since", "2999-01-01", "--json")
    assert (code, json.loads(out)) == (0, [])
    code, out, err = run("activity", "--limit", "3")
    assert code == 0 and out.splitlines()[0].split() == ["Time", "Action", "Batch", "Code", "Till", "Staff", "Details"]
    assert "Batch deleted" in out and "500 vouchers (1 claimed, 0 redeemed)" in out and len(out.splitlines()) == 4
    assert run("activity", "--kind", "nonsense")[0] == 2


def test_a_batch_made_after_the_newest_was_deleted_has_only_its_own_history(run, with_batch):
    alpha = json.loads(
        run("batch", "create", "--name", "Alpha (mistake)", "--template", "10% off", "--quantity", "5", "--json")[1]
    )
    assert run("batch", "pause", str(alpha["id"]))[0] == 0
    assert run("batch", "delete", str(alpha["id"]), "--yes")[0] == 0
    beta = json.loads(run("batch", "create", "--name", "Beta", "--template", "10% off", "--quantity", "5", "--json")[1])
    assert beta["id"] != alpha["id"]
    code, out, _ = run("activity", "--batch", str(beta["id"]), "--json")
    assert code == 0 and [(e["kind"], e["batch_name"]) for e in json.loads(out)] == [("batch_created", "Beta")]
    code, out, _ = run("activity", "--batch", str(beta["id"]))
    assert "Beta" in out and "Alpha" not in out


def test_settings_changes_are_logged_by_key_and_the_undo_window_is_a_setting(run):
    code, out, _ = run("settings", "--undo-days", "3", "--staff", "Cleo", "--json")
    assert code == 0 and json.loads(out)["undo_days"] == 3
    entry = json.loads(run("activity", "--kind", "settings_changed", "--limit", "1", "--json")[1])[0]
    assert (entry["details"], entry["staff"]) == ({"keys": ["undo_days"]}, "Cleo")
    assert run("settings", "--undo-days", "0")[0] == 2


# -- print studio ---------------------------------------------------------------------------------


def test_a_batch_gets_a_public_title_at_creation_and_later(run, with_batch):
    assert with_batch["title"] == "10% off"  # no title given: the offer
    code, out, err = run(
        "batch",
        "create",
        "--name",
        "Summer 2025 - Store Signage",
        "--template",
        "10% off",
        "--quantity",
        "5",
        "--title",
        "10% off your next visit",
        "--json",
        "--quiet",
    )
    assert code == 0, err
    created = json.loads(out)
    assert (created["name"], created["title"]) == ("Summer 2025 - Store Signage", "10% off your next visit")
    code, out, _ = run("batch", "title", str(created["id"]), "Summer treat")
    assert code == 0 and "“Summer treat”" in out
    code, _, err = run("batch", "title", str(created["id"]), "x" * 121)
    assert code == 2 and "at most 120" in err


def test_batch_poster_writes_each_layout_and_warns_of_a_link_only_this_network_opens(run, with_batch, tmp_path, qapp):

    assert run("settings", "--public-url", "http://192.168.1.20:8080", "--yes")[0] == 0
    for layout, paper, size in (
        ("a4", "letter", "595 x 842"),
        ("letter", "a4", "612 x 792"),
        ("8-up", "letter", "612 x 792"),
    ):
        target = tmp_path / f"{layout}.pdf"
        code, out, err = run(
            "batch", "poster", str(with_batch["id"]), "--output", str(target), "--layout", layout, "--paper", paper
        )
        assert code == 0, err
        assert "warning" in err and "only be opened on this store's network" in err  # warned, and still written
        assert str(target) in out and "http://192.168.1.20:8080/en-us/claim/" in out
        # the page's size as the PDF says it (not poppler's pdfinfo, a Linux program the Windows pass cannot run)
        width, height = re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", target.read_bytes()).groups()
        assert f"{round(float(width))} x {round(float(height))}" == size
    assert run("settings", "--public-url", "https://vouchers.example.com", "--yes")[0] == 0
    code, _, err = run("batch", "poster", str(with_batch["id"]), "-o", str(tmp_path / "public.pdf"))
    assert code == 0 and err == ""


def test_batch_poster_that_cannot_be_written_says_so_in_one_sentence(run, with_batch, tmp_path, qapp):
    code, out, err = run("batch", "poster", str(with_batch["id"]), "--output", str(tmp_path / "missing" / "poster.pdf"))
    assert code == 1 and out == ""
    (sentence,) = [line for line in err.splitlines() if not line.startswith("voucher-batches: warning")]
    assert (
        sentence == f"voucher-batches: Cannot write {tmp_path / 'missing' / 'poster.pdf'}: No such file or directory."
    )
    assert not list(tmp_path.glob("**/*.part"))
    code, _, err = run("batch", "poster", "999", "--output", str(tmp_path / "p.pdf"))
    assert code == 1 and "no batch with id 999" in err
    code, _, err = run("batch", "poster", str(with_batch["id"]), "--output", str(tmp_path / "p.pdf"), "--layout", "a3")
    assert code == 2 and "invalid choice" in err


def test_batch_qr_picks_png_svg_or_pdf_by_the_extension(run, with_batch, tmp_path, qapp):
    import zxingcpp

    written = {}
    for name in ("code.PNG", "code.svg", "code.pdf"):
        target = tmp_path / name
        code, out, err = run("batch", "qr", str(with_batch["id"]), "--output", str(target))
        assert code == 0, err
        written[target.suffix.lower()] = target.read_bytes()
    assert (
        written[".png"].startswith(b"\x89PNG")
        and written[".svg"].startswith(b"<?xml")
        and written[".pdf"].startswith(b"%PDF")
    )
    with Image.open(tmp_path / "code.PNG") as image:
        assert [c.text for c in zxingcpp.read_barcodes(image)] == [with_batch["claim_url"]]
    code, _, err = run("batch", "qr", str(with_batch["id"]), "--output", str(tmp_path / "code.image"))
    assert code == 0 and (tmp_path / "code.image").read_bytes().startswith(
        b"\x89PNG"
    )  # any other name: a PNG, as before
    code, _, err = run("batch", "qr", str(with_batch["id"]), "--output", str(tmp_path / "small.png"), "--size", "100")
    assert code == 2 and "500×500" in err


def test_settings_take_a_logo_and_an_accent_colour(run, tmp_path):
    logo = tmp_path / "logo.png"
    Image.new("RGB", (40, 20), "white").save(logo)
    code, out, err = run("settings", "--logo", str(logo), "--accent-color", "#AA3300", "--json")
    assert code == 0, err
    assert (json.loads(out)["logo_path"], json.loads(out)["accent_color"]) == (str(logo), "#aa3300")
    code, _, err = run("settings", "--accent-color", "orange")
    assert code == 2 and "#0b6e4f" in err
