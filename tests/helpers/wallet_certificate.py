"""An Apple Wallet certificate made in the test, as Apple's portal makes one: a Pass Type ID certificate
(its subject's UID the Pass Type ID, its OU the team) issued by an intermediate standing in for
Apple's WWDR, exported with its key and that intermediate as a password-protected .p12."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

PASS_TYPE_ID = "pass.com.cornershop.vouchers"
TEAM_ID = "CORNER1234"
PASSWORD = "wallet p12 password"


@dataclass(frozen=True)
class MadeCertificate:
    p12: bytes
    password: str
    ca_pem: bytes  # the stand-in for Apple's WWDR certificate, to verify signatures against
    certificate_pem: bytes


def _name(common: str, uid: str = "", unit: str = ""):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    parts = [x509.NameAttribute(NameOID.COMMON_NAME, common)]
    if uid:
        parts.insert(0, x509.NameAttribute(NameOID.USER_ID, uid))
    if unit:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Corner Shop"))
    return x509.Name(parts)


def make_certificate(
    pass_type_id: str = PASS_TYPE_ID, team_id: str = TEAM_ID, password: str = PASSWORD, days: int = 365
) -> MadeCertificate:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12

    now = datetime.now(timezone.utc)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = _name("Test Worldwide Developer Relations Certification Authority")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(f"Pass Type ID: {pass_type_id}", pass_type_id, team_id))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=2))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    p12 = pkcs12.serialize_key_and_certificates(
        b"pass certificate", key, certificate, [ca], serialization.BestAvailableEncryption(password.encode())
    )
    return MadeCertificate(
        p12,
        password,
        ca.public_bytes(serialization.Encoding.PEM),
        certificate.public_bytes(serialization.Encoding.PEM),
    )
