"""Passwords of database servers, kept for this user on this PC: in the system's keyring when the
`keyring` package is installed (and has a working back end), else in a file in the user's config
folder that only this user may read (0600). Never in QSettings, a log or a sentence.

A password belongs to a server's user and database (`postgresql://user@host:port/name`), so the
window and the command line find the same one from a URL typed without it. Other secrets of this PC
(the Apple Wallet certificate's password) are kept the same way under a name of their own
(store_secret, lookup_secret, forget_secret)."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from urllib.parse import unquote, urlsplit, urlunsplit

from platformdirs import user_config_path

from app.core.errors import FileProblem

APP_NAME = "voucher-batches"
KEYRING_SERVICE = "voucher-batches database"
FILE_NAME = "database-passwords.json"


def passwords_file() -> Path:
    """The file used when there is no keyring: the user's config folder (on Windows, under the
    user's profile: %LOCALAPPDATA%), readable by this user alone."""
    return user_config_path(APP_NAME, appauthor=False) / FILE_NAME


def split(url: str) -> tuple[str, str]:
    """A URL typed with a password in it: (the URL without it, the password); ("", "") parts kept."""
    parts = urlsplit(url)
    if parts.password is None:
        return url, ""
    netloc = parts.netloc.rpartition("@")[2]
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    return urlunsplit(parts._replace(netloc=netloc)), unquote(parts.password)


def key(url: str) -> str:
    """What a password belongs to: scheme, user, host, port and database, never the password itself."""
    parts = urlsplit(split(url)[0])
    scheme = "postgresql" if parts.scheme == "postgres" else parts.scheme
    port = parts.port or (5432 if scheme == "postgresql" else "")
    return f"{scheme}://{parts.username or ''}@{(parts.hostname or 'localhost').lower()}:{port}{parts.path or '/'}"


def _keyring() -> ModuleType | None:
    """The keyring module when it is installed and has a real back end, else None."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:  # a broken keyring configuration: use the file
        return None
    return None if isinstance(backend, fail.Keyring) else keyring


def where_kept() -> str:
    """Where a stored password goes, as a person would read it."""
    if _keyring() is not None:
        return "the system keyring"
    return f"{passwords_file()} (readable only by you)"


def _read_file() -> dict[str, str]:
    try:
        with open(passwords_file(), encoding="utf-8") as handle:
            stored = json.load(handle)
    except (OSError, ValueError):
        return {}
    return stored if isinstance(stored, dict) else {}


def _write_file(stored: dict[str, str], what: str = "The database password") -> None:
    """Replace the file in one step; it is made 0600 before any password is written into it."""
    path = passwords_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".passwords-", dir=path.parent)  # mkstemp: 0600 already
        try:
            if sys.platform != "win32":
                os.fchmod(handle, 0o600)
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(stored, out)
            os.replace(temporary, path)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise
    except OSError as exc:
        raise FileProblem(f"{what} could not be kept in {path}: {exc.strerror or exc}.") from None


def _keep(name: str, password: str, what: str) -> None:
    ring = _keyring()
    if ring is not None:
        try:
            ring.set_password(KEYRING_SERVICE, name, password)
            return
        except Exception:  # a locked or refusing keyring: the file instead
            pass
    stored = _read_file()
    stored[name] = password
    _write_file(stored, what)


def _kept(name: str) -> str | None:
    ring = _keyring()
    if ring is not None:
        try:
            found = ring.get_password(KEYRING_SERVICE, name)
        except Exception:
            found = None
        if found is not None:
            return found
    return _read_file().get(name)


def _drop(name: str, what: str) -> None:
    ring = _keyring()
    if ring is not None:
        try:
            ring.delete_password(KEYRING_SERVICE, name)
        except Exception:  # none kept there
            pass
    stored = _read_file()
    if stored.pop(name, None) is not None:
        _write_file(stored, what)


def store(url: str, password: str) -> None:
    """Keep the password of this URL's user and database (replacing one kept before)."""
    _keep(key(url), password, "The database password")


def lookup(url: str) -> str | None:
    """The password kept for this URL's user and database, or None."""
    return _kept(key(url))


def forget(url: str) -> None:
    _drop(key(url), "The database password")


def _secret_name(name: str) -> str:
    return f"secret:{name}"  # never a URL's key, which starts with its scheme


def store_secret(name: str, secret: str, what: str = "The password") -> None:
    """Keep a secret of this PC under a name (replacing one kept before); `what` names it in a refusal."""
    _keep(_secret_name(name), secret, what)


def lookup_secret(name: str) -> str | None:
    return _kept(_secret_name(name))


def forget_secret(name: str, what: str = "The password") -> None:
    _drop(_secret_name(name), what)
