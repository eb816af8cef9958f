"""Ages as the law counts them (年齢計算ニ関スル法律, 民法第143条).

A person attains an age at the end of the day before the anniversary of their
birth: someone born on 2 April 2008 is 18 from 1 April 2026. Born on 29
February, they attain it on 28 February of a common year (the anniversary does
not exist, so the period ends with the month). Every rule of the derived
businesses counts from :func:`attains`:

- 選挙権: 18 on the day of the election (born up to the day after it, 18 years before);
- 就学: school starts on the first 1 April after the day following the 6th
  birthday's eve, so children born 2 April to 1 April the next year share a grade;
- 児童手当: up to the first 31 March on or after attaining 18.
"""

from __future__ import annotations

from datetime import date, timedelta


def anniversary(birth: date, years: int) -> date:
    """The ``years``-th anniversary; 1 March for a 29 February in a common year."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:
        return date(birth.year + years, 3, 1)


def attains(birth: date, age: int) -> date:
    """The day a person born on ``birth`` attains ``age``."""
    return anniversary(birth, age) - timedelta(days=1)


def age_on(birth: date, on: date) -> int:
    """The age on ``on`` (0 before the first birthday's eve; negative if not yet born)."""
    if on < birth:
        return -1
    age = on.year - birth.year
    while age > 0 and attains(birth, age) > on:
        age -= 1
    while attains(birth, age + 1) <= on:
        age += 1
    return age


def born_by_for_age(on: date, age: int) -> date:
    """The latest birth date of the people who are at least ``age`` on ``on`` (for SQL).

    ``attains(b, age) <= on`` holds exactly when ``b`` is on or before the day after
    ``on``, ``age`` years earlier (28 February when that day is a 29th that
    year lacks).
    """
    day = on + timedelta(days=1)
    try:
        return day.replace(year=day.year - age)
    except ValueError:
        return date(day.year - age, 2, 28)


def school_entry(birth: date) -> date:
    """The 1 April a child born on ``birth`` starts primary school (学校教育法第17条)."""
    after = attains(birth, 6) + timedelta(days=1)
    entry = date(after.year, 4, 1)
    return entry if entry >= after else date(after.year + 1, 4, 1)


def fiscal_year(on: date) -> int:
    """The 年度 of a day (April to March), by the year it starts in."""
    return on.year if on.month >= 4 else on.year - 1


def march_after_attaining(birth: date, age: int) -> date:
    """The first 31 March on or after the day ``age`` is attained."""
    reached = attains(birth, age)
    end = date(reached.year, 3, 31)
    return end if end >= reached else date(reached.year + 1, 3, 31)
