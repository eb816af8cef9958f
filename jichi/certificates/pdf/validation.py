"""validate(pdf_bytes, trust_roots) -> ValidationResult, with pyhanko's validator.

Answers the questions a verifier asks of a certificate PDF: are the signed bytes
unchanged (``intact``), is the signature mathematically sound (``valid``), does the
signer's certificate chain to one of the given roots (``trusted``), was anything
added after signing (``modified``: the signature does not cover the whole file, or
the certification's DocMDP rule was broken), who signed (``signer_subject``), when
the signer says it signed (``signed_at``, the ``/M`` entry: a claim, not a time
stamp), and the document hash.

``document_sha256`` is the SHA-256 of **the whole file** as received, hex: the value
the issuing service stores in the ledger and the verify page shows, and what
``sha256sum certificate.pdf`` prints. (The signature itself covers the file minus
its own ``/Contents`` hole; a file that differs by one byte has another hash.)

Revocation: the validator runs offline (no fetching) in soft-fail mode: a certificate
with no revocation information is accepted, as no CRL is embedded at B-B.
"""

from __future__ import annotations

import datetime
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from jichi.certificates.pdf.signing import to_asn1, unreadable
from jichi.common import coroutines
from jichi.common.errors import RuleViolation


@dataclass(frozen=True)
class ValidationResult:
    intact: bool
    valid: bool
    trusted: bool
    modified: bool
    signer_subject: str
    signed_at: datetime.datetime | None
    document_sha256: str
    summary: str  # pyhanko's one-line summary, e.g. "INTACT:TRUSTED,UNTOUCHED"

    @property
    def ok(self) -> bool:
        """Everything holds: intact, valid, trusted and not modified after signing."""
        return self.intact and self.valid and self.trusted and not self.modified


def document_hash(pdf_bytes: bytes) -> str:
    """SHA-256 of the whole file, hex (what the ledger stores at issuance)."""
    return hashlib.sha256(pdf_bytes).hexdigest()


def validate(pdf_bytes: bytes, trust_roots: Sequence[x509.Certificate]) -> ValidationResult:
    """Validate the first signature of `pdf_bytes` against `trust_roots`.

    Refused: a file that is not a PDF (``pdf.unreadable``), a PDF without a signature
    (``pdf.unsigned``).
    """
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        signatures = reader.embedded_signatures
    except (PdfReadError, ValueError, IndexError, KeyError, TypeError) as exc:
        raise unreadable() from exc
    if not signatures:
        raise RuleViolation(
            "pdf.unsigned",
            "このPDFには電子署名がありません。",
            "The PDF carries no signature.",
            "pdf",
        )
    context = ValidationContext(
        trust_roots=[to_asn1(c) for c in trust_roots],
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    status = coroutines.run(async_validate_pdf_signature(signatures[0], context))
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    return ValidationResult(
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        modified=not whole or status.docmdp_ok is False,
        signer_subject=status.signing_cert.subject.human_friendly,
        signed_at=signatures[0].self_reported_timestamp,
        document_sha256=document_hash(pdf_bytes),
        summary=status.summary(),
    )
