"""The rules of the roll (公職選挙法 第9条, 第21条, 第22条, 第28条), as pure functions."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from jichi.common.ages import attains
from jichi.common.errors import RuleViolation

VOTING_AGE = 18
RESIDENCE_MONTHS = 3  # 引き続き3箇月以上 住民基本台帳に記録
REMOVAL_MONTHS = 4  # 転出表示 then 抹消 4 months after the move
PERIODIC_MONTHS = (3, 6, 9, 12)  # 定時登録: the 1st of these months is the 基準日


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day if it is shorter)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def of_age(birth: date, on: date) -> bool:
    return attains(birth, VOTING_AGE) <= on


def resident_long_enough(since: date, on: date) -> bool:
    return add_months(since, RESIDENCE_MONTHS) <= on


def resident_since_cutoff(on: date) -> date:
    """The latest 住民となった日 that gives 3 months of residence by ``on`` (for SQL)."""
    day = add_months(on, -RESIDENCE_MONTHS)  # long enough: clamping only moves it earlier
    while resident_long_enough(day + timedelta(days=1), on):
        day += timedelta(days=1)  # 30 June: since 31 March counts (3 months end 30 June)
    return day


def removal_due(moved_out_on: date, on: date) -> bool:
    return add_months(moved_out_on, REMOVAL_MONTHS) <= on


def check_reference_date(kind: str, on: date, today: date) -> None:
    if on > today:
        raise RuleViolation(
            "reference_date.future",
            "基準日に未来の日付は指定できません。",
            "The reference date cannot be in the future.",
            "reference_date",
        )
    if kind == "periodic" and (on.day != 1 or on.month not in PERIODIC_MONTHS):
        raise RuleViolation(
            "reference_date.periodic",
            "定時登録の基準日は3月・6月・9月・12月の1日です。",
            "A periodic registration's reference date is the 1st of March, June, September "
            "or December.",
            "reference_date",
        )
