"""What every application action shares: locking, the history row, audit and event."""

from __future__ import annotations

from django.db.models import Max
from django.utils import timezone

from jichi.audit.services import record as audit
from jichi.common.errors import RuleViolation
from jichi.linkage import outbox
from jichi.procedures import selectors, workflow
from jichi.procedures.definitions import Procedure
from jichi.procedures.models import Application, Transition
from jichi.tenancy.principals import Actor


def locked(application: Application) -> Application:
    """The application re-read under a row lock (concurrent steps queue up)."""
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("person", "municipality")
        .get(pk=application.pk)
    )


def procedure_of(application: Application) -> Procedure:
    return selectors.procedure(application.procedure_id)


def step(
    application: Application,
    actor: Actor,
    action: str,
    *,
    reason: str = "",
    details: dict | None = None,
) -> Application:
    """Move the application by ``action`` (or record it in place: assign), with history,
    audit entry and event."""
    before = application.state
    if action in workflow.TRANSITIONS:
        application.state = workflow.target(procedure_of(application), action, before)
    application.save()
    seq = (Transition.objects.filter(application=application).aggregate(m=Max("seq"))["m"] or 0) + 1
    Transition.objects.create(
        municipality_id=application.municipality_id,
        application=application,
        seq=seq,
        action=action,
        from_state=before,
        to_state=application.state,
        actor_kind=actor.kind,
        actor_id=actor.id[:64],
        actor_label=actor.label[:150],
        at=timezone.now(),
        reason=reason,
        details=details or {},
    )
    audit(
        actor,
        f"procedures.application.{action}",
        object_type="application",
        object_id=str(application.id),
        details={"procedure": application.procedure_id, "from": before, "to": application.state},
    )
    _publish(application, action, before)
    return application


def _publish(application: Application, action: str, before: str) -> None:
    offered = selectors.offered(application.procedure_id)
    key = f"notifications.{application.state}"
    data = {
        "id": str(application.id),
        "procedure": application.procedure_id,
        "version": application.procedure_version,
        "action": action,
        "from": before,
        "state": application.state,
        "channel": application.channel,
    }
    if application.state != before and offered.text(key):
        data["notification"] = {"ja": offered.text(key, "ja"), "en": offered.text(key, "en")}
    event = "assigned" if action == "assign" else application.state
    outbox.publish(f"procedures.application.{event}", data, subject=str(application.id))


def require_text(text: str, field: str, *, minimum: int = 2, maximum: int = 2000) -> str:
    text = (text or "").strip()
    if len(text) < minimum:
        raise RuleViolation(
            f"{field}.required",
            "理由・内容を入力してください。",
            f"The {field} is required.",
            field,
        )
    if len(text) > maximum:
        raise RuleViolation(
            f"{field}.max_length",
            f"{maximum}文字以内で入力してください。",
            f"The {field} is at most {maximum} characters.",
            field,
        )
    return text
