"""書かない: what the register already knows for a procedure's questions.

:func:`prefill` reads the register only through :mod:`jichi.registry.selectors`
and returns, for each prefillable field, the value and where it came from;
:func:`remaining_fields` lists the questions still to ask.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from jichi.procedures.definitions import FieldSpec, Procedure
from jichi.registry import selectors
from jichi.registry.models import PersonVersion

CHILD_AGE = 18  # register:children_under_18: household members under 18 on the date


@dataclass(frozen=True)
class Prefilled:
    source: str
    value: object  # str, ISO date, or a list of 宛名番号
    labels: list[str] = field(default_factory=list)  # names for a persons list

    def as_dict(self) -> dict:
        data = {"source": self.source, "value": self.value}
        if self.labels:
            data["labels"] = self.labels
        return data


def age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def household_of(version: PersonVersion, on: date) -> list[PersonVersion]:
    """The household's resident members on ``on`` (the person alone without a household)."""
    if version.household is None:
        return [version]
    return selectors.household_members(version.household, on)


def _members(version: PersonVersion, on: date, children_only: bool) -> list[PersonVersion]:
    members = household_of(version, on)
    if children_only:
        return [
            m
            for m in members
            if m.person_id != version.person_id and age_on(m.birth_date, on) < CHILD_AGE
        ]
    return members


def _value(source: str, version: PersonVersion, on: date) -> Prefilled | None:
    simple = {
        "register:name": lambda: version.full_name,
        "register:name_kana": lambda: version.full_name_kana,
        "register:birth_date": lambda: version.birth_date.isoformat(),
        "register:sex": lambda: version.get_sex_display(),
        "register:address": lambda: f"{version.address} {version.building}".strip(),
        "register:postal_code": lambda: version.postal_code,
        "register:resident_number": lambda: version.person.number,
        "register:household_head": lambda: next(
            (m.full_name for m in household_of(version, on) if m.is_head), ""
        ),
    }
    if source in simple:
        value = simple[source]()
        return Prefilled(source, value) if value else None
    members = _members(version, on, children_only=source == "register:children_under_18")
    if not members:
        return None
    return Prefilled(source, [m.person.number for m in members], [m.full_name for m in members])


def prefill(
    procedure: Procedure, person_on_date: PersonVersion, on: date | None = None
) -> dict[str, Prefilled]:
    """Field name → the register's value and its source, for every field the register knows
    (household lists and ages as of ``on``, today by default)."""
    on = on or timezone.localdate()
    found: dict[str, Prefilled] = {}
    for spec in procedure.fields:
        if spec.prefill:
            value = _value(spec.prefill, person_on_date, on)
            if value is not None:
                found[spec.name] = value
    return found


def remaining_fields(procedure: Procedure, known: dict[str, Prefilled]) -> list[FieldSpec]:
    """The questions to ask: those whose answer the register does not give.

    A persons field stays (the resident picks among the offered people) unless
    the register offers exactly one person.
    """
    remaining = []
    for spec in procedure.fields:
        given = known.get(spec.name)
        if given is None or (spec.type == "persons" and len(given.value) > 1):
            remaining.append(spec)
    return remaining
