"""Hand-over between municipalities: the 転出証明書情報 and the 転入通知 that answers it.

When a 転出 is recorded for a destination in Japan, the municipality left
issues a signed hand-over: the persons' recorded items (個人番号 included),
the address they leave, the planned day. It goes to the destination, in this
deployment or in another one (a :class:`~jichi.linkage.models.Peer`) over
HTTP. There the 転入 is recorded from it without retyping
(:func:`accept_transfer`), and a signed arrival notice goes back, so each
side's record names the other's movement and 宛名番号 (the histories are
linked).

A document is JSON, canonical (sorted keys, no spaces, UTF-8) and signed with
the deployment's Ed25519 platform key; the envelope is
``{"document": …, "key_id": …, "signature": …}``. A receiver checks the
signature against its own key or a peer's, that the issuer is a municipality
that key's owner hosts, that the document is fresh (issued not in the future,
not expired) and that it has not been taken before. Each refusal has its own
error code (``transfer.signature``, ``transfer.issuer_unknown``,
``transfer.expired``, ``transfer.destination``, ``transfer.duplicate``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from cryptography.hazmat.primitives import serialization
from django.db import transaction
from django.utils import timezone

from jichi.audit.services import record as audit
from jichi.common import platform_key, secrets
from jichi.common.errors import RuleViolation
from jichi.common.ids import new_id
from jichi.linkage import outbox
from jichi.linkage.models import Peer, Transfer, TransferDirection, TransferStatus
from jichi.registry import display
from jichi.registry import selectors as registry
from jichi.registry import services as registry_services
from jichi.registry.codes import Reason, ResidentKind
from jichi.registry.schemas import AddressIn, ArrivalIn, PersonIn
from jichi.tenancy.context import tenant_scope
from jichi.tenancy.models import Municipality
from jichi.tenancy.national import municipality_of_address
from jichi.tenancy.principals import Actor

TRANSFER = "jp.jichi.transfer/v1"
ARRIVAL = "jp.jichi.transfer-arrival/v1"
VALID_DAYS = 30  # a hand-over can be taken up to 30 days after the day of moving
CLOCK_SKEW = timedelta(minutes=5)
ACTOR = Actor.system("linkage.handover")
REMOVED = "jp.jichi.registry.person.removed"

# The items of PersonIn a hand-over carries (what the 転入 needs, nothing more).
_ITEMS = (
    "kind family_name given_name family_name_kana given_name_kana name_alphabet "
    "former_surname former_surname_kana alias alias_kana sex relationship domicile "
    "domicile_head resident_code nationality article_30_45 residence_status "
    "residence_period residence_card_no"
).split()


def _refused(code: str, ja: str, en: str, status: int = 400) -> RuleViolation:
    return RuleViolation(f"transfer.{code}", ja, en, "transfer", status=status)


# --- documents and envelopes --------------------------------------------------------------


def canonical(document: dict) -> bytes:
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def seal(document: dict) -> dict:
    """The signed envelope of ``document`` (this deployment's key)."""
    return {
        "document": document,
        "key_id": platform_key.key_id(),
        "signature": platform_key.sign(canonical(document)),
    }


@dataclass(frozen=True)
class Signer:
    name: str  # "this deployment" or the peer's name
    municipalities: frozenset[str] | None  # None: this deployment (hosts what it hosts)


def _signer(key_id: str):
    if key_id == platform_key.key_id():
        return platform_key.public_key(), Signer("this deployment", None)
    peer = Peer.objects.filter(key_id=key_id).first()
    if peer is None:
        raise _refused(
            "issuer_unknown",
            "署名した団体のシステムが登録されていません。",
            "The signing system is not a registered peer.",
            403,
        )
    key = serialization.load_pem_public_key(peer.public_key.encode())
    return key, Signer(peer.name, frozenset(peer.municipalities))


def open_envelope(envelope: dict, kind: str, issuer_field: str) -> dict:
    """The document of ``envelope`` once its signature, signer and freshness hold."""
    try:
        document, key_id, signature = (envelope[k] for k in ("document", "key_id", "signature"))
        if not isinstance(document, dict):
            raise TypeError
    except (KeyError, TypeError):
        raise _refused(
            "malformed",
            "引継ぎデータの形式が正しくありません。",
            "The hand-over is not an envelope of document, key_id and signature.",
        ) from None
    key, signer = _signer(str(key_id))
    if not platform_key.verify(canonical(document), str(signature), key):
        raise _refused(
            "signature",
            "引継ぎデータの署名を確認できません（改ざんのおそれ）。",
            "The hand-over's signature does not verify: it may have been altered.",
        )
    issuer = str(document.get(issuer_field, ""))
    if document.get("type") != kind or not _hosts(signer, issuer):
        raise _refused(
            "issuer_unknown",
            "署名したシステムはこの団体の引継ぎデータを発行できません。",
            "The signer does not host the municipality the hand-over claims to come from.",
            403,
        )
    _check_fresh(document)
    return document


def _hosts(signer: Signer, code: str) -> bool:
    if signer.municipalities is None:
        return Municipality.objects.filter(code=code, is_active=True).exists()
    return code in signer.municipalities


def _check_fresh(document: dict) -> None:
    now = timezone.now()
    try:
        issued = datetime.fromisoformat(document["issued_at"])
        expires = datetime.fromisoformat(document["expires_at"])
    except (KeyError, TypeError, ValueError):
        raise _refused(
            "malformed", "発行日時が読めません。", "The issue or expiry time is unreadable."
        ) from None
    if issued > now + CLOCK_SKEW or expires <= now:
        raise _refused(
            "expired",
            "引継ぎデータの有効期限が切れています（または発行日時が未来です）。",
            "The hand-over has expired (or claims to be issued in the future).",
        )


def _store(envelope: dict, code: str) -> bytes:
    return secrets.encrypt(json.dumps(envelope, ensure_ascii=False), context=f"transfer:{code}")


def envelope_of(transfer: Transfer) -> dict:
    context = f"transfer:{transfer.municipality_id}"
    return json.loads(secrets.decrypt(transfer.document_sealed, context=context))


# --- issuing on 転出 --------------------------------------------------------------------------


def connect() -> None:
    outbox.events_published.connect(on_events, dispatch_uid="jichi.linkage.handover.on_events")


def on_events(sender, *, events, **kwargs) -> None:
    """Issue a hand-over for every 転出 among ``events`` (inside the movement's transaction)."""
    moves: dict[str, list[str]] = {}
    for event in events:
        if event.type == REMOVED and event.data.get("reason") == Reason.MOVE_OUT:
            moves.setdefault(event.data["movement"], []).append(event.data["person"])
    for person_ids in moves.values():
        issue_transfer(events[0].municipality_id, person_ids)


def destination_of(address: str) -> tuple[str, str] | None:
    """(code, name) of the municipality an address is in; a ward of a designated city
    that is not hosted anywhere gives way to its city, which keeps the register."""
    row = municipality_of_address(address)
    if row is None:
        return None
    from jichi.linkage.peers import route

    if row.kind == "ward" and row.parent_code and route(row.code) is None:
        parent = Municipality.objects.filter(code=row.parent_code).first()
        return row.parent_code, parent.name if parent else row.parent_code
    return row.code, row.name


def _person_items(code: str, version) -> dict:
    items = {name: getattr(version, name) or "" for name in _ITEMS}
    items["birth_date"] = version.birth_note or version.birth_date.isoformat()
    items["residence_expiry"] = (
        version.residence_expiry.isoformat() if version.residence_expiry else None
    )
    items["article_30_45"] = version.article_30_45 or None
    items["resident_code"] = version.resident_code or None
    if version.my_number_cipher:
        items["my_number"] = secrets.open_my_number(version.my_number_cipher, code)
    if version.kind != ResidentKind.FOREIGN:
        for name in ("nationality", "residence_status", "residence_period", "residence_card_no"):
            items.pop(name)
        items.pop("article_30_45")
        items.pop("residence_expiry")
    return items


def issue_transfer(code: str, person_ids: list) -> Transfer | None:
    """The outgoing hand-over of the persons (ids) who move out together."""
    municipality = Municipality.objects.get(code=code)
    person_ids = [UUID(str(p)) for p in person_ids]
    periods = registry.timelines(person_ids)
    removal = [max(periods[p], key=lambda v: v.valid_from) for p in person_ids]  # this 転出
    moved_on = removal[0].valid_from
    destination = destination_of(removal[0].destination_address)
    if destination is None or destination[0] == code:
        return None  # abroad, or an address the national list does not know: paper only
    leaving = [v.person for v in removal]
    before = [_valid_on(periods[p], moved_on - timedelta(days=1)) for p in person_ids]
    now = timezone.now()
    transfer_id = new_id()
    document = {
        "type": TRANSFER,
        "id": str(transfer_id),
        "issuer": code,
        "issuer_name": municipality.display_name,
        "destination": destination[0],
        "destination_name": destination[1],
        "destination_address": removal[0].destination_address,
        "effective_on": moved_on.isoformat(),
        "issued_at": now.isoformat(),
        "expires_at": _expiry(moved_on).isoformat(),
        "movement": str(removal[0].movement_id),
        "previous_address": display.full_address(municipality, before[0]),
        "persons": [
            {
                "resident_number": p.number,
                "person": str(p.id),
                "became_resident_on": v.became_resident_on.isoformat(),
                "address_since": v.address_since.isoformat(),
                "is_head": v.is_head,
                "items": _person_items(code, v),
            }
            for p, v in zip(leaving, before, strict=True)
        ],
    }
    envelope = seal(document)
    transfer = Transfer.objects.create(
        municipality=municipality,
        transfer_id=transfer_id,
        direction=TransferDirection.OUTGOING,
        counterpart=destination[0],
        counterpart_name=destination[1],
        status=TransferStatus.PENDING,
        document_sealed=_store(envelope, code),
        persons=len(leaving),
        movement_id=removal[0].movement_id,
        effective_on=moved_on,
        expires_at=_expiry(moved_on),
    )
    _audit("linkage.transfer.issued", transfer)
    from jichi.linkage.tasks import send_transfer

    transaction.on_commit(lambda: send_transfer.enqueue(code, str(transfer.id)))
    return transfer


def _valid_on(periods: list, on: date):
    """The period of a person's timeline valid on ``on`` (the first one if none was:
    moved in and out on one day)."""
    valid = (v for v in periods if v.valid_from <= on and (v.valid_to is None or on < v.valid_to))
    return next(valid, periods[0])


def _expiry(moved_on: date) -> datetime:
    end = datetime.combine(moved_on + timedelta(days=VALID_DAYS + 1), datetime.min.time())
    return timezone.make_aware(end)


# --- receiving and accepting -----------------------------------------------------------------


def receive_transfer(envelope: dict) -> Transfer:
    """Take a hand-over addressed to a municipality of this deployment (from any sender)."""
    document = open_envelope(envelope, TRANSFER, "issuer")
    code = str(document.get("destination", ""))
    municipality = Municipality.objects.filter(code=code, is_active=True).first()
    if municipality is None:
        raise _refused(
            "destination",
            "転入先の団体はこのシステムにありません。",
            "The destination municipality is not served here.",
            404,
        )
    with tenant_scope(code, "hand-over received"), transaction.atomic():
        seen = Transfer.objects.filter(
            transfer_id=document["id"], direction=TransferDirection.INCOMING
        )
        if seen.exists():
            raise _refused(
                "duplicate",
                "この引継ぎデータは受領済みです。",
                "This hand-over has been received already.",
                409,
            )
        transfer = Transfer.objects.create(
            municipality=municipality,
            transfer_id=document["id"],
            direction=TransferDirection.INCOMING,
            counterpart=document["issuer"],
            counterpart_name=document.get("issuer_name", ""),
            status=TransferStatus.RECEIVED,
            document_sealed=_store(envelope, code),
            persons=len(document["persons"]),
            counterpart_movement_id=document.get("movement"),
            effective_on=date.fromisoformat(document["effective_on"]),
            expires_at=datetime.fromisoformat(document["expires_at"]),
        )
        _audit("linkage.transfer.received", transfer)
        outbox.publish(
            "linkage.transfer.received",
            {
                "transfer": str(transfer.transfer_id),
                "from": transfer.counterpart,
                "persons": transfer.persons,
                "effective_on": transfer.effective_on.isoformat(),
            },
            subject=f"transfer/{transfer.transfer_id}",
        )
    return transfer


def document_of(transfer: Transfer) -> dict:
    return envelope_of(transfer)["document"]


def prefill(transfer: Transfer) -> list[PersonIn]:
    """The persons of an incoming hand-over, as the 転入 form takes them."""
    return [PersonIn(**p["items"]) for p in document_of(transfer)["persons"]]


@transaction.atomic
def accept_transfer(
    *,
    municipality: Municipality,
    actor: Actor,
    transfer: Transfer,
    address: AddressIn,
    effective_on: date,
    notified_on: date | None = None,
    household: str | None = None,
    relationships: dict[str, str] | None = None,
) -> Transfer:
    """転入 from a received hand-over: the persons come from it, the new address from the
    counter; the arrival notice then goes back to the municipality left."""
    locked = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if locked.direction != TransferDirection.INCOMING or locked.status != TransferStatus.RECEIVED:
        raise _refused(
            "used",
            "この引継ぎデータは転入処理済みです。",
            "This hand-over has been used for a 転入 already.",
            409,
        )
    if locked.expires_at <= timezone.now():
        raise _refused(
            "expired",
            "引継ぎデータの有効期限が切れています。転出証明書で届出をしてください。",
            "The hand-over has expired: the 転入 needs the paper 転出証明書.",
        )
    document = document_of(locked)
    relationships = relationships or {}
    persons = []
    for entry in document["persons"]:
        items = dict(entry["items"])
        items["relationship"] = relationships.get(entry["resident_number"], items["relationship"])
        persons.append(PersonIn(**items))
    notice = ArrivalIn(
        effective_on=effective_on,
        notified_on=notified_on,
        address=address,
        previous_address=document["previous_address"],
        household=household,
        persons=persons,
        note=f"転出証明書情報 {document['issuer_name']} {locked.transfer_id}",
    )
    movement = registry_services.record_move_in(
        municipality=municipality, actor=actor, notice=notice
    )
    locked.status, locked.settled_at = TransferStatus.ACCEPTED, timezone.now()
    locked.movement_id = movement.id
    locked.links = _links(document, registry.persons_of(movement), effective_on)
    locked.save(update_fields=["status", "settled_at", "movement_id", "links"])
    audit(
        actor,
        "linkage.transfer.accepted",
        object_type="transfer",
        object_id=str(locked.transfer_id),
        details={"movement": str(movement.id), "persons": locked.persons},
    )
    from jichi.linkage.tasks import send_arrival

    code, pk = municipality.code, str(locked.id)
    transaction.on_commit(lambda: send_arrival.enqueue(code, pk))
    return locked


_IDENTIFYING = ("family_name_kana", "given_name_kana", "name_alphabet", "sex")


def _links(document: dict, arrived, on: date) -> dict[str, str]:
    """Their 宛名番号 there -> here, matched by the items that identify a person."""
    here = {}
    for person in arrived:
        version = registry.person_on(person, on)
        here[tuple(getattr(version, f) for f in _IDENTIFYING)] = person.number
    links = {}
    for entry in document["persons"]:
        found = here.get(tuple(entry["items"][f] for f in _IDENTIFYING))
        if found:
            links[entry["resident_number"]] = found
    return links


# --- the arrival notice (転入通知) ------------------------------------------------------------


def arrival_envelope(transfer: Transfer) -> dict:
    return seal(
        {
            "type": ARRIVAL,
            "transfer": str(transfer.transfer_id),
            "from": transfer.municipality_id,
            "to": transfer.counterpart,
            "movement": str(transfer.movement_id),
            "links": transfer.links,
            "issued_at": timezone.now().isoformat(),
            "expires_at": (timezone.now() + timedelta(days=VALID_DAYS)).isoformat(),
        }
    )


def receive_arrival(envelope: dict) -> Transfer:
    """The destination says the persons arrived: the outgoing hand-over is settled."""
    document = open_envelope(envelope, ARRIVAL, "from")
    code = str(document.get("to", ""))
    if not Municipality.objects.filter(code=code).exists():
        raise _refused(
            "destination", "通知先の団体がありません。", "The municipality is not served here.", 404
        )
    with tenant_scope(code, "arrival notice"), transaction.atomic():
        transfer = (
            Transfer.objects.select_for_update()
            .filter(
                transfer_id=document["transfer"],
                direction=TransferDirection.OUTGOING,
                counterpart=document["from"],
            )
            .first()
        )
        if transfer is None:
            raise _refused(
                "unknown", "該当する引継ぎがありません。", "No such hand-over was sent.", 404
            )
        if transfer.status == TransferStatus.ARRIVED:
            return transfer  # the notice came again: nothing changes
        transfer.status, transfer.settled_at = TransferStatus.ARRIVED, timezone.now()
        transfer.counterpart_movement_id = document["movement"]
        transfer.links = document.get("links", {})
        transfer.save(update_fields=["status", "settled_at", "counterpart_movement_id", "links"])
        _audit("linkage.transfer.arrived", transfer)
    return transfer


def _audit(action: str, transfer: Transfer) -> None:
    audit(
        ACTOR,
        action,
        object_type="transfer",
        object_id=str(transfer.transfer_id),
        details={"counterpart": transfer.counterpart, "persons": transfer.persons},
    )
