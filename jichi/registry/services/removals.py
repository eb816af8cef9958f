"""消除: persons who leave the register (転出, 国外転出, 死亡, 職権消除).

Their record stays as a 除票: searchable and certifiable, with its household as
it was. When the head leaves and one member remains, that member becomes the
head in the same movement; with two or more remaining, a 世帯主変更 comes first.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction

from jichi.common.checkdigits import normalize_digits
from jichi.common.errors import RuleViolation
from jichi.registry import timeline
from jichi.registry.codes import Reason, ResidentStatus
from jichi.registry.models import Movement, Person, PersonVersion
from jichi.registry.schemas import DeathIn, DepartureIn
from jichi.registry.services._common import (
    HEAD,
    LATE_AFTER_DAYS,
    check_household,
    check_notice_dates,
    close_movement,
    members_on,
    open_movement,
    person_by_number,
)
from jichi.tenancy.models import Municipality
from jichi.tenancy.principals import Actor

STATUS_OF = {
    Reason.MOVE_OUT: ResidentStatus.MOVED_OUT,
    Reason.MOVE_OUT_ABROAD: ResidentStatus.MOVED_OUT,
    Reason.DEATH: ResidentStatus.DECEASED,
    Reason.REMOVE_EX_OFFICIO: ResidentStatus.REMOVED,
}


def leavers(
    numbers: list[str], on: date, field: str = "persons", *, indexed: bool = True
) -> list[tuple[Person, PersonVersion]]:
    """The persons named, each a resident whose latest version is not after ``on``.

    Errors name ``field.<i>`` for a list of numbers, ``field`` for a single one.
    """
    found = []
    latest = timeline.latest_of_numbers([normalize_digits(n or "") for n in numbers])
    for i, number in enumerate(numbers):
        where = f"{field}.{i}" if indexed else field
        version = latest.get(normalize_digits(number or "")) or timeline.latest(
            person_by_number(number, where)  # not found: its error names the field
        )
        timeline.require_resident(version, where)
        timeline.require_in_order(version, on)
        found.append((version.person, version))
    if len({p.id for p, _ in found}) != len(found):
        raise RuleViolation(
            "persons.duplicate",
            "同じ人が二度指定されています。",
            "The same person is listed twice.",
            field,
        )
    return found


def successor_of_head(leaving: list[tuple[Person, PersonVersion]], on: date) -> list[PersonVersion]:
    """Remaining members who must become head (at most one) when heads leave."""
    successors = []
    leaving_ids = {p.id for p, _ in leaving}
    for household in {v.household for _, v in leaving if v.is_head and v.household}:
        remaining = [m for m in members_on(household, on) if m.person_id not in leaving_ids]
        if len(remaining) == 1:
            successors.append(remaining[0])
        elif remaining:
            raise RuleViolation(
                "household.head_leaving",
                f"世帯主が抜けると世帯 {household.number} に{len(remaining)}人が残ります。"
                "先に世帯主変更を記録してください。",
                f"The head leaves household {household.number} with {len(remaining)} "
                "members: record the change of head first.",
                "persons",
                status=409,
            )
    return successors


def _departure(
    municipality: Municipality,
    actor: Actor,
    reason: Reason,
    numbers: list[str],
    notice,
    *,
    future_days: int = 0,
    changes: dict | None = None,
    late_after_days: int | None = LATE_AFTER_DAYS,
    field: str = "persons",
) -> Movement:
    notified = check_notice_dates(notice, future_days=future_days)
    if reason == Reason.DEATH:  # before the order check: a death before birth is its own error
        for number in numbers:
            version = timeline.latest(person_by_number(number, field))
            if notice.effective_on < version.birth_date:
                raise RuleViolation(
                    "effective_on.before_birth",
                    "死亡日が生年月日より前です。",
                    "The date of death is before the date of birth.",
                    "effective_on",
                )
    leaving = leavers(numbers, notice.effective_on, field, indexed=field == "persons")
    successors = successor_of_head(leaving, notice.effective_on)
    movement = open_movement(
        municipality=municipality,
        actor=actor,
        reason=reason,
        notice=notice,
        notified_on=notified,
        late_after_days=late_after_days,
    )
    leave = {"status": STATUS_OF[reason], **(changes or {})}
    timeline.change_many(
        movement,
        [(person, leave) for person, _ in leaving]
        + [(v.person, {"is_head": True, "relationship": HEAD}) for v in successors],
    )
    subjects = [(person, version.household, None) for person, version in leaving]
    subjects += [(v.person, v.household, v.household) for v in successors]
    for household in {v.household for _, v in leaving if v.household}:
        check_household(household, notice.effective_on)
    return close_movement(movement, actor, subjects)


@transaction.atomic
def record_move_out(*, municipality: Municipality, actor: Actor, notice: DepartureIn) -> Movement:
    """転出: persons moving to another municipality; 異動日 is the planned day, which may
    be up to ``JICHI_MOVE_OUT_ADVANCE_DAYS`` ahead."""
    return _departure(
        municipality,
        actor,
        Reason.MOVE_OUT,
        notice.persons,
        notice,
        future_days=settings.JICHI_MOVE_OUT_ADVANCE_DAYS,
        changes={
            "destination_address": notice.destination_address.strip(),
            "planned_move_out_on": notice.effective_on,
        },
    )


@transaction.atomic
def record_move_out_abroad(
    *, municipality: Municipality, actor: Actor, notice: DepartureIn
) -> Movement:
    """国外転出: persons moving abroad."""
    return _departure(
        municipality,
        actor,
        Reason.MOVE_OUT_ABROAD,
        notice.persons,
        notice,
        future_days=settings.JICHI_MOVE_OUT_ADVANCE_DAYS,
        changes={
            "destination_address": notice.destination_address.strip(),
            "planned_move_out_on": notice.effective_on,
        },
    )


@transaction.atomic
def record_death(*, municipality: Municipality, actor: Actor, notice: DeathIn) -> Movement:
    """死亡: 異動日 is the date of death (notified within 7 days, else flagged late)."""
    return _departure(
        municipality,
        actor,
        Reason.DEATH,
        [notice.person],
        notice,
        late_after_days=7,
        field="person",
    )


@transaction.atomic
def remove_by_authority(
    *, municipality: Municipality, actor: Actor, notice: DepartureIn
) -> Movement:
    """職権消除: the office removes persons no longer living here (also 失踪宣告)."""
    if not notice.note.strip():
        raise RuleViolation(
            "note.required",
            "職権消除の理由を留意事項に記入してください。",
            "State the reason for the removal in the note.",
            "note",
        )
    return _departure(
        municipality, actor, Reason.REMOVE_EX_OFFICIO, notice.persons, notice, late_after_days=None
    )
