"""Reads of identity: the published trust anchors, a person's cards, a card by certificate."""

from __future__ import annotations

from django.db.models import QuerySet

from jichi.identity import x509build
from jichi.identity.models import Authority, AuthorityName, Card
from jichi.identity.services.authorities import certificate_of

# The order of the trust anchors in ca.pem: the root first, then the intermediates.
ANCHOR_ORDER = [
    AuthorityName.ROOT,
    AuthorityName.SIGNING,
    AuthorityName.AUTHENTICATION,
    AuthorityName.DOCUMENT,
]


def trust_anchors_pem() -> bytes:
    """PEM of the root and the intermediates (empty before ``jichi pki init``)."""
    found = {a.name: a for a in Authority.objects.all()}
    return b"".join(x509build.pem(certificate_of(found[n])) for n in ANCHOR_ORDER if n in found)


def cards_of(person) -> QuerySet[Card]:
    """The cards issued to a person, newest first (tenant scope)."""
    return (
        Card.objects.filter(person=person)
        .select_related("signing", "authentication")
        .order_by("-issued_at")
    )


def card_for_authentication(serial: str) -> Card | None:
    """The card whose authentication certificate has this serial (hex), in the scope.

    What a login by signed challenge looks up once the challenge's signature
    verified with that certificate: the card, hence the person.
    """
    return (
        Card.objects.filter(
            authentication__serial=serial.upper(),
            authentication__authority__name=AuthorityName.AUTHENTICATION,
        )
        .select_related("person", "authentication")
        .first()
    )
