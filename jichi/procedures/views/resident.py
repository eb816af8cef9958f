"""The resident portal (mobile first): find a procedure or a life event, answer only what
the register does not know, save a draft, sign with the card where the procedure asks,
submit, follow the status and answer the office's questions.

Every page runs for the resident logged in with their card (``resident_page``) and
shows only their own applications.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from jichi.audit.services import record as audit
from jichi.common.errors import RuleViolation
from jichi.identity.residents import resident_page
from jichi.procedures import life_events, selectors, services, signing
from jichi.procedures.applicants import Applicant, resident_record
from jichi.procedures.models import Channel, State
from jichi.procedures.prefill import prefill
from jichi.procedures.views import forms
from jichi.procedures.views.shared import history_rows, state_label
from jichi.registry import selectors as registry


def _me(resident):
    person = registry.person(resident.number)
    return person, resident_record(person)


@resident_page
def home(request, municipality, resident):
    language = get_language()
    query = request.GET.get("q", "")
    offered = [
        o for o in selectors.offered_catalog(text=query) if "resident" in o.procedure.applicants
    ]
    events = [(e.id, forms.text(e.name, language)) for e in life_events.life_events().values()]
    mine = selectors.applications_of_resident(resident.person_id)[:50]
    return render(
        request,
        "procedures/resident/home.html",
        {
            "query": query,
            "procedures": [(o.procedure.id, o.text("name", language[:2])) for o in offered],
            "events": events,
            "mine": [(a, _name(a.procedure_id, language), state_label(a.state)) for a in mine],
        },
    )


def _name(procedure_id: str, language: str | None) -> str:
    return forms.text(selectors.procedure(procedure_id).name, language)


@resident_page
def life_event(request, municipality, resident, event_id: str):
    language = get_language()
    event = life_events.life_event(event_id)
    _, record = _me(resident)
    items = life_events.compute(event_id, record, timezone.localdate())
    rows = [
        {
            "procedure": item.procedure,
            "name": _name(item.procedure, language),
            "reasons": [forms.text(r, language) for r in item.reasons],
            "question": forms.text(item.question, language),
        }
        for item in items
        if "resident" in selectors.procedure(item.procedure).applicants
    ]
    return render(
        request,
        "procedures/resident/life_event.html",
        {"event": forms.text(event.name, language), "rows": rows},
    )


@resident_page
@require_http_methods(["GET", "POST"])
def procedure_page(request, municipality, resident, procedure_id: str):
    language = get_language()
    offered = selectors.offered(procedure_id)
    procedure = offered.procedure
    person, record = _me(resident)
    known = prefill(procedure, record)
    draft = None
    if request.GET.get("draft"):
        draft = selectors.application_of_resident(resident.person_id, request.GET["draft"])
    answers = dict(draft.answers) if draft else {}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        answers = forms.answers_from(procedure, request.POST, known)
        try:
            return _act(request, municipality, resident, person, procedure, draft, answers)
        except RuleViolation as exc:
            errors = forms.errors_by_field(exc, language, procedure)
    return render(
        request,
        "procedures/resident/procedure.html",
        {
            "procedure": procedure,
            "name": offered.text("name", language[:2]),
            "description": offered.text("description", language[:2]),
            "fee": offered.fee,
            "signature": procedure.identity == "card_signature",
            "lookups": procedure.lookups,
            "questions": forms.questions(procedure, known, answers, errors, language),
            "general_errors": errors.get("__all__", []),
            "draft": draft,
        },
        status=400 if errors else 200,
    )


def _act(request, municipality, resident, person, procedure, draft, answers):
    """Save the draft (with its files) and submit it, or send it to be signed."""
    action = request.POST.get("action", "submit")
    files = {
        spec.name: request.FILES[spec.name]
        for spec in procedure.fields
        if spec.type == "file" and spec.name in request.FILES
    }
    to_sign = procedure.identity == "card_signature" and action == "submit"
    with transaction.atomic():  # a refused submission leaves no half-made draft
        if draft is None and not files and not to_sign and action == "submit":
            application = services.apply(
                municipality=municipality,
                actor=resident.actor,
                procedure_id=procedure.id,
                applicant=Applicant.resident(person, identity="login"),
                channel=Channel.ONLINE,
                answers=answers,
                idempotency_key=request.POST.get("idempotency_key") or None,
            )
            return HttpResponseRedirect(reverse("portal:application", args=[application.id]))
        application = _saved(municipality, resident, person, procedure, draft, answers)
        for name, upload in files.items():
            services.add_attachment(
                actor=resident.actor,
                application=application,
                field=name,
                filename=upload.name,
                content_type=upload.content_type or "",
                data=upload.read(),
            )
            application.refresh_from_db()
        if to_sign:
            services.check_submission(actor=resident.actor, application=application)
        elif action == "submit":
            services.submit(actor=resident.actor, application=application)
    if to_sign:
        return HttpResponseRedirect(reverse("portal:sign", args=[application.id]))
    return HttpResponseRedirect(reverse("portal:application", args=[application.id]))


def _saved(municipality, resident, person, procedure, draft, answers):
    """The draft with these answers (files already attached are kept)."""
    if draft is None:
        return services.save_draft(
            municipality=municipality,
            actor=resident.actor,
            procedure_id=procedure.id,
            applicant=Applicant.resident(person, identity="login"),
            channel=Channel.ONLINE,
            answers=answers,
        )
    kept = {
        spec.name: draft.answers[spec.name]
        for spec in procedure.fields
        if spec.type == "file" and spec.name in draft.answers
    }
    return services.update_draft(
        actor=resident.actor, application=draft, answers={**kept, **answers}
    )


def _to_sign(municipality, resident, application) -> bytes:
    procedure = selectors.procedure(application.procedure_id)
    files = {a.field: a.sha256 for a in application.attachments.all()}
    answers = {**application.answers, **({"_attachments": files} if files else {})}
    return signing.content(municipality.code, procedure, resident.number, answers)


@resident_page
@require_http_methods(["GET", "POST"])
def sign(request, municipality, resident, application_id: str):
    """Sign the draft with the card's signing key; once verified, it is submitted."""
    application = selectors.application_of_resident(resident.person_id, application_id)
    if application.state != State.DRAFT:
        return HttpResponseRedirect(reverse("portal:application", args=[application.id]))
    content = _to_sign(municipality, resident, application)
    error = None
    if request.method == "POST":
        upload = request.FILES.get("signature_file")
        given = upload.read() if upload else request.POST.get("signature", "")
        try:
            result = signing.check(
                content, given, municipality_code=municipality.code, person_number=resident.number
            )
            with transaction.atomic():
                services.submit(
                    actor=resident.actor, application=application, identity="card_signature"
                )
                audit(
                    resident.actor,
                    "procedures.application.signature_verified",
                    object_type="application",
                    object_id=str(application.id),
                    details={
                        "certificate": result.certificate_serial,
                        "content_sha256": result.content_sha256,
                    },
                )
        except RuleViolation as exc:
            error = exc.message(get_language())
        else:
            return HttpResponseRedirect(reverse("portal:application", args=[application.id]))
    return render(
        request,
        "procedures/resident/sign.html",
        {
            "application": application,
            "name": _name(application.procedure_id, get_language()),
            "content": content.decode(),
            "error": error,
        },
        status=422 if error else 200,
    )


