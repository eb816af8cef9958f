"""Signing (PAdES B-B, certification) and validation of certificate PDFs."""

from __future__ import annotations

import hashlib
import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from jichi.certificates.pdf import document_hash, render, render_signed, sign, validate
from jichi.certificates.pdf.signing import FIELD_NAME
from jichi.certificates.pdf.testing import make_pki, sample_content
from jichi.common.errors import RuleViolation


@pytest.fixture(scope="module")
def pki():
    return make_pki("Jichi Test")


@pytest.fixture(scope="module")
def other_pki():
    return make_pki("Elsewhere", key_kind="ec")


@pytest.fixture(scope="module")
def signed(pki):
    return render_signed(sample_content(), pki.signer)


def test_signed_pdf_validates_against_its_root(pki, signed):
    result = validate(signed, [pki.root])
    assert (result.intact, result.valid, result.trusted, result.modified) == (
        True,
        True,
        True,
        False,
    )
    assert result.ok
    assert "横浜市 141003 certificate signing" in result.signer_subject
    assert result.signed_at is not None


def test_document_hash_is_the_sha256_of_the_whole_file(pki, signed):
    result = validate(signed, [pki.root])
    assert result.document_sha256 == hashlib.sha256(signed).hexdigest() == document_hash(signed)


def test_signature_is_pades_and_certifies_the_document_against_changes(signed):
    reader = PdfFileReader(io.BytesIO(signed))
    (signature,) = reader.embedded_signatures
    assert signature.field_name == FIELD_NAME
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert signature.docmdp_level is not None and signature.docmdp_level.value == 1  # no changes
    signed_attrs = signature.signer_info["signed_attrs"]
    types = {attr["type"].native for attr in signed_attrs}
    assert "signing_certificate_v2" in types  # PAdES B-B
    assert "signing_time" not in types  # PAdES: the time is /M, not a CMS attribute


def test_a_changed_byte_breaks_the_signature(pki, signed):
    at = signed.index(b"/Title")  # inside the signed range (the document information)
    tampered = signed[:at] + b"/Titlf" + signed[at + 6 :]
    result = validate(tampered, [pki.root])
    assert not result.intact
    assert not result.ok


def test_an_update_appended_after_signing_is_reported_as_a_modification(pki, signed):
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    writer.root["/Lang"] = generic.TextStringObject("en-US")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    result = validate(out.getvalue(), [pki.root])
    assert result.intact and result.valid  # the signed revision itself is untouched
    assert result.modified
    assert not result.ok


def test_a_pdf_signed_under_another_ca_is_not_trusted(pki, other_pki):
    pdf = render_signed(sample_content(persons=1), other_pki.signer)
    result = validate(pdf, [pki.root])
    assert result.intact and result.valid
    assert not result.trusted
    assert not result.ok
    assert validate(pdf, [other_pki.root]).ok  # an EC (P-256) signer works too


def test_validate_refuses_what_is_not_a_pdf(pki):
    with pytest.raises(RuleViolation) as caught:
        validate(b"not a pdf at all", [pki.root])
    assert (caught.value.code, caught.value.field) == ("pdf.unreadable", "pdf")


def test_validate_refuses_an_unsigned_pdf(pki):
    with pytest.raises(RuleViolation) as caught:
        validate(render(sample_content(persons=1)), [pki.root])
    assert caught.value.code == "pdf.unsigned"


def test_sign_refuses_what_is_not_a_pdf(pki):
    with pytest.raises(RuleViolation) as caught:
        sign(b"%PDF-1.7 truncated", pki.signer)
    assert caught.value.code == "pdf.unreadable"


def test_signing_twice_gives_two_valid_files(pki):
    pdf = render(sample_content(persons=1))
    first, second = sign(pdf, pki.signer), sign(pdf, pki.signer)
    assert validate(first, [pki.root]).ok and validate(second, [pki.root]).ok
