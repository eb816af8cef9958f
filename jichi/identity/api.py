"""Identity API: verification of signed applications."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from ninja import Router, Schema
from pydantic import Field

from jichi.audit.services import record as audit
from jichi.common.api import ERRORS, StrictSchema
from jichi.common.errors import RuleViolation
from jichi.identity.verification import VerificationResult, verify_signed
from jichi.tenancy.access import require

router = Router(tags=["identity"])
MAX_TEXT = 14 * 1024 * 1024  # base64 of the 10 MB the reader accepts


class VerifyIn(StrictSchema):
    signature: str = Field(
        max_length=MAX_TEXT,
        description="CMS/PKCS#7 SignedData: PEM (-----BEGIN CMS----- or PKCS7), "
        "or the DER in base64",
    )
    content: str | None = Field(
        None,
        max_length=MAX_TEXT,
        description="the signed content in base64; required when the signature is detached",
    )
    at: datetime | None = Field(
        None,
        description="when the signature was received (default now); the signing time of a "
        "signature without signingTime",
    )


class FindingOut(Schema):
    code: str
    message: str
    message_ja: str


class CertificateOut(Schema):
    serial: str
    issuer: str
    not_before: datetime
    not_after: datetime
    revoked_at: datetime | None
    revocation_reason: str


class VerifyOut(Schema):
    valid: bool
    code: str = Field(description='"valid", or the code of the first reason')
    reasons: list[FindingOut] = Field(description="why the signature is not valid")
    notes: list[FindingOut] = Field(description="what a reader of a valid signature should know")
    signing_time: datetime
    signing_time_source: str = Field(description='"signed_attribute" or "receipt"')
    content_sha256: str
    certificate: CertificateOut | None
    person: str | None = Field(description="宛名番号 of the one resident whose facts match")


def _decode_content(text: str | None) -> bytes | None:
    if text is None:
        return None
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise RuleViolation(
            "content.malformed",
            "content は base64 で送ってください。",
            "The content must be sent in base64.",
            "content",
        ) from None


def result_out(result: VerificationResult) -> dict:
    certificate = None
    if result.certificate_serial:
        certificate = {
            "serial": result.certificate_serial,
            "issuer": result.certificate_issuer,
            "not_before": result.not_before,
            "not_after": result.not_after,
            "revoked_at": result.revoked_at,
            "revocation_reason": result.revocation_reason,
        }
    return {
        "valid": result.valid,
        "code": result.code,
        "reasons": [r.as_dict() for r in result.reasons],
        "notes": [n.as_dict() for n in result.notes],
        "signing_time": result.signing_time,
        "signing_time_source": result.signing_time_source,
        "content_sha256": result.content_sha256,
        "certificate": certificate,
        "person": result.person_number,
    }


@router.post("/municipalities/{code}/signatures/verify", response={200: VerifyOut, **ERRORS})
def verify_signature(request, code: str, body: VerifyIn):
    """Verify a signed application: chain, validity and revocation at the signing time,
    content integrity, and the signer's 基本4情報 against the register. Audited."""
    require(request, "registry:read")
    result = verify_signed(
        _decode_content(body.content), body.signature, municipality_code=code, at=body.at
    )
    audit(
        request.principal.actor,
        "identity.signature.verified",
        object_type="signature",
        object_id=result.content_sha256[:64],
        details={
            "valid": result.valid,
            "code": result.code,
            "serial": result.certificate_serial,
            "resident_number": result.person_number,
        },
    )
    return result_out(result)
