"""Every command of voucher-batches on a damaged database file: each change is refused with the one
sentence that names the file and its latest backup, a read that meets the damage says the same
sentence (never a traceback), and the file's bytes stay as they were (a hash before and after)."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys

import pytest

from app import launch
from app.cli.main import build_parser
from app.core import api_keys, batches, claims, members, settings, store, templates, webhooks
from app.core.store import backups
from app.core.store.models import Batch
from tests.helpers import ROOT
from tests.helpers.ports import free_port

pytestmark = pytest.mark.sqlite_only  # a SQLite file's pages

WRITES = {  # every command that changes the store, as a manager would type it
    "template create": ["template", "create", "--name", "5% off", "--discount", "5%"],
    "batch create": ["batch", "create", "--name", "More", "--template", "10% off", "--quantity", "5", "--quiet"],
    "batch pause": ["batch", "pause", "{batch}"],
    "batch resume": ["batch", "resume", "{paused}"],
    "batch delete": ["batch", "delete", "{batch}", "--yes"],
    "batch title": ["batch", "title", "{batch}", "Summer treat"],
    "batch edit": ["batch", "edit", "{batch}", "--name", "Summer 2031"],
    "batch clone": ["batch", "clone", "{batch}", "--name", "Summer again", "--quantity", "5", "--quiet"],
    "batch schedule": ["batch", "schedule", "{batch}", "--starts", "2031-03-03 08:30"],
    "batch end": ["batch", "end", "{batch}"],
    "template edit": ["template", "edit", "10% off", "--terms", "One per visit"],
    "template archive": ["template", "archive", "Unused"],
    "template delete": ["template", "delete", "Unused", "--yes"],
    "member reset-password": ["member", "reset-password", "ann@example.com"],
    "member erase": ["member", "erase", "ann@example.com", "--yes"],
    "member sign-out": ["member", "sign-out", "ann@example.com"],
    "settings": ["settings", "--store-name", "Other Shop"],
    "redeem": ["redeem", "{claimed}"],
    "undo": ["undo", "{redeemed}", "--reason", "scanned by mistake"],
    "api-key create": ["api-key", "create", "--name", "Till 2"],
    "api-key revoke": ["api-key", "revoke", "Till 1"],
    "webhook add": ["webhook", "add", "https://pos.example.com/more", "--events", "claimed"],
    "webhook remove": ["webhook", "remove", "https://pos.example.com/hooks"],
}
READS = {  # every other command: it may work, or say the sentence, never a traceback
    "template list": ["template", "list"],
    "batch list": ["batch", "list"],
    "batch vouchers": ["batch", "vouchers", "{batch}", "--limit", "100000"],
    "batch export": ["batch", "export", "{batch}", "--output", "{out}/export.csv"],
    "batch qr": ["batch", "qr", "{batch}", "--output", "{out}/qr.png"],
    "batch poster": ["batch", "poster", "{batch}", "--output", "{out}/poster.pdf"],
    "batch stats": ["batch", "stats", "{batch}"],
    "member find": ["member", "find", ""],
    "member export": ["member", "export", "ann@example.com", "--output", "{out}/ann.json"],
    "doctor": ["doctor"],
    "channels": ["channels"],
    "lookup": ["lookup", "{claimed}"],
    "activity": ["activity", "--limit", "100000"],
    "backup": ["backup", "--output", "{out}/now.db"],
    "api-key list": ["api-key", "list"],
    "webhook list": ["webhook", "list"],
    "webhook deliveries": ["webhook", "deliveries"],
}
ON_THEIR_OWN = {"serve", "copy-to"}  # (a server to stop, a database server to copy into: below)
NOT_RUN = {"restore"}  # what puts a damaged file right: tests/core/test_backups.py


def every_command() -> set[str]:
    found = set()
    for action in build_parser()._subparsers._group_actions[0].choices.items():
        name, parser = action
        subs = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
        found |= {f"{name} {sub}" for sub in subs[0].choices} if subs else {name}
    return found


def test_every_command_is_tried_below():
    assert every_command() == set(WRITES) | set(READS) | ON_THEIR_OWN | NOT_RUN


def damage(path) -> None:
    """Overwrite every eighth page of the second half of the closed file with noise: the vouchers'
    pages and their indexes' are hit, the schema on the first page is not."""
    data = bytearray(path.read_bytes())
    for page in range(len(data) // 4096 // 2, len(data) // 4096, 8):
        data[page * 4096 : page * 4096 + 4096] = bytes((n * 37 + 11) % 256 for n in range(4096))
    path.write_bytes(bytes(data))


def digest(path) -> str:
    return "".join(
        hashlib.sha256(part.read_bytes()).hexdigest()
        for part in (path, path.with_name(path.name + "-wal"))
        if part.exists() and part.stat().st_size
    )


@pytest.fixture
def damaged(db_path, tmp_path, monkeypatch):
    """A store with a big batch, claims, a redemption and a paused batch, its day's backup made, then
    a page of the closed file overwritten. Returns the names the commands use."""
    folder = tmp_path / "backups"
    monkeypatch.setattr(backups, "default_folder", lambda: folder)
    offer = templates.create_template("10% off", "10%", valid_days=30)
    templates.create_template("Unused", "5")  # (one a template command may archive or delete)
    batch = batches.create_batch("Summer", offer, 20_000, "Email")
    paused = batches.create_batch("Winter", offer, 5, "Email")
    batches.pause_batch(paused.id)
    ann = members.create_member("ann@example.com", "hash", "Ann")
    claimed = claims.claim(batch.token, ann.id).voucher.code
    redeemed = claims.claim(batch.token, members.create_member("bo@example.com", "hash").id).voucher.code
    claims.redeem(redeemed)
    api_keys.create("Till 1")
    webhooks.add("https://pos.example.com/hooks", "claimed,redeemed")
    settings.save(settings.load())
    made = backups.daily()
    store.close_database()
    damage(db_path)
    monkeypatch.setenv(store.ENV_VAR, str(db_path))
    return {
        "batch": str(batch.id),
        "paused": str(paused.id),
        "claimed": claimed,
        "redeemed": redeemed,
        "out": str(tmp_path),
        "path": db_path,
        "backup": made.path,
    }


def run(args: list[str], capsys, monkeypatch, path_of_the_store) -> tuple[int, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    try:
        code = launch.main(["--db", str(path_of_the_store), *args])
    except SystemExit as exc:
        code = exc.code
    finally:
        store.close_database()
    return code, capsys.readouterr().err


def says_damaged(err: str, shop: dict) -> bool:
    """The command's last word is the one sentence, on one line."""
    said = (err.strip().splitlines() or [""])[-1]
    return (
        said.startswith(f"voucher-batches: The database {shop['path']} is damaged (")
        and "nothing was written" in said
        and said.endswith(f"put it back with `voucher-batches restore {shop['backup']}`.")
    )


@pytest.mark.parametrize("command", sorted(WRITES))
def test_every_change_is_refused_and_the_file_left_as_it_is(damaged, command, capsys, monkeypatch):
    before = digest(damaged["path"])
    code, err = run([part.format(**damaged) for part in WRITES[command]], capsys, monkeypatch, damaged["path"])
    assert code == 1, err
    assert says_damaged(err, damaged), err
    assert digest(damaged["path"]) == before


@pytest.mark.parametrize("command", sorted(READS))
def test_every_read_works_or_says_the_sentence_and_leaves_the_file_as_it_is(
    damaged, command, capsys, monkeypatch, qapp
):
    before = digest(damaged["path"])
    code, err = run([part.format(**damaged) for part in READS[command]], capsys, monkeypatch, damaged["path"])
    assert "Traceback" not in err
    if command in ("batch export", "batch vouchers", "backup"):  # they read every voucher
        assert code == 1 and says_damaged(err, damaged), err
    else:
        assert code == 0 or says_damaged(err, damaged) or (command == "doctor" and code == 1), err
    assert digest(damaged["path"]) == before


def test_the_doctor_names_the_damage_and_the_backup(damaged, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code = launch.main(["doctor", "--json"])
    store.close_database()
    checks = {c["name"]: c for c in json.loads(capsys.readouterr().out)["checks"]}
    assert code == 1 and checks["database"]["status"] == "problem" and "damaged" in checks["database"]["message"]


def test_serve_refuses_to_serve_a_damaged_file(damaged):
    before = digest(damaged["path"])
    done = subprocess.run(
        [sys.executable, "-m", "app", "serve", "--port", str(free_port())],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "damaged" in done.stderr and str(damaged["path"]) in done.stderr
    assert digest(damaged["path"]) == before


def test_copy_to_says_the_sentence_when_it_meets_the_damage(damaged, cluster, capsys, monkeypatch):
    before = digest(damaged["path"])
    code, err = run(["copy-to", cluster.url, "--quiet"], capsys, monkeypatch, damaged["path"])
    assert code == 1 and says_damaged(err, damaged), err
    assert digest(damaged["path"]) == before
    store.open_database(cluster.url)  # nothing was copied
    assert Batch.select().count() == 0
