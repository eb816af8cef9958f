"""Cards: issuing a person's two certificates from the register, revoking certificates."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import transaction
from django.utils import timezone

from jichi.audit.services import record as audit
from jichi.common.errors import RuleViolation
from jichi.identity import facts as card_facts
from jichi.identity import x509build
from jichi.identity.models import (
    Authority,
    AuthorityName,
    Card,
    CertificateKind,
    IssuedCertificate,
    RevocationReason,
)
from jichi.identity.services.authorities import (
    certificate_of,
    crl_url,
    init_pki,
    key_of,
    mark_crl_stale,
)
from jichi.registry import selectors as registry
from jichi.registry.codes import ResidentStatus
from jichi.tenancy.models import Municipality
from jichi.tenancy.principals import Actor

CARD_DAYS = 5 * 365  # JPKI: until the 5th birthday after issuance; here five years flat
SIGNING_USAGES = ("digital_signature", "content_commitment")  # + nonRepudiation
AUTHENTICATION_USAGES = ("digital_signature",)


@dataclass(frozen=True)
class IssuedCard:
    """A card just issued: the record, and the keys that exist only here and on the card."""

    card: Card
    signing_certificate: x509.Certificate
    signing_key: rsa.RSAPrivateKey
    authentication_certificate: x509.Certificate
    authentication_key: rsa.RSAPrivateKey
    chain: tuple[x509.Certificate, ...]  # the two card CAs, then the root


def card_subject(municipality: Municipality, number: str) -> x509.Name:
    """C=JP, L=都道府県, L=市区町村, CN=card number: no personal facts (as JPKI)."""
    return x509build.name(
        number,
        organization="",
        localities=[municipality.prefecture_name, municipality.display_name],
    )


KIND_OF_ISSUER = {
    AuthorityName.SIGNING: CertificateKind.SIGNING,
    AuthorityName.AUTHENTICATION: CertificateKind.AUTHENTICATION,
    AuthorityName.DOCUMENT: CertificateKind.DOCUMENT,
}


def record_certificate(
    certificate: x509.Certificate, *, issuer: Authority, municipality: Municipality
) -> IssuedCertificate:
    """Enter a certificate in its CA's ledger.

    Its DER is kept unless it is a signing certificate (which carries personal facts).
    """
    kind = KIND_OF_ISSUER[issuer.name]
    der = x509build.der(certificate)
    return IssuedCertificate.objects.create(
        authority=issuer,
        serial=x509build.serial_hex(certificate.serial_number),
        kind=kind,
        municipality=municipality,
        fingerprint=certificate.fingerprint(hashes.SHA256()).hex(),
        der=None if kind == CertificateKind.SIGNING else der,
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
    )


def issue_card(*, municipality: Municipality, actor: Actor, person_number: str) -> IssuedCard:
    """Issue a card to a resident (宛名番号): a signing and an authentication certificate.

    The signing certificate carries the person's 基本4情報 as the register holds
    them today; cards issued before to the same person are revoked
    (``superseded``). Runs in the municipality's tenant scope. The keys are made
    before the transaction (up to a second), so no other write waits for them.
    """
    _resident(person_number)  # refuse before the slow part
    cas = init_pki()  # made on first use
    keys = (x509build.new_key(), x509build.new_key())
    return _issue(municipality, actor, person_number, cas, keys)


@transaction.atomic
def _issue(
    municipality: Municipality, actor: Actor, person_number: str, cas: dict, keys: tuple
) -> IssuedCard:
    person, version = _resident(person_number)
    facts = card_facts.of_record(municipality, version)
    now = timezone.now().replace(microsecond=0)
    validity = (now - timedelta(minutes=5), now + timedelta(days=CARD_DAYS))
    number = secrets.token_hex(16).upper()
    signing_key, authentication_key = keys
    signing = _card_certificate(
        cas[AuthorityName.SIGNING], signing_key, municipality, number, validity, facts
    )
    authentication = _card_certificate(
        cas[AuthorityName.AUTHENTICATION], authentication_key, municipality, number, validity, None
    )
    _supersede_cards(person, actor)
    card = Card.objects.create(
        municipality=municipality,
        person=person,
        number=number,
        signing=record_certificate(
            signing, issuer=cas[AuthorityName.SIGNING], municipality=municipality
        ),
        authentication=record_certificate(
            authentication, issuer=cas[AuthorityName.AUTHENTICATION], municipality=municipality
        ),
        facts_index=card_facts.fingerprint(facts, municipality.code),
    )
    audit(
        actor,
        "identity.card.issued",
        object_type="card",
        object_id=str(card.id),
        details={
            "resident_number": person.number,
            "signing_serial": card.signing.serial,
            "authentication_serial": card.authentication.serial,
        },
    )
    chain = tuple(
        certificate_of(cas[name])
        for name in (AuthorityName.SIGNING, AuthorityName.AUTHENTICATION, AuthorityName.ROOT)
    )
    return IssuedCard(card, signing, signing_key, authentication, authentication_key, chain)


def _resident(person_number: str):
    """The person with this 宛名番号 and today's record, if they are a resident."""
    person = registry.person(person_number, "person")
    version = registry.person_on(person)
    if version.status != ResidentStatus.RESIDENT:
        raise RuleViolation(
            "person.not_resident",
            "住民でない人（転出・死亡等）にはカードを発行できません。",
            "A card is issued only to a current resident (not after moving out or death).",
            "person",
            status=409,
        )
    return person, version


