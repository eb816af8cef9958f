"""Reads of 就学: schools, the 学齢簿, the entrants of an April, the notices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from jichi.benefits.schooling import rules
from jichi.benefits.schooling.models import EntryNotice, School, SchoolKind
from jichi.common.ages import fiscal_year
from jichi.common.errors import not_found
from jichi.common.ids import parse_id
from jichi.registry import selectors as registry
from jichi.registry.selectors import ResidentRow


def schools() -> list[School]:
    return list(School.objects.order_by("kind", "code"))


def school_by_town(kind: str) -> dict[str, School]:
    return {town: s for s in School.objects.filter(kind=kind) for town in s.towns}


@dataclass(frozen=True)
class Pupil:
    """One line of the 学齢簿."""

    row: ResidentRow
    grade: int  # 1–9
    school: School | None  # by the 通学区域 of the child's 町字

    @property
    def stage(self) -> str:
        return rules.stage(self.grade)

    @property
    def grade_in_stage(self) -> int:
        return (
            self.grade
            if self.grade <= rules.PRIMARY_GRADES
            else (self.grade - rules.PRIMARY_GRADES)
        )


def school_age_register(on: date) -> list[Pupil]:
    """学齢簿 on ``on``: the residents of school age (primary 1 to junior high 3)."""
    year = fiscal_year(on)
    first, _ = rules.entry_births(year - rules.GRADES + 1)
    _, last = rules.entry_births(year)
    by_kind = {kind: school_by_town(kind) for kind in SchoolKind.values}
    pupils = []
    for row in registry.resident_rows(on, born_after=first - timedelta(days=1),
                                      born_on_or_before=last):  # fmt: skip
        grade = rules.grade_on(row.birth_date, on)
        if 1 <= grade <= rules.GRADES:
            school = by_kind[rules.stage(grade)].get(row.town_code)
            pupils.append(Pupil(row, grade, school))
    return pupils


def entrants(entry_year: int, on: date) -> list[tuple[ResidentRow, School | None]]:
    """The residents on ``on`` who start primary school in April of ``entry_year``."""
    first, last = rules.entry_births(entry_year)
    schools_of = school_by_town(SchoolKind.PRIMARY)
    rows = registry.resident_rows(on, born_after=first - timedelta(days=1),
                                  born_on_or_before=last)  # fmt: skip
    return [(row, schools_of.get(row.town_code)) for row in rows]


def guardian_of(row: ResidentRow, on: date) -> str:
    """保護者 for the notice: the head of the child's household (the child if none)."""
    if row.household is None:
        return row.full_name
    members = registry.household_members(registry.household(row.household), on)
    heads = [m for m in members if m.is_head and m.person.number != row.number]
    return heads[0].full_name if heads else row.full_name


def notices(entry_year: int | None = None):
    found = EntryNotice.objects.select_related("school").order_by("entry_year", "number")
    return found.filter(entry_year=entry_year) if entry_year else found


def notice(notice_id) -> EntryNotice:
    found = notices().filter(id=parse_id(notice_id, "notice", "就学通知")).first()
    if found is None:
        raise not_found("notice", "就学通知")
    return found
