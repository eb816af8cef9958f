"""書かない窓口: the one-stop counter screen.

The clerk identifies the visitor (宛名番号 or a search; a 転入予約 made online is
confirmed into the 転入 first), chooses a life event or procedures, and sees every
form prefilled from the register; they fill in the rest with the visitor, print one
confirmation sheet for all of them to check and sign, and submit them all at once
(all or nothing, channel ``counter``; the clerk who saw the My Number card stands for
the card's signature). With the visitor's queue ticket the visit is completed in the
same transaction, so its waiting and processing times reach the dashboards; without
one, the duration from the first screen to the submission is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jichi.audit.services import record as audit
from jichi.common.errors import RuleViolation
from jichi.counter import selectors as counter_selectors
from jichi.counter.services import queue
from jichi.counter.sheet import Entry, Section, confirmation_sheet
from jichi.procedures import life_events
from jichi.procedures import selectors as procedures
from jichi.procedures import services as applications
from jichi.procedures.applicants import Applicant, resident_record
from jichi.procedures.models import Channel
from jichi.procedures.prefill import prefill
from jichi.procedures.views import forms
from jichi.registry import reading
from jichi.registry import selectors as registry
from jichi.registry.codes import ResidentStatus
from jichi.tenancy.pages import staff_page

PURPOSE = "窓口での届出受付（書かない窓口）"
BEREAVEMENT = "bereavement"  # おくやみ: computed from the deceased's record
MOVE_IN_RESERVATION = "tennyu_yoyaku"


class _Prefixed:
    """The posted values of one procedure's form (inputs named ``<procedure>__<field>``)."""

    def __init__(self, post, procedure_id: str) -> None:
        self.post, self.prefix = post, f"{procedure_id}__"

    def get(self, name, default=""):
        return self.post.get(self.prefix + name, default)

    def getlist(self, name):
        return self.post.getlist(self.prefix + name)


@staff_page("procedures:review")
def start(request, municipality):
    """Find the visitor, or the 転入予約 they made online."""
    params, results, error, reservation = request.GET, [], None, None
    query = registry.SearchQuery(
        name=params.get("name", ""),
        birth_date=params.get("birth_date", ""),
        number=params.get("number", ""),
    )
    try:
        if params.get("reservation", "").strip():
            reservation = _move_in_reservation(params["reservation"])
        elif any((query.name, query.birth_date, query.number)):
            found = reading.search(
                request.principal.actor,
                query,
                municipality_code=municipality.code,
                purpose=PURPOSE,
                limit=20,
                channel="onestop",
            )
            results = [(v.person.number, v.full_name, v.birth_date) for v in found.page.items]
    except RuleViolation as exc:
        error = exc.message(get_language())
    return render(
        request,
        "counter/onestop_start.html",
        {
            "query": query,
            "results": results,
            "error": error,
            "ticket": params.get("ticket", ""),
            "reservation": reservation,
        },
    )


def _move_in_reservation(reference: str) -> dict:
    """A 転入予約 by its reception number (the application id, or its first 8 characters)."""
    text = reference.strip().lower()
    found = [
        a
        for a in procedures.inbox(procedures.InboxQuery(procedure=MOVE_IN_RESERVATION))
        if str(a.id).startswith(text) and len(text) >= 8
    ]
    if len(found) != 1:
        raise RuleViolation(
            "reservation.not_found",
            "この受付番号の転入予約はありません（受付番号は8桁以上で入力してください）。",
            "No moving-in reservation has this reception number (give 8 characters or more).",
            "reservation",
            status=404,
        )
    application = found[0]
    answers = application.answers
    family, _, given = str(answers.get("name", "")).replace("\u3000", " ").partition(" ")
    prefill_form = {
        "effective_on": answers.get("move_in_date", ""),
        "notified_on": timezone.localdate().isoformat(),
        "previous_address": answers.get("previous_address", ""),
        "address.town": answers.get("new_address", ""),
        "persons.0.family_name": family,
        "persons.0.given_name": given,
        "persons.0.birth_date": answers.get("birth_date", ""),
        "persons.0.relationship": "世帯主",
    }
    return {
        "application": application,
        "answers": answers,
        "move_in_url": reverse("registry:movement", args=["move-in"])
        + "?"
        + urlencode(prefill_form),
    }


@staff_page("procedures:decide")
@require_POST
def confirm_reservation(request, municipality, application_id: str):
    """The 転入予約 is done: the 転入 it announced is recorded (the application completes)."""
    application = procedures.application(application_id)
    if application.procedure_id != MOVE_IN_RESERVATION:
        raise RuleViolation(
            "reservation.not_found",
            "転入予約ではありません。",
            "Not a moving-in reservation.",
            "application",
            status=404,
        )
    applications.complete(
        actor=request.principal.actor, application=application, note="転入を記録し、予約を確認した"
    )
    messages.success(request, _("The moving-in reservation is confirmed."))
    return HttpResponseRedirect(reverse("onestop:start"))


