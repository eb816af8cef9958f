"""Resident login with the card's authentication certificate (利用者証明用電子証明書).

The server gives a random challenge, kept in the browser's session for two
minutes and taken out of it on the first answer (single use); the resident's
card signs it (RSA PKCS#1 v1.5, SHA-256) with the authentication key; the
server checks the certificate against its ledger and CA (issued by the
authentication CA, valid now, not revoked), the signature over the challenge,
and finds the card, hence the person, who must be a resident today. The
session is then bound to that person and municipality.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import time
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from django.db import transaction
from django.utils import timezone

from jichi.audit.models import Outcome
from jichi.audit.services import record as audit
from jichi.common.errors import RuleViolation
from jichi.identity import selectors, trust
from jichi.identity.models import AuthorityName, Card
from jichi.registry import timeline
from jichi.registry.codes import ResidentStatus
from jichi.tenancy.context import platform_scope, tenant_scope
from jichi.tenancy.principals import Actor

CHALLENGE_SECONDS = 120
SESSION_SECONDS = 15 * 60  # a resident's session ends after 15 idle minutes
SESSION_CHALLENGE = "jichi.resident.challenge"
SESSION_RESIDENT = "jichi.resident"


@dataclass(frozen=True)
class Resident:
    """Who a resident session belongs to."""

    municipality_code: str
    person_id: str
    number: str  # 宛名番号
    card: str  # the card's number (not personal)

    @property
    def actor(self) -> Actor:
        return Actor("resident", self.person_id, f"resident {self.card[:8]}")


def refuse(code: str, ja: str, en: str, field: str = "certificate") -> RuleViolation:
    return RuleViolation(code, ja, en, field, status=403)


# --- the challenge ----------------------------------------------------------------


def new_challenge(session) -> str:
    """A fresh challenge for this session (replacing any earlier one)."""
    challenge = secrets.token_urlsafe(32)
    session[SESSION_CHALLENGE] = {"value": challenge, "expires": time.time() + CHALLENGE_SECONDS}
    return challenge


def _take_challenge(session, answered: str) -> str:
    kept = session.pop(SESSION_CHALLENGE, None)
    if kept is None or not secrets.compare_digest(kept["value"], answered.strip()):
        raise refuse(
            "challenge.unknown",
            "この確認コードは発行されていないか、既に使われています。ログインをやり直してください。",
            "This challenge was not issued to you or was used already: start the login again.",
            "challenge",
        )
    if kept["expires"] < time.time():
        raise refuse(
            "challenge.expired",
            "確認コードの有効期限（2分）が切れました。ログインをやり直してください。",
            "The challenge expired (2 minutes): start the login again.",
            "challenge",
        )
    return kept["value"]


# --- the answer -------------------------------------------------------------------


def load_certificate(data: bytes | str) -> x509.Certificate:
    raw = data.encode() if isinstance(data, str) else data
    try:
        if raw.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificate(raw.strip())
        return x509.load_der_x509_certificate(raw)
    except ValueError:
        raise RuleViolation(
            "certificate.malformed",
            "証明書を読み取れません（PEM または DER）。",
            "The certificate cannot be read (PEM or DER expected).",
            "certificate",
        ) from None


def _signature(text: str) -> bytes:
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise RuleViolation(
            "signature.malformed",
            "署名を読み取れません（Base64）。",
            "The signature cannot be read (Base64 expected).",
            "signature",
        ) from None


def _check_certificate(certificate: x509.Certificate) -> None:
    entry = trust.ledger_entry(certificate)
    if entry is None or entry.authority != AuthorityName.AUTHENTICATION:
        raise refuse(
            "certificate.not_authentication",
            "この証明書は当基盤が発行した利用者証明用電子証明書ではありません。",
            "This is not an authentication certificate issued by this platform.",
        )
    now = timezone.now()
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        raise refuse(
            "certificate.expired",
            "証明書の有効期間外です。",
            "The certificate is not valid now (outside its validity period).",
        )
    if entry.is_revoked_at(now):
        raise refuse(
            "certificate.revoked",
            "この証明書は失効しています。",
            "This certificate has been revoked.",
        )
    if entry.anchors is None or not trust.chains(certificate, entry.anchors, now):
        raise refuse(
            "chain.untrusted",
            "証明書の発行元を確認できません。",
            "The certificate does not chain to this platform's root.",
        )


def _check_signature(certificate: x509.Certificate, challenge: str, signature: bytes) -> None:
    try:
        certificate.public_key().verify(
            signature, challenge.encode(), padding.PKCS1v15(), hashes.SHA256()
        )
    except (InvalidSignature, TypeError, ValueError):
        raise refuse(
            "signature.invalid",
            "確認コードへの署名を検証できません。カードの鍵で署名してください。",
            "The signature over the challenge does not verify: sign it with the card's key.",
            "signature",
        ) from None


def _card(certificate: x509.Certificate) -> Card:
    serial = format(certificate.serial_number, "X")
    with platform_scope("resident login: find the card"):
        card = selectors.card_for_authentication(serial)
    if card is None:
        raise refuse(
            "card.unknown",
            "このカードは登録されていません。",
            "No card of this platform holds this certificate.",
        )
    return card


def authenticate(*, session, challenge: str, certificate: bytes | str, signature: str) -> Resident:
    """Check a resident's answer to the session's challenge and bind the session to them."""
    answered = _take_challenge(session, challenge)
    cert = load_certificate(certificate)
    _check_certificate(cert)
    _check_signature(cert, answered, _signature(signature))
    card = _card(cert)
    resident = Resident(card.municipality_id, str(card.person_id), card.person.number, card.number)
    with tenant_scope(resident.municipality_code, "resident login"):
        try:
            with transaction.atomic():
                if timeline.latest(card.person).status != ResidentStatus.RESIDENT:
                    raise refuse(
                        "person.not_resident",
                        "住民でない方はログインできません。",
                        "Only residents can log in.",
                        "certificate",
                    )
                audit(resident.actor, "identity.resident.login", object_type="card")
        except RuleViolation as exc:
            audit(
                resident.actor,
                "identity.resident.login",
                object_type="card",
                outcome=Outcome.DENIED,
                details={"code": exc.code},
            )
            raise
    session.cycle_key()  # a new session id once logged in
    session[SESSION_RESIDENT] = resident.__dict__
    session.set_expiry(SESSION_SECONDS)
    return resident


def current_resident(session) -> Resident | None:
    data = session.get(SESSION_RESIDENT)
    return Resident(**data) if data else None


def log_out(session) -> None:
    session.pop(SESSION_RESIDENT, None)
    session.cycle_key()
