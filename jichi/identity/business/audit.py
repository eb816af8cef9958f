"""The platform-level audit chain of business identity.

The audit trail of :mod:`jichi.audit` is one chain per municipality, and a
business account belongs to none (it is national, like GビズID). Its actions
are therefore recorded in a chain of their own, :class:`BusinessAuditEntry`,
built the same way: each entry holds the hash of the one before it and its
own hash over the canonical JSON of :mod:`jichi.audit.chain`; appends are
serialised; on PostgreSQL the trail's append-only trigger refuses UPDATE and
DELETE. :func:`verify_chain` walks it like ``jichi verify-audit`` walks a
municipality's chain.
"""

from __future__ import annotations

import hashlib
from datetime import UTC

from django.db import connection, transaction
from django.utils import timezone

from jichi.audit.chain import GENESIS, canonical_json
from jichi.audit.models import Outcome
from jichi.audit.selectors import ChainReport, check_entry
from jichi.common.request_context import current_request_id
from jichi.identity.business.models import BusinessAuditEntry
from jichi.tenancy.principals import Actor

CHAIN = "business"  # the chain's name in reports and in every entry's hash
_LOCK_KEY = 7_316_010  # pg_advisory_xact_lock(key): the head of the business chain


def entry_hash(entry: BusinessAuditEntry) -> str:
    """SHA-256 of everything the entry says, its place and its link."""
    content = {
        "chain": CHAIN,
        "seq": entry.seq,
        "prev_hash": entry.prev_hash,
        "time": entry.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": {"kind": entry.actor_kind, "id": entry.actor_id, "label": entry.actor_label},
        "action": entry.action,
        "account": entry.account,
        "object": {"type": entry.object_type, "id": entry.object_id},
        "outcome": entry.outcome,
        "request_id": entry.request_id,
        "details": entry.details,
    }
    return hashlib.sha256(canonical_json(content)).hexdigest()


def _lock_head() -> None:
    """Serialise appends (SQLite's IMMEDIATE transactions already do)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


@transaction.atomic
def record(
    actor: Actor,
    action: str,
    *,
    account: str = "",
    object_type: str = "",
    object_id: str = "",
    outcome: str = Outcome.OK,
    details: dict | None = None,
) -> BusinessAuditEntry:
    """Append one entry; call it inside the transaction of the change it records."""
    _lock_head()
    last = BusinessAuditEntry.objects.order_by("-seq").values_list("seq", "entry_hash").first()
    seq, prev = last if last else (0, GENESIS)
    entry = BusinessAuditEntry(
        seq=seq + 1,
        occurred_at=timezone.now(),
        actor_kind=actor.kind,
        actor_id=actor.id[:64],
        actor_label=actor.label[:150],
        action=action,
        account=account,
        object_type=object_type,
        object_id=str(object_id)[:64],
        outcome=outcome,
        request_id=current_request_id()[:64],
        details=details or {},
        prev_hash=prev,
    )
    entry.entry_hash = entry_hash(entry)
    entry.save(force_insert=True)
    return entry


def verify_chain() -> ChainReport:
    """Walk the business chain from the start; stop at the first problem.

    The report's ``municipality_code`` is ``"business"``, the chain's name.
    """
    count, prev = 0, GENESIS
    for entry in BusinessAuditEntry.objects.order_by("seq").iterator(chunk_size=5000):
        problem = check_entry(entry, count + 1, prev, entry_hash)
        if problem is not None:
            return ChainReport(CHAIN, count, 0, problem)
        count, prev = count + 1, entry.entry_hash
    return ChainReport(CHAIN, count, 0, None)
