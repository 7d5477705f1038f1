"""Apple Wallet passes: the store's certificate checked before it is kept (the file in the database, its
password on this PC only), and a pass that Wallet would accept: its files, their hashes in the
manifest, and a PKCS #7 signature that openssl verifies against the certificate's issuer."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import sys
import zipfile
from datetime import datetime, timedelta

import pytest

from app.core import claims, settings, times, vouchers, wallet
from app.core.errors import InvalidInput
from app.core.store import credentials
from app.core.store.models import Setting, Voucher, utcnow
from tests.helpers.wallet_certificate import PASS_TYPE_ID, TEAM_ID, make_certificate

LINK = "https://shop.test/en-us/my-cards"


@pytest.fixture(scope="module")
def made():
    return make_certificate()


@pytest.fixture
def wallet_set(db_path, made):
    signer, pass_type_id, team_id = wallet.check_certificate(made.p12, made.password, "", "")
    config = settings.load()
    config.wallet_pass_type_id, config.wallet_team_id = pass_type_id, team_id
    settings.save(config)
    wallet.keep_certificate(made.p12, made.password)
    return settings.load()


def test_a_certificate_is_checked_before_it_is_kept(db_path, made):
    with pytest.raises(InvalidInput, match="the password is wrong"):
        wallet.check_certificate(made.p12, "not the password", "", "")
    with pytest.raises(InvalidInput, match=f"is for the Pass Type ID {PASS_TYPE_ID}, not pass.com.other"):
        wallet.check_certificate(made.p12, made.password, "pass.com.other", "")
    with pytest.raises(InvalidInput, match=f"belongs to the team {TEAM_ID}, not OTHER12345"):
        wallet.check_certificate(made.p12, made.password, "", "OTHER12345")
    with pytest.raises(InvalidInput, match="not an Apple Wallet certificate"):
        wallet.check_certificate(b"", made.password, "", "")
    expired = make_certificate(days=-1)
    with pytest.raises(InvalidInput, match="The certificate expired on"):
        wallet.check_certificate(expired.p12, expired.password, "", "")
    # the IDs come from the certificate when none are given
    _, pass_type_id, team_id = wallet.check_certificate(made.p12, made.password, "", "")
    assert (pass_type_id, team_id) == (PASS_TYPE_ID, TEAM_ID)
    assert wallet.signer() is None and wallet.status().startswith("Not set up")


def test_the_file_goes_into_the_database_and_its_password_stays_on_this_pc(wallet_set, made):
    assert wallet.signer() is not None
    assert wallet.status().startswith(f"Passes are signed with “Pass Type ID: {PASS_TYPE_ID}”, valid until")
    stored = " ".join(row.value for row in Setting.select())
    assert made.password not in stored
    credentials.forget_secret(wallet._password_name(wallet._fingerprint(made.p12)))
    assert wallet.signer() is None  # another PC: the certificate is there, its password is not
    assert "password is not kept on this PC" in wallet.status()
    assert wallet.remove_certificate() and wallet.status().startswith("Not set up")


def _opened(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.skipif(
    shutil.which("openssl") is None, reason="verifies the signature with the openssl program, not on PATH"
)
def test_a_pass_carries_the_code_as_a_qr_barcode_the_expiry_and_a_signature_openssl_verifies(
    wallet_set, made, make_batch, make_member, tmp_path
):
    config = settings.load()
    config.time_zone = "America/New_York"
    settings.save(config)
    voucher = claims.claim(make_batch(title="Summer treat").token, make_member().id).voucher
    files = _opened(wallet.pkpass(voucher, wallet_set, LINK, wallet.signer()))
    assert set(files) == {"pass.json", "manifest.json", "signature", "icon.png", "icon@2x.png", "icon@3x.png"}
    manifest = json.loads(files["manifest.json"])
    assert set(manifest) == set(files) - {"manifest.json", "signature"}
    assert all(manifest[name] == hashlib.sha1(files[name]).hexdigest() for name in manifest)
    card = json.loads(files["pass.json"])
    assert (card["passTypeIdentifier"], card["teamIdentifier"], card["serialNumber"]) == (
        PASS_TYPE_ID,
        TEAM_ID,
        voucher.code,
    )
    assert card["organizationName"] == "Corner Shop" and card["voided"] is False
    assert card["barcodes"] == [
        {
            "format": "PKBarcodeFormatQR",
            "message": voucher.code,
            "messageEncoding": "iso-8859-1",
            "altText": voucher.code,
        }
    ]
    assert card["coupon"]["primaryFields"][0] == {"key": "offer", "label": "Summer treat", "value": "10% off"}
    expires = datetime.fromisoformat(card["expirationDate"])
    assert expires.utcoffset() is not None and expires == times.local(voucher.expires_at)
    (tmp_path / "manifest.json").write_bytes(files["manifest.json"])
    (tmp_path / "signature").write_bytes(files["signature"])
    (tmp_path / "wwdr.pem").write_bytes(made.ca_pem)
    verified = subprocess.run(
        [
            "openssl", "smime", "-verify", "-binary", "-inform", "DER", "-purpose", "any",
            "-in", str(tmp_path / "signature"), "-content", str(tmp_path / "manifest.json"),
            "-CAfile", str(tmp_path / "wwdr.pem"), "-out", "/dev/null",
        ],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert verified.returncode == 0, verified.stderr
    assert "Verification successful" in verified.stderr
    (tmp_path / "manifest.json").write_bytes(files["manifest.json"].replace(b"icon", b"icom"))
    tampered = subprocess.run(
        ["openssl", "smime", "-verify", "-binary", "-inform", "DER", "-purpose", "any", "-in",
         str(tmp_path / "signature"), "-content", str(tmp_path / "manifest.json"), "-CAfile",
         str(tmp_path / "wwdr.pem"), "-out", "/dev/null"],
        capture_output=True,
    )  # fmt: skip
    assert tampered.returncode != 0


def test_a_redeemed_vouchers_pass_is_voided_and_an_expired_ones_has_nothing_to_scan(
    wallet_set, make_batch, make_member
):
    member = make_member()
    used = claims.claim(make_batch(name="used").token, member.id).voucher
    claims.redeem(used.code)
    old = claims.claim(make_batch(name="old").token, member.id).voucher
    Voucher.update(expires_at=utcnow() - timedelta(hours=1)).where(Voucher.id == old.id).execute()
    used_pass = wallet.pass_json(vouchers.lookup(used.code), wallet_set, LINK)
    old_pass = wallet.pass_json(vouchers.lookup(old.code), wallet_set, LINK)
    assert used_pass["voided"] is True and "barcodes" not in used_pass and "barcode" not in used_pass
    assert old_pass["voided"] is False and "barcodes" not in old_pass
    assert datetime.fromisoformat(old_pass["expirationDate"]) < datetime.now().astimezone()


def test_without_the_wallet_extra_the_certificate_is_refused_with_how_to_install_it(db_path, made, monkeypatch):
    monkeypatch.setitem(sys.modules, "cryptography.hazmat.primitives.serialization", None)  # not installed
    with pytest.raises(InvalidInput, match=r'pip install "voucher-batches\[wallet\]"'):
        wallet.check_certificate(made.p12, made.password, "", "")


def test_a_pass_says_the_discount_once_and_no_expiry_plainly(wallet_set, make_member):
    from app.core import batches, templates

    forever = templates.create_template("Summer basket", "10%")  # never expires
    batch = batches.create_batch("Summer - Email", forever, 5, "Email", title="10% off your summer basket")
    voucher = claims.claim(batch.token, make_member().id).voucher
    coupon = wallet.pass_json(voucher, wallet_set, LINK)["coupon"]
    assert coupon["primaryFields"] == [{"key": "offer", "label": "Offer", "value": "10% off your summer basket"}]
    assert coupon["secondaryFields"] == [{"key": "expires", "label": "Valid", "value": "No expiry"}]
