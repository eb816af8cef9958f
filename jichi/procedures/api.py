"""Procedures in the JSON API: the catalog, applications (inbox and each step), life events."""

from __future__ import annotations

import base64
import binascii
from datetime import date

from django.utils import timezone
from ninja import Header, Query, Router, Schema
from ninja.responses import Status

from jichi.audit.services import record_read
from jichi.common.api import ERRORS, PageOut
from jichi.common.errors import RuleViolation, not_found
from jichi.common.pagination import DEFAULT_LIMIT, paginate
from jichi.procedures import life_events, selectors, services
from jichi.procedures.applicants import Applicant, is_applicant, resident_record
from jichi.procedures.models import Application
from jichi.procedures.prefill import prefill, remaining_fields
from jichi.procedures.presenters import application_out, procedure_out
from jichi.procedures.schemas import (
    AnswerInformationIn,
    AnswersIn,
    ApplicationIn,
    ApplicationOut,
    AssignIn,
    AttachmentIn,
    BulkAssignIn,
    LifeEventOut,
    PrefillOut,
    ProcedureOut,
    QuestionIn,
    ReasonIn,
    SettingIn,
)
from jichi.registry import selectors as registry
from jichi.tenancy.access import require

router = Router(tags=["procedures"])
BASE = "/municipalities/{code}"
APPS = BASE + "/applications"
ONE = APPS + "/{application_id}"


def _require_any(request, *permissions: str):
    for permission in permissions[:-1]:
        if (
            request.principal
            and request.tenant
            and request.principal.has_perm(request.tenant.code, permission)
        ):
            return request.tenant
    return require(request, permissions[-1])


# --- catalog ----------------------------------------------------------------------


class CatalogParams(Schema):
    q: str = ""
    include_disabled: bool = False


@router.get(BASE + "/procedures", response={200: list[ProcedureOut], **ERRORS})
def catalog_list(request, code: str, params: Query[CatalogParams]):
    """The procedures this municipality offers (names and keywords matched by ``q``)."""
    require(request, "municipality:read")
    items = selectors.offered_catalog(include_disabled=params.include_disabled, text=params.q)
    return [procedure_out(item) for item in items]


@router.get(BASE + "/procedures/{procedure_id}", response={200: ProcedureOut, **ERRORS})
def catalog_show(request, code: str, procedure_id: str):
    require(request, "municipality:read")
    return procedure_out(selectors.offered(procedure_id), with_fields=True)


@router.put(BASE + "/procedures/{procedure_id}/settings", response={200: ProcedureOut, **ERRORS})
def catalog_settings(request, code: str, procedure_id: str, payload: SettingIn):
    """Enable or disable, override the fee, texts and department queue (admins)."""
    municipality = require(request, "procedures:manage")
    services.update_setting(
        municipality=municipality,
        actor=request.principal.actor,
        procedure_id=procedure_id,
        **payload.model_dump(),
    )
    return procedure_out(selectors.offered(procedure_id), with_fields=True)


@router.get(BASE + "/procedures/{procedure_id}/prefill", response={200: PrefillOut, **ERRORS})
def prefill_for(request, code: str, procedure_id: str, person: str):
    """What the register answers for this person, and the questions left (an audited read)."""
    _require_any(request, "procedures:review", "procedures:apply")
    procedure = selectors.procedure(procedure_id)
    found = registry.person(person, "person")
    known = prefill(procedure, resident_record(found), timezone.localdate())
    record_read(
        request.principal.actor,
        object_type="person",
        object_id=str(found.id),
        purpose=f"手続の事前入力 {procedure_id}",
    )
    return {
        "procedure": procedure.id,
        "values": {name: p.as_dict() for name, p in known.items()},
        "remaining": [f.name for f in remaining_fields(procedure, known)],
    }


# --- applications -----------------------------------------------------------------


def _applicant(payload: ApplicationIn) -> Applicant:
    given = payload.applicant
    person = registry.person(given.person, "applicant.person") if given.person else None
    return Applicant(
        kind=given.kind,
        person=person,
        agent_name=given.agent_name,
        agent_relation=given.agent_relation,
        business_member_id=given.business_member,
        identity=given.identity,
    )


@router.post(APPS, response={200: ApplicationOut, 201: ApplicationOut, **ERRORS})
def create_application(
    request, code: str, payload: ApplicationIn, idempotency_key: str | None = Header(None)
):
    """Create (and by default submit) an application: 201, or 200 when the
    ``Idempotency-Key`` was seen before with the same body (the first application)."""
    municipality = require(request, "procedures:apply")
    seen = (
        bool(idempotency_key)
        and Application.objects.filter(idempotency_key=idempotency_key.strip()).exists()
    )
    action = services.apply if payload.submit else services.save_draft
    application = action(
        municipality=municipality,
        actor=request.principal.actor,
        procedure_id=payload.procedure,
        applicant=_applicant(payload),
        channel=payload.channel,
        answers=payload.answers,
        idempotency_key=idempotency_key,
    )
    return Status(200 if seen else 201, application_out(application, with_history=True))


class InboxParams(Schema):
    state: str = ""
    procedure: str = ""
    department: str = ""
    assignee: str = ""
    due_before: date | None = None
    breached: bool = False
    cursor: str | None = None
    limit: int = DEFAULT_LIMIT


@router.get(APPS, response={200: PageOut[ApplicationOut], **ERRORS})
def inbox(request, code: str, params: Query[InboxParams]):
    """The staff inbox, newest first, filtered; ``breached=true`` lists service-level breaches."""
    require(request, "procedures:review")
    query = selectors.InboxQuery(**params.model_dump(exclude={"cursor", "limit"}))
    page = paginate(
        selectors.inbox(query).select_related("person"),
        key="id",
        cursor=params.cursor,
        limit=params.limit,
        descending=True,
    )
    return {"items": [application_out(a) for a in page.items], "next_cursor": page.next_cursor}