@staff_page("procedures:review")
@require_http_methods(["GET", "POST"])
def visit(request, municipality, number: str):
    """The visitor's procedures on one screen: choose, complete, confirm, submit all."""
    language = get_language()
    person = registry.person(number)
    record = resident_record(person)
    data = request.POST if request.method == "POST" else request.GET
    started = _started(data.get("started_at", ""))
    if request.method == "GET" and not data.get("started_at"):
        reading.read_person(request.principal.actor, person, PURPOSE, channel="onestop")
    event = data.get("event", "")
    chosen = [p for p in data.getlist("procedure") if p]
    errors: dict[str, dict[str, list[str]]] = {}
    general = None
    if request.method == "POST":
        action = data.get("action", "")
        if action == "sheet":
            return _sheet(municipality, person, record, chosen, data, language)
        if action == "submit":
            try:
                created, errors = _submit_all(request, municipality, person, chosen, data, started)
            except RuleViolation as exc:
                general = exc.message(language)
            else:
                if created:
                    return render(
                        request,
                        "counter/onestop_done.html",
                        {"person": person, "record": record, "created": _done_rows(created)},
                    )
    deceased = None
    if event == BEREAVEMENT:
        try:
            deceased = _deceased(data.get("deceased", ""))
        except RuleViolation as exc:
            general = exc.message(language)
    if deceased is not None:  # おくやみ: what the deceased's record implied the day before
        if request.method == "GET" and not data.get("procedure"):
            reading.read_person(
                request.principal.actor,
                registry.person(deceased.number),
                PURPOSE,
                channel="onestop",
            )
        day_before = deceased.died_on - timedelta(days=1)
        suggested = _suggested(event, deceased.last, language, on=day_before)
    else:
        suggested = _suggested(event, record, language) if event else []
    return render(
        request,
        "counter/onestop_visit.html",
        {
            "person": person,
            "record": record,
            "event": event,
            "events": [
                (e.id, forms.text(e.name, language)) for e in life_events.life_events().values()
            ],
            "suggested": suggested,
            "catalog": _counter_catalog(language),
            "chosen": chosen,
            "forms": _forms(chosen, record, data, errors, language, _defaults(deceased)),
            "deceased": deceased,
            "ticket": data.get("ticket", ""),
            "started_at": started.isoformat(),
            "general": general,
        },
        status=400 if (errors or general) else 200,
    )


