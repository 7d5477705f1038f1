"""`voucher-batches doctor`: the setup checked, one plain sentence per check.

The same checks serve the CLI and the window's status bar. Each is ok, warning or problem."""

from __future__ import annotations

import errno
import json
import re
import socket
import sqlite3
import sys
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import peewee

from . import links, settings, store, windows
from .errors import VoucherError
from .links import OK, PROBLEM, WARNING
from .store import backups

T = TypeVar("T")
TIMEOUT = 3.0  # seconds for each address asked; doctor must answer quickly even when nothing does


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def run_checks() -> list[Check]:
    """database, claim_link, claim_site and port, in that order; on Windows, firewall too when
    Windows Firewall or a Public network will keep phones out."""
    found = [check_database()]
    try:
        config = settings.load()
    except VoucherError as exc:
        return found + [Check(name, PROBLEM, str(exc)) for name in ("claim_link", "claim_site", "port")]
    if config.hosted:  # nothing of the claim site runs on this PC: its server is asked at the public URL
        port = Check("port", OK, f"The claim site is hosted at {config.base_url}: this PC needs no port for it.")
        return found + [check_claim_link(config), check_hosted_site(config.base_url), port]
    site = local_site(config.port)
    found += [check_claim_link(config), check_claim_site(config, site), check_port(config, site)]
    phones = check_phones(config)
    return found + ([phones] if phones is not None else [])


def check_database() -> Check:
    where = store.location()
    try:
        with store.translated_errors():
            database = store.database.obj
            if isinstance(database, peewee.SqliteDatabase):
                # the file's check since it was opened (at start and once a day), else one now
                problem = backups.known_problem()
                engine = f"SQLite {sqlite3.sqlite_version}"
                if problem is not None:
                    return Check("database", PROBLEM, f"The database {where} is damaged: {problem}")
            else:
                engine = (database.execute_sql("SELECT version()").fetchone()[0] or "").split(",")[0]
            schema = database.execute_sql("SELECT version FROM schema_version").fetchone()[0]
    except VoucherError as exc:
        return Check("database", PROBLEM, str(exc))
    return Check("database", OK, f"The database {where} opens and is intact (schema {schema}, {engine}).")


def check_claim_link(config: settings.Settings) -> Check:
    base = config.base_url
    verdict = links.judge(base)
    message = verdict.message
    status = verdict.status
    if not config.public_base_url:
        message += " It is fixed when the first batch is created."
    parts = urlsplit(base)
    here = None if config.hosted else links.points_here(base)  # hosted: this PC's address and port do not matter
    if here is False and links.judge(base).local_only:
        status = PROBLEM
        message = (
            f"Claim links point to {parts.hostname}, which is not this PC's address any more: posters and messages "
            f"already shared lead nowhere. Give this PC a fixed address on the network, or set a public base URL."
        )
    elif here and (parts.port or (443 if parts.scheme == "https" else 80)) != config.port:
        status = PROBLEM
        message = (
            f"Claim links point to port {parts.port or 80} of this PC, but the claim site listens on port "
            f"{config.port}: "
            "the links lead nowhere. Set the port back, or set the public base URL."
        )
    elif status != OK:
        message = f"{message} {verdict.fix}"
    return Check("claim_link", status, message)


@dataclass(frozen=True)
class Site:
    """What answered /healthz on this PC's claim-site port."""

    url: str
    database_id: str | None
    ours: bool


def ask_health(url: str, timeout: float = TIMEOUT) -> dict[str, Any] | str:
    """The /healthz answer of a claim site (a dict), or a sentence saying why there is none."""
    # (imported here: the HTTP client with email's parser and OpenSSL, which the window's start does without)
    import ssl
    import urllib.error
    import urllib.request

    target = url.rstrip("/") + "/healthz"
    try:
        with urllib.request.urlopen(target, timeout=timeout) as answer:
            return json.loads(answer.read(4096).decode("utf-8"))
    except urllib.error.HTTPError as exc:
        try:
            return json.loads(exc.read(4096).decode("utf-8"))
        except ValueError:
            return f"{target} answers {exc.code}"
    except ssl.SSLError as exc:
        return f"{target} answers with a certificate this PC does not trust ({exc.reason or exc})"
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return f"{target} does not answer ({getattr(reason, 'strerror', None) or reason})"
    except ValueError:
        return f"{target} answers, but not as a claim site"


def local_site(port: int) -> Site | None:
    """The claim site serving on this PC's claim-site port, if any, and whether it serves this database."""
    url = f"http://127.0.0.1:{port}"
    answer = ask_health(url, timeout=1.5)
    if not isinstance(answer, dict):
        return None
    their_id = answer.get("database_id")
    try:
        ours = their_id is not None and their_id == settings.database_id()
    except VoucherError:
        ours = False
    return Site(url, their_id, ours)


