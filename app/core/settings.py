"""Settings shared by every front end, kept in the database (the store's name, the public URL, ...)."""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
import socket
import time
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from app.core.store.identity import DATABASE_ID, secret_key
from app.core.store.models import Setting

from . import times
from .activity import record
from .errors import InvalidInput, Refused
from .store import guarded, run_sql, write_transaction

if TYPE_CHECKING:
    from .activity import Actor

DEFAULT_PORT = 8080
DEFAULT_HOST = "0.0.0.0"
DEFAULT_ACCENT = "#0b6e4f"
LOGO_TYPES = (".png", ".svg")
# Where the claim site runs: beside the window on this PC, or on a server of its own (hosted), which
# answers at the public base URL: the address the links carry is the one whose /healthz is asked.
LOCAL, HOSTED = "local", "hosted"
CLAIM_SITES = (LOCAL, HOSTED)


CLAIM_PATH = "/en-us/claim/"  # a batch's claim page: the site's address, this, the batch's token


def claim_link(base_url: str, token: str) -> str:
    """A batch's claim link on the claim site at base_url (no trailing slash)."""
    return f"{base_url}{CLAIM_PATH}{token}"


_lan_cache: tuple[float, str] = (0.0, "")


def lan_address() -> str:
    """This PC's address on the local network, as phones on the store's Wi-Fi reach it.

    Connecting a UDP socket only asks the kernel for a route; no packet is sent. Asked again at
    most every 30 s: the dashboard reads claim URLs every second."""
    global _lan_cache
    checked, address = _lan_cache
    if address and time.monotonic() - checked < 30:
        return address
    address = _route_address()
    _lan_cache = (time.monotonic(), address)
    return address


def _route_address() -> str:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))
            address = probe.getsockname()[0]
    except OSError:
        return "127.0.0.1"
    return address if address and not address.startswith("0.") else "127.0.0.1"


def this_pcs_addresses() -> set[str]:
    """The addresses other machines may reach this PC at (best effort, no packet sent)."""
    found = {lan_address(), "127.0.0.1", "::1"}
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None):
            found.add(str(info[4][0]))
    except OSError:
        pass
    return found


def points_here(url: str) -> bool | None:
    """Whether a link naming an address (not a name) names one of this PC's; None for a host name."""
    host = (urlsplit(url or "").hostname or "").strip("[]")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return None
    return host in this_pcs_addresses()


@dataclass
class Settings:
    store_name: str = "Our Store"
    public_base_url: str = ""  # chosen once (choose_claim_base) and kept: printed links must keep working
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    currency: str = "$"
    trusted_proxy: str = ""  # the reverse proxy's address whose X-Forwarded-* headers are believed
    time_zone: str = ""  # the store's IANA time zone; empty: this PC's
    undo_days: int = 7  # a redemption can be undone this many days after it was made
    logo_path: str = ""  # a PNG or SVG printed on the signage; empty: none
    accent_color: str = ""  # #rrggbb for the signage's offer and rules; empty: DEFAULT_ACCENT
    claim_site: str = LOCAL  # LOCAL: the window serves it; HOSTED: a server does, at the public base URL
    # Apple Wallet: the store's Pass Type ID (pass.com.yourstore.vouchers) and Apple developer team
    # (10 characters), both printed in its certificate (app/core/wallet holds the certificate itself)
    wallet_pass_type_id: str = ""
    wallet_team_id: str = ""

    @property
    def hosted(self) -> bool:
        return self.claim_site == HOSTED

    @property
    def base_url(self) -> str:
        """The address printed in claim links and QR codes, without a trailing slash (until it is
        chosen, what choose_claim_base would choose)."""
        if self.public_base_url:
            return self.public_base_url.rstrip("/")
        return f"http://{lan_address()}:{self.port}"

    def claim_url(self, token: str) -> str:
        return claim_link(self.base_url, token)


def validate_base_url(url: str) -> str:
    url = (url or "").strip().rstrip("/")
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInput(
            "The public base URL must start with http:// or https:// and name a host, e.g. https://yoursite.com"
        )
    return url


def validate_accent(color: str) -> str:
    color = (color or "").strip().lower()
    if color and not re.fullmatch(r"#[0-9a-f]{6}", color):
        raise InvalidInput(f"An accent colour is written like #0b6e4f, not {color!r}.")
    return color


_PASS_TYPE_RE = re.compile(r"^pass(\.[A-Za-z0-9-]+)+$")
_TEAM_RE = re.compile(r"^[A-Z0-9]{10}$")


def validate_pass_type_id(text: str) -> str:
    text = (text or "").strip()
    if text and not _PASS_TYPE_RE.fullmatch(text):
        raise InvalidInput(f"An Apple Pass Type ID is written like pass.com.yourstore.vouchers, not {text!r}.")
    return text


def validate_team_id(text: str) -> str:
    text = (text or "").strip().upper()
    if text and not _TEAM_RE.fullmatch(text):
        raise InvalidInput(f"An Apple team ID is 10 letters and digits, like A1B2C3D4E5, not {text!r}.")
    return text