@router.get(ONE, response={200: ApplicationOut, **ERRORS})
def show(request, code: str, application_id: str):
    """One application with its history: staff see any; a system applying for residents
    sees only the applications it entered (another's answers 404, as if it did not exist)."""
    municipality = _require_any(request, "procedures:review", "procedures:apply")
    found = selectors.application(application_id)
    staff = request.principal.has_perm(municipality.code, "procedures:review")
    if not staff and not is_applicant(found, request.principal.actor):
        raise not_found("application", "申請")
    return application_out(found, with_history=True)


def _step(request, application_id: str, permission: str, action, **kwargs):
    require(request, permission)
    application = action(
        actor=request.principal.actor,
        application=selectors.application(application_id),
        **kwargs,
    )
    return application_out(application, with_history=True)


@router.put(ONE + "/answers", response={200: ApplicationOut, **ERRORS})
def update_draft(request, code: str, application_id: str, payload: AnswersIn):
    return _step(
        request, application_id, "procedures:apply", services.update_draft, answers=payload.answers
    )


@router.post(ONE + "/attachments", response={201: ApplicationOut, **ERRORS})
def attach(request, code: str, application_id: str, payload: AttachmentIn):
    """A file for a file question (base64 in JSON); the answer becomes the attachment id."""
    require(request, "procedures:apply")
    try:
        data = base64.b64decode(payload.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise RuleViolation(
            "attachment.base64",
            "ファイルの内容を base64 で送ってください。",
            "Send the file content as base64.",
            "content_base64",
        ) from None
    attachment = services.add_attachment(
        actor=request.principal.actor,
        application=selectors.application(application_id),
        field=payload.field,
        filename=payload.filename,
        content_type=payload.content_type,
        data=data,
    )
    return Status(201, application_out(attachment.application, with_history=True))


@router.post(ONE + "/submit", response={200: ApplicationOut, **ERRORS})
def submit(request, code: str, application_id: str):
    return _step(request, application_id, "procedures:apply", services.submit)


@router.post(ONE + "/assign", response={200: ApplicationOut, **ERRORS})
def assign(request, code: str, application_id: str, payload: AssignIn):
    return _step(
        request,
        application_id,
        "procedures:review",
        services.assign,
        assignee=payload.assignee,
        department=payload.department,
    )


@router.post(ONE + "/start-review", response={200: ApplicationOut, **ERRORS})
def start_review(request, code: str, application_id: str):
    return _step(request, application_id, "procedures:review", services.start_review)


@router.post(ONE + "/request-information", response={200: ApplicationOut, **ERRORS})
def request_information(request, code: str, application_id: str, payload: QuestionIn):
    return _step(
        request,
        application_id,
        "procedures:review",
        services.request_information,
        question=payload.question,
    )


@router.post(ONE + "/answer-information", response={200: ApplicationOut, **ERRORS})
def answer_information(request, code: str, application_id: str, payload: AnswerInformationIn):
    return _step(
        request,
        application_id,
        "procedures:apply",
        services.answer_information,
        answer=payload.answer,
        answers=payload.answers,
    )


@router.post(ONE + "/approve", response={200: ApplicationOut, **ERRORS})
def approve(request, code: str, application_id: str, payload: ReasonIn):
    return _step(
        request, application_id, "procedures:decide", services.approve, reason=payload.reason
    )


@router.post(ONE + "/reject", response={200: ApplicationOut, **ERRORS})
def reject(request, code: str, application_id: str, payload: ReasonIn):
    return _step(
        request, application_id, "procedures:decide", services.reject, reason=payload.reason
    )


@router.post(ONE + "/complete", response={200: ApplicationOut, **ERRORS})
def complete(request, code: str, application_id: str, payload: ReasonIn):
    return _step(
        request, application_id, "procedures:decide", services.complete, note=payload.reason
    )


@router.post(ONE + "/withdraw", response={200: ApplicationOut, **ERRORS})
def withdraw(request, code: str, application_id: str, payload: ReasonIn):
    return _step(
        request, application_id, "procedures:apply", services.withdraw, reason=payload.reason
    )


@router.post(APPS + "/bulk-assign", response={200: list[ApplicationOut], **ERRORS})
def bulk_assign(request, code: str, payload: BulkAssignIn):
    """Assign or move many applications at once: all or nothing."""
    require(request, "procedures:review")
    done = services.bulk_assign(
        actor=request.principal.actor,
        application_ids=[str(i) for i in payload.applications],
        assignee=payload.assignee,
        department=payload.department,
    )
    return [application_out(a) for a in done]


# --- life events ------------------------------------------------------------------


@router.get(BASE + "/life-events/{event_id}", response={200: LifeEventOut, **ERRORS})
def life_event(request, code: str, event_id: str, person: str, on: date | None = None):
    """The procedures a life event implies for a person, with the reasons (an audited read)."""
    _require_any(request, "procedures:review", "procedures:apply")
    event = life_events.life_event(event_id)
    on = on or timezone.localdate()
    found = registry.person(person, "person")
    record = registry.person_on(found, on)
    record_read(
        request.principal.actor,
        object_type="person",
        object_id=str(found.id),
        purpose=f"ライフイベント {event_id}",
    )
    items = life_events.compute(event_id, record, on)
    return {
        "event": event.id,
        "name": event.name.as_dict(),
        "on": on,
        "procedures": [
            {
                "procedure": item.procedure,
                "name": selectors.procedure(item.procedure).name.as_dict(),
                "status": item.status,
                "reasons": [r.as_dict() for r in item.reasons],
                "question": item.question.as_dict() if item.question else None,
            }
            for item in items
        ],
    }