def _started(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return timezone.now()
    now = timezone.now()
    return value if now - timedelta(hours=12) <= value <= now else now


def _counter_catalog(language) -> list[tuple[str, str]]:
    offered = procedures.offered_catalog()
    return [
        (o.procedure.id, o.text("name", language[:2]))
        for o in offered
        if {"resident", "agent"} & set(o.procedure.applicants)
        and o.procedure.id != MOVE_IN_RESERVATION
    ]


@dataclass(frozen=True)
class Deceased:
    number: str
    last: object  # the last version while alive (a PersonVersion)
    died_on: date


def _deceased(number: str) -> Deceased | None:
    """The person a おくやみ visit is about: recorded here as deceased (死亡)."""
    if not number.strip():
        return None
    found = registry.person(number, "deceased")
    periods = registry.timeline(found)
    living = [v for v in periods if v.status == ResidentStatus.RESIDENT]
    if not periods or periods[-1].status != ResidentStatus.DECEASED or not living:
        raise RuleViolation(
            "deceased.not_deceased",
            "この宛名番号の人の死亡は記録されていません。先に死亡届を記録してください。",
            "No death is recorded for this resident number: record the death first.",
            "deceased",
            status=409,
        )
    return Deceased(found.number, living[-1], periods[-1].valid_from)


def _defaults(deceased: Deceased | None) -> dict:
    """Answers the counter already knows for a おくやみ visit (the clerk may change them)."""
    if deceased is None:
        return {}
    return {"deceased_name": deceased.last.full_name, "reason_date": deceased.died_on.isoformat()}


def _suggested(event_id: str, record, language, on: date | None = None) -> list[dict]:
    items = life_events.compute(event_id, record, on or timezone.localdate())
    return [
        {
            "procedure": item.procedure,
            "name": forms.text(procedures.procedure(item.procedure).name, language),
            "reasons": [forms.text(r, language) for r in item.reasons],
            "question": forms.text(item.question, language),
            "checked": item.status == "applies",
        }
        for item in items
        if item.procedure != MOVE_IN_RESERVATION  # made before coming, confirmed at start
    ]


def _forms(chosen, record, data, errors, language, defaults=None) -> list[dict]:
    found = []
    for procedure_id in chosen:
        procedure = procedures.procedure(procedure_id)
        known = prefill(procedure, record)
        answers = forms.answers_from(procedure, _Prefixed(data, procedure_id), known)
        if not any(k.startswith(f"{procedure_id}__") for k in data):  # not posted yet
            names = {f.name for f in procedure.fields} - set(known)
            answers = {**{k: v for k, v in (defaults or {}).items() if k in names}, **answers}
        found.append(
            {
                "id": procedure_id,
                "name": forms.text(procedure.name, language),
                "signature": procedure.identity == "card_signature",
                "questions": forms.questions(
                    procedure, known, answers, errors.get(procedure_id, {}), language, procedure_id
                ),
                "errors": errors.get(procedure_id, {}).get("__all__", []),
            }
        )
    return found


class _Refused(Exception):
    """One of the procedures was refused: the whole visit is rolled back."""


def _submit_all(request, municipality, person, chosen, data, started):
    """Every chosen procedure applied at once, or none; the ticket completed with them."""
    if not chosen:
        raise RuleViolation(
            "procedures.required",
            "手続を1つ以上選んでください。",
            "Choose at least one procedure.",
            "procedure",
        )
    language, actor = get_language(), request.principal.actor
    identity = "card_signature" if data.get("card_checked") == "on" else "login"
    errors: dict = {}
    created = []
    try:
        with transaction.atomic():
            for procedure_id in chosen:
                procedure = procedures.procedure(procedure_id)
                known = prefill(procedure, resident_record(person))
                answers = forms.answers_from(procedure, _Prefixed(data, procedure_id), known)
                files = {
                    spec.name: request.FILES[f"{procedure_id}__{spec.name}"]
                    for spec in procedure.fields
                    if spec.type == "file" and f"{procedure_id}__{spec.name}" in request.FILES
                }
                try:
                    with transaction.atomic():
                        created.append(
                            _apply_one(
                                municipality, actor, person, procedure, answers, files, identity
                            )
                        )
                except RuleViolation as exc:
                    errors[procedure_id] = forms.errors_by_field(exc, language, procedure)
            if errors:
                raise _Refused
            seconds = int((timezone.now() - started).total_seconds())
            _close_ticket(actor, data.get("ticket", ""))
            audit(
                actor,
                "counter.onestop.completed",
                object_type="person",
                object_id=str(person.id),
                purpose=PURPOSE,
                details={"procedures": chosen, "seconds": seconds, "identity": identity},
            )
    except _Refused:
        return [], errors
    return created, {}


def _apply_one(municipality, actor, person, procedure, answers, files, identity):
    """One procedure of the visit: applied at once, or (with the files the clerk scanned)
    saved, given its files and submitted."""
    applicant = Applicant.resident(person, identity=identity)
    common = {
        "municipality": municipality,
        "actor": actor,
        "procedure_id": procedure.id,
        "applicant": applicant,
        "channel": Channel.COUNTER,
        "answers": answers,
    }
    if not files:
        return applications.apply(**common)
    draft = applications.save_draft(**common)
    for name, upload in files.items():
        applications.add_attachment(
            actor=actor,
            application=draft,
            field=name,
            filename=upload.name,
            content_type=upload.content_type or "",
            data=upload.read(),
        )
    return applications.submit(actor=actor, application=draft, identity=identity)


def _close_ticket(actor, ticket: str) -> None:
    if not ticket:
        return
    visit = counter_selectors.visit(ticket)
    if visit.status == "called":
        visit = queue.start(actor=actor, visit=visit)
    queue.complete(actor=actor, visit=visit)


def _done_rows(created) -> list[dict]:
    language = get_language()
    return [
        {
            "application": a,
            "name": forms.text(procedures.procedure(a.procedure_id).name, language),
            "state": a.get_state_display(),
        }
        for a in created
    ]


def _sheet(municipality, person, record, chosen, data, language) -> HttpResponse:
    sections = []
    for form in _forms(chosen, record, data, {}, language):
        entries = [
            Entry(q.label, q.shown if not q.asked else _shown(q), not q.asked)
            for q in form["questions"]
        ]
        sections.append(Section(form["name"], entries))
    pdf = confirmation_sheet(
        municipality=f"{municipality.prefecture_name}{municipality.display_name}",
        visitor=record.full_name,
        number=person.number,
        on=timezone.localdate(),
        sections=sections,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="confirmation.pdf"'
    return response


def _shown(question) -> str:
    value = question.value
    if value is True:
        return "はい"
    if value is False:
        return "いいえ"
    if isinstance(value, list):
        labels = dict((v, label) for v, label, _ in question.options)
        return "、".join(labels.get(v, v) for v in value)
    if question.options:
        return next((label for v, label, _ in question.options if v == value), str(value))
    return str(value or "")