def validate_logo(path: str) -> str:
    """A PNG or SVG file that exists (checked when chosen: a print must not fail on it later)."""
    path = (path or "").strip()
    if not path:
        return ""
    if not path.lower().endswith(LOGO_TYPES) or not os.path.isfile(path):
        raise InvalidInput(f"The logo must be a PNG or SVG file that exists; {path} is not.")
    return os.path.abspath(path)


_last: Settings | None = None  # the settings as last read or saved in this process


@guarded
def load(lock_rows: bool = False) -> Settings:
    """The settings as stored. lock_rows: inside a write transaction that goes on to change them
    (on PostgreSQL their rows are locked until it ends; SQLite's write lock covers them already)."""
    # plain SQL: the dashboard's read of every batch, once a second, starts here
    stored = dict(run_sql(f"SELECT key, value FROM {Setting._meta.table_name}", lock_rows=lock_rows).fetchall())
    values: dict[str, Any] = {}
    for field in _FIELDS:
        if field.name in stored:
            values[field.name] = int(stored[field.name]) if field.type in (int, "int") else stored[field.name]
    return _remember(Settings(**values))


_FIELDS = fields(Settings)


def _remember(loaded: Settings) -> Settings:
    global _last
    _last = loaded
    times.set_zone(loaded.time_zone)
    return loaded


def cached() -> Settings:
    """The settings as last read in this process (read now if never): for formatting, which must
    not wait on the database. Every front end reads the settings often enough to keep it fresh."""
    return _last if _last is not None else load()


MAX_UNDO_DAYS = 365


@guarded
def save(settings: Settings, actor: Actor | None = None) -> Settings:
    """Validate and keep the settings; what changed is recorded in the activity log (which keys,
    never their values), by actor (an activity.Actor; None: this PC)."""
    settings.public_base_url = validate_base_url(settings.public_base_url)
    try:
        settings.port = int(settings.port)
    except (TypeError, ValueError):
        raise InvalidInput("The port must be a number from 1 to 65535.") from None
    if not 1 <= settings.port <= 65535:
        raise InvalidInput("The port must be a number from 1 to 65535.")
    settings.store_name = (settings.store_name or "").strip()
    if not settings.store_name:
        raise InvalidInput("The store needs a name.")
    if len(settings.store_name) > 120:
        raise InvalidInput("A store name is at most 120 characters.")
    settings.host = (settings.host or "").strip() or DEFAULT_HOST
    settings.time_zone = times.validate_zone(settings.time_zone)
    try:
        settings.undo_days = int(settings.undo_days)
    except (TypeError, ValueError):
        settings.undo_days = -1
    if not 1 <= settings.undo_days <= MAX_UNDO_DAYS:
        raise InvalidInput(f"Redemptions can be undone for 1 to {MAX_UNDO_DAYS} days.")
    settings.accent_color = validate_accent(settings.accent_color)
    settings.logo_path = validate_logo(settings.logo_path)
    settings.wallet_pass_type_id = validate_pass_type_id(settings.wallet_pass_type_id)
    settings.wallet_team_id = validate_team_id(settings.wallet_team_id)
    settings.claim_site = (settings.claim_site or LOCAL).strip().lower()
    if settings.claim_site not in CLAIM_SITES:
        raise InvalidInput(
            f"The claim site is {LOCAL!r} (on this PC) or {HOSTED!r} (on a server), not {settings.claim_site!r}."
        )
    if settings.hosted and not settings.public_base_url:
        raise InvalidInput(
            "A hosted claim site answers at the public base URL: set it first, e.g. https://vouchers.yourstore.com"
        )
    with write_transaction():
        before = load(lock_rows=True)
        refusal = move_refusal(before, settings)
        if refusal is not None:
            raise Refused(refusal)
        settings.public_base_url = _base_moved_along(before, settings)
        rows = [{"key": f.name, "value": str(getattr(settings, f.name))} for f in fields(Settings)]
        stored = {row.key: row.value for row in Setting.select().where(Setting.key.in_([r["key"] for r in rows]))}
        defaults = Settings()
        changed = [r["key"] for r in rows if stored.get(r["key"], str(getattr(defaults, r["key"]))) != r["value"]]
        Setting.insert_many(rows).on_conflict(conflict_target=[Setting.key], preserve=[Setting.value]).execute()
        if changed:
            record("settings_changed", actor, keys=changed)
    return _remember(settings)


SESSION_KEY = "claim-site-session"  # the secret the claim site signs its session cookies with


@guarded
def secret(name: str, nbytes: int = 32) -> str:
    """A random secret kept in the database (e.g. the claim site's session key), made on first use."""
    key = secret_key(name)
    row = Setting.get_or_none(Setting.key == key)
    if row is not None:
        return row.value
    with write_transaction():
        Setting.insert(key=key, value=secrets.token_urlsafe(nbytes)).on_conflict_ignore().execute()
    return Setting.get(Setting.key == key).value


