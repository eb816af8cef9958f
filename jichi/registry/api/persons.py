"""Persons and households: search, reads as of a date or as recorded, timeline."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Query, Schema
from pydantic import Field

from jichi.common.api import ERRORS, PageOut
from jichi.common.pagination import DEFAULT_LIMIT
from jichi.registry import reading, selectors
from jichi.registry.api.common import (
    BASE,
    MovementOut,
    PersonOut,
    PersonSummaryOut,
    address_of,
    movement_out,
    person_out,
    protection_flags,
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
    protected: bool = Field(description="a member is under an active 支援措置")
    warning: str | None = None
    warning_ja: str | None = None


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
    """Search by name (kanji or kana, prefix), birth date (ISO or 和暦), 町字, 宛名番号 or
    個人番号; by reading. Audited with its purpose. On behalf of a requester
    (``requester_*``), the persons they are listed as an offender of are never found."""
    municipality = require(request, "registry:read")
    if params.my_number:
        require(request, "registry:read_my_number")
    query = selectors.SearchQuery(
        name=params.name,
        birth_date=params.birth_date,
        town=params.town,
        number=params.number,
        my_number=params.my_number,
        include_removed=params.include_removed,
        on=params.on,
    )
    requester = reading.Requester(
        params.requester_name, params.requester_birth_date, params.requester_number
    )
    result = reading.search(
        request.principal.actor,
        query,
        municipality_code=code,
        purpose=params.purpose,
        requester=requester,
        cursor=params.cursor,
        limit=params.limit,
    )
    return {
        "items": [summary(municipality, v, result.protected) for v in result.page.items],
        "next_cursor": result.page.next_cursor,
    }


@router.get(BASE + "/persons/{number}", response={200: PersonOut, **ERRORS})
def get_person(request, code: str, number: str, params: Query[ReadParams]):
    """A person as of a date (and as recorded at a time). Audited with its purpose."""
    municipality = require(request, "registry:read")
    version = selectors.numbered_person_on(number, params.on, params.recorded_at)
    found = version.person
    protected = reading.read_person(request.principal.actor, found, params.purpose)
    return person_out(request, municipality, found, version, protected)


@router.get(BASE + "/persons/{number}/timeline", response={200: list[PersonOut], **ERRORS})
def person_timeline(request, code: str, number: str, params: Query[ReadParams]):
    """Every period of the record, oldest first (as recorded at ``recorded_at``)."""
    municipality = require(request, "registry:read")
    found = selectors.person(number)
    protected = reading.read_person(request.principal.actor, found, params.purpose, "timeline")
    return [
        person_out(request, municipality, found, v, protected)
        for v in selectors.timeline(found, params.recorded_at)
    ]


@router.get(BASE + "/persons/{number}/movements", response={200: list[MovementOut], **ERRORS})
def person_movements(request, code: str, number: str, purpose: str = Query(..., min_length=2)):
    require(request, "registry:read")
    found = selectors.person(number)
    reading.read_person(request.principal.actor, found, purpose, "movements")
    movements = selectors.with_subjects(selectors.movements_of(found))
    protected = selectors.protected_person_ids()
    return [movement_out(m, protected) for m in movements]


@router.get(BASE + "/households/{number}", response={200: HouseholdOut, **ERRORS})
def get_household(request, code: str, number: str, params: Query[ReadParams]):
    municipality = require(request, "registry:read")
    found = selectors.household(number)
    on = params.on or date.today()
    members = selectors.household_members(found, on, params.recorded_at)
    protected = reading.read_household(request.principal.actor, found, members, params.purpose)
    head = next((m for m in members if m.is_head), None)
    return {
        "number": found.number,
        "on": on,
        "address": address_of(municipality, members[0]) if members else "",
        "head": head.person.number if head else None,
        "members": [summary(municipality, m, protected) for m in members],
        **protection_flags(bool(protected)),
    }
