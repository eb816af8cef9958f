"""Movements: one endpoint per kind, and the list."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from ninja import Query, Schema, Status
from pydantic import Field

from jichi.audit.services import record as audit
from jichi.common.api import ERRORS, PageOut
from jichi.common.pagination import DEFAULT_LIMIT, paginate
from jichi.registry import schemas, selectors, services
from jichi.registry.api.common import (
    BASE,
    MovementOut,
    movement_out,
    recorded_movement_out,
    router,
)
from jichi.registry.models import Movement
from jichi.tenancy.access import require


class MovementFilters(Schema):
    purpose: str = Field(min_length=2, max_length=200, description="why the list is read (audited)")
    reason: str | None = Field(None, description="異動事由 code, e.g. 11 (転入)")
    effective_from: date | None = Field(None, description="異動日 on or after")
    effective_to: date | None = Field(None, description="異動日 on or before")
    cursor: str | None = None
    limit: int = DEFAULT_LIMIT


@router.get(BASE + "/movements", response={200: PageOut[MovementOut], **ERRORS})
def list_movements(request, code: str, filters: Query[MovementFilters]):
    """Movements, newest recorded first; it names persons, so it is audited with its purpose."""
    require(request, "registry:read")
    movements = selectors.with_subjects(Movement.objects.all())
    if filters.reason:
        movements = movements.filter(reason=filters.reason)
    if filters.effective_from:
        movements = movements.filter(effective_on__gte=filters.effective_from)
    if filters.effective_to:
        movements = movements.filter(effective_on__lte=filters.effective_to)
    page = paginate(
        movements, key="id", cursor=filters.cursor, limit=filters.limit, descending=True
    )
    audit(
        request.principal.actor,
        "registry.movements.list",
        object_type="movement_list",
        purpose=filters.purpose,
        details={"reason": filters.reason or "", "results": len(page.items)},
    )
    protected = selectors.protected_person_ids()
    return {
        "items": [movement_out(m, protected) for m in page.items],
        "next_cursor": page.next_cursor,
    }


# One endpoint per kind of movement: (path, service, body schema, summary).
MOVEMENTS: list[tuple[str, Callable, type, str]] = [
    ("move-in", services.record_move_in, schemas.ArrivalIn, "転入"),
    ("move-in-from-abroad", services.record_move_in_from_abroad, schemas.ArrivalIn, "国外転入"),
    ("birth", services.record_birth, schemas.BirthIn, "出生"),
    ("record-by-authority", services.record_by_authority, schemas.ArrivalIn, "職権記載"),
    (
        "foreign-resident",
        services.record_foreign_resident,
        schemas.ArrivalIn,
        "法30条の46・47 記載",
    ),
    ("move-out", services.record_move_out, schemas.DepartureIn, "転出"),
    ("move-out-abroad", services.record_move_out_abroad, schemas.DepartureIn, "国外転出"),
    ("death", services.record_death, schemas.DeathIn, "死亡"),
    ("remove-by-authority", services.remove_by_authority, schemas.DepartureIn, "職権消除"),
    ("relocation", services.record_relocation, schemas.RelocationIn, "転居"),
    ("household-split", services.record_household_split, schemas.HouseholdSplitIn, "世帯分離"),
    ("household-merge", services.record_household_merge, schemas.HouseholdMergeIn, "世帯合併"),
    ("head-change", services.record_head_change, schemas.HeadChangeIn, "世帯主変更"),
    ("name-change", services.record_name_change, schemas.NameChangeIn, "氏名変更"),
    (
        "relationship-change",
        services.record_relationship_change,
        schemas.RelationshipChangeIn,
        "続柄変更",
    ),
    ("domicile-change", services.record_domicile_change, schemas.DomicileChangeIn, "本籍変更"),
    ("former-surname", services.record_former_surname, schemas.FormerSurnameIn, "旧氏の記載・削除"),
    ("alias", services.record_alias, schemas.AliasIn, "通称の記載・削除"),
    (
        "residence-status-change",
        services.record_residence_status_change,
        schemas.ResidenceStatusChangeIn,
        "在留資格等変更",
    ),
    ("correction", services.record_correction, schemas.CorrectionIn, "誤記修正"),
]


def _movement_endpoint(path: str, service: Callable, body: type, label: str) -> None:
    def endpoint(request, code: str, payload: body):  # type: ignore[valid-type]
        municipality = require(request, "registry:write")
        movement = service(municipality=municipality, actor=request.principal.actor, notice=payload)
        subjects = selectors.subjects_of(movement)
        flagged = any(protected for _, protected in subjects)
        return Status(201, recorded_movement_out(movement, [n for n, _ in subjects], flagged))

    endpoint.__annotations__["payload"] = body  # a real type, not the string "body"
    endpoint.__name__ = f"record_{path.replace('-', '_')}"
    endpoint.__doc__ = f"{label}: {service.__doc__ or ''}".strip()
    router.post(
        f"{BASE}/movements/{path}",
        response={201: MovementOut, **ERRORS},
        summary=label,
        operation_id=endpoint.__name__,
    )(endpoint)


for _path, _service, _body, _label in MOVEMENTS:
    _movement_endpoint(_path, _service, _body, _label)
