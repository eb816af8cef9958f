"""DV等支援措置: start, extend, end."""

from __future__ import annotations

from datetime import date

from ninja import Schema, Status
from pydantic import Field

from jichi.common.api import ERRORS, StrictSchema
from jichi.common.errors import RuleViolation
from jichi.registry import schemas, services
from jichi.registry.api.common import BASE, router
from jichi.registry.models import Protection
from jichi.tenancy.access import require


class ProtectionOut(Schema):
    id: str
    person: str
    starts_on: date
    ends_on: date
    provisional: bool
    active: bool


def protection_out(protection: Protection) -> dict:
    today = date.today()
    return {
        "id": str(protection.id),
        "person": protection.person.number,
        "starts_on": protection.starts_on,
        "ends_on": protection.ends_on,
        "provisional": protection.provisional,
        "active": protection.ended_at is None
        and protection.starts_on <= today <= protection.ends_on,
    }


@router.post(BASE + "/protections", response={201: ProtectionOut, **ERRORS})
def start_protection(request, code: str, payload: schemas.ProtectionIn):
    """DV等支援措置 for a person, with its listed offenders (one year by default)."""
    municipality = require(request, "registry:protect")
    protection = services.start_protection(
        municipality=municipality, actor=request.principal.actor, request=payload
    )
    return Status(201, protection_out(protection))


def _protection(protection_id) -> Protection:
    found = Protection.objects.filter(id=protection_id).select_related("person").first()
    if found is None:
        raise RuleViolation(
            "protection.not_found",
            "支援措置が見つかりません。",
            "The protection was not found.",
            "protection",
            status=404,
        )
    return found


class EndIn(StrictSchema):
    note: str = Field(min_length=1, max_length=500)


@router.post(BASE + "/protections/{protection_id}/extend", response={200: ProtectionOut, **ERRORS})
def extend_protection(request, code: str, protection_id: str):
    require(request, "registry:protect")
    return protection_out(
        services.extend_protection(
            actor=request.principal.actor, protection=_protection(protection_id)
        )
    )


@router.post(BASE + "/protections/{protection_id}/end", response={200: ProtectionOut, **ERRORS})
def end_protection(request, code: str, protection_id: str, payload: EndIn):
    require(request, "registry:protect")
    return protection_out(
        services.end_protection(
            actor=request.principal.actor, protection=_protection(protection_id), note=payload.note
        )
    )