def check_hosted_site(url: str, timeout: float = TIMEOUT) -> Check:
    """Whether the claim site hosted at url answers, and whether it serves this database."""
    url = url.rstrip("/")
    where = f"Claim site hosted at {url}"
    answer = ask_health(url, timeout=timeout)
    if isinstance(answer, str):  # "<url>/healthz does not answer (Connection refused)": the reason, not the URL again
        reason = answer.removeprefix(f"{url.rstrip('/')}/healthz").strip()
        bare = re.fullmatch(r"does not answer \((.*)\)", reason)
        return Check(
            "claim_site", PROBLEM, f"{where}: not answering ({bare.group(1) if bare else '/healthz ' + reason})"
        )
    if answer.get("status") != "ok":  # what is wrong, in a word: a stranger is told no more (its log says the rest)
        return Check(
            "claim_site",
            PROBLEM,
            f"{where}: answering, but its database is unavailable ({answer.get('database', '?')})",
        )
    try:
        ours = settings.database_id()
    except VoucherError:
        ours = None
    if ours is not None and answer.get("database_id") not in (None, ours):
        return Check("claim_site", PROBLEM, f"{where}: answering, but it serves another database")
    return Check("claim_site", OK, f"{where}: answering")


def check_claim_site(config: settings.Settings, site: Site | None) -> Check:
    if site is None:
        return Check(
            "claim_site",
            WARNING,
            f"No claim site is serving on port {config.port} of this PC: claim links do not work until the window "
            "or `voucher-batches serve` runs.",
        )
    if not site.ours:
        return Check("claim_site", PROBLEM, f"The claim site on port {config.port} of this PC serves another database.")
    answer = ask_health(config.base_url)
    if isinstance(answer, dict) and answer.get("database_id") == site.database_id:
        return Check("claim_site", OK, f"A claim site serves this database, and {config.base_url} answers.")
    reason = answer if isinstance(answer, str) else f"{config.base_url} answers for another database"
    return Check(
        "claim_site",
        PROBLEM,
        f"A claim site serves this database on this PC, but the claim link's address does not reach it: {reason}.",
    )


def check_port(config: settings.Settings, site: Site | None) -> Check:
    port = config.port
    if site is not None and site.ours:
        return Check("port", OK, f"Port {port} is used by this database's claim site.")
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("0.0.0.0" if config.host in ("", "0.0.0.0", "::") else config.host, port))
    except OSError as exc:
        refused = windows.refusal_sentence(exc, port)  # an excluded range, or a program's exclusive bind
        if refused is not None:
            return Check("port", PROBLEM, refused)
        if exc.errno == errno.EADDRINUSE:
            return Check("port", PROBLEM, f"Port {port} is used by another program: the claim site cannot start on it.")
        return Check(
            "port", PROBLEM, f"The claim site cannot listen on {config.host} port {port}: {exc.strerror or exc}."
        )
    return Check("port", OK, f"Port {port} is free for the claim site.")


def check_phones(
    config: settings.Settings,
    platform: str = sys.platform,
    ask: Callable[[], tuple[list[str], bool | None, bool]] | None = None,
) -> Check | None:
    """Whether Windows will keep phones out of the claim site (a Public network, or the firewall
    with no rule for the app), said as a "firewall" check; None when it will not, or when the claim
    site listens on this PC alone. ask: (categories, firewall on, rule allows) for tests."""
    if platform != "win32" or config.host in ("127.0.0.1", "localhost", "::1"):
        return None
    program = sys.executable
    if ask is None:
        categories, firewall, rule = windows.network_categories(), windows.firewall_on(), windows.rule_allows(program)
    else:
        categories, firewall, rule = ask()
    verdict = windows.phones_blocked_sentence(config.port, categories, firewall, rule, program)
    return Check("firewall", *verdict) if verdict is not None else None


CLAIM_PATH = settings.CLAIM_PATH


def _within(seconds: float, work: Callable[[], T]) -> T | None:
    """work()'s answer, or None when it has none within seconds (a name lookup can take longer than
    any socket timeout: the caller is never held longer than this)."""
    answers: list[T] = []
    worker = threading.Thread(target=lambda: answers.append(work()), name="link-check", daemon=True)
    worker.start()
    worker.join(seconds)
    return answers[0] if answers else None


def link_reaches(claim_url: str, timeout: float = TIMEOUT) -> str | None:
    """None when a claim link's address reaches this store's claim site (its /healthz answers with
    this database's id); else the sentence saying that it does not, and what answers instead.
    Waits at most timeout + 1 seconds, whatever the network does."""
    base = claim_url.split(CLAIM_PATH)[0].rstrip("/")
    answer = _within(timeout + 1, lambda: ask_health(base, timeout))
    if answer is None:
        reason = f"{base}/healthz does not answer within {timeout + 1:g} s"
    elif isinstance(answer, str):
        reason = answer
    elif answer.get("status") != "ok":
        reason = f"a claim site answers at {base}, but its database is unavailable ({answer.get('database', '?')})"
    else:
        try:
            ours = settings.database_id()
        except VoucherError:
            ours = None
        if ours is not None and answer.get("database_id") == ours:
            return None
        reason = f"{base} answers for another database than this store's"
    return (
        f"The claim link's address does not reach this store's claim site: {reason}. Members who open the link "
        "or scan the code reach nothing until it does."
    )
