"""Verifying a signed application: CMS SignedData made with a card's signing key.

:func:`verify_signed` answers valid or not, with every reason found:

1. integrity — the signer's certificate is in the message, the algorithms are
   RSA PKCS#1 v1.5 with SHA-2, the content's digest equals the signed
   ``messageDigest`` (``content.modified``), the signature value verifies;
2. trust — the certificate was issued by the platform's signing CA and chains
   to its root (``cryptography``'s RFC 5280 path validation), it is a signing
   certificate, it was valid at the signing time, it is in the CA's ledger,
   and it was not revoked at the signing time (revoked later: valid, with a
   note);
3. the signer — the 基本4情報 on the certificate match exactly one resident
   of the verifying municipality on the signing date.

The signing time is the signed ``signingTime`` attribute; without one, the
time of receipt ``at`` (default now). A signing time after the receipt (beyond
:data:`CLOCK_SKEW`) is refused. Unreadable input raises ``RuleViolation``
(``signature.malformed``, ``content.required``); everything else is a
:class:`VerificationResult`. Nothing is written: callers audit.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.utils import timezone

from jichi.common.errors import RuleViolation
from jichi.identity import cms, trust, x509build
from jichi.identity import facts as card_facts
from jichi.identity.findings import Finding, finding
from jichi.identity.matching import residents_matching
from jichi.identity.models import AuthorityName, RevocationReason
from jichi.identity.scope import municipality_scope

CLOCK_SKEW = timedelta(minutes=5)
HASHES = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}
FACT_LABELS = {"name": "氏名", "sex": "性別", "birth_date": "生年月日", "address": "住所"}
REASON_LABELS = {
    "unspecified": ("unspecified", "理由なし"),
    "key_compromise": ("key compromise", "鍵の危殆化（紛失・盗難）"),
    "affiliation_changed": ("affiliation changed (address)", "住所の異動"),
    "superseded": ("superseded (facts changed or card reissued)", "記載事項の変更・再発行"),
    "cessation_of_operation": ("cessation of operation (death or removal)", "死亡・消除"),
}


@dataclass
class VerificationResult:
    valid: bool
    signing_time: datetime
    signing_time_source: str  # "signed_attribute" | "receipt"
    content: bytes = field(repr=False)
    reasons: list[Finding] = field(default_factory=list)  # why it is not valid
    notes: list[Finding] = field(default_factory=list)  # worth knowing of a valid one
    certificate_serial: str | None = None
    certificate_issuer: str | None = None
    not_before: datetime | None = None
    not_after: datetime | None = None
    revoked_at: datetime | None = None
    revocation_reason: str = ""
    person_number: str | None = None  # 宛名番号 of the one matching resident

    @property
    def code(self) -> str:
        """``"valid"``, or the code of the first reason."""
        return self.reasons[0].code if self.reasons else "valid"

    @property
    def content_sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    def refuse(self, code: str, **values) -> None:
        if all(reason.code != code for reason in self.reasons):
            self.reasons.append(finding(code, **values))


def verify_signed(
    content: bytes | None,
    signature: bytes | str,
    *,
    municipality_code: str,
    at: datetime | None = None,
) -> VerificationResult:
    """Verify a CMS SignedData (attached or detached) for ``municipality_code`` (see module)."""
    with municipality_scope(municipality_code, "signature verification") as municipality:
        message = cms.load(signature)
        data = _content(content, message)
        received = at or timezone.now()
        signing_time = message.signing_time or received
        result = VerificationResult(
            valid=False,
            signing_time=signing_time,
            signing_time_source="signed_attribute" if message.signing_time else "receipt",
            content=data,
        )
        if message.content is not None and data != message.content:
            result.refuse("content.modified")
        if message.signing_time is None:
            result.notes.append(finding("signing_time.absent", received=_show(received)))
        elif signing_time > received + CLOCK_SKEW:
            result.refuse(
                "signing_time.future", signing_time=_show(signing_time), received=_show(received)
            )
        if _check_integrity(message, data, result) and _check_certificate(
            message.certificate, result
        ):
            _check_signer(municipality, message.certificate, result)
        result.valid = not result.reasons
        return result


def _content(content: bytes | None, message: cms.SignedMessage) -> bytes:
    if content is None and message.content is None:
        raise RuleViolation(
            "content.required",
            "署名が内容を含まない（detached）ため、署名された内容を送ってください。",
            "The signature is detached: send the signed content with it.",
            "content",
        )
    return content if content is not None else message.content


def _show(moment: datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


# --- integrity -------------------------------------------------------------------------


def _check_integrity(message: cms.SignedMessage, data: bytes, result: VerificationResult) -> bool:
    """Digest and signature value; False when the rest cannot be checked."""
    certificate = message.certificate
    if certificate is None:
        result.refuse("certificate.missing")
        return False
    algorithm = message.digest_algorithm
    public_key = certificate.public_key()
    if (
        algorithm not in HASHES
        or message.signature_algorithm != "rsassa_pkcs1v15"
        or not isinstance(public_key, rsa.RSAPublicKey)
    ):
        result.refuse("signature.algorithm", algorithm=f"{message.signature_algorithm}/{algorithm}")
        return False
    signed = data
    if message.signed_attributes is not None:
        if message.message_digest != hashlib.new(algorithm, data).digest():
            result.refuse("content.modified")
        if message.content_type_attribute != message.content_type:
            result.refuse("signature.invalid")
        signed = message.signed_attributes
    try:
        public_key.verify(message.signature, signed, padding.PKCS1v15(), HASHES[algorithm]())
    except (InvalidSignature, UnsupportedAlgorithm, ValueError):
        result.refuse("signature.invalid")
    return True


# --- trust: ledger, chain, kind, validity, revocation ------------------------------------


def _check_certificate(certificate: x509.Certificate, result: VerificationResult) -> bool:
    """True when the certificate is one of ours, so its facts may be matched."""
    not_before, not_after = certificate.not_valid_before_utc, certificate.not_valid_after_utc
    result.certificate_serial = x509build.serial_hex(certificate.serial_number)
    result.certificate_issuer = certificate.issuer.rfc4514_string()
    result.not_before, result.not_after = not_before, not_after
    # The chain is checked inside the leaf's validity, so that a time outside it is
    # reported as expired / not yet valid rather than as a broken chain.
    moment = min(max(result.signing_time, not_before), not_after)
    entry = trust.ledger_entry(certificate)
    if entry is None:
        result.refuse(trust.why_unknown(certificate, moment), issuer=result.certificate_issuer)
        return False
    if entry.authority != AuthorityName.SIGNING or not _is_signing(certificate):
        result.refuse("certificate.not_signing")
        return False
    if entry.anchors is None or not trust.chains(certificate, entry.anchors, moment):
        result.refuse("chain.untrusted", issuer=result.certificate_issuer)
        return False
    shown = {"signing_time": _show(result.signing_time)}
    if result.signing_time < not_before:
        result.refuse("certificate.not_yet_valid", not_before=_show(not_before), **shown)
    elif result.signing_time > not_after:
        result.refuse("certificate.expired", not_after=_show(not_after), **shown)
    _check_revocation(entry, result)
    return True


def _is_signing(certificate: x509.Certificate) -> bool:
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return usage.digital_signature and usage.content_commitment


# Reasons after which the signing time the signer states proves nothing: whoever holds a
# lost or stolen key can write any signingTime, so a revocation for these refuses every
# signature, whenever it claims to have been made. (For a move or a change of name the
# holder is still the holder, and the time decides: revoked later, still valid.)
UNTRUSTED_TIME_REASONS = {RevocationReason.KEY_COMPROMISE, RevocationReason.UNSPECIFIED}


def _check_revocation(entry: trust.LedgerEntry, result: VerificationResult) -> None:
    """Revoked at or before the signing time: refused; revoked later: a note — unless the
    key was compromised (or the reason is not given): refused whatever the time."""
    if entry.revoked_at is None:
        return
    result.revoked_at, result.revocation_reason = entry.revoked_at, entry.revocation_reason
    reason_en, reason_ja = REASON_LABELS[entry.revocation_reason]
    values = {
        "revoked_at": _show(entry.revoked_at),
        "reason": reason_en,
        "reason_ja": reason_ja,
        "signing_time": _show(result.signing_time),
    }
    if entry.revocation_reason in UNTRUSTED_TIME_REASONS:
        result.refuse("certificate.compromised", **values)
    elif entry.is_revoked_at(result.signing_time):
        result.refuse("certificate.revoked", **values)
    else:
        result.notes.append(finding("certificate.revoked_later", **values))


# --- the signer: the four facts against the register ------------------------------------


def _check_signer(municipality, certificate: x509.Certificate, result: VerificationResult) -> None:
    facts, missing = card_facts.read(certificate)
    if facts is None:
        result.refuse(
            "facts.missing",
            missing=", ".join(missing),
            missing_ja="、".join(FACT_LABELS[m] for m in missing),
        )
        return
    on = timezone.localtime(result.signing_time).date()
    matches = residents_matching(municipality, facts, on)
    if not matches:
        result.refuse("facts.no_match")
    elif len(matches) > 1:
        result.refuse("facts.ambiguous", count=len(matches))
    else:
        result.person_number = matches[0]
