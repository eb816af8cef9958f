"""What identity consumes: the register's events revoke card certificates.

A card's signing certificate states the holder's 基本4情報, so it is revoked
when the register records that they no longer hold (as JPKI does):

- every 消除 (``registry.person.removed``): 転出 and 国外転出 (reason
  ``affiliation_changed``), 死亡 and 職権消除 (``cessation_of_operation``),
  the others (``superseded``); on 死亡 and 職権消除 the authentication
  certificate is revoked too (the holder is gone);
- 転居 (``registry.person.moved``: ``affiliation_changed``) and 氏名変更 (``superseded``);
- any other change (a correction, a household change) after which the
  holder's current facts differ from those on the certificate (``superseded``).

The receiver runs inside the register's transaction (the outbox sends
:data:`jichi.linkage.outbox.events_published` there), so a revocation commits
or rolls back with its movement. The revocation time is the movement's
recorded time (処理日時); the cause keeps the 異動事由 (``registry:21``).
Identity publishes no events of its own yet.
"""

from __future__ import annotations

from jichi.identity import facts as card_facts
from jichi.identity.models import Card, RevocationReason
from jichi.identity.services.cards import revoke_certificate
from jichi.registry import selectors as registry
from jichi.registry.codes import Reason
from jichi.tenancy.principals import Actor

REMOVED = "jp.jichi.registry.person.removed"
CHANGED = "jp.jichi.registry.person.changed"
MOVED = "jp.jichi.registry.person.moved"
ACTOR = Actor.system("identity.revocation")

# 異動事由 → the CRL reason of the signing certificate's revocation.
REASON_OF_MOVEMENT = {
    Reason.MOVE_OUT: RevocationReason.AFFILIATION_CHANGED,
    Reason.MOVE_OUT_ABROAD: RevocationReason.AFFILIATION_CHANGED,
    Reason.DEATH: RevocationReason.CESSATION_OF_OPERATION,
    Reason.REMOVE_EX_OFFICIO: RevocationReason.CESSATION_OF_OPERATION,
    Reason.MOVE_WITHIN: RevocationReason.AFFILIATION_CHANGED,
    Reason.NAME_CHANGE: RevocationReason.SUPERSEDED,
}
# Movements after which the card itself is finished: both certificates go.
ENDS_THE_CARD = {Reason.DEATH, Reason.REMOVE_EX_OFFICIO}


def connect() -> None:
    from jichi.linkage.outbox import events_published

    events_published.connect(on_events, dispatch_uid="jichi.identity.events.on_events")


def on_events(sender, *, events, **kwargs) -> None:
    """Revoke the certificates register events make untrue (see the module doc); the
    cards of every person the events name are read in one query."""
    relevant = [e for e in events if e.type in (REMOVED, CHANGED, MOVED)]
    if not relevant:
        return
    cards_of: dict[str, list[Card]] = {}
    for card in Card.objects.filter(
        person_id__in=sorted({str(e.data.get("person")) for e in relevant}),
        signing__revoked_at__isnull=True,
    ).select_related("signing", "authentication", "person", "municipality"):
        cards_of.setdefault(str(card.person_id), []).append(card)
    for event in relevant:
        cards = cards_of.get(str(event.data.get("person")), [])
        if cards:
            _revoke(event, cards)


def _revoke(event, cards: list[Card]) -> None:
    data = event.data
    reason = data.get("reason", "")
    crl_reason = _crl_reason(event.type, reason, cards)
    if crl_reason is None:
        return
    at = _recorded_at(cards[0].person, data.get("movement"), event.time)
    for card in cards:
        certificates = [card.signing]
        if reason in ENDS_THE_CARD and card.authentication.revoked_at is None:
            certificates.append(card.authentication)
        for certificate in certificates:
            if certificate.revoked_at is not None:
                continue  # revoked by an earlier event of the same change
            revoke_certificate(
                certificate=certificate,
                actor=ACTOR,
                reason=crl_reason,
                cause=f"registry:{reason}",
                at=at,
            )


def _crl_reason(event_type: str, reason: str, cards: list[Card]) -> str | None:
    if reason in REASON_OF_MOVEMENT:
        return REASON_OF_MOVEMENT[reason]
    if event_type == REMOVED:
        return RevocationReason.SUPERSEDED
    if any(_facts_changed(card) for card in cards):
        return RevocationReason.SUPERSEDED
    return None


def _facts_changed(card: Card) -> bool:
    """Do the holder's facts in the register today differ from the card's?"""
    version = registry.versions_on().filter(person=card.person).first()
    if version is None:
        return True
    municipality = card.municipality
    now = card_facts.fingerprint(card_facts.of_record(municipality, version), municipality.code)
    return now != card.facts_index


def _recorded_at(person, movement_id, default):
    """The movement's 処理日時 (recorded time), or the event's time if it cannot be read."""
    recorded = (
        registry.movements_of(person)
        .filter(id=movement_id)
        .values_list("recorded_at", flat=True)
        .first()
    )
    return recorded or default
