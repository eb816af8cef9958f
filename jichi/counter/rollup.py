"""The visit roll-up's arithmetic: time bins, folding a visit into a day's row, percentiles.

The dashboards never read the visits themselves (a year of a large city is
millions of rows) but :class:`~jichi.counter.models.VisitRollup`, one row per
municipality × day × procedure, kept by the queue services in the
transaction that closes a visit and rebuilt from the visits by
:func:`jichi.counter.services.rebuild_rollup`. Both go through :func:`fold`,
so that the two cannot disagree.

Waiting and processing times are counted in fixed bins, each holding the
whole seconds ``(lower, upper]``:

=================  =========  ==============================================
seconds            bin width  a percentile read off the bins is above the
                              exact one by
=================  =========  ==============================================
0                  (one bin)  0
1 – 600 (10 min)   5 s        0 to 4 s
601 – 1,800        10 s       0 to 9 s
1,801 – 3,600      30 s       0 to 29 s
3,601 – 86,400     60 s       0 to 59 s
over 86,400        (one bin)  read as 86,400 (a ticket left open overnight)
=================  =========  ==============================================

A percentile is the nearest rank (``percentile_disc``'s definition) counted
over the bins and read as the upper bound of the bin holding that rank: the
exact value lies in that bin, so the figure is never below it and at most the
bin's width − 1 second above (never flattering a service level). Counts,
sums, means, the 5-minute histograms and the breaches of a waiting target
in whole minutes are exact: every whole minute up to 24 hours is a bin
bound, and the 5-minute histogram is counted on its own.
"""

from __future__ import annotations

import bisect
import math
import operator
from datetime import datetime

from django.utils import timezone

from jichi.counter.models import VisitRollup, VisitStatus

# (the last second of the segment, the width of its bins)
SEGMENTS = ((600, 5), (1800, 10), (3600, 30), (86400, 60))
FIVE_MINUTES = 300
LAST_FIVE_MINUTE_BIN = 12  # 60 minutes and more
MEASURES = ("wait", "process")  # field prefixes of VisitRollup


def _upper_bounds() -> list[int]:
    bounds, low = [0], 0
    for last, width in SEGMENTS:
        bounds += range(low + width, last + 1, width)
        low = last
    return bounds


UPPER = _upper_bounds()  # UPPER[b]: the largest value of bin b (bin 0 holds 0 only)
OVERFLOW = len(UPPER)  # the bin of everything over the last bound


def bin_of(seconds: int) -> int:
    """The bin holding ``seconds`` (negative values count as 0)."""
    return bisect.bisect_left(UPPER, max(seconds, 0))


def upper_bound(index: int) -> int:
    """The largest whole second of bin ``index`` (the overflow bin reads as the last bound)."""
    return UPPER[min(index, OVERFLOW - 1)]


def width(index: int) -> int:
    """How many whole seconds bin ``index`` holds (the overflow bin: unbounded, 0 here)."""
    if index == 0:
        return 1
    if index >= OVERFLOW:
        return 0
    return UPPER[index] - UPPER[index - 1]


def five_minute_bin(seconds: int) -> int:
    return min(max(seconds, 0) // FIVE_MINUTES, LAST_FIVE_MINUTE_BIN)


def _bump(counts: list[int], index: int) -> None:
    if len(counts) <= index:
        counts.extend([0] * (index + 1 - len(counts)))
    counts[index] += 1


def add_into(total: list[int], counts: list[int]) -> list[int]:
    """``total`` + ``counts`` element by element (lists of any lengths); returns ``total``."""
    if len(total) < len(counts):
        total.extend([0] * (len(counts) - len(total)))
    total[: len(counts)] = map(operator.add, total, counts)
    return total


def _count(row, measure: str, seconds: int) -> None:
    setattr(row, f"{measure}_count", getattr(row, f"{measure}_count") + 1)
    setattr(row, f"{measure}_total", getattr(row, f"{measure}_total") + seconds)
    _bump(getattr(row, f"{measure}_bins"), bin_of(seconds))
    _bump(getattr(row, f"{measure}_5min"), five_minute_bin(seconds))


def fold(
    row,
    *,
    arrived_at: datetime,
    served: bool,
    wait_seconds: int | None,
    process_seconds: int | None,
) -> None:
    """Count one visit into ``row`` (a VisitRollup of the visit's day and procedure).

    ``served``: the visit was completed (a no-show or a ticket still open is a
    visit, not served). Waiting is counted when the visit was called,
    processing when it was completed.
    """
    row.visits += 1
    row.served += int(served)
    _bump(row.hourly, timezone.localtime(arrived_at).hour)
    if wait_seconds is not None:
        _count(row, "wait", wait_seconds)
    if process_seconds is not None:
        _count(row, "process", process_seconds)


def percentile(bins: list[int], count: int, fraction: float) -> int | None:
    """The nearest-rank percentile over ``bins`` (``count`` values), read as its bin's
    upper bound."""
    if not count:
        return None
    rank = max(1, math.ceil(fraction * count - 1e-9))  # as percentile_disc
    seen = 0
    for index, n in enumerate(bins):
        seen += n
        if seen >= rank:
            return upper_bound(index)
    return upper_bound(len(bins) - 1)


def above(bins: list[int], seconds: int) -> int:
    """How many values of ``bins`` exceed ``seconds`` (exact when ``seconds`` is a bound)."""
    return sum(bins[bin_of(seconds) + 1 :])


# what :func:`recount` reads of each visit, in this order
VISIT_COLUMNS = (
    "procedure_id",
    "service_date",
    "arrived_at",
    "status",
    "wait_seconds",
    "process_seconds",
)


def recount(visits, *, municipality_id: str = "") -> tuple[list[VisitRollup], int]:
    """Roll-up rows (unsaved VisitRollup) for ``visits`` (tuples of
    :data:`VISIT_COLUMNS`), one per day and procedure, and how many visits they count."""
    rows: dict[tuple, VisitRollup] = {}
    n = 0
    for procedure_id, day, arrived_at, status, wait, process in visits:
        row = rows.get((day, procedure_id))
        if row is None:
            row = rows[day, procedure_id] = VisitRollup(
                municipality_id=municipality_id, service_date=day, procedure_id=procedure_id
            )
        fold(
            row,
            arrived_at=arrived_at,
            served=status == VisitStatus.DONE,
            wait_seconds=wait,
            process_seconds=process,
        )
        n += 1
    return list(rows.values()), n
