"""Each municipality's document-signing key and certificate (for signed certificate PDFs)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import transaction
from django.utils import timezone

from jichi.audit.services import record as audit
from jichi.identity import x509build
from jichi.identity.models import AuthorityName, DocumentSigner
from jichi.identity.scope import municipality_scope
from jichi.identity.services.authorities import (
    authority,
    chain_to_root,
    crl_url,
    key_of,
)
from jichi.identity.services.cards import record_certificate
from jichi.tenancy.models import Municipality
from jichi.tenancy.principals import Actor

DOCUMENT_DAYS = 3 * 365
RENEW_BEFORE = timedelta(days=30)  # a new certificate is made when the kept one ends sooner
DOCUMENT_USAGES = ("digital_signature", "content_commitment")  # + nonRepudiation (PAdES)
SYSTEM = Actor.system("identity")


@dataclass(frozen=True, eq=False)
class Signer:
    """What signs a municipality's documents: its key, its certificate, the chain to the root.

    Field names as ``jichi.certificates.pdf.Signer`` (``key``, ``cert``, ``chain``).
    """

    municipality_code: str
    key: rsa.RSAPrivateKey = field(repr=False)
    cert: x509.Certificate
    chain: tuple[x509.Certificate, ...]  # the document CA, then the root


def key_context(municipality_code: str) -> str:
    return f"pki_document:{municipality_code}"


def document_signer(municipality_code: str) -> Signer:
    """The municipality's document signer, made on first use (and again before it expires).

    Kept in the database (key sealed with the data key); parsed once per process.
    """
    with municipality_scope(municipality_code, "document signer") as municipality:
        found = _usable_signer()
        if found is None:
            found = _create_signer(municipality, SYSTEM)
        return _signer(found.id, municipality_code)


def _usable_signer() -> DocumentSigner | None:
    return (
        DocumentSigner.objects.filter(
            certificate__revoked_at__isnull=True,
            certificate__not_after__gt=timezone.now() + RENEW_BEFORE,
        )
        .order_by("-created_at")
        .first()
    )


@transaction.atomic
def _create_signer(municipality: Municipality, actor: Actor) -> DocumentSigner:
    # Two first uses at once make one signer: the second waits here, then finds it.
    Municipality.objects.select_for_update().filter(code=municipality.code).first()
    found = _usable_signer()
    if found is not None:
        return found
    issuer = authority(AuthorityName.DOCUMENT)
    key = x509build.new_key()
    now = timezone.now().replace(microsecond=0)
    certificate = x509build.end_entity(
        subject=document_subject(municipality),
        public_key=key.public_key(),
        issuer=chain_to_root(issuer)[0],
        issuer_key=key_of(issuer),
        not_before=now - timedelta(minutes=5),
        not_after=now + timedelta(days=DOCUMENT_DAYS),
        usages=DOCUMENT_USAGES,
        crl_url=crl_url(issuer.name),
    )
    signer = DocumentSigner.objects.create(
        municipality=municipality,
        certificate=record_certificate(certificate, issuer=issuer, municipality=municipality),
        sealed_key=x509build.seal_key(key, key_context(municipality.code)),
    )
    audit(
        actor,
        "identity.document_signer.issued",
        object_type="certificate",
        object_id=str(signer.certificate_id),
        details={"serial": signer.certificate.serial},
    )
    return signer


def document_subject(municipality: Municipality) -> x509.Name:
    """C=JP, ST=都道府県, O=団体名, OU=文書署名, serialNumber=団体コード, CN=団体名."""
    return x509build.name(
        municipality.display_name,
        organization=municipality.display_name,
        unit="文書署名",
        state=municipality.prefecture_name,
        serial_number=municipality.code,
    )


@lru_cache(maxsize=256)
def _signer(signer_id, municipality_code: str) -> Signer:
    found = DocumentSigner.objects.select_related("certificate__authority__parent").get(
        pk=signer_id
    )
    return Signer(
        municipality_code=municipality_code,
        key=x509build.open_key(bytes(found.sealed_key), key_context(municipality_code)),
        cert=x509.load_der_x509_certificate(bytes(found.certificate.der)),
        chain=tuple(chain_to_root(found.certificate.authority)),
    )