@resident_page
def signed_content(request, municipality, resident, application_id: str):
    """The bytes to sign, as a file (``application.json``) for ``openssl cms -sign``."""
    application = selectors.application_of_resident(resident.person_id, application_id)
    response = HttpResponse(
        _to_sign(municipality, resident, application), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="application.json"'
    return response


@resident_page
@require_http_methods(["GET", "POST"])
def application_page(request, municipality, resident, application_id: str):
    language = get_language()
    application = selectors.application_of_resident(resident.person_id, application_id)
    procedure = selectors.procedure(application.procedure_id)
    error, status = None, 200
    if request.method == "POST":
        try:
            _applicant_step(request, resident, application)
        except RuleViolation as exc:
            error, status = exc.message(language), exc.status
        else:
            return HttpResponseRedirect(reverse("portal:application", args=[application.id]))
    known = {}
    if application.state == State.DRAFT:
        known = prefill(procedure, resident_record(application.person))
    notice = selectors.offered(procedure.id).text(
        f"notifications.{application.state}", language[:2]
    )
    return render(
        request,
        "procedures/resident/application.html",
        {
            "notice": notice,
            "application": application,
            "name": _name(procedure.id, language),
            "state": state_label(application.state),
            "answers": forms.questions(procedure, known, application.answers, {}, language),
            "history": history_rows(application),
            "error": error,
            "open": application.state in (State.SUBMITTED, State.IN_REVIEW, State.INFO_REQUESTED),
            "signature": procedure.identity == "card_signature",
        },
        status=status,
    )


def _applicant_step(request, resident, application) -> None:
    action = request.POST.get("action", "")
    if action == "answer":
        services.answer_information(
            actor=resident.actor, application=application, answer=request.POST.get("answer", "")
        )
    elif action == "withdraw":
        services.withdraw(
            actor=resident.actor, application=application, reason=request.POST.get("reason", "")
        )
    elif action == "submit":  # signing procedures submit from their sign page
        services.submit(actor=resident.actor, application=application)
    else:
        raise RuleViolation(
            "action.unknown", "この操作はできません。", "This action is not available.", "action"
        )
