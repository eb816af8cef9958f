"""Writing the audit trail: one entry per recorded action, checkpoints daily."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from jichi.audit.chain import GENESIS, checkpoint_message, entry_hash
from jichi.audit.models import AuditCheckpoint, AuditEntry, Outcome
from jichi.common import platform_key
from jichi.common.request_context import current_request_id
from jichi.common.sequences import locked_head
from jichi.tenancy.context import OutOfScope, current_scope, tenant_scope
from jichi.tenancy.principals import Actor

_LOCK_CLASS = 7_316_001  # pg_advisory_xact_lock(class, municipality) for the chain's head


def _head(code: str) -> tuple[int, str]:
    """The chain's last (seq, hash), holding the chain's lock until the transaction ends."""
    last = locked_head(
        "jichi_audit_head",
        _LOCK_CLASS,
        code,
        "seq, entry_hash",
        lambda: (
            AuditEntry.objects.filter(municipality_id=code)
            .order_by("-seq")
            .values_list("seq", "entry_hash")
            .first()
        ),
    )
    return last or (0, GENESIS)


def record(
    actor: Actor,
    action: str,
    *,
    object_type: str = "",
    object_id: str = "",
    purpose: str = "",
    outcome: str = Outcome.OK,
    details: dict | None = None,
    municipality_code: str | None = None,
) -> AuditEntry:
    """Append one entry to the chain of the municipality in scope.

    Call it inside the transaction of the change it records: if the change
    rolls back, so does its entry. ``details`` must hold no personal data.
    """
    code = municipality_code or current_scope().single_code
    if not current_scope().allows(code):
        raise OutOfScope(code)  # before any statement: the caller's transaction stays usable
    # Inside the change's transaction no savepoint is needed: a failed entry fails
    # the change. Alone, the entry gets a transaction of its own (the chain lock
    # lasts until its end).
    with transaction.atomic(savepoint=False):
        return _append(code, actor, action, object_type, object_id, purpose, outcome, details)


def _append(code, actor, action, object_type, object_id, purpose, outcome, details):
    seq, prev = _head(code)
    entry = AuditEntry(
        municipality_id=code,
        seq=seq + 1,
        occurred_at=timezone.now(),
        actor_kind=actor.kind,
        actor_id=actor.id[:64],
        actor_label=actor.label[:150],
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:64],
        purpose=purpose[:200],
        outcome=outcome,
        request_id=current_request_id()[:64],
        details=details or {},
        prev_hash=prev,
    )
    entry.entry_hash = entry_hash(entry)
    entry.save(force_insert=True)
    return entry


def record_read(
    actor: Actor, *, object_type: str, object_id: str, purpose: str, details: dict | None = None
) -> AuditEntry:
    """A read of personal data (a person's record, a certificate's content)."""
    return record(
        actor,
        f"{object_type}.read",
        object_type=object_type,
        object_id=object_id,
        purpose=purpose,
        details=details,
    )


def checkpoint(code: str) -> AuditCheckpoint | None:
    """Sign the head of one municipality's chain (nothing to do if it has not moved)."""
    with tenant_scope(code, "audit checkpoint"), transaction.atomic():
        seq, head = _head(code)
        if seq == 0:
            return None
        last = AuditCheckpoint.objects.order_by("-seq").first()
        if last is not None and last.seq == seq:
            return None
        cp = AuditCheckpoint(
            municipality_id=code,
            seq=seq,
            entry_hash=head,
            created_at=timezone.now(),
            key_id=platform_key.key_id(),
        )
        cp.signature = platform_key.sign(checkpoint_message(cp))
        cp.save(force_insert=True)
        return cp


def receive_tenancy_action(
    sender,
    *,
    municipality_code,
    actor,
    action,
    object_type,
    object_id,
    purpose="",
    outcome=Outcome.OK,
    details=None,
    **kwargs,
):
    """Receiver of :data:`jichi.tenancy.events.audited_action`."""
    record(
        actor,
        action,
        object_type=object_type,
        object_id=object_id,
        purpose=purpose,
        outcome=outcome,
        details=details,
        municipality_code=municipality_code,
    )
