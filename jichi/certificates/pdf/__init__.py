"""Certificate PDFs: render, sign (PAdES B-B) and validate. No database access.

Public API (see ``docs/certificates-pdf.md``)::

    render(content: CertificateContent) -> bytes          # unsigned A4 PDF
    sign(pdf_bytes: bytes, signer: Signer) -> bytes       # PAdES B-B certification signature
    render_signed(content, signer) -> bytes               # both
    validate(pdf_bytes, trust_roots) -> ValidationResult  # pyhanko validation
    check_drawable(content) -> None                       # the font check alone (RuleViolation)
    document_hash(pdf_bytes) -> str                       # SHA-256 of the file, hex
"""

from jichi.certificates.pdf.content import (
    TITLES,
    CertificateContent,
    ForeignItems,
    Issuer,
    Kind,
    Movement,
    PersonRow,
    Removal,
    default_statement,
)
from jichi.certificates.pdf.glyphs import check_drawable
from jichi.certificates.pdf.rendering import render
from jichi.certificates.pdf.signing import Signer, sign
from jichi.certificates.pdf.validation import ValidationResult, document_hash, validate


def render_signed(content: CertificateContent, signer: Signer) -> bytes:
    """The certificate rendered and signed: what is handed to the requester."""
    return sign(render(content), signer)


__all__ = [
    "TITLES",
    "CertificateContent",
    "ForeignItems",
    "Issuer",
    "Kind",
    "Movement",
    "PersonRow",
    "Removal",
    "Signer",
    "ValidationResult",
    "check_drawable",
    "default_statement",
    "document_hash",
    "render",
    "render_signed",
    "sign",
    "validate",
]
