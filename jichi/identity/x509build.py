"""Keys, certificates and CRLs, built with ``cryptography`` (no database here).

Every key is RSA-2048 and every signature SHA-256 with PKCS#1 v1.5, as on
the My Number card. Private keys leave this module only sealed
(:func:`seal_key`): AES-256-GCM under the platform's data key
(:mod:`jichi.common.secrets`), bound to a context naming what the key is.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from jichi.common.secrets import decrypt, encrypt

KEY_BITS = 2048
PUBLIC_EXPONENT = 65537
ORGANIZATION = "Jichi Platform"

_KEY_USAGES = (
    "digital_signature",
    "content_commitment",  # nonRepudiation
    "key_encipherment",
    "data_encipherment",
    "key_agreement",
    "key_cert_sign",
    "crl_sign",
)


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=PUBLIC_EXPONENT, key_size=KEY_BITS)


def key_pem(key: rsa.RSAPrivateKey) -> bytes:
    """PKCS#8 PEM, unencrypted (what a card's key file holds; never stored)."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def seal_key(key: rsa.RSAPrivateKey, context: str) -> bytes:
    return encrypt(key_pem(key).decode("ascii"), context=context)


def open_key(blob: bytes, context: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(
        decrypt(blob, context=context).encode("ascii"), password=None
    )
    if not isinstance(key, rsa.RSAPrivateKey):
        raise TypeError("a sealed CA key must be an RSA key")
    return key


def pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


def serial_hex(serial: int) -> str:
    return format(serial, "X")


def name(
    common_name: str,
    *,
    organization: str = ORGANIZATION,
    unit: str = "",
    state: str = "",
    localities: Iterable[str] = (),
    serial_number: str = "",
) -> x509.Name:
    """A subject: C=JP, then what is given, CN last."""
    parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, "JP")]
    if state:
        parts.append(x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, state))
    parts += [x509.NameAttribute(NameOID.LOCALITY_NAME, value) for value in localities]
    if organization:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    if unit:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    if serial_number:
        parts.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial_number))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(parts)


def _key_usage(*usages: str) -> x509.KeyUsage:
    unknown = set(usages) - set(_KEY_USAGES)
    if unknown:
        raise ValueError(f"unknown key usages {sorted(unknown)}")
    flags = {usage: usage in usages for usage in _KEY_USAGES}
    return x509.KeyUsage(**flags, encipher_only=False, decipher_only=False)


def _builder(
    subject: x509.Name,
    public_key,
    issuer: x509.Certificate | None,
    not_before: datetime,
    not_after: datetime,
) -> x509.CertificateBuilder:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject if issuer is not None else subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    if issuer is not None:
        ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
        )
    return builder


def ca_certificate(
    *,
    subject: x509.Name,
    key: rsa.RSAPrivateKey,
    issuer: x509.Certificate | None,
    issuer_key: rsa.RSAPrivateKey,
    not_before: datetime,
    not_after: datetime,
    path_length: int,
    crl_url: str = "",
) -> x509.Certificate:
    """A root (``issuer=None``, self-signed) or an intermediate CA certificate."""
    builder = (
        _builder(subject, key.public_key(), issuer, not_before, not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(_key_usage("key_cert_sign", "crl_sign"), critical=True)
    )
    if crl_url:
        builder = builder.add_extension(_distribution_point(crl_url), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def end_entity(
    *,
    subject: x509.Name,
    public_key,
    issuer: x509.Certificate,
    issuer_key: rsa.RSAPrivateKey,
    not_before: datetime,
    not_after: datetime,
    usages: Iterable[str],
    client_auth: bool = False,
    san: x509.SubjectAlternativeName | None = None,
    crl_url: str = "",
) -> x509.Certificate:
    """A certificate of a card or of a municipality, signed by an intermediate."""
    builder = (
        _builder(subject, public_key, issuer, not_before, not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(*usages), critical=True)
    )
    if client_auth:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
        )
    if san is not None:
        builder = builder.add_extension(san, critical=False)
    if crl_url:
        builder = builder.add_extension(_distribution_point(crl_url), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _distribution_point(url: str) -> x509.CRLDistributionPoints:
    return x509.CRLDistributionPoints(
        [
            x509.DistributionPoint(
                full_name=[x509.UniformResourceIdentifier(url)],
                relative_name=None,
                reasons=None,
                crl_issuer=None,
            )
        ]
    )


def crl(
    *,
    issuer: x509.Certificate,
    issuer_key: rsa.RSAPrivateKey,
    revoked: Iterable[tuple[int, datetime, str]],
    number: int,
    this_update: datetime,
    next_update: datetime,
) -> x509.CertificateRevocationList:
    """A CRL listing ``(serial, revoked_at, reason)``; reason is a ``ReasonFlags`` name."""
    ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.subject)
        .last_update(this_update)
        .next_update(next_update)
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
        )
    )
    for serial, revoked_at, reason in revoked:
        entry = x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(revoked_at)
        if reason and reason != "unspecified":  # RFC 5280: leave out "unspecified"
            entry = entry.add_extension(x509.CRLReason(x509.ReasonFlags[reason]), critical=False)
        builder = builder.add_revoked_certificate(entry.build())
    return builder.sign(issuer_key, hashes.SHA256())
