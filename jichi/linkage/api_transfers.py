"""Hand-overs in the JSON API: what peers send, and what the counter does with them."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from jichi.audit.services import record_read
from jichi.common.api import ERRORS, StrictSchema
from jichi.linkage import handover, selectors
from jichi.linkage.models import Transfer
from jichi.registry.schemas import AddressIn
from jichi.tenancy.access import require

router = Router(tags=["hand-over"])
BASE = "/municipalities/{code}/transfers"


class EnvelopeIn(Schema):
    document: dict
    key_id: str
    signature: str


class Taken(Schema):
    transfer: str
    status: str


@router.post("/transfers", response={201: Taken, **ERRORS}, auth=None)
def take_transfer(request, payload: EnvelopeIn):
    """A peer hands over persons moving to a municipality served here (転出証明書情報).

    No token: the signature of a registered peer is the authentication.
    """
    transfer = handover.receive_transfer(payload.model_dump())
    return Status(201, {"transfer": str(transfer.transfer_id), "status": transfer.status})


@router.post("/transfers/arrivals", response={200: Taken, **ERRORS}, auth=None)
def take_arrival(request, payload: EnvelopeIn):
    """A peer reports that the persons of a hand-over sent from here arrived (転入通知)."""
    transfer = handover.receive_arrival(payload.model_dump())
    return {"transfer": str(transfer.transfer_id), "status": transfer.status}


class TransferOut(Schema):
    id: str
    direction: str
    counterpart: str
    counterpart_name: str
    status: str
    status_label: str
    persons: int
    effective_on: date
    expires_at: datetime
    created_at: datetime
    sent_at: datetime | None
    settled_at: datetime | None
    movement: str | None
    counterpart_movement: str | None
    links: dict[str, str]
    last_error: str


def transfer_out(transfer: Transfer) -> dict:
    return {
        "id": str(transfer.transfer_id),
        "direction": transfer.direction,
        "counterpart": transfer.counterpart,
        "counterpart_name": transfer.counterpart_name,
        "status": transfer.status,
        "status_label": transfer.get_status_display(),
        "persons": transfer.persons,
        "effective_on": transfer.effective_on,
        "expires_at": transfer.expires_at,
        "created_at": transfer.created_at,
        "sent_at": transfer.sent_at,
        "settled_at": transfer.settled_at,
        "movement": str(transfer.movement_id) if transfer.movement_id else None,
        "counterpart_movement": (
            str(transfer.counterpart_movement_id) if transfer.counterpart_movement_id else None
        ),
        "links": transfer.links,
        "last_error": transfer.last_error,
    }


class ListParams(Schema):
    direction: str = ""
    status: str = ""


@router.get(BASE, response={200: list[TransferOut], **ERRORS})
def transfers(request, code: str, params: Query[ListParams]):
    """Hand-overs sent and received, newest first (no personal data)."""
    require(request, "registry:read")
    found = Transfer.objects.order_by("-created_at")
    if params.direction:
        found = found.filter(direction=params.direction)
    if params.status:
        found = found.filter(status=params.status)
    return [transfer_out(t) for t in found[:500]]


class TransferDetailOut(TransferOut):
    previous_address: str
    destination_address: str
    persons_items: list[dict] = Field(description="the persons as the 転入 form takes them")


@router.get(BASE + "/{transfer_id}", response={200: TransferDetailOut, **ERRORS})
def transfer_detail(request, code: str, transfer_id: str, purpose: str):
    """One hand-over with its persons (personal data: the read is audited with its purpose)."""
    require(request, "registry:write")
    transfer = selectors.transfer(transfer_id)
    document = handover.document_of(transfer)
    record_read(
        request.principal.actor,
        object_type="transfer",
        object_id=str(transfer.transfer_id),
        purpose=purpose,
    )
    return {
        **transfer_out(transfer),
        "previous_address": document["previous_address"],
        "destination_address": document["destination_address"],
        "persons_items": [
            {k: v for k, v in p["items"].items() if k != "my_number"}
            | {"resident_number_there": p["resident_number"]}
            for p in document["persons"]
        ],
    }


class AcceptIn(StrictSchema):
    effective_on: date = Field(description="異動日 (the day they moved in)")
    notified_on: date | None = None
    address: AddressIn
    household: str | None = Field(None, description="世帯番号 to join; omit for a new household")
    relationships: dict[str, str] = Field(
        default_factory=dict, description="宛名番号 there → 続柄 here, where it changes"
    )


@router.post(BASE + "/{transfer_id}/accept", response={201: TransferOut, **ERRORS})
def accept(request, code: str, transfer_id: str, payload: AcceptIn):
    """転入 from a received hand-over: nothing is typed again but the new address."""
    municipality = require(request, "registry:write")
    transfer = handover.accept_transfer(
        municipality=municipality,
        actor=request.principal.actor,
        transfer=selectors.transfer(transfer_id),
        **payload.model_dump(exclude={"address"}),
        address=payload.address,
    )
    return Status(201, transfer_out(transfer))
