"""就学 in the JSON API: schools, the 学齢簿, entrants and their 就学通知."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from jichi.audit.services import record_read
from jichi.benefits.schooling import documents, rules, selectors, services
from jichi.common.api import ERRORS, StrictSchema
from jichi.tenancy.access import require

router = Router(tags=["schooling"])
BASE = "/municipalities/{code}/schooling"


class SchoolIn(StrictSchema):
    code: str = Field(max_length=6, examples=["P001"])
    name: str = Field(max_length=60, examples=["元町小学校"])
    kind: str = Field(description="primary (小学校) or junior (中学校)")
    address: str = Field("", max_length=200)
    towns: list[str] = Field(default_factory=list, description="町字 codes of its 通学区域")


class SchoolsIn(StrictSchema):
    schools: list[SchoolIn]


def _schools() -> list[dict]:
    return [
        {"code": s.code, "name": s.name, "kind": s.kind, "address": s.address, "towns": s.towns}
        for s in selectors.schools()
    ]


@router.get(BASE + "/schools", response={200: list[SchoolIn], **ERRORS})
def schools(request, code: str):
    require(request, "schooling:read")
    return _schools()


@router.put(BASE + "/schools", response={200: list[SchoolIn], **ERRORS})
def set_schools(request, code: str, payload: SchoolsIn):
    municipality = require(request, "schooling:manage")
    services.set_schools(
        municipality=municipality,
        actor=request.principal.actor,
        schools=[s.model_dump() for s in payload.schools],
    )
    return _schools()


class PupilOut(Schema):
    number: str
    name: str
    name_kana: str
    birth_date: date
    sex: str
    grade: int
    stage: str
    grade_in_stage: int
    school: str | None
    address: str


@router.get(BASE + "/register", response={200: list[PupilOut], **ERRORS})
def school_age_register(request, code: str, purpose: str, on: date | None = None):
    """学齢簿 on a date (today by default): personal data, read with a purpose (audited)."""
    require(request, "schooling:read")
    pupils = selectors.school_age_register(on or timezone.localdate())
    record_read(
        request.principal.actor,
        object_type="school_age_register",
        object_id="*",
        purpose=purpose,
        details={"pupils": len(pupils)},
    )
    return [
        {
            "number": p.row.number,
            "name": p.row.full_name,
            "name_kana": p.row.full_name_kana,
            "birth_date": p.row.birth_date,
            "sex": p.row.sex,
            "grade": p.grade,
            "stage": p.stage,
            "grade_in_stage": p.grade_in_stage,
            "school": p.school.name if p.school else None,
            "address": f"{p.row.town_name}{p.row.block}",
        }
        for p in pupils
    ]


class NoticesIn(StrictSchema):
    entry_year: int = Field(description="the April of entry (this or next year)")


class IssuedOut(Schema):
    issued: int
    already: int
    unassigned: list[str] = Field(description="宛名番号 of entrants no school's district covers")


@router.post(BASE + "/notices", response={201: IssuedOut, **ERRORS})
def issue_notices(request, code: str, payload: NoticesIn):
    """就学通知 to the entrants of an April who have none yet."""
    municipality = require(request, "schooling:manage")
    result = services.issue_notices(
        municipality=municipality, actor=request.principal.actor, entry_year=payload.entry_year
    )
    return Status(201, result)


class NoticeOut(Schema):
    id: str
    number: str
    entry_year: int
    school: str
    child_name: str
    guardian_name: str
    status: str
    issued_at: datetime
    pdf_url: str


@router.get(BASE + "/notices", response={200: list[NoticeOut], **ERRORS})
def notices(request, code: str, entry_year: int | None = None):
    require(request, "schooling:read")
    year = entry_year or rules.next_entry_year(timezone.localdate())
    return [
        {
            "id": str(n.id),
            "number": n.number,
            "entry_year": n.entry_year,
            "school": n.school.name,
            "child_name": n.child_name,
            "guardian_name": n.guardian_name,
            "status": n.status,
            "issued_at": n.issued_at,
            "pdf_url": f"/api/v1/municipalities/{code}/schooling/notices/{n.id}.pdf",
        }
        for n in selectors.notices(year)
    ]


@router.get(BASE + "/notices/{notice_id}.pdf", response={200: None, **ERRORS})
def notice_pdf(request, code: str, notice_id: str):
    municipality = require(request, "schooling:read")
    notice = selectors.notice(notice_id)
    return documents.notice_response(notice, municipality, request.principal.actor)
