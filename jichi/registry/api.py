"""Resident register API: persons, households, movements, protection, statistics.

Every read of a person states its purpose (``?purpose=``) and is audited with
it. A person under DV support measures is flagged in every answer about them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from django.http import HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from jichi.audit.services import record as audit
from jichi.common.api import ERRORS, PageOut, StrictSchema
from jichi.common.errors import RuleViolation
from jichi.common.pagination import DEFAULT_LIMIT, paginate
from jichi.common.secrets import mask_my_number, open_my_number
from jichi.registry import schemas, selectors, services
from jichi.registry.dates import UncertainDate
from jichi.registry.models import Movement, Person, PersonVersion, Protection
from jichi.tenancy.access import require

router = Router(tags=["registry"])
BASE = "/municipalities/{code}"
PROTECTION_WARNING_JA = "支援措置対象者です。加害者等への開示は禁止されています。"
PROTECTION_WARNING_EN = (
    "This person is under DV support measures: nothing may be disclosed to listed offenders."
)


class PersonSummaryOut(Schema):
    number: str
    name: str
    name_kana: str
    birth_date: date
    birth_display: str
    sex: str
    address: str
    household: str | None
    relationship: str
    status: str
    protected: bool


class PersonOut(Schema):
    number: str
    history_no: int
    valid_from: date
    valid_to: date | None
    recorded_at: datetime
    reason: str
    reason_label: str
    status: str
    status_label: str
    kind: str
    family_name: str
    given_name: str
    family_name_kana: str
    given_name_kana: str
    name_alphabet: str
    former_surname: str
    former_surname_kana: str
    alias: str
    alias_kana: str
    birth_date: date
    birth_precision: str
    birth_display: str
    sex: str
    address: str
    town_code: str
    town_name: str
    block: str
    building: str
    postal_code: str
    household: str | None
    relationship: str
    is_head: bool
    became_resident_on: date
    address_since: date
    previous_address: str
    domicile: str
    domicile_head: str
    resident_code: str
    my_number: str = Field(description="shown only with registry:read_my_number, else masked")
    nationality: str
    article_30_45: str
    residence_status: str
    residence_period: str
    residence_expiry: date | None
    residence_card_no: str
    destination_address: str
    planned_move_out_on: date | None
    protected: bool
    warning: str | None = None
    warning_ja: str | None = None


class MovementOut(Schema):
    id: str
    reason: str
    reason_label: str
    category: str
    effective_on: date
    notified_on: date | None
    recorded_at: datetime
    late: bool
    actor_label: str
    persons: list[str]


class HouseholdOut(Schema):
    number: str
    on: date
    address: str
    head: str | None
    members: list[PersonSummaryOut]


class ReadParams(Schema):
    purpose: str = Field(
        min_length=2, max_length=200, description="why the record is read (audited)"
    )
    on: date | None = Field(None, description="as of this date (default today)")
    recorded_at: datetime | None = Field(None, description="as the office knew it then")


class SearchParams(Schema):
    purpose: str = Field(min_length=2, max_length=200)
    name: str = ""
    birth_date: str = ""
    town: str = ""
    number: str = ""
    my_number: str = ""
    include_removed: bool = False
    on: date | None = None
    requester_name: str = Field(
        "",
        description="the person on whose behalf the search is "
        "made: a listed offender never finds whom they must not",
    )
    requester_birth_date: date | None = None
    requester_number: str = ""
    cursor: str | None = None
    limit: int = DEFAULT_LIMIT


def _address(municipality, version: PersonVersion) -> str:
    return (
        f"{municipality.prefecture_name}{municipality.display_name}"
        f"{version.town_name}{version.block}"
    )


def _birth_display(version: PersonVersion) -> str:
    birth = UncertainDate(version.birth_date, version.birth_precision, version.birth_note)
    return birth.display(foreign=version.kind == "2")


def summary(municipality, version: PersonVersion, protected: set) -> dict:
    return {
        "number": version.person.number,
        "name": version.full_name,
        "name_kana": version.full_name_kana,
        "birth_date": version.birth_date,
        "birth_display": _birth_display(version),
        "sex": version.sex,
        "address": _address(municipality, version),
        "household": version.household.number if version.household_id else None,
        "relationship": version.relationship,
        "status": version.status,
        "protected": version.person_id in protected,
    }


def person_out(request, municipality, person: Person, version: PersonVersion) -> dict:
    protected = selectors.active_protection(person) is not None
    may_see = request.principal.has_perm(municipality.code, "registry:read_my_number")
    my_number = ""
    if version.my_number_cipher:
        my_number = (
            open_my_number(version.my_number_cipher, municipality.code)
            if may_see
            else mask_my_number("x")
        )
    data = {
        f.attname: getattr(version, f.attname)
        for f in PersonVersion._meta.concrete_fields
        if f.attname in PersonOut.model_fields
    }
    data.update(
        number=person.number,
        reason_label=version.get_reason_display(),
        status_label=version.get_status_display(),
        birth_display=_birth_display(version),
        address=_address(municipality, version),
        household=version.household.number if version.household_id else None,
        my_number=my_number,
        protected=protected,
    )
    if protected:
        data.update(warning=PROTECTION_WARNING_EN, warning_ja=PROTECTION_WARNING_JA)
    return data


def _read(request, found: Person, purpose: str, what: str) -> None:
    protected = selectors.active_protection(found) is not None
    audit(
        request.principal.actor,
        f"registry.{what}.read",
        object_type="person",
        object_id=str(found.id),
        purpose=purpose,
        details={"protected": protected, "resident_number": found.number},
    )


@router.get(BASE + "/persons", response={200: PageOut[PersonSummaryOut], **ERRORS})
def search_persons(request, code: str, params: Query[SearchParams]):
    """Search by name (kanji or kana, prefix), birth date (ISO or 和暦), 町字, 宛名番号."""
    municipality = require(request, "registry:read")
    if params.my_number:
        require(request, "registry:read_my_number")
    requester = selectors.person(params.requester_number) if params.requester_number else None
    hidden = selectors.hidden_from(params.requester_name, params.requester_birth_date, requester)
    query = selectors.SearchQuery(
        name=params.name,
        birth_date=params.birth_date,
        town=params.town,
        number=params.number,
        my_number=params.my_number,
        include_removed=params.include_removed,
        on=params.on,
    )
    if not any((query.name, query.birth_date, query.town, query.number, query.my_number)):
        raise RuleViolation(
            "search.criteria_required",
            "検索条件（氏名、生年月日、町字、宛名番号など）を指定してください。",
            "Give at least one search criterion.",
            "name",
        )
    page = paginate(
        selectors.search(query, municipality_code=code, hidden=hidden),
        key="id",
        cursor=params.cursor,
        limit=params.limit,
    )
    protected = selectors.protected_person_ids()
    audit(
        request.principal.actor,
        "registry.person.search",
        object_type="person_search",
        purpose=params.purpose,
        details={
            "criteria": sorted(
                k
                for k in ("name", "birth_date", "town", "number", "my_number")
                if getattr(query, k)
            ),
            "results": len(page.items),
            "on_behalf": bool(hidden),
        },
    )
    return {
        "items": [summary(municipality, v, protected) for v in page.items],
        "next_cursor": page.next_cursor,
    }


@router.get(BASE + "/persons/{number}", response={200: PersonOut, **ERRORS})
def get_person(request, code: str, number: str, params: Query[ReadParams]):
    """A person as of a date (and as recorded at a time). Audited with its purpose."""
    municipality = require(request, "registry:read")
    found = selectors.person(number)
    version = selectors.person_on(found, params.on, params.recorded_at)
    _read(request, found, params.purpose, "person")
    return person_out(request, municipality, found, version)


@router.get(BASE + "/persons/{number}/timeline", response={200: list[PersonOut], **ERRORS})
def person_timeline(request, code: str, number: str, params: Query[ReadParams]):
    """Every period of the record, oldest first (as recorded at ``recorded_at``)."""
    municipality = require(request, "registry:read")
    found = selectors.person(number)
    _read(request, found, params.purpose, "timeline")
    return [
        person_out(request, municipality, found, v)
        for v in selectors.timeline(found, params.recorded_at)
    ]


@router.get(BASE + "/persons/{number}/movements", response={200: list[MovementOut], **ERRORS})
def person_movements(request, code: str, number: str, purpose: str = Query(..., min_length=2)):
    require(request, "registry:read")
    found = selectors.person(number)
    _read(request, found, purpose, "movements")
    return [movement_out(m) for m in selectors.movements_of(found)]


@router.get(BASE + "/households/{number}", response={200: HouseholdOut, **ERRORS})
def get_household(request, code: str, number: str, params: Query[ReadParams]):
    municipality = require(request, "registry:read")
    found = selectors.household(number)
    on = params.on or date.today()
    members = selectors.household_members(found, on, params.recorded_at)
    protected = selectors.protected_person_ids()
    audit(
        request.principal.actor,
        "registry.household.read",
        object_type="household",
        object_id=str(found.id),
        purpose=params.purpose,
        details={
            "members": len(members),
            "protected": any(m.person_id in protected for m in members),
        },
    )
    head = next((m for m in members if m.is_head), None)
    return {
        "number": found.number,
        "on": on,
        "address": _address(municipality, members[0]) if members else "",
        "head": head.person.number if head else None,
        "members": [summary(municipality, m, protected) for m in members],
    }


def movement_out(movement: Movement) -> dict:
    return {
        "id": str(movement.id),
        "reason": movement.reason,
        "reason_label": movement.get_reason_display(),
        "category": movement.category,
        "effective_on": movement.effective_on,
        "notified_on": movement.notified_on,
        "recorded_at": movement.recorded_at,
        "late": movement.late,
        "actor_label": movement.actor_label,
        "persons": [s.person.number for s in movement.subjects.select_related("person")],
    }


class MovementFilters(Schema):
    reason: str | None = None
    cursor: str | None = None
    limit: int = DEFAULT_LIMIT


@router.get(BASE + "/movements", response={200: PageOut[MovementOut], **ERRORS})
def list_movements(request, code: str, filters: Query[MovementFilters]):
    """Movements, newest first."""
    require(request, "registry:read")
    movements = Movement.objects.all()
    if filters.reason:
        movements = movements.filter(reason=filters.reason)
    page = paginate(
        movements, key="id", cursor=filters.cursor, limit=filters.limit, descending=True
    )
    return {"items": [movement_out(m) for m in page.items], "next_cursor": page.next_cursor}


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
        return Status(201, movement_out(movement))

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


# --- protection --------------------------------------------------------------------


class ProtectionOut(Schema):
    id: str
    person: str
    starts_on: date
    ends_on: date
    provisional: bool
    active: bool


def protection_out(protection: Protection) -> dict:
    today = date.today()
    return {
        "id": str(protection.id),
        "person": protection.person.number,
        "starts_on": protection.starts_on,
        "ends_on": protection.ends_on,
        "provisional": protection.provisional,
        "active": protection.ended_at is None
        and protection.starts_on <= today <= protection.ends_on,
    }


@router.post(BASE + "/protections", response={201: ProtectionOut, **ERRORS})
def start_protection(request, code: str, payload: schemas.ProtectionIn):
    """DV等支援措置 for a person, with its listed offenders (one year by default)."""
    municipality = require(request, "registry:protect")
    protection = services.start_protection(
        municipality=municipality, actor=request.principal.actor, request=payload
    )
    return Status(201, protection_out(protection))


def _protection(protection_id) -> Protection:
    found = Protection.objects.filter(id=protection_id).select_related("person").first()
    if found is None:
        raise RuleViolation(
            "protection.not_found",
            "支援措置が見つかりません。",
            "The protection was not found.",
            "protection",
            status=404,
        )
    return found


class EndIn(StrictSchema):
    note: str = Field(min_length=1, max_length=500)


@router.post(BASE + "/protections/{protection_id}/extend", response={200: ProtectionOut, **ERRORS})
def extend_protection(request, code: str, protection_id: str):
    require(request, "registry:protect")
    return protection_out(
        services.extend_protection(
            actor=request.principal.actor, protection=_protection(protection_id)
        )
    )


@router.post(BASE + "/protections/{protection_id}/end", response={200: ProtectionOut, **ERRORS})
def end_protection(request, code: str, protection_id: str, payload: EndIn):
    require(request, "registry:protect")
    return protection_out(
        services.end_protection(
            actor=request.principal.actor, protection=_protection(protection_id), note=payload.note
        )
    )


# --- statistics ---------------------------------------------------------------------


class PopulationRow(Schema):
    town_code: str
    town_name: str
    band: str
    sex: str
    count: int


class PopulationOut(Schema):
    on: date
    total: int
    japanese: int
    foreign: int
    households: int
    rows: list[PopulationRow]


@router.get(BASE + "/statistics/population", response={200: PopulationOut, **ERRORS})
def population(request, code: str, on: date | None = None, format: str = "json"):
    """住基人口 on a date by 町字 × 5-year band × sex (``format=csv`` for CSV)."""
    require(request, "statistics:read")
    stats = selectors.population(on or date.today())
    rows = [
        {"town_code": t, "town_name": n, "band": b, "sex": s, "count": c}
        for (t, n, b, s), c in sorted(stats["cells"].items())
    ]
    if format == "csv":
        return _csv(
            rows,
            ["town_code", "town_name", "band", "sex", "count"],
            f"population-{code}-{stats['on'].isoformat()}.csv",
        )
    return {
        "on": stats["on"],
        "total": sum(r["count"] for r in rows),
        "japanese": stats["by_kind"].get("1", 0),
        "foreign": stats["by_kind"].get("2", 0),
        "households": sum(stats["households"].values()),
        "rows": rows,
    }


@router.get(BASE + "/statistics/population.{fmt}", response={200: None, **ERRORS})
def population_chart(request, code: str, fmt: str, on: date | None = None):
    """The population pyramid on a date as ``png`` or ``svg`` (Japanese labels)."""
    from jichi.registry.charts import population_pyramid

    municipality = require(request, "statistics:read")
    if fmt not in {"png", "svg"}:
        raise RuleViolation(
            "format.unknown", "形式は png または svg です。", "The format is png or svg.", "fmt"
        )
    stats = selectors.population(on or date.today())
    title = f"{municipality.display_name} 人口ピラミッド（{stats['on'].isoformat()}）"
    content = population_pyramid(stats["cells"], title=title, fmt=fmt)
    return HttpResponse(content, content_type="image/png" if fmt == "png" else "image/svg+xml")


class MovementCountRow(Schema):
    month: int
    reason: str
    reason_label: str
    count: int


@router.get(BASE + "/statistics/movements", response={200: list[MovementCountRow], **ERRORS})
def movement_statistics(request, code: str, year: int):
    """Movements of a year by month and reason."""
    from jichi.registry.codes import Reason

    require(request, "statistics:read")
    counts = selectors.movements_by_month(year)
    return [
        {"month": m, "reason": r, "reason_label": Reason(r).label, "count": n}
        for (m, r), n in sorted(counts.items())
    ]


def _csv(rows: list[dict], columns: list[str], filename: str) -> HttpResponse:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
