"""packaging/deploy/: the systemd unit starts a command line the application's own parser accepts,
every `vb …` command of the hosted-server guide is one it accepts, and systemd accepts the units."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

from app import cli

DEPLOY = Path(__file__).resolve().parents[1] / "packaging" / "deploy"
UNIT = DEPLOY / "voucher-batches-claim-site.service"
GUIDE = DEPLOY / "README.md"
UNITS = ("voucher-batches-claim-site.service", "voucher-batches-backup.service", "voucher-batches-backup.timer")


def directives(unit: Path) -> dict[str, list[str]]:
    """Each directive's values in the order written (systemd allows several, e.g. Environment=)."""
    found: dict[str, list[str]] = {}
    for line in unit.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";", "[")):
            name, _, value = line.partition("=")
            found.setdefault(name, []).append(value)
    return found


def parsed(argv: list[str]):
    try:
        return cli.build_parser().parse_args(argv)
    except SystemExit as exc:
        raise AssertionError(f"voucher-batches refuses {shlex.join(argv)!r} (exit {exc.code})") from None


def test_the_unit_starts_serve_with_workers_on_the_loopback_address_as_its_own_user():
    unit = directives(UNIT)
    program, *argv = shlex.split(unit["ExecStart"][0])
    assert program == "/opt/voucher-batches/.venv/bin/voucher-batches"
    args = parsed(argv)  # needs `serve --workers N` (issue 13): fails until that branch is merged
    assert (args.command, args.workers, args.host, args.port) == ("serve", 2, "127.0.0.1", 8080)
    assert unit["User"] == ["voucher-batches"] and unit["Restart"] == ["on-failure"]
    assert unit["EnvironmentFile"] == ["/etc/voucher-batches/claim-site.env"]
    for sandbox in ("NoNewPrivileges", "PrivateTmp", "ProtectHome"):
        assert unit[sandbox] == ["yes"]
    assert unit["ProtectSystem"] == ["strict"]


def test_the_guide_makes_the_env_file_readable_by_root_alone_and_never_prints_its_password():
    guide = GUIDE.read_text()
    assert "sudo install -m 600 -o root -g root /dev/null /etc/voucher-batches/claim-site.env" in guide
    assert "VOUCHER_BATCHES_DB=postgresql://vouchers:PASSWORD@127.0.0.1:5432/vouchers" in guide
    assert "hostssl  vouchers  vouchers  203.0.113.10/32  scram-sha-256" in guide
    for port in ("80/tcp", "443/tcp", "from 203.0.113.10 to any port 5432"):
        assert f"sudo ufw allow {port}" in guide


def test_every_voucher_batches_command_in_the_guide_is_one_the_application_accepts():
    commands = [line.strip() for line in re.findall(r"^vb (.+)$", GUIDE.read_text(), flags=re.M)]
    assert len(commands) >= 2
    for command in commands:
        args = parsed(shlex.split(command))
        assert callable(args.run)  # a command the parser knows, with what runs it
    settings_args = parsed(shlex.split(next(c for c in commands if c.startswith("settings "))))
    assert settings_args.claim_site == "hosted" and settings_args.public_url == "https://vouchers.yourstore.com"


def test_systemd_accepts_the_units(tmp_path):
    """Verified as written, but with ExecStart on an installed program (/opt/voucher-batches is not here)."""
    for name in UNITS:
        text = (DEPLOY / name).read_text().replace("/opt/voucher-batches/.venv/bin/voucher-batches", sys.executable)
        (tmp_path / name).write_text(text)
    done = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / n) for n in UNITS)], capture_output=True, text=True
    )
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
