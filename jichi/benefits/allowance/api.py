"""児童手当 in the JSON API: recipients, payments, the changes the register's events raise."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from jichi.audit.services import record as audit
from jichi.benefits.allowance import selectors, services
from jichi.common.api import ERRORS, StrictSchema
from jichi.tenancy.access import require

router = Router(tags=["child allowance"])
BASE = "/municipalities/{code}/allowance"


class ChildOut(Schema):
    number: str
    name: str
    birth_date: date
    from_month: date
    to_month: date | None


class RecipientOut(Schema):
    id: str
    number: str
    name: str
    claimed_on: date
    start_month: date
    end_month: date | None
    end_reason: str
    children: list[ChildOut]


def recipient_out(r) -> dict:
    return {
        "id": str(r.id),
        "number": r.number,
        "name": r.name,
        "claimed_on": r.claimed_on,
        "start_month": r.start_month,
        "end_month": r.end_month,
        "end_reason": r.end_reason,
        "children": [
            {
                "number": c.number,
                "name": c.name,
                "birth_date": c.birth_date,
                "from_month": c.from_month,
                "to_month": c.to_month,
            }
            for c in r.children.all()
        ],
    }


@router.get(BASE + "/recipients", response={200: list[RecipientOut], **ERRORS})
def recipients(request, code: str):
    require(request, "allowance:read")
    return [recipient_out(r) for r in selectors.recipients()[:1000]]


class CertifyIn(StrictSchema):
    claimant: str = Field(description="請求者の宛名番号")
    children: list[str] = Field(description="支給対象児童の宛名番号")
    claimed_on: date = Field(description="認定請求日")


@router.post(BASE + "/recipients", response={201: RecipientOut, **ERRORS})
def certify(request, code: str, payload: CertifyIn):
    """認定 from a claim made at the counter (online claims are certified on approval)."""
    municipality = require(request, "allowance:manage")
    recipient = services.certify(
        municipality=municipality, actor=request.principal.actor, **payload.model_dump()
    )
    return Status(201, recipient_out(selectors.recipient(recipient.id)))


class EndIn(StrictSchema):
    on: date
    reason: str = Field(description="moved_out | deceased | no_child | other")


@router.post(BASE + "/recipients/{recipient_id}/end", response={200: RecipientOut, **ERRORS})
def end(request, code: str, recipient_id: str, payload: EndIn):
    require(request, "allowance:manage")
    recipient = services.end_recipient(
        actor=request.principal.actor,
        recipient=selectors.recipient(recipient_id),
        **payload.model_dump(),
    )
    return recipient_out(selectors.recipient(recipient.id))


class PaymentsIn(StrictSchema):
    pay_month: date = Field(description="the 1st of an even month")


class PaymentsMadeOut(Schema):
    payments: int
    total: int
    already: int


@router.post(BASE + "/payments", response={201: PaymentsMadeOut, **ERRORS})
def compute_payments(request, code: str, payload: PaymentsIn):
    """The payments of an even month for the two months before (idempotent)."""
    municipality = require(request, "allowance:manage")
    result = services.compute_payments(
        municipality=municipality, actor=request.principal.actor, pay_month=payload.pay_month
    )
    return Status(201, result)


class PaymentOut(Schema):
    recipient: str
    number: str
    pay_month: date
    amount: int
    months: list[dict]


@router.get(BASE + "/payments", response={200: list[PaymentOut], **ERRORS})
def payments(request, code: str, pay_month: date | None = None):
    require(request, "allowance:read")
    return [
        {
            "recipient": str(p.recipient_id),
            "number": p.recipient.number,
            "pay_month": p.pay_month,
            "amount": p.amount,
            "months": p.months,
        }
        for p in selectors.payments(pay_month)[:5000]
    ]


class ChangeOut(Schema):
    id: str
    kind: str
    kind_label: str
    number: str
    household: str
    on: date
    deadline: date | None
    recipient: str | None
    created_at: datetime


def change_out(c) -> dict:
    return {
        "id": str(c.id),
        "kind": c.kind,
        "kind_label": c.get_kind_display(),
        "number": c.number,
        "household": c.household,
        "on": c.on,
        "deadline": c.deadline,
        "recipient": str(c.recipient_id) if c.recipient_id else None,
        "created_at": c.created_at,
    }


@router.get(BASE + "/changes", response={200: list[ChangeOut], **ERRORS})
def changes(request, code: str):
    """What the register's events ask of the office (births, move-ins, endings), open ones."""
    require(request, "allowance:read")
    return [change_out(c) for c in selectors.open_changes()[:1000]]


@router.post(BASE + "/changes/{change_id}/handled", response={200: ChangeOut, **ERRORS})
def handled(request, code: str, change_id: str):
    require(request, "allowance:manage")
    with transaction.atomic():
        change = selectors.change(change_id)
        change.handled_at = timezone.now()
        change.save(update_fields=["handled_at"])
        audit(
            request.principal.actor,
            "allowance.change.handled",
            object_type="change",
            object_id=str(change.id),
            details={"kind": change.kind},
        )
    return change_out(change)
