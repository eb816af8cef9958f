"""Staff decisions: approve (running the procedure's effect), reject, complete."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from jichi.procedures import effects, workflow
from jichi.procedures.models import Application
from jichi.procedures.services._common import locked, procedure_of, require_text, step
from jichi.tenancy.principals import Actor


@transaction.atomic
def approve(*, actor: Actor, application: Application, reason: str = "") -> Application:
    """承認: the effect hook runs in the same transaction; its refusal undoes everything."""
    return approve_now(locked(application), actor, reason)


def approve_now(application: Application, actor: Actor, reason: str = "") -> Application:
    procedure = procedure_of(application)
    workflow.target(procedure, "approve", application.state)  # refuse before any effect
    application.effect_result = effects.run(procedure.effect, application, actor)
    application.decided_at = timezone.now()
    application.decision_reason = reason.strip()[:2000]
    return step(
        application,
        actor,
        "approve",
        reason=application.decision_reason,
        details={"effect": procedure.effect, **application.effect_result},
    )


@transaction.atomic
def reject(*, actor: Actor, application: Application, reason: str) -> Application:
    """却下: the reason is required and told to the applicant."""
    application = locked(application)
    reason = require_text(reason, "reason")
    application.decided_at = timezone.now()
    application.decision_reason = reason
    return step(application, actor, "reject", reason=reason)


@transaction.atomic
def complete(*, actor: Actor, application: Application, note: str = "") -> Application:
    """完了: what was approved has been delivered (card handed over, collection done …)."""
    application = locked(application)
    application.closed_at = timezone.now()
    return step(application, actor, "complete", reason=note.strip()[:2000])
