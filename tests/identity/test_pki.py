"""The CAs, cards issued from the register, and the municipalities' document signers."""

from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID, NameOID
from django.utils import timezone

from jichi.audit.models import AuditEntry
from jichi.common.errors import RuleViolation
from jichi.identity import facts as card_facts
from jichi.identity import services
from jichi.identity.models import (
    Authority,
    AuthorityName,
    Card,
    CertificateKind,
    IssuedCertificate,
    RevocationReason,
)
from jichi.identity.services.authorities import certificate_of
from jichi.registry import services as registry_services
from jichi.registry.schemas import DeathIn
from jichi.tenancy.context import tenant_scope
from tests.factories import SYSTEM
from tests.identity.conftest import issue
from tests.registry.people import days_ago, record


def load(path):
    return x509.load_pem_x509_certificate(path.read_bytes())


# --- the CAs -------------------------------------------------------------------------------


def test_init_makes_a_root_and_three_intermediates_once(db):
    first = services.init_pki()
    again = services.init_pki()

    assert set(first) == {"root", "signing", "authentication", "document"}
    assert {k: v.pk for k, v in first.items()} == {k: v.pk for k, v in again.items()}
    assert Authority.objects.count() == 4
    root = certificate_of(first["root"])
    assert root.issuer == root.subject
    for name in ("signing", "authentication", "document"):
        intermediate = certificate_of(first[name])
        intermediate.verify_directly_issued_by(root)
        constraints = intermediate.extensions.get_extension_for_class(x509.BasicConstraints)
        assert constraints.value.ca and constraints.value.path_length == 0
        assert first[name].parent_id == first["root"].pk


def test_ca_keys_are_stored_sealed_never_as_pem(db):
    services.init_pki()
    for sealed in Authority.objects.values_list("sealed_key", flat=True):
        assert b"PRIVATE KEY" not in bytes(sealed)


# --- cards -----------------------------------------------------------------------------------


def test_issue_card_writes_two_certificates_and_keys_from_the_register(
    yokohama, household, tmp_path
):
    issued = issue(yokohama, household[0].number, tmp_path)

    signing, authentication = load(tmp_path / "signing-cert.pem"), load(tmp_path / "auth-cert.pem")
    for certificate in (signing, authentication):
        assert isinstance(certificate.public_key(), rsa.RSAPublicKey)
        assert certificate.public_key().key_size == 2048
        assert certificate.signature_hash_algorithm.name == "sha256"
        assert isinstance(certificate.signature_algorithm_parameters, padding.PKCS1v15)
        assert certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == (
            issued.card.number
        )
    facts, missing = card_facts.read(signing)
    assert missing == []
    assert facts == card_facts.Facts(
        name="山田 太郎",
        sex="1",
        birth_date="319800401",
        address="神奈川県横浜市中区元町1丁目2番3号",
    )
    usage = signing.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    assert (tmp_path / "signing-key.pem").stat().st_mode & 0o777 == 0o600
    assert b"BEGIN PRIVATE KEY" in (tmp_path / "auth-key.pem").read_bytes()
    assert (tmp_path / "chain.pem").read_bytes().count(b"BEGIN CERTIFICATE") == 3


def test_the_authentication_certificate_carries_no_personal_facts(yokohama, household, tmp_path):
    issue(yokohama, household[0].number, tmp_path)

    authentication = load(tmp_path / "auth-cert.pem")
    with pytest.raises(x509.ExtensionNotFound):
        authentication.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME)
    text = authentication.subject.rfc4514_string()
    assert "山田" not in text and "元町" not in text
    eku = authentication.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.CLIENT_AUTH in eku
    usage = authentication.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and not usage.content_commitment


def test_the_card_is_recorded_with_both_serials_and_audited(yokohama, household, tmp_path):
    issued = issue(yokohama, household[0].number, tmp_path)

    with tenant_scope(yokohama.code):
        card = Card.objects.select_related("signing", "authentication").get()
        entry = AuditEntry.objects.get(action="identity.card.issued")
    assert card.person_id == household[0].id
    assert card.signing.kind == CertificateKind.SIGNING and card.signing.der is None
    assert card.authentication.kind == CertificateKind.AUTHENTICATION
    assert bytes(card.authentication.der) == issued.authentication_certificate.public_bytes(
        serialization.Encoding.DER
    )
    assert card.signing.serial == format(issued.signing_certificate.serial_number, "X")
    assert card.signing.not_after - card.signing.not_before > timedelta(days=5 * 365 - 1)
    assert entry.object_id == str(card.id)
    assert entry.details["signing_serial"] == card.signing.serial


def test_the_authentication_serial_leads_back_to_the_person(yokohama, household, tmp_path):
    from jichi.identity.selectors import card_for_authentication

    issued = issue(yokohama, household[0].number, tmp_path)
    serial = format(issued.authentication_certificate.serial_number, "x")

    with tenant_scope(yokohama.code):
        found = card_for_authentication(serial)
        assert (
            card_for_authentication(format(issued.signing_certificate.serial_number, "X")) is None
        )
    assert found.person_id == household[0].id


