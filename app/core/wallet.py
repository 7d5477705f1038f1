"""Apple Wallet passes of members' vouchers (.pkpass), for a store that has an Apple Pass Type ID
certificate. It is set once (`voucher-batches settings --wallet-certificate FILE.p12`, or Settings):
the certificate file goes into the database, where every claim site of the store finds it, and its
password is kept on this PC the way a database server's password is (store/credentials: the keyring,
or a file only this user reads), never in the database. A claim site that has both offers
"Add to Apple Wallet" on My Cards.

A pass is a zip: pass.json (the code as a QR barcode, the expiry as expirationDate, the store's name
and the promotion, `voided` once redeemed), its icons, manifest.json (each file's SHA-1, as Apple
asks) and signature, a detached PKCS #7 signature of the manifest by the certificate, carrying the
certificates exported with it (Apple's WWDR intermediate belongs there). A pass of a voucher that can
no longer be used carries no barcode.

Signing needs the `cryptography` package, the optional extra: pip install "voucher-batches[wallet]"."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from app.core.store.models import Setting, utcnow
from app.resources import resource_path

from . import member_cards, settings, templates, times
from .activity import Actor, record
from .errors import FileProblem, InvalidInput
from .store import credentials, guarded, write_transaction
from .vouchers import VoucherDetail

CERTIFICATE_KEY = "wallet:certificate"  # the settings row holding the .p12 file, base64
PASSWORD_WHAT = "The Apple Wallet certificate's password"
EXTRA_NEEDED = 'Apple Wallet passes need the wallet extra: pip install "voucher-batches[wallet]".'
MEDIA_TYPE = "application/vnd.apple.pkpass"
MAX_CERTIFICATE = 64 * 1024  # a .p12 with its chain is a few kilobytes
ICON_SIZES = {"icon.png": 29, "icon@2x.png": 58, "icon@3x.png": 87}


@dataclass(frozen=True)
class Signer:
    """The certificate, its private key and the certificates exported with it (cryptography's objects)."""

    certificate: Any
    key: Any
    chain: tuple[Any, ...]
    fingerprint: str  # of the .p12 file: names its password on this PC

    @property
    def subject(self) -> str:
        from cryptography.x509.oid import NameOID

        names = self.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return str(names[0].value) if names else self.certificate.subject.rfc4514_string()

    def attribute(self, oid_name: str) -> str:
        """The subject's USER_ID (the Pass Type ID) or ORGANIZATIONAL_UNIT_NAME (the team), or ""."""
        from cryptography.x509.oid import NameOID

        found = self.certificate.subject.get_attributes_for_oid(getattr(NameOID, oid_name))
        return str(found[0].value) if found else ""

    @property
    def not_after(self) -> datetime:
        return self.certificate.not_valid_after_utc.replace(tzinfo=None)


def _fingerprint(p12: bytes) -> str:
    return hashlib.sha256(p12).hexdigest()[:24]


def _password_name(fingerprint: str) -> str:
    return f"wallet certificate {fingerprint}"


def read_certificate(p12: bytes, password: str) -> Signer:
    """The certificate in a .p12 file, opened with its password; InvalidInput says what is wrong."""
    try:
        from cryptography.hazmat.primitives.serialization import pkcs12
    except ImportError:
        raise InvalidInput(EXTRA_NEEDED) from None
    if not p12 or len(p12) > MAX_CERTIFICATE:
        raise InvalidInput("That is not an Apple Wallet certificate: export it from Keychain Access as a .p12 file.")
    try:
        loaded = pkcs12.load_pkcs12(p12, password.encode("utf-8") if password else None)
    except ValueError:
        raise InvalidInput(
            "The certificate could not be opened: the password is wrong, or the file is not a .p12 certificate."
        ) from None
    if loaded.key is None or loaded.cert is None:
        raise InvalidInput("The .p12 file holds no certificate with its private key: export both from Keychain Access.")
    return Signer(
        loaded.cert.certificate,
        loaded.key,
        tuple(extra.certificate for extra in loaded.additional_certs),
        _fingerprint(p12),
    )


def read_file(name: str | Path) -> bytes:
    """A certificate file's bytes (FileProblem or InvalidInput in a sentence)."""
    path = Path(name).expanduser()
    try:
        if path.stat().st_size > MAX_CERTIFICATE:
            raise InvalidInput(f"{path} is too large to be an Apple Wallet certificate (.p12).")
        return path.read_bytes()
    except OSError as exc:
        raise FileProblem(f"Cannot read {path}: {exc.strerror or exc}.") from None


def check_certificate(p12: bytes, password: str, pass_type_id: str, team_id: str) -> tuple[Signer, str, str]:
    """Open and check a certificate before anything is kept: it is valid now and is the one for the
    Pass Type ID and team given. Returns it with the IDs to keep (the certificate's own when none
    was given)."""
    signer = read_certificate(p12, password)
    if signer.not_after <= utcnow():
        raise InvalidInput(f"The certificate expired on {signer.not_after:%Y-%m-%d}: make a new one in Apple's portal.")
    own_type, own_team = signer.attribute("USER_ID"), signer.attribute("ORGANIZATIONAL_UNIT_NAME")
    pass_type_id = settings.validate_pass_type_id(pass_type_id or own_type)
    team_id = settings.validate_team_id(team_id or own_team)
    if own_type and own_type != pass_type_id:
        raise InvalidInput(f"The certificate is for the Pass Type ID {own_type}, not {pass_type_id}.")
    if own_team and own_team != team_id:
        raise InvalidInput(f"The certificate belongs to the team {own_team}, not {team_id}.")
    if not pass_type_id or not team_id:
        raise InvalidInput("Give the Pass Type ID and the team ID the certificate was made for.")
    return signer, pass_type_id, team_id


@guarded
def keep_certificate(p12: bytes, password: str, actor: Actor | None = None) -> None:
    """Keep a checked certificate: the file in the database, its password on this PC."""
    credentials.store_secret(_password_name(_fingerprint(p12)), password, PASSWORD_WHAT)
    with write_transaction():
        Setting.insert(key=CERTIFICATE_KEY, value=base64.b64encode(p12).decode("ascii")).on_conflict(
            conflict_target=[Setting.key], preserve=[Setting.value]
        ).execute()
        record("settings_changed", actor, keys=["wallet_certificate"])


@guarded
def remove_certificate(actor: Actor | None = None) -> bool:
    """No more Apple Wallet passes: the certificate leaves the database. False when there was none."""
    with write_transaction():
        gone = Setting.delete().where(Setting.key == CERTIFICATE_KEY).execute()
        if gone:
            record("settings_changed", actor, keys=["wallet_certificate"])
    return bool(gone)


@guarded
def _stored() -> bytes | None:
    row = Setting.get_or_none(Setting.key == CERTIFICATE_KEY)
    return base64.b64decode(row.value) if row is not None else None


@lru_cache(maxsize=4)
def _opened(p12: bytes, password: str) -> Signer | None:
    try:
        return read_certificate(p12, password)
    except InvalidInput:
        return None


def signer() -> Signer | None:
    """The certificate to sign passes with, when this PC can: it is set, its password is kept here,
    it opens, and it has not expired. (A read of one settings row; opening is done once.)"""
    p12 = _stored()
    if p12 is None:
        return None
    password = credentials.lookup_secret(_password_name(_fingerprint(p12)))
    if password is None:
        return None
    found = _opened(p12, password)
    return found if found is not None and found.not_after > utcnow() else None


def status() -> str:
    """Where the store's Apple Wallet passes stand, in a sentence (the CLI's settings, the window)."""
    p12 = _stored()
    if p12 is None:
        return "Not set up: members are not offered Apple Wallet passes."
    if credentials.lookup_secret(_password_name(_fingerprint(p12))) is None:
        return "A certificate is set, but its password is not kept on this PC: set the certificate again here."
    found = signer()
    if found is None:
        return "The certificate cannot sign passes (it has expired, or the cryptography package is missing)."
    return f"Passes are signed with “{found.subject}”, valid until {found.not_after:%Y-%m-%d}."


# -- the pass ------------------------------------------------------------------------------------


def _rgb(color: str) -> str:
    return f"rgb({int(color[1:3], 16)}, {int(color[3:5], 16)}, {int(color[5:7], 16)})"


def _ink_on(color: str) -> str:
    """Black or white, whichever reads on the background colour."""
    r, g, b = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return "#1b1f24" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.55 else "#ffffff"


def _w3c(moment: datetime) -> str:
    """A stored time as Wallet reads dates: ISO 8601 with its offset, in the store's zone."""
    return times.local(moment).isoformat()


def _headline(title: str, discount: str) -> dict[str, str]:
    """The pass's main field: the promotion over its discount, or the promotion alone when its title
    says the discount already (members never read it twice)."""
    if templates.discount_line(title, discount):
        return {"key": "offer", "label": title, "value": discount}
    return {"key": "offer", "label": "Offer", "value": title}


def pass_json(voucher: VoucherDetail, config: settings.Settings, link: str) -> dict[str, Any]:
    """The pass of a voucher: a coupon with the offer, the expiry and the code; voided once redeemed,
    and without a barcode once it can no longer be used."""
    if voucher.template is None:
        raise InvalidInput(f"Voucher {voucher.code} has no offer.")
    offer = templates.describe_offer(voucher.template, config.currency)
    background = config.accent_color or settings.DEFAULT_ACCENT
    coupon: dict[str, list[dict[str, Any]]] = {
        "primaryFields": [_headline(voucher.batch_title, offer["discount"])],
        "secondaryFields": [],
        "auxiliaryFields": [{"key": "minimum", "label": "Minimum purchase", "value": offer["min_purchase"]}],
        "backFields": [
            {"key": "code", "label": "Voucher code", "value": voucher.code},
            {"key": "store", "label": "Store", "value": config.store_name},
            {"key": "link", "label": "My Cards", "value": link},
        ],
    }
    if voucher.expires_at is not None:
        coupon["secondaryFields"].append(
            {
                "key": "expires",
                "label": "Valid until",
                "value": _w3c(voucher.expires_at),
                "dateStyle": "PKDateStyleMedium",
                "timeStyle": "PKDateStyleShort",
            }
        )
    else:
        coupon["secondaryFields"].append({"key": "expires", "label": "Valid", "value": "No expiry"})
    if offer["terms"]:
        coupon["backFields"].append({"key": "terms", "label": "Terms", "value": offer["terms"]})
    data: dict[str, Any] = {
        "formatVersion": 1,
        "passTypeIdentifier": config.wallet_pass_type_id,
        "teamIdentifier": config.wallet_team_id,
        "serialNumber": voucher.code,
        "organizationName": config.store_name,
        "description": f"{voucher.batch_title}: a voucher from {config.store_name}",
        "logoText": config.store_name,
        "backgroundColor": _rgb(background),
        "foregroundColor": _rgb(_ink_on(background)),
        "labelColor": _rgb(_ink_on(background)),
        "coupon": coupon,
        "voided": voucher.state == "redeemed",
    }
    if voucher.expires_at is not None:
        data["expirationDate"] = _w3c(voucher.expires_at)
    if member_cards.usable(voucher):
        barcode = {"format": "PKBarcodeFormatQR", "message": voucher.code, "messageEncoding": "iso-8859-1"}
        data["barcodes"] = [{**barcode, "altText": voucher.code}]
        data["barcode"] = barcode  # for iOS before 9, which reads only this one
    return data


@lru_cache(maxsize=1)
def _icons() -> dict[str, bytes]:
    from PIL import Image

    with Image.open(resource_path("static", "icon-192.png")) as source:
        source.load()
        icons = {}
        for name, size in ICON_SIZES.items():
            out = io.BytesIO()
            source.resize((size, size), Image.Resampling.LANCZOS).save(out, format="PNG")
            icons[name] = out.getvalue()
    return icons


def _signature(manifest: bytes, signer: Signer) -> bytes:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.serialization import pkcs7

    builder = (
        pkcs7.PKCS7SignatureBuilder().set_data(manifest).add_signer(signer.certificate, signer.key, hashes.SHA256())
    )
    for extra in signer.chain:
        builder = builder.add_certificate(extra)
    options = [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary, pkcs7.PKCS7Options.NoCapabilities]
    return builder.sign(serialization.Encoding.DER, options)


def pkpass(voucher: VoucherDetail, config: settings.Settings, link: str, signer: Signer) -> bytes:
    """The signed .pkpass file of a voucher."""
    files = {"pass.json": json.dumps(pass_json(voucher, config, link), ensure_ascii=False, indent=1).encode("utf-8")}
    files.update(_icons())
    manifest = json.dumps({name: hashlib.sha1(data).hexdigest() for name, data in files.items()}, indent=1).encode()
    files["manifest.json"] = manifest
    files["signature"] = _signature(manifest, signer)
    out = io.BytesIO()
    stamp = datetime.now(timezone.utc).timetuple()[:6]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=stamp), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()
