"""Audited reads of the register, shared by the API and the staff pages.

Every read of a person's record, of a household and every search writes one
audit entry with the purpose the reader stated. A search made on behalf of
someone (``requester``) never returns the persons that requester is listed as
an offender of (支援措置).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from jichi.audit.services import record as audit
from jichi.common.errors import RuleViolation
from jichi.common.pagination import DEFAULT_LIMIT, Page, paginate
from jichi.registry import selectors
from jichi.registry.models import Household, Person, PersonVersion
from jichi.tenancy.principals import Actor

SEARCH_CRITERIA = ("name", "birth_date", "town", "number", "my_number")


@dataclass(frozen=True)
class Requester:
    """Whom a search is made for (a counter visitor, a caller): empty for the office."""

    name: str = ""
    birth_date: date | None = None
    number: str = ""  # 宛名番号, when the requester is recorded here

    def __bool__(self) -> bool:
        return bool(self.name or self.number)


@dataclass(frozen=True)
class SearchResult:
    page: Page
    protected: set  # ids of the persons under an active 支援措置 (to flag them)


def search(
    actor: Actor,
    query: selectors.SearchQuery,
    *,
    municipality_code: str,
    purpose: str,
    requester: Requester = Requester(),
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    channel: str = "api",
) -> SearchResult:
    """One page of the search, by reading, audited with its purpose."""
    if not any(getattr(query, k) for k in SEARCH_CRITERIA):
        raise RuleViolation(
            "search.criteria_required",
            "検索条件（氏名、生年月日、町字、宛名番号など）を指定してください。",
            "Give at least one search criterion.",
            "name",
        )
    hidden = set()
    if requester:
        listed = (
            selectors.person(requester.number, "requester_number") if requester.number else None
        )
        hidden = selectors.hidden_from(requester.name, requester.birth_date, listed)
    page = paginate(
        selectors.search(query, municipality_code=municipality_code, hidden=hidden),
        key=selectors.search_order(query),
        cursor=cursor,
        limit=limit,
    )
    audit(
        actor,
        "registry.person.search",
        object_type="person_search",
        purpose=purpose,
        details={
            "criteria": sorted(k for k in SEARCH_CRITERIA if getattr(query, k)),
            "results": len(page.items),
            "on_behalf": bool(requester),
            "channel": channel,
        },
    )
    return SearchResult(page, selectors.protected_person_ids())


def read_person(
    actor: Actor, found: Person, purpose: str, what: str = "person", channel: str = "api"
) -> bool:
    """Audit a read of ``found``'s record (``what``: person, timeline, movements);
    whether a 支援措置 is active for them."""
    protected = selectors.active_protection(found) is not None
    audit(
        actor,
        f"registry.{what}.read",
        object_type="person",
        object_id=str(found.id),
        purpose=purpose,
        details={"protected": protected, "resident_number": found.number, "channel": channel},
    )
    return protected


def read_household(
    actor: Actor,
    found: Household,
    members: list[PersonVersion],
    purpose: str,
    channel: str = "api",
) -> set:
    """Audit a read of a household; the ids of its protected members."""
    protected = selectors.protected_person_ids() & {m.person_id for m in members}
    audit(
        actor,
        "registry.household.read",
        object_type="household",
        object_id=str(found.id),
        purpose=purpose,
        details={"members": len(members), "protected": bool(protected), "channel": channel},
    )
    return protected