def test_a_new_card_supersedes_the_old_one(yokohama, household, tmp_path):
    old = issue(yokohama, household[0].number, tmp_path / "old")
    new = issue(yokohama, household[0].number, tmp_path / "new")

    revoked = IssuedCertificate.objects.filter(revoked_at__isnull=False)
    assert set(revoked.values_list("serial", flat=True)) == {
        old.card.signing.serial,
        old.card.authentication.serial,
    }
    assert set(revoked.values_list("revocation_reason", flat=True)) == {"superseded"}
    assert new.card.signing.revoked_at is None


def test_issue_card_for_an_unknown_resident_number_is_refused(yokohama, household, tmp_path):
    with tenant_scope(yokohama.code), pytest.raises(RuleViolation) as caught:
        services.issue_card(municipality=yokohama, actor=SYSTEM, person_number="9999999999")
    assert caught.value.code == "person.not_found" and caught.value.field == "person"
    assert not IssuedCertificate.objects.exists()


def test_issue_card_for_a_deceased_person_is_refused(yokohama, household, tmp_path):
    record(
        yokohama,
        registry_services.record_death,
        DeathIn(effective_on=days_ago(1), person=household[2].number),
    )
    with tenant_scope(yokohama.code), pytest.raises(RuleViolation) as caught:
        services.issue_card(municipality=yokohama, actor=SYSTEM, person_number=household[2].number)
    assert caught.value.code == "person.not_resident" and caught.value.status == 409
    assert not IssuedCertificate.objects.exists()


def test_a_resident_of_another_municipality_gets_no_card_here(yokohama, kawasaki, household):
    with tenant_scope(kawasaki.code), pytest.raises(RuleViolation) as caught:
        services.issue_card(municipality=kawasaki, actor=SYSTEM, person_number=household[0].number)
    assert caught.value.code == "person.not_found"


# --- document signers --------------------------------------------------------------------------


def test_document_signer_names_the_municipality_and_may_sign_pdfs(yokohama):
    signer = services.document_signer("141003")

    subject = signer.cert.subject
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "横浜市"
    assert subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == "141003"
    usage = signer.cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    assert [c.subject for c in signer.chain] == [
        certificate_of(Authority.objects.get(name=AuthorityName.DOCUMENT)).subject,
        certificate_of(Authority.objects.get(name=AuthorityName.ROOT)).subject,
    ]
    assert signer.key.public_key().public_numbers() == signer.cert.public_key().public_numbers()


def test_document_signer_is_made_once_and_kept(yokohama):
    first = services.document_signer("141003")
    second = services.document_signer("141003")

    assert first.cert == second.cert
    assert IssuedCertificate.objects.filter(kind=CertificateKind.DOCUMENT).count() == 1
    with tenant_scope("141003"):
        assert AuditEntry.objects.filter(action="identity.document_signer.issued").count() == 1


def test_a_revoked_document_signer_is_replaced(yokohama):
    first = services.document_signer("141003")
    certificate = IssuedCertificate.objects.get(kind=CertificateKind.DOCUMENT)
    with tenant_scope("141003"):
        services.revoke_certificate(
            certificate=certificate,
            actor=SYSTEM,
            reason=RevocationReason.KEY_COMPROMISE,
            cause="test",
        )

    second = services.document_signer("141003")

    assert second.cert.serial_number != first.cert.serial_number


def test_a_document_signer_near_its_end_is_renewed(yokohama):
    first = services.document_signer("141003")
    IssuedCertificate.objects.filter(kind=CertificateKind.DOCUMENT).update(
        not_after=timezone.now() + timedelta(days=10)
    )

    second = services.document_signer("141003")

    assert second.cert.serial_number != first.cert.serial_number


def test_document_signer_of_an_unknown_municipality_is_refused(db):
    with pytest.raises(RuleViolation) as caught:
        services.document_signer("999999")
    assert caught.value.code == "not_found" and caught.value.status == 404


def test_a_pdf_signed_by_the_document_signer_validates_with_pyhanko_against_ca_pem(
    yokohama, client
):
    from io import BytesIO

    from asn1crypto import keys
    from asn1crypto import x509 as asn1_x509
    from fpdf import FPDF
    from pyhanko.keys import load_certs_from_pemder_data
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import signers
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    signer = services.document_signer("141003")
    der = serialization.Encoding.DER
    key = signer.key.private_bytes(
        der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    pyhanko_signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(signer.cert.public_bytes(der)),
        signing_key=keys.PrivateKeyInfo.load(key),
        cert_registry=SimpleCertificateStore.from_certs(
            [asn1_x509.Certificate.load(c.public_bytes(der)) for c in signer.chain]
        ),
    )

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="certificate")
    signed = signers.sign_pdf(
        IncrementalPdfFileWriter(BytesIO(bytes(pdf.output()))),
        signers.PdfSignatureMetadata(field_name="Signature"),
        signer=pyhanko_signer,
    )
    anchors = list(load_certs_from_pemder_data(client.get("/pki/ca.pem").content))
    context = ValidationContext(trust_roots=anchors[:1], other_certs=anchors[1:])

    status = validate_pdf_signature(
        PdfFileReader(signed).embedded_signatures[0], signer_validation_context=context
    )

    assert status.intact and status.valid and status.trusted
