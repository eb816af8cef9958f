"""The inbox's steps: assign, review, ask for information (and its answer), withdraw, bulk."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from jichi.common.errors import RuleViolation
from jichi.procedures import applicants, workflow
from jichi.procedures.models import Application, State
from jichi.procedures.services._common import locked, procedure_of, require_text, step
from jichi.procedures.services.applications import complete_answers
from jichi.procedures.staff import check_assignee
from jichi.tenancy.principals import Actor

BULK_MAX = 500


@transaction.atomic
def assign(
    *,
    actor: Actor,
    application: Application,
    assignee: str | None = None,
    department: str | None = None,
) -> Application:
    """Give the application to a member of staff and/or move it to a department's queue."""
    return _assign(locked(application), actor, assignee, department)


def _assign(application: Application, actor: Actor, assignee, department) -> Application:
    if application.state in (State.DRAFT, State.WITHDRAWN, State.COMPLETED, State.REJECTED):
        raise RuleViolation(
            "state.not_assignable",
            "この状態の申請は割り当てできません。",
            f"An application in the state {application.state} cannot be assigned.",
            "state",
            status=409,
        )
    if assignee is not None:
        application.assignee = check_assignee(application.municipality_id, assignee)
    if department is not None:
        application.department = _department(department)
    details = {"assignee": application.assignee, "department": application.department}
    return step(application, actor, "assign", details=details)


def _department(department: str) -> str:
    department = department.strip()
    if not department or len(department) > 60:
        raise RuleViolation(
            "department.invalid",
            "部署（キュー）を60文字以内で指定してください。",
            "Give a department (queue) of at most 60 characters.",
            "department",
        )
    return department


@transaction.atomic
def bulk_assign(
    *,
    actor: Actor,
    application_ids: list,
    assignee: str | None = None,
    department: str | None = None,
) -> list[Application]:
    """Assign or move many applications at once: all of them, or none if one is refused."""
    count = len(application_ids)
    if not 1 <= count <= BULK_MAX or len(set(application_ids)) != count:
        raise RuleViolation(
            "applications.count",
            f"1件から{BULK_MAX}件までの異なる申請を指定してください。",
            f"Give 1 to {BULK_MAX} distinct applications.",
            "applications",
        )
    found = {str(a.id): a for a in Application.objects.filter(pk__in=application_ids)}
    missing = [str(i) for i in application_ids if str(i) not in found]
    if missing:
        raise RuleViolation(
            "applications.not_found",
            f"見つからない申請があります（{len(missing)}件）。何も変更していません。",
            f"{len(missing)} application(s) were not found; nothing was changed.",
            "applications",
            status=404,
        )
    return [_assign(locked(found[str(i)]), actor, assignee, department) for i in application_ids]


@transaction.atomic
def start_review(*, actor: Actor, application: Application) -> Application:
    """審査開始: the clerk takes it (assigned to them when nobody is)."""
    application = locked(application)
    if not application.assignee and actor.kind == "staff":
        application.assignee = actor.id[:64]
    return step(application, actor, "start_review")


@transaction.atomic
def request_information(*, actor: Actor, application: Application, question: str) -> Application:
    """補正依頼: ask the applicant; the service-level clock stops until they answer."""
    application = locked(application)
    application.question = require_text(question, "question")
    application.paused_at = timezone.now()
    return step(application, actor, "request_information", reason=application.question)


@transaction.atomic
def answer_information(
    *, actor: Actor, application: Application, answer: str, answers: dict | None = None
) -> Application:
    """The applicant answers (and may correct answers); the clock restarts where it stopped."""
    application = locked(application)
    applicants.require_applicant(application, actor)
    procedure = procedure_of(application)
    workflow.target(procedure, "answer_information", application.state)
    text = require_text(answer, "answer")
    if answers:
        application.answers = {**application.answers, **answers}
        complete_answers(application, procedure)
    if application.paused_at and application.due_on:
        paused_days = (timezone.localdate() - timezone.localdate(application.paused_at)).days
        application.due_on += timedelta(days=paused_days)
    application.paused_at = None
    question, application.question = application.question, ""
    return step(
        application,
        actor,
        "answer_information",
        reason=text,
        details={"question": question[:500], "changed": sorted(answers or {})},
    )


@transaction.atomic
def withdraw(*, actor: Actor, application: Application, reason: str = "") -> Application:
    """取下げ: the applicant only, before a decision."""
    application = locked(application)
    applicants.require_applicant(application, actor)
    application.closed_at = timezone.now()
    return step(application, actor, "withdraw", reason=reason.strip()[:2000])
