"""学齢 (学校教育法第17条): who is of school age, in which grade, entering when."""

from __future__ import annotations

from datetime import date

from jichi.common.ages import fiscal_year, school_entry

PRIMARY_GRADES = 6
GRADES = 9  # 学齢: primary 1–6, junior high 1–3 (ages 6–15)


def entry_births(entry_year: int) -> tuple[date, date]:
    """The birth dates (first, last) of the children who start school in April of
    ``entry_year``: 2 April seven years before to 1 April six years before."""
    return date(entry_year - 7, 4, 2), date(entry_year - 6, 4, 1)


def grade_on(birth: date, on: date) -> int:
    """The grade on ``on`` (1–9 while of school age, 0 before, above 9 after)."""
    return fiscal_year(on) - school_entry(birth).year + 1


def stage(grade: int) -> str:
    return "primary" if grade <= PRIMARY_GRADES else "junior"


def next_entry_year(on: date) -> int:
    """The April the next entrants start: next year's from April on (the list is made in
    the autumn and the 就学通知 sent by the end of January)."""
    return fiscal_year(on) + 1
