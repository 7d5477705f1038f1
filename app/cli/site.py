"""The claim site and the setup: voucher-batches serve, doctor and settings."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from app.core import (
    links,
    logfile,
    settings,
    wallet,
)
from app.core.errors import InvalidInput

from .common import (
    Parsers,
    actor,
    go_ahead,
    positive_int,
)
from .output import print_json


def register(parsers: Parsers) -> None:
    serve = parsers.top.add_parser("serve", parents=[parsers.common], help="run the claim site until Ctrl+C")
    serve.add_argument("--host", help="address to listen on (default: the setting, 0.0.0.0)")
    serve.add_argument("--port", type=int, help="port to listen on (default: the setting, 8080)")
    serve.add_argument(
        "--workers",
        type=positive_int,
        default=1,
        metavar="N",
        help="server processes sharing the port (default 1; more than 1 needs Linux or macOS)",
    )
    serve.set_defaults(run=_serve, creates=True)
    doctor = parsers.top.add_parser(
        "doctor", parents=[parsers.common], help="check the setup: database, claim link, claim site, port"
    )
    doctor.add_argument("--json", action="store_true", help='print {"checks": [{"name", "status", "message"}]}')
    doctor.set_defaults(run=_doctor)
    config = parsers.top.add_parser(
        "settings", parents=[parsers.common, parsers.who], help="show or change the shared settings"
    )
    config.add_argument("--store-name")
    config.add_argument(
        "--public-url", help="the address printed in claim links and QR codes, e.g. https://yoursite.com"
    )
    config.add_argument("--host", help="address the claim site listens on")
    config.add_argument("--port", type=int, help="port the claim site listens on")
    config.add_argument("--currency", help="currency symbol for amounts")
    config.add_argument("--trusted-proxy", help="address of the reverse proxy whose forwarded headers are trusted")
    config.add_argument("--time-zone", help="the store's time zone, e.g. America/New_York (empty: this PC's)")
    config.add_argument("--undo-days", type=int, help="how many days after a redemption it can be undone (default 7)")
    config.add_argument("--logo", help="a PNG or SVG printed on the signage (empty: none)")
    config.add_argument("--accent-color", help="the signage's accent colour, e.g. #0b6e4f (empty: the default)")
    config.add_argument(
        "--claim-site",
        choices=settings.CLAIM_SITES,
        help=(
            "local: the window serves the claim site on this PC; "
            "hosted: a server does, at the public URL (no local site)"
        ),
    )
    config.add_argument(
        "--wallet-certificate",
        metavar="FILE.p12",
        help=(
            "the store's Apple Pass Type ID certificate, exported with its key as a .p12: members are then offered "
            f"Apple Wallet passes. Its password is asked (or read from ${WALLET_PASSWORD_VAR}) and kept on this PC "
            "like a database password. Empty: no more passes"
        ),
    )
    config.add_argument(
        "--wallet-pass-type-id", help="the Pass Type ID, e.g. pass.com.yourstore.vouchers (default: the certificate's)"
    )
    config.add_argument(
        "--wallet-team-id", help="the Apple developer team ID, 10 characters (default: the certificate's)"
    )
    config.add_argument("--yes", action="store_true", help="change the public URL without asking, though links are out")
    config.add_argument("--json", action="store_true", help="print JSON")
    config.set_defaults(run=_settings, creates=True)


def _serve(args) -> int:
    try:  # its own file: the window rotating the same one would fight over it (Windows)
        logfile.setup_logging(kind="serve")
    except OSError:  # no log folder on this PC: the site serves all the same
        pass
    config = settings.load()
    args.front_ends.serve(
        args.host or config.host, args.port if args.port is not None else config.port, workers=args.workers
    )
    return 0


def _doctor(args) -> int:
    from app.core import doctor

    checks = doctor.run_checks()
    if args.json:
        print_json({"checks": [check.to_json() for check in checks]})
    else:
        marks = {"ok": "ok     ", "warning": "warning", "problem": "PROBLEM"}
        for check in checks:
            print(f"{marks[check.status]}  {check.name:<11} {check.message}")
    return 1 if any(check.status == "problem" for check in checks) else 0


WALLET_PASSWORD_VAR = "VOUCHER_BATCHES_WALLET_PASSWORD"


def _wallet_password(path: Path) -> str:
    """The certificate's password: from the environment (scripts), else asked on the terminal."""
    if WALLET_PASSWORD_VAR in os.environ:
        return os.environ[WALLET_PASSWORD_VAR]
    if not sys.stdin or not sys.stdin.isatty():
        raise InvalidInput(
            f"Give the certificate's password: run this on a terminal to be asked, or set {WALLET_PASSWORD_VAR}."
        )
    return getpass.getpass(f"Password of {path.name}: ")


def _settings(args) -> int:
    before = settings.load()
    config = settings.load()
    certificate = None  # (the .p12 file's bytes, its password): checked before anything is saved
    if args.wallet_certificate:
        p12 = wallet.read_file(args.wallet_certificate)
        password = _wallet_password(Path(args.wallet_certificate))
        _, args.wallet_pass_type_id, args.wallet_team_id = wallet.check_certificate(
            p12, password, args.wallet_pass_type_id or "", args.wallet_team_id or ""
        )
        certificate = (p12, password)
    changes = {
        "store_name": args.store_name,
        "public_base_url": args.public_url,
        "host": args.host,
        "port": args.port,
        "currency": args.currency,
        "trusted_proxy": args.trusted_proxy,
        "time_zone": args.time_zone,
        "undo_days": args.undo_days,
        "logo_path": args.logo,
        "accent_color": args.accent_color,
        "claim_site": args.claim_site,
        "wallet_pass_type_id": args.wallet_pass_type_id,
        "wallet_team_id": args.wallet_team_id,
    }
    changes = {k: v for k, v in changes.items() if v is not None}
    if changes:
        for key, value in changes.items():
            setattr(config, key, value)
        if "public_base_url" in changes:
            config.public_base_url = settings.validate_base_url(config.public_base_url)
        warning = settings.base_change_warning(before, config)
        if warning and not go_ahead(args, f"{warning} Change it?", "Not changed."):
            return 1
        config = settings.save(config, actor(args))
    if certificate is not None:
        wallet.keep_certificate(*certificate, actor(args))
    elif args.wallet_certificate == "":
        wallet.remove_certificate(actor(args))
    data = {**config.__dict__, "claim_link_base": config.base_url, "apple_wallet": wallet.status()}
    if args.json:
        print_json(data)
    else:
        for key, value in data.items():
            print(f"{key.replace('_', ' ').capitalize():<18} {value}")
        verdict = links.judge(config.base_url)
        if verdict.status != "ok":
            print(f"\n{verdict.message} {verdict.fix}", file=sys.stderr)
    return 0
