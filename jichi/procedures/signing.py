"""Applications signed with the card (identity level ``card_signature``).

What is signed is the application itself, written out the same way every time:
UTF-8 JSON with sorted keys of the municipality, the procedure and its
version, the resident's 宛名番号 and the answers. The resident signs those
bytes with the card's signing key (CMS SignedData, detached, as
``openssl cms -sign`` makes it); :func:`check` verifies the signature with
:func:`jichi.identity.verification.verify_signed` — chain, validity and
revocation at the signing time, content unchanged — and that the 基本4情報 on the
certificate are those of the resident who applies.
"""

from __future__ import annotations

import json

from jichi.common.errors import RuleViolation
from jichi.identity.verification import VerificationResult, verify_signed
from jichi.procedures.definitions import Procedure


def content(
    municipality_code: str, procedure: Procedure, person_number: str, answers: dict
) -> bytes:
    """The bytes a resident signs to apply."""
    document = {
        "municipality": municipality_code,
        "procedure": procedure.id,
        "version": procedure.version,
        "person": person_number,
        "answers": answers,
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def check(
    signed: bytes, signature: bytes | str, *, municipality_code: str, person_number: str
) -> VerificationResult:
    """The verification of a valid signature by this resident; otherwise a refusal naming
    ``signature`` with the first reason."""
    if not signature or (isinstance(signature, str) and not signature.strip()):
        raise RuleViolation(
            "signature.required",
            "カードの署名用電子証明書で署名してください。",
            "Sign the application with your card's signing certificate.",
            "signature",
        )
    result = verify_signed(signed, signature, municipality_code=municipality_code)
    if not result.valid:
        reason = result.reasons[0]
        raise RuleViolation(
            f"signature.{reason.code}",
            reason.message_ja,
            reason.message_en,
            "signature",
            status=422,
        )
    if result.person_number != person_number:
        raise RuleViolation(
            "signature.other_person",
            "署名した人と申請する人が違います。ご自分のカードで署名してください。",
            "The signature is not the applicant's: sign with your own card.",
            "signature",
            status=403,
        )
    return result
