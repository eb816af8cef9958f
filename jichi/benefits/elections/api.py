"""The electoral roll in the JSON API: districts, registrations, counts, the roll."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from jichi.audit.services import record_read
from jichi.benefits.elections import selectors, services
from jichi.common.api import ERRORS, StrictSchema
from jichi.registry import selectors as registry
from jichi.tenancy.access import require

router = Router(tags=["elections"])
BASE = "/municipalities/{code}/elections"


class DistrictIn(StrictSchema):
    code: str = Field(max_length=4, examples=["01"])
    name: str = Field(max_length=60, examples=["第1投票区"])
    polling_place: str = Field("", max_length=100, examples=["元町小学校体育館"])
    towns: list[str] = Field(default_factory=list, description="町字 codes (11 digits)")


class DistrictsIn(StrictSchema):
    districts: list[DistrictIn]


class DistrictOut(Schema):
    code: str
    name: str
    polling_place: str
    towns: list[str]


def _districts() -> list[dict]:
    return [
        {"code": d.code, "name": d.name, "polling_place": d.polling_place, "towns": d.towns}
        for d in selectors.districts()
    ]


@router.get(BASE + "/districts", response={200: list[DistrictOut], **ERRORS})
def districts(request, code: str):
    require(request, "elections:read")
    return _districts()


@router.put(BASE + "/districts", response={200: list[DistrictOut], **ERRORS})
def set_districts(request, code: str, payload: DistrictsIn):
    """Replace the 投票区 and the 町字 each covers; the roll follows."""
    municipality = require(request, "elections:manage")
    services.set_districts(
        municipality=municipality,
        actor=request.principal.actor,
        districts=[d.model_dump() for d in payload.districts],
    )
    return _districts()


class RegistrationIn(StrictSchema):
    reference_date: date = Field(description="基準日 (periodic: the 1st of Mar/Jun/Sep/Dec)")
    kind: str = Field("periodic", description="periodic (定時登録) or election (選挙時登録)")
    election: str = Field("", max_length=100, examples=["横浜市長選挙"])


class RegistrationOut(Schema):
    id: str
    kind: str
    reference_date: date
    registered_on: date
    election: str
    added: int
    displayed: int
    removed: int
    total: int
    seconds: float
    created_at: datetime


def registration_out(registration) -> dict:
    return {
        **{f: getattr(registration, f) for f in RegistrationOut.model_fields if f != "id"},
        "id": str(registration.id),
    }


@router.get(BASE + "/registrations", response={200: list[RegistrationOut], **ERRORS})
def registrations(request, code: str):
    require(request, "elections:read")
    return [registration_out(r) for r in selectors.registrations()]


@router.post(BASE + "/registrations", response={201: RegistrationOut, **ERRORS})
def register(request, code: str, payload: RegistrationIn):
    """Register the electors as of the reference date (定時登録 or 選挙時登録)."""
    municipality = require(request, "elections:manage")
    registration = services.register(
        municipality=municipality, actor=request.principal.actor, **payload.model_dump()
    )
    return Status(201, registration_out(registration))


class CountOut(Schema):
    district: str
    name: str
    men: int
    women: int
    displayed: int
    total: int


@router.get(BASE + "/counts", response={200: list[CountOut], **ERRORS})
def counts(request, code: str):
    """登録者数 by 投票区 and sex (no personal data)."""
    require(request, "elections:read")
    return selectors.counts()


class ElectorOut(Schema):
    district: str
    number: str
    name: str
    name_kana: str
    sex: str
    birth_date: date
    address: str
    registered_on: date
    status: str
    displayed_on: date | None
    protected: bool = Field(description="支援措置: never shown when the roll is inspected (閲覧)")


@router.get(BASE + "/roll", response={200: list[ElectorOut], **ERRORS})
def roll(request, code: str, purpose: str, district: str | None = None):
    """The roll (選挙人名簿) by district: personal data, read with a purpose and audited."""
    require(request, "elections:read")
    protected = registry.protected_person_ids()
    lines = selectors.roll(district)
    record_read(
        request.principal.actor,
        object_type="electoral_roll",
        object_id=district or "*",
        purpose=purpose,
        details={"electors": len(lines)},
    )
    return [
        {
            "district": entry.district,
            "number": row.number,
            "name": row.full_name,
            "name_kana": row.full_name_kana,
            "sex": row.sex,
            "birth_date": row.birth_date,
            "address": f"{row.town_name}{row.block}",
            "registered_on": entry.registered_on,
            "status": entry.status,
            "displayed_on": entry.displayed_on,
            "protected": row.person_id in protected,
        }
        for entry, row in lines
    ]
