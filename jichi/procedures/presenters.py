"""Turning catalog entries and applications into API answers (no business logic)."""

from __future__ import annotations

from django.utils import timezone

from jichi.procedures import selectors, workflow
from jichi.procedures.definitions import FieldSpec
from jichi.procedures.models import Application, State
from jichi.procedures.selectors import Offered

_RULES = ("max_length", "pattern", "min", "max", "min_days", "max_days", "max_size_kb")


def field_out(spec: FieldSpec) -> dict:
    rules = {k: getattr(spec, k) for k in _RULES if getattr(spec, k) is not None}
    if spec.content_types:
        rules["content_types"] = list(spec.content_types)
    return {
        "name": spec.name,
        "type": spec.type,
        "label": spec.label.as_dict(),
        "required": spec.required,
        "rules": rules,
        "prefill": spec.prefill,
        "choices": [{"value": c.value, **c.label.as_dict()} for c in spec.choices],
    }


def procedure_out(item: Offered, *, with_fields: bool = False) -> dict:
    p = item.procedure
    data = {
        "id": p.id,
        "version": p.version,
        "name": {"ja": item.text("name", "ja"), "en": item.text("name", "en")},
        "description": (
            {"ja": item.text("description", "ja"), "en": item.text("description", "en")}
            if item.text("description")
            else None
        ),
        "legal_basis": p.legal_basis,
        "applicants": list(p.applicants),
        "identity": p.identity,
        "department": item.department,
        "service_days": p.service_days,
        "fee": item.fee,
        "enabled": item.enabled,
        "effect": p.effect,
        "workflow": {"review": p.workflow.review, "auto_approve": p.workflow.auto_approve},
        "lookups": list(p.lookups),
        "prefill_changes": p.prefill_changes,
        "keywords": list(p.keywords),
    }
    if with_fields:
        data["fields"] = [field_out(f) for f in p.fields]
    return data


def application_out(application: Application, *, with_history: bool = False) -> dict:
    procedure = selectors.procedure(application.procedure_id)
    today = timezone.localdate()
    data = {
        "id": str(application.id),
        "procedure": application.procedure_id,
        "procedure_version": application.procedure_version,
        "procedure_name": procedure.name.ja,
        "applicant_kind": application.applicant_kind,
        "person": application.person.number if application.person_id else None,
        "channel": application.channel,
        "state": application.state,
        "state_label": State(application.state).label,
        "assignee": application.assignee,
        "department": application.department,
        "fee": application.fee,
        "answers": application.answers,
        "prefilled": application.prefilled,
        "flags": application.flags,
        "created_at": application.created_at,
        "submitted_at": application.submitted_at,
        "due_on": application.due_on,
        "breached": selectors.is_breached(application, today),
        "decided_at": application.decided_at,
        "closed_at": application.closed_at,
        "question": application.question,
        "decision_reason": application.decision_reason,
        "effect_result": application.effect_result,
        "actions": workflow.actions_from(procedure, application.state),
    }
    if with_history:
        data["history"] = [
            {
                "seq": t.seq,
                "action": t.action,
                "from_state": t.from_state,
                "to_state": t.to_state,
                "actor_kind": t.actor_kind,
                "actor_label": t.actor_label,
                "at": t.at,
                "reason": t.reason,
                "details": t.details,
            }
            for t in selectors.history(application)
        ]
    return data
