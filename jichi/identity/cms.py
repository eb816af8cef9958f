"""Reading a CMS / PKCS#7 SignedData (RFC 5652) as ``openssl cms -sign`` makes it.

Accepted: DER; PEM (``-----BEGIN CMS-----``, ``PKCS7`` or ``PKCS #7 SIGNED DATA``);
or the DER in base64 without armour (JSON transport). Attached or detached
content; exactly one signer. Parsing is asn1crypto's; nothing is decoded by
hand. A signature that cannot be read is refused with ``signature.malformed``.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import cms, pem
from cryptography import x509

from jichi.common.errors import RuleViolation

FIELD = "signature"
PEM_TYPES = {"CMS", "PKCS7", "PKCS #7 SIGNED DATA"}
MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class SignedMessage:
    """What verification needs from a SignedData with one signer."""

    content: bytes | None  # the encapsulated content; None when detached
    content_type: str  # eContentType, e.g. "data"
    digest_algorithm: str  # e.g. "sha256"
    signature_algorithm: str  # e.g. "rsassa_pkcs1v15"
    signature: bytes
    signed_attributes: bytes | None  # their DER as a SET OF: what the signature covers
    message_digest: bytes | None
    content_type_attribute: str | None
    signing_time: datetime | None
    certificate: x509.Certificate | None  # the signer's, when the message carries it


def malformed(detail_en: str, detail_ja: str) -> RuleViolation:
    return RuleViolation(
        "signature.malformed",
        f"署名データを読み取れません（{detail_ja}）。",
        f"The signature cannot be read ({detail_en}).",
        FIELD,
    )


def to_der(data: bytes | str) -> bytes:
    """The DER of a signature given as DER, PEM or base64."""
    if isinstance(data, str):
        data = data.encode("utf-8", "replace")
    if len(data) > MAX_BYTES:
        raise malformed("larger than 10 MB", "10MBを超えています")
    stripped = data.strip()
    if stripped.startswith(b"-----BEGIN"):
        try:
            kind, _, der = pem.unarmor(stripped)
        except (ValueError, TypeError):
            raise malformed("broken PEM armour", "PEM形式が壊れています") from None
        if kind not in PEM_TYPES:
            raise malformed(f"PEM of type {kind!r}", f"PEMの種類が{kind}です")
        return der
    if stripped[:1] == b"\x30":
        return data
    try:
        return base64.b64decode(b"".join(stripped.split()), validate=True)
    except (binascii.Error, ValueError):
        raise malformed(
            "neither DER, PEM nor base64", "DER・PEM・base64のいずれでもありません"
        ) from None


def load(data: bytes | str) -> SignedMessage:
    """The SignedData in ``data``; ``signature.malformed`` (400) when it is not one."""
    der = to_der(data)
    try:
        info = cms.ContentInfo.load(der, strict=True)
        if info["content_type"].native != "signed_data":
            raise malformed("not a SignedData", "SignedDataではありません")
        return _read(info["content"])
    except RuleViolation:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, IndexError):
        raise malformed(
            "not valid DER of a CMS SignedData", "CMS SignedDataのDERではありません"
        ) from None


def _read(signed: cms.SignedData) -> SignedMessage:
    signers = signed["signer_infos"]
    if len(signers) != 1:
        raise RuleViolation(
            "signature.one_signer",
            f"署名者は1人だけにしてください（{len(signers)}人）。",
            f"Exactly one signer is accepted (found {len(signers)}).",
            FIELD,
            status=422,
        )
    signer = signers[0]
    encapsulated = signed["encap_content_info"]
    attributes = _attributes(signer)
    signed_attrs = signer["signed_attrs"]
    return SignedMessage(
        content=encapsulated["content"].native if encapsulated["content"] else None,
        content_type=encapsulated["content_type"].native,
        digest_algorithm=signer["digest_algorithm"]["algorithm"].native,
        signature_algorithm=signer["signature_algorithm"].signature_algo,
        signature=signer["signature"].native,
        signed_attributes=signed_attrs.untag().dump() if len(signed_attrs) else None,
        message_digest=attributes.get("message_digest"),
        content_type_attribute=attributes.get("content_type"),
        signing_time=attributes.get("signing_time"),
        certificate=_signer_certificate(signed, signer["sid"]),
    )


def _attributes(signer: cms.SignerInfo) -> dict:
    values = {}
    for attribute in signer["signed_attrs"]:
        name = attribute["type"].native
        if name in ("message_digest", "content_type", "signing_time"):
            values[name] = attribute["values"][0].native
    return values


def _signer_certificate(signed: cms.SignedData, sid: cms.SignerIdentifier):
    for choice in signed["certificates"] or []:
        if choice.name == "certificate" and _identifies(sid, choice.chosen):
            return x509.load_der_x509_certificate(choice.chosen.dump())
    return None


def _identifies(sid: cms.SignerIdentifier, certificate) -> bool:
    if sid.name != "issuer_and_serial_number":
        return certificate.key_identifier == sid.chosen.native
    wanted = sid.chosen
    if certificate.serial_number != wanted["serial_number"].native:
        return False
    # The same encoding is the usual case and cheap; names compared by RFC 5280's
    # rules (string preparation) only when the bytes differ.
    issuer = certificate.issuer
    return issuer.dump() == wanted["issuer"].dump() or issuer == wanted["issuer"]
