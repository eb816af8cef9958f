"""The applicant's actions: save a draft, attach a file, submit, apply in one go."""

from __future__ import annotations

import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils import timezone

from jichi.common.errors import ErrorCollector, RuleViolation
from jichi.procedures import applicants, selectors, validation, workflow
from jichi.procedures.applicants import Applicant
from jichi.procedures.definitions import Procedure
from jichi.procedures.models import Application, Attachment, State, Transition
from jichi.procedures.prefill import Prefilled, prefill
from jichi.procedures.services._common import locked, procedure_of, step
from jichi.procedures.services.attachments import store_attachment
from jichi.procedures.services.decisions import approve_now
from jichi.registry.models import PersonVersion
from jichi.tenancy.models import Municipality
from jichi.tenancy.principals import Actor

IDEMPOTENCY_KEY_MAX = 100


def apply(
    *,
    municipality: Municipality,
    actor: Actor,
    procedure_id: str,
    applicant: Applicant,
    channel: str,
    answers: dict,
    idempotency_key: str | None = None,
) -> Application:
    """Create and submit an application at once (the same key returns the first one)."""
    return _create(
        municipality,
        actor,
        procedure_id,
        applicant,
        channel,
        answers,
        idempotency_key,
        submit_now=True,
    )


def save_draft(
    *,
    municipality: Municipality,
    actor: Actor,
    procedure_id: str,
    applicant: Applicant,
    channel: str,
    answers: dict,
    idempotency_key: str | None = None,
) -> Application:
    """A draft: what is given is checked, nothing is required yet."""
    return _create(
        municipality,
        actor,
        procedure_id,
        applicant,
        channel,
        answers,
        idempotency_key,
        submit_now=False,
    )


def _create(municipality, actor, procedure_id, applicant, channel, answers, key, *, submit_now):
    request_hash = _hash(procedure_id, applicant, channel, answers, submit_now)
    if key is not None:
        key = _check_key(key)
        existing = _replay(key, request_hash)
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            application = _new(
                municipality, actor, procedure_id, applicant, channel, answers, submit_now
            )
            application.idempotency_key, application.request_hash = key, request_hash
            application.save()
            # The identity the edge established, for the level checked at submission.
            step(application, actor, "save_draft", details={"identity": applicant.identity})
            if submit_now:
                _submit(application, actor)
            return application
    except IntegrityError:
        existing = _replay(key, request_hash) if key else None
        if existing is None:
            raise
        return existing  # a concurrent double submit: the first one won


def _check_key(key: str) -> str:
    key = key.strip()
    if not 1 <= len(key) <= IDEMPOTENCY_KEY_MAX:
        raise RuleViolation(
            "idempotency_key.invalid",
            f"Idempotency-Key は1〜{IDEMPOTENCY_KEY_MAX}文字で指定してください。",
            f"The Idempotency-Key must be 1 to {IDEMPOTENCY_KEY_MAX} characters.",
            "Idempotency-Key",
        )
    return key


def _replay(key: str, request_hash: str) -> Application | None:
    existing = Application.objects.filter(idempotency_key=key).first()
    if existing is not None and existing.request_hash != request_hash:
        raise RuleViolation(
            "idempotency_key.reused",
            "この Idempotency-Key は別の内容の申請に使われています。",
            "This Idempotency-Key was used for a different request.",
            "Idempotency-Key",
            status=409,
        )
    return existing


def _hash(procedure_id: str, applicant: Applicant, channel: str, answers: dict, submit: bool):
    who = [
        applicant.kind,
        str(applicant.person.pk if applicant.person else ""),
        applicant.agent_name,
        str(applicant.business_member_id or ""),
    ]
    raw = json.dumps([procedure_id, who, channel, answers, submit], sort_keys=True, default=str)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _new(municipality, actor, procedure_id, applicant: Applicant, channel, answers, full):
    offered = selectors.offered(procedure_id)
    if not offered.enabled:
        raise RuleViolation(
            "procedure.disabled",
            "この手続は現在受け付けていません。",
            "This procedure is not open for applications here.",
            "procedure",
            status=409,
        )
    procedure = offered.procedure
    applicants.check(procedure, applicant, drafting=not full)
    # Submitting at once: the submission checks everything, with the register's values in.
    cleaned = answers if full else _draft_answers(procedure, applicant, answers)
    return Application(
        municipality=municipality,
        procedure_id=procedure.id,
        procedure_version=procedure.version,
        applicant_kind=applicant.kind,
        person=applicant.person,
        agent_name=applicant.agent_name.strip()[:100],
        agent_relation=applicant.agent_relation.strip()[:60],
        business_member_id=applicant.business_member_id,
        entered_by_kind=actor.kind,
        entered_by=actor.id[:64],
        channel=channel,
        answers=cleaned,
        department=offered.department,
        fee=offered.fee,
    )


def _draft_answers(procedure: Procedure, applicant: Applicant, answers: dict) -> dict:
    lists = {}
    if applicant.person is not None:
        record = applicants.resident_record(applicant.person)
        known = prefill(procedure, record, timezone.localdate())
        lists = {name: p.value for name, p in known.items() if isinstance(p.value, list)}
    return validation.validate(
        procedure, answers, today=timezone.localdate(), partial=True, register_lists=lists
    )


