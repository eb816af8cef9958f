"""Legal ages: the day before the birthday, 29 February, school years, the March after."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jichi.common.ages import (
    age_on,
    attains,
    born_by_for_age,
    fiscal_year,
    march_after_attaining,
    school_entry,
)


def test_an_age_is_attained_on_the_day_before_the_birthday():
    assert attains(date(2008, 4, 2), 18) == date(2026, 4, 1)
    assert age_on(date(2008, 4, 2), date(2026, 3, 31)) == 17
    assert age_on(date(2008, 4, 2), date(2026, 4, 1)) == 18


def test_born_on_29_february_the_age_comes_on_28_february_of_a_common_year():
    assert attains(date(2008, 2, 29), 18) == date(2026, 2, 28)
    assert attains(date(2008, 2, 29), 16) == date(2024, 2, 28)  # 2024 is leap: the eve is the 28th


@pytest.mark.parametrize(
    "birth, entry",
    [
        (date(2020, 4, 1), date(2026, 4, 1)),  # 早生まれ: with the children born before
        (date(2020, 4, 2), date(2027, 4, 1)),
        (date(2019, 4, 2), date(2026, 4, 1)),
        (date(2020, 3, 31), date(2026, 4, 1)),
    ],
)
def test_school_starts_in_the_april_after_the_sixth_birthday_eve(birth, entry):
    assert school_entry(birth) == entry


def test_the_march_after_eighteen():
    assert march_after_attaining(date(2008, 4, 1), 18) == date(2026, 3, 31)
    assert march_after_attaining(date(2008, 4, 2), 18) == date(2027, 3, 31)
    assert march_after_attaining(date(2008, 3, 31), 18) == date(2026, 3, 31)


def test_fiscal_years_start_in_april():
    assert fiscal_year(date(2026, 3, 31)) == 2025 and fiscal_year(date(2026, 4, 1)) == 2026


@given(st.dates(date(1900, 1, 1), date(2030, 12, 31)), st.dates(date(1950, 1, 1), date(2060, 1, 1)))
def test_the_sql_bound_agrees_with_the_rule(birth, on):
    for age in (6, 18, 22):
        assert (birth <= born_by_for_age(on, age)) == (attains(birth, age) <= on)
        assert (age_on(birth, on) >= age) == (attains(birth, age) <= on) or on < birth


@given(st.dates(date(1900, 1, 1), date(2030, 12, 31)))
def test_age_grows_by_one_on_each_eve(birth):
    eve = attains(birth, 10)
    assert age_on(birth, eve - timedelta(days=1)) == 9 and age_on(birth, eve) == 10