def _card_certificate(
    issuer: Authority,
    key: rsa.RSAPrivateKey,
    municipality: Municipality,
    number: str,
    validity: tuple[datetime, datetime],
    facts: card_facts.Facts | None,
) -> x509.Certificate:
    """The signing certificate (``facts`` given) or the authentication certificate of a card."""
    not_before, not_after = validity
    return x509build.end_entity(
        subject=card_subject(municipality, number),
        public_key=key.public_key(),
        issuer=certificate_of(issuer),
        issuer_key=key_of(issuer),
        not_before=not_before,
        not_after=not_after,
        usages=SIGNING_USAGES if facts else AUTHENTICATION_USAGES,
        client_auth=facts is None,
        san=card_facts.san(facts) if facts else None,
        crl_url=crl_url(issuer.name),
    )


def _supersede_cards(person, actor: Actor) -> None:
    for card in Card.objects.filter(person=person).select_related("signing", "authentication"):
        for certificate in (card.signing, card.authentication):
            if certificate.revoked_at is None:
                revoke_certificate(
                    certificate=certificate,
                    actor=actor,
                    reason=RevocationReason.SUPERSEDED,
                    cause="reissue",
                )


# --- revocation ------------------------------------------------------------------------


@transaction.atomic
def revoke_certificate(
    *,
    certificate: IssuedCertificate,
    actor: Actor,
    reason: str,
    cause: str,
    at: datetime | None = None,
) -> IssuedCertificate:
    """Revoke one certificate from ``at`` (default now), with an RFC 5280 reason and a cause.

    Audited in the chain of the certificate's municipality (which must be in scope).
    """
    if reason not in RevocationReason.values:
        raise RuleViolation(
            "reason.unknown",
            f"失効理由「{reason}」はありません。",
            f"There is no revocation reason {reason!r}.",
            "reason",
        )
    locked = IssuedCertificate.objects.select_for_update().get(pk=certificate.pk)
    if locked.revoked_at is not None:
        raise RuleViolation(
            "certificate.already_revoked",
            "この証明書は既に失効しています。",
            "This certificate is already revoked.",
            "serial",
            status=409,
        )
    locked.revoked_at = at or timezone.now()
    locked.revocation_reason = reason
    locked.revocation_cause = cause[:40]
    locked.save(update_fields=["revoked_at", "revocation_reason", "revocation_cause"])
    mark_crl_stale(locked.authority_id)
    audit(
        actor,
        "identity.certificate.revoked",
        object_type="certificate",
        object_id=str(locked.id),
        details={"serial": locked.serial, "kind": locked.kind, "reason": reason, "cause": cause},
        municipality_code=locked.municipality_id,
    )
    certificate.revoked_at = locked.revoked_at
    certificate.revocation_reason = reason
    certificate.revocation_cause = locked.revocation_cause
    return locked


def certificate_by_serial(serial: str, ca: str | None = None) -> IssuedCertificate:
    """The certificate with this serial (hex, any case, ``0x``/colons allowed); 404 otherwise."""
    cleaned = serial.strip().upper().removeprefix("0X").replace(":", "").lstrip("0") or "0"
    found = IssuedCertificate.objects.filter(serial=cleaned)
    if ca:
        found = found.filter(authority__name=ca)
    matches = list(found[:2])
    if len(matches) != 1:
        raise RuleViolation(
            "certificate.not_found" if not matches else "certificate.ambiguous",
            "この番号の証明書がありません（または複数の認証局にあります）。",
            "No certificate has this serial (or several CAs have one: name the CA).",
            "serial",
            status=404,
        )
    return matches[0]


# --- writing a card to files -------------------------------------------------------------

CARD_FILES = {
    "signing-key.pem": "signing_key",
    "signing-cert.pem": "signing_certificate",
    "auth-key.pem": "authentication_key",
    "auth-cert.pem": "authentication_certificate",
}


def write_card(issued: IssuedCard, directory: Path) -> list[Path]:
    """The card's keys (0600) and certificates as PEM, and ``chain.pem`` (CAs and root)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, attribute in CARD_FILES.items():
        value = getattr(issued, attribute)
        if isinstance(value, rsa.RSAPrivateKey):
            data, mode = x509build.key_pem(value), 0o600
        else:
            data, mode = x509build.pem(value), 0o644
        written.append(_write(directory / filename, data, mode))
    chain = b"".join(x509build.pem(c) for c in issued.chain)
    written.append(_write(directory / "chain.pem", chain, 0o644))
    return written


def _write(path: Path, data: bytes, mode: int) -> Path:
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return path