@transaction.atomic
def update_draft(*, actor: Actor, application: Application, answers: dict) -> Application:
    """Replace a draft's answers (the applicant only; checked as a draft)."""
    application = locked(application)
    applicants.require_applicant(application, actor)
    if application.state != State.DRAFT:
        workflow.target(procedure_of(application), "submit", application.state)  # says why not
    procedure = procedure_of(application)
    application.answers = validation.validate(
        procedure,
        answers,
        today=timezone.localdate(),
        partial=True,
        register_lists=_person_lists(application, procedure),
        attachment_ids=_attachment_ids(application),
    )
    return step(application, actor, "save_draft")


@transaction.atomic
def add_attachment(
    *,
    actor: Actor,
    application: Application,
    field: str,
    filename: str,
    content_type: str,
    data: bytes,
) -> Attachment:
    """A file for a file field of a draft (or while information is requested)."""
    application = locked(application)
    applicants.require_applicant(application, actor)
    if application.state not in (State.DRAFT, State.INFO_REQUESTED):
        workflow.target(procedure_of(application), "submit", application.state)
    attachment = store_attachment(
        procedure_of(application), application, field, filename, content_type, data
    )
    application.answers = {**application.answers, field: str(attachment.id)}
    step(application, actor, "attach", details={"field": field, "size": attachment.size})
    return attachment


@transaction.atomic
def submit(*, actor: Actor, application: Application, identity: str | None = None) -> Application:
    """Submit a draft: every field checked, prefilled values compared with the register.

    ``identity``: the level the edge establishes now (a card's signature checked); by
    default the level given when the draft was made. Either must reach the procedure's.
    """
    application = locked(application)
    applicants.require_applicant(application, actor)
    applicants.require_identity(
        procedure_of(application), identity or _identity_of_draft(application)
    )
    return _submit(application, actor, identity=identity)


def _identity_of_draft(application: Application) -> str:
    first = Transition.objects.filter(application=application).order_by("seq").first()
    return (first.details if first else {}).get("identity", "none")


def check_submission(*, actor: Actor, application: Application) -> None:
    """Check a draft as its submission would, changing nothing (before the card signs it)."""
    applicants.require_applicant(application, actor)
    procedure = procedure_of(application)
    workflow.target(procedure, "submit", application.state)
    _completed(procedure, application.person, application.answers, _attachment_ids(application))


def _submit(application: Application, actor: Actor, identity: str | None = None) -> Application:
    procedure = procedure_of(application)
    workflow.target(procedure, "submit", application.state)
    complete_answers(application, procedure)
    now = timezone.now()
    application.submitted_at = now
    application.due_on = workflow.due_date(timezone.localdate(), procedure.service_days)
    details = {"flags": len(application.flags)}
    if identity:
        details["identity"] = identity
    step(application, actor, "submit", details=details)
    if procedure.workflow.auto_approve:
        approve_now(application, Actor.system("procedures.auto_approve"))
    return application


def complete_answers(application: Application, procedure: Procedure) -> None:
    """Fill what the register knows, check every rule, and compare prefilled values."""
    cleaned, flags, known = _completed(
        procedure, application.person, application.answers, _attachment_ids(application)
    )
    application.flags = flags
    application.answers = cleaned
    application.prefilled = {name: p.as_dict() for name, p in known.items()}


def _completed(procedure: Procedure, person, given: dict, attachment_ids: set[str]):
    record = applicants.resident_record(person) if person else None
    known = prefill(procedure, record, timezone.localdate()) if record else {}
    answers = dict(given)
    for name, given in known.items():
        if validation.is_empty(answers.get(name)) and not isinstance(given.value, list):
            answers[name] = given.value  # 書かない: the register answers
        elif validation.is_empty(answers.get(name)) and len(given.value) == 1:
            answers[name] = list(given.value)
    cleaned = validation.validate(
        procedure,
        answers,
        today=timezone.localdate(),
        register_lists={n: p.value for n, p in known.items() if isinstance(p.value, list)},
        attachment_ids=attachment_ids,
    )
    return cleaned, _compare(procedure, cleaned, known), known


def _compare(procedure: Procedure, cleaned: dict, known: dict[str, Prefilled]) -> list[dict]:
    """Prefilled register values the applicant changed: refused, or flagged for staff."""
    changed = [
        {"field": name, "register": p.value, "given": cleaned.get(name)}
        for name, p in known.items()
        if not isinstance(p.value, list) and cleaned.get(name) != p.value
    ]
    if changed and procedure.prefill_changes == "refuse":
        errors = ErrorCollector()
        for item in changed:
            spec = procedure.field(item["field"])
            errors.add(
                "field.prefill_changed",
                f"{spec.label.ja}は住民記録の内容と異なります。変更は窓口で住民記録の手続をしてください。",
                f"{spec.label.en} differs from the resident register: correct the register first.",
                f"answers.{item['field']}",
            )
        errors.raise_if_any(status=422)
    return changed


def _person_lists(application: Application, procedure: Procedure) -> dict[str, list[str]]:
    if application.person is None:
        return {}
    record: PersonVersion = applicants.resident_record(application.person)
    known = prefill(procedure, record, timezone.localdate())
    return {n: p.value for n, p in known.items() if isinstance(p.value, list)}


def _attachment_ids(application: Application) -> set[str]:
    ids = Attachment.objects.filter(application=application).values_list("id", flat=True)
    return {str(i) for i in ids}
