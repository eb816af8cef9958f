"""Persons and households: search, reads as of a date or as recorded, timeline."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Query, Schema
from pydantic import Field

from jichi.audit.services import record as audit
from jichi.common.api import ERRORS, PageOut
from jichi.common.errors import RuleViolation
from jichi.common.pagination import DEFAULT_LIMIT, paginate
from jichi.registry import selectors
from jichi.registry.api.common import (
    BASE,
    MovementOut,
    PersonOut,
    PersonSummaryOut,
    address_of,
    movement_out,
    person_out,
    read_audited,
    router,
    summary,
)
from jichi.tenancy.access import require


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
        key=("name_key", "person_id"),
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
    protected = read_audited(request, found, params.purpose, "person")
    return person_out(request, municipality, found, version, protected)


@router.get(BASE + "/persons/{number}/timeline", response={200: list[PersonOut], **ERRORS})
def person_timeline(request, code: str, number: str, params: Query[ReadParams]):
    """Every period of the record, oldest first (as recorded at ``recorded_at``)."""
    municipality = require(request, "registry:read")
    found = selectors.person(number)
    protected = read_audited(request, found, params.purpose, "timeline")
    return [
        person_out(request, municipality, found, v, protected)
        for v in selectors.timeline(found, params.recorded_at)
    ]


@router.get(BASE + "/persons/{number}/movements", response={200: list[MovementOut], **ERRORS})
def person_movements(request, code: str, number: str, purpose: str = Query(..., min_length=2)):
    require(request, "registry:read")
    found = selectors.person(number)
    read_audited(request, found, purpose, "movements")
    return [movement_out(m) for m in selectors.with_subjects(selectors.movements_of(found))]


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
        "address": address_of(municipality, members[0]) if members else "",
        "head": head.person.number if head else None,
        "members": [summary(municipality, m, protected) for m in members],
    }