def database_id() -> str:
    """A random name of this database, made on first use: tells which database a running claim
    site serves (two sites on two databases must not be taken for one). A copy of a database file
    gets a name of its own when it is opened (app.core.store.identity)."""
    return secret(DATABASE_ID, 9)


@guarded
def save_edits(read: Settings, edited: Settings, actor: Actor | None = None) -> Settings:
    """Keep what the person changed from the settings they were shown (read), on top of the settings
    as stored now: a change another program or this window's worker made meanwhile (the claim
    links' base, kept at the first start while the welcome dialog is open) stays as it was."""
    changed = {f.name: getattr(edited, f.name) for f in _FIELDS if getattr(edited, f.name) != getattr(read, f.name)}
    with write_transaction():
        return save(replace(load(lock_rows=True), **changed), actor)


@guarded
def choose_claim_base() -> Settings:
    """Keep the claim links' base from now on. Until a public base URL is set it is this PC's
    address on the network as it is today; it is stored, not worked out again each time, so the
    posters and messages already out keep pointing at the same place when the PC's address changes."""
    with write_transaction():  # read and written in one: a save meanwhile (the first start's store name) is kept
        current = load(lock_rows=True)
        if current.public_base_url:
            return current
        current.public_base_url = current.base_url
        return save(current)


@guarded
def base_change_warning(before: Settings, after: Settings) -> str | None:
    """What changing the claim links' base would break, or None when nothing was shared yet."""
    from app.core.store.models import Batch

    old, new = before.public_base_url.rstrip("/"), after.public_base_url.rstrip("/")
    if not old or old == new:
        return None
    shared = Batch.select().count()
    if not shared:
        return None
    noun = "batch has" if shared == 1 else "batches have"
    return (
        f"{shared:,} {noun} claim links starting {old}. Posters already printed and emails and messages "
        f"already sent point there: after the change they stop working, and only new links ({new}/…) work."
    )


EVERY_NETWORK = ("", "0.0.0.0", "::")


def _link_port(url: str) -> int:
    parts = urlsplit(url)
    return parts.port or (443 if parts.scheme == "https" else 80)


def _links_reach_the_listener(config: Settings) -> bool:
    """Whether the claim links' base names this PC's claim site itself, its address and port (the
    LAN address chosen at the first batch, or any base with the port it listens on); not when they
    go through a proxy, a tunnel or a hosted site, whose own address is in the links."""
    base = config.public_base_url
    if not base or config.hosted or points_here(base) is False:
        return False
    return _link_port(base) == int(config.port) and (urlsplit(base).port is not None or bool(points_here(base)))


def _listens_at(config: Settings, url: str) -> bool:
    """Whether a claim site listening as config says answers at url's address and port."""
    host = (urlsplit(url).hostname or "").strip("[]")
    listening = (config.host or "").strip()
    return _link_port(url) == int(config.port) and (listening in EVERY_NETWORK or listening == host)


@guarded
def move_refusal(before: Settings, after: Settings) -> str | None:
    """Why the claim site may not move from where the links already out reach it, or None. Links
    that carry this PC's address and port lead nowhere once the site listens elsewhere: a new port
    (or a host that no longer answers that address) is refused while batches have such links. A
    new public base URL is asked about on its own (base_change_warning); a hosted site is elsewhere."""
    from app.core.store.models import Batch

    old = before.public_base_url.strip().rstrip("/")
    if (
        after.hosted
        or not old
        or after.public_base_url.strip().rstrip("/") != old
        or not _links_reach_the_listener(before)
    ):
        return None
    if _listens_at(after, old):
        return None
    shared = Batch.select().count()
    if not shared:
        return None
    noun = "batch has" if shared == 1 else "batches have"
    port = _link_port(old)
    if int(after.port) != port:
        there, moved, keep = f"port {port} of this PC", f"it listens on port {after.port}", f"Keep port {port}."
    else:
        there = f"{urlsplit(old).hostname}"
        moved = f"it listens only on {after.host}"
        kept = (before.host or "").strip()
        keep = "Keep listening on every network (0.0.0.0)." if kept in EVERY_NETWORK else f"Keep the host {kept}."
    return (
        f"{shared:,} {noun} claim links starting {old}: posters and messages already out reach the claim site at "
        f"{there}, and would lead nowhere once {moved}. {keep}"
    )


def _base_moved_along(before: Settings, after: Settings) -> str:
    """The links' base, its port moved with the claim site's while no batch has shared it yet (the
    base this PC chose at start would otherwise lead the first batch's links to the old port)."""
    from app.core.store.models import Batch

    base = after.public_base_url
    if (
        base.rstrip("/") != before.public_base_url.rstrip("/")
        or int(after.port) == int(before.port)
        or not _links_reach_the_listener(before)
        or not points_here(base)
        or Batch.select().exists()
    ):
        return base
    parts = urlsplit(base)
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    return parts._replace(netloc=f"{host}:{int(after.port)}").geturl()
