"""What tenancy announces: security-relevant actions the audit trail records.

Tenancy sits below the audit app, so it does not write audit entries itself;
it sends :data:`audited_action` inside the transaction of the change and the
audit app (a receiver) writes the entry in that same transaction.
"""

from django.dispatch import Signal

# kwargs: municipality_code, actor (Actor), action, object_type, object_id,
#         purpose="", outcome="ok", details={}
audited_action = Signal()


def announce(
    municipality_code: str,
    actor,
    action: str,
    object_type: str,
    object_id: str,
    *,
    purpose: str = "",
    outcome: str = "ok",
    details: dict | None = None,
) -> None:
    audited_action.send(
        sender=None,
        municipality_code=municipality_code,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        purpose=purpose,
        outcome=outcome,
        details=details or {},
    )
