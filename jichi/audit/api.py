"""Audit trail API: read the entries, verify the chain."""

from __future__ import annotations

from datetime import datetime

from ninja import Query, Router, Schema

from jichi.audit import selectors
from jichi.audit.services import record
from jichi.common.api import ERRORS, PageOut
from jichi.common.pagination import DEFAULT_LIMIT, paginate
from jichi.tenancy.access import require

router = Router(tags=["audit"])


class AuditEntryOut(Schema):
    seq: int
    occurred_at: datetime
    actor_kind: str
    actor_id: str
    actor_label: str
    action: str
    object_type: str
    object_id: str
    purpose: str
    outcome: str
    request_id: str
    details: dict
    prev_hash: str
    entry_hash: str


class AuditFilters(Schema):
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    cursor: str | None = None
    limit: int = DEFAULT_LIMIT


class ChainOut(Schema):
    municipality_code: str
    ok: bool
    entries: int
    checkpoints: int
    problem_seq: int | None = None
    problem_kind: str | None = None
    problem: str | None = None


@router.get("/municipalities/{code}/audit", response={200: PageOut[AuditEntryOut], **ERRORS})
def list_audit_entries(request, code: str, filters: Query[AuditFilters]):
    """The audit trail, oldest first (needs `audit:read`). Reading it is audited too."""
    require(request, "audit:read")
    queryset = selectors.entries()
    for name in ("action", "object_type", "object_id"):
        value = getattr(filters, name)
        if value:
            queryset = queryset.filter(**{name: value})
    page = paginate(queryset, key="seq", cursor=filters.cursor, limit=filters.limit, to_key=int)
    record(
        request.principal.actor,
        "audit.trail.read",
        object_type="audit_trail",
        object_id=code,
        purpose="audit review",
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/municipalities/{code}/audit/verify", response={200: ChainOut, **ERRORS})
def verify_audit_chain(request, code: str):
    """Walk the chain and the signed checkpoints; name the first bad entry."""
    require(request, "audit:read")
    report = selectors.verify_chain(code)
    problem = report.problem
    return {
        "municipality_code": code,
        "ok": report.ok,
        "entries": report.entries,
        "checkpoints": report.checkpoints,
        "problem_seq": problem.seq if problem else None,
        "problem_kind": problem.kind if problem else None,
        "problem": problem.message if problem else None,
    }
