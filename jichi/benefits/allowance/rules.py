"""児童手当 from October 2024 (児童手当法, as amended in 2024), as pure functions.

- A child is paid for up to the month of the first 31 March on or after they
  attain 18 (18歳到達後最初の年度末).
- Monthly: ¥15,000 until the month they attain 3, then ¥10,000; ¥30,000 for the
  third and later child, counting in birth order the children up to the March
  after they attain 22 (those of 19–22 count, they are not paid).
- Payment starts the month after the 認定請求, or the month after the birth or
  move-in when the claim came within 15 days of it (15日特例); it ends with the
  month the entitlement ends in (転出, death …).
- Payments are made in even months for the two months before (February pays
  December and January).
"""

from __future__ import annotations

from datetime import date, timedelta

from jichi.common.ages import attains, march_after_attaining

UNDER_THREE, STANDARD, THIRD_CHILD = 15_000, 10_000, 30_000
PAID_UNTIL_AGE, COUNTED_UNTIL_AGE = 18, 22
GRACE_DAYS = 15


def month_of(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def start_month(claimed_on: date, event_on: date | None = None) -> date:
    """The first month paid: after the claim, or after the event when within 15 days."""
    if event_on is not None and timedelta(0) <= claimed_on - event_on <= timedelta(GRACE_DAYS):
        return add_months(month_of(event_on), 1)
    return add_months(month_of(claimed_on), 1)


def paid_in(birth: date, month: date) -> bool:
    """The child is of the age that is paid in ``month`` (born by then, not past 18's March)."""
    return month_of(birth) <= month <= month_of(march_after_attaining(birth, PAID_UNTIL_AGE))


def counted_in(birth: date, month: date) -> bool:
    """The child counts in the birth order in ``month`` (up to 22's March)."""
    return month_of(birth) <= month <= month_of(march_after_attaining(birth, COUNTED_UNTIL_AGE))


def monthly_amounts(births: dict[str, date], month: date) -> dict[str, int]:
    """What each child (宛名番号 → birth date) brings in ``month``; unpaid ones absent."""
    counted = sorted((b, n) for n, b in births.items() if counted_in(b, month))
    amounts = {}
    for rank, (birth, number) in enumerate(counted, start=1):
        if not paid_in(birth, month):
            continue
        if rank >= 3:
            amounts[number] = THIRD_CHILD
        elif month <= month_of(attains(birth, 3)):
            amounts[number] = UNDER_THREE
        else:
            amounts[number] = STANDARD
    return amounts


def is_pay_month(month: date) -> bool:
    return month.day == 1 and month.month % 2 == 0


def covered_months(pay_month: date) -> list[date]:
    """The two months an even month pays for."""
    return [add_months(pay_month, -2), add_months(pay_month, -1)]
