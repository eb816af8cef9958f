"""記載: persons who appear in the register (転入, 国外転入, 出生, 職権記載 …)."""

from __future__ import annotations

from django.db import transaction

from jichi.common.errors import ErrorCollector, RuleViolation
from jichi.registry import timeline
from jichi.registry.codes import Reason, ResidentKind, ResidentStatus
from jichi.registry.models import Movement
from jichi.registry.schemas import ArrivalIn, BirthIn
from jichi.registry.services._common import (
    HEAD,
    LATE_AFTER_DAYS,
    address_items,
    check_household,
    check_none_registered,
    check_notice_dates,
    close_movement,
    household_by_number,
    members_on,
    new_household,
    new_person,
    new_persons,
    open_movement,
    person_items,
)
from jichi.tenancy.models import Municipality
from jichi.tenancy.principals import Actor

ARRIVALS = {
    Reason.MOVE_IN,
    Reason.MOVE_IN_FROM_ABROAD,
    Reason.RECORD_EX_OFFICIO,
    Reason.FOREIGN_RESIDENT_RECORDED,
}


def _arrival(
    municipality: Municipality, actor: Actor, reason: Reason, notice: ArrivalIn
) -> Movement:
    notified = check_notice_dates(notice)
    if notified < notice.effective_on and reason != Reason.RECORD_EX_OFFICIO:
        raise RuleViolation(
            "notified_on.before_move",
            "転入の届出日は異動日（転入した日）以降の日付です。",
            "A move-in is notified on or after the day of moving in.",
            "notified_on",
        )
    errors = ErrorCollector()
    address = address_items(municipality, notice.address)
    people = [
        person_items(municipality, p, f"persons.{i}", errors) for i, p in enumerate(notice.persons)
    ]
    errors.raise_if_any()
    if notice.household:
        household = household_by_number(notice.household)
        existing = members_on(household, notice.effective_on)
        if not existing:
            raise RuleViolation(
                "household.empty",
                "この世帯には住民がいません。",
                "This household has no residents.",
                "household",
                status=409,
            )
        address = {k: getattr(existing[0], k) for k in address}  # same dwelling
    else:
        household = new_household(municipality)
        heads = [i for i, p in enumerate(people) if p.get("relationship") == HEAD]
        if len(heads) != 1:
            raise RuleViolation(
                "household.head_count",
                "新しい世帯には世帯主（続柄「世帯主」）がちょうど1人必要です。",
                "A new household needs exactly one person with the relationship 世帯主.",
                "persons",
                status=422,
            )
    check_none_registered(people, [f"persons.{i}" for i in range(len(people))])
    late_after = None if reason == Reason.RECORD_EX_OFFICIO else LATE_AFTER_DAYS
    movement = open_movement(
        municipality=municipality,
        actor=actor,
        reason=reason,
        notice=notice,
        notified_on=notified,
        late_after_days=late_after,
    )
    persons = new_persons(municipality, len(people))
    records = []
    for person, items in zip(persons, people, strict=True):
        foreign = items["kind"] == ResidentKind.FOREIGN
        records.append(
            (
                person,
                {
                    **items,
                    **address,
                    "household": household,
                    "is_head": items["relationship"] == HEAD,
                    "status": ResidentStatus.RESIDENT,
                    "became_resident_on": notice.effective_on,
                    "address_since": notice.effective_on,
                    "became_foreign_resident_on": notice.effective_on if foreign else None,
                    "previous_address": notice.previous_address.strip(),
                },
            )
        )
    timeline.first_versions(records, movement)
    check_household(household, notice.effective_on)
    return close_movement(movement, actor, [(p, None, household) for p in persons])


@transaction.atomic
def record_move_in(*, municipality: Municipality, actor: Actor, notice: ArrivalIn) -> Movement:
    """転入: persons who moved here from another municipality in Japan."""
    return _arrival(municipality, actor, Reason.MOVE_IN, notice)


@transaction.atomic
def record_move_in_from_abroad(
    *, municipality: Municipality, actor: Actor, notice: ArrivalIn
) -> Movement:
    """国外転入: persons who came to live here from abroad."""
    return _arrival(municipality, actor, Reason.MOVE_IN_FROM_ABROAD, notice)


@transaction.atomic
def record_by_authority(*, municipality: Municipality, actor: Actor, notice: ArrivalIn) -> Movement:
    """職権記載: the office records persons it found living here unregistered."""
    return _arrival(municipality, actor, Reason.RECORD_EX_OFFICIO, notice)


@transaction.atomic
def record_foreign_resident(
    *, municipality: Municipality, actor: Actor, notice: ArrivalIn
) -> Movement:
    """法30条の46・47: a foreign national who became a resident here (e.g. a new 在留資格)."""
    for i, person in enumerate(notice.persons):
        if person.kind != ResidentKind.FOREIGN:
            raise RuleViolation(
                "kind.foreign_only",
                "この記載は外国人住民だけが対象です。",
                "This record applies to foreign residents only.",
                f"persons.{i}.kind",
                status=422,
            )
    return _arrival(municipality, actor, Reason.FOREIGN_RESIDENT_RECORDED, notice)


@transaction.atomic
def record_birth(*, municipality: Municipality, actor: Actor, notice: BirthIn) -> Movement:
    """出生: a child born to a household of the municipality."""
    notified = check_notice_dates(notice)
    household = household_by_number(notice.household)
    members = members_on(household, notice.effective_on)
    if not members:
        raise RuleViolation(
            "household.empty",
            "この世帯には住民がいません。",
            "This household has no residents.",
            "household",
            status=409,
        )
    errors = ErrorCollector()
    items = person_items(municipality, notice.child, "child", errors)
    errors.raise_if_any()
    if items["birth_date"] != notice.effective_on or items["birth_precision"] != "day":
        raise RuleViolation(
            "birth_date.mismatch",
            "出生の異動日は子の生年月日と同じ日です。",
            "The effective date of a birth is the child's birth date.",
            "child.birth_date",
        )
    if items["relationship"] == HEAD:
        raise RuleViolation(
            "relationship.head",
            "出生した子は世帯主になれません。",
            "A newborn cannot be the head of a household.",
            "child.relationship",
            status=422,
        )
    movement = open_movement(
        municipality=municipality,
        actor=actor,
        reason=Reason.BIRTH,
        notice=notice,
        notified_on=notified,
    )
    person = new_person(municipality)
    dwelling = members[0]
    timeline.first_version(
        person,
        movement,
        {
            **items,
            "household": household,
            "is_head": False,
            "status": ResidentStatus.RESIDENT,
            "town_code": dwelling.town_code,
            "town_name": dwelling.town_name,
            "block": dwelling.block,
            "building": dwelling.building,
            "postal_code": dwelling.postal_code,
            "became_resident_on": notice.effective_on,
            "address_since": notice.effective_on,
            "became_foreign_resident_on": (
                notice.effective_on if items["kind"] == ResidentKind.FOREIGN else None
            ),
        },
    )
    return close_movement(movement, actor, [(person, None, household)])
