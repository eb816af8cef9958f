"""Dashboards of counter operations, computed from the visit roll-up.

Per municipality (the scope) and procedure, over a range of days: volumes
per day and hour, online against counter applications and the online rate,
waiting and processing time distributions (p50/p90/p95 and a 5-minute
histogram), service-level breaches (waiting over a target) and the busiest
weekday × hour cells.

Every figure is read off :class:`~jichi.counter.models.VisitRollup` (one row
per day and procedure, kept as visits close: at most 366 × procedures rows
for a query, however many visits), plus the tickets of the period not closed
yet, folded in the same way (a few rows, through a partial index). Counts,
means, histograms and breaches are exact; percentiles come from the roll-up's
fixed bins and are at most one bin width − 1 s above the exact nearest rank
(:mod:`jichi.counter.rollup`). The online and counter applications come from
the procedures app's selector ``submitted_per_day``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from jichi.counter import rollup
from jichi.counter.models import OPEN, Visit, VisitRollup
from jichi.procedures.selectors import submitted_per_day

PERCENTILES = (0.5, 0.9, 0.95)
BUCKET_SECONDS = rollup.FIVE_MINUTES  # histogram bins of 5 minutes
LAST_BUCKET = rollup.LAST_FIVE_MINUTE_BIN  # 60 minutes and more in one bin
MEASURES = {"wait_seconds": "wait", "process_seconds": "process"}  # VisitRollup's prefixes
DEFAULT_TARGET_MINUTES = 30
ALL = ""  # the key of the all-procedures row


@dataclass(frozen=True)
class Query:
    date_from: date
    date_to: date
    procedure_id: str = ""
    target_minutes: int = DEFAULT_TARGET_MINUTES


@dataclass
class Dashboard:
    query: Query
    volumes: list[dict]  # day, procedure_id, visits, served, online, counter, online_rate
    hours: list[dict]  # hour, visits
    waiting: dict[str, dict]  # procedure_id (ALL for all) -> count, mean, p50, p90, p95
    processing: dict[str, dict]
    histogram: dict[str, list[int]]  # "waiting"/"processing" -> counts per 5-minute bin
    breaches: list[dict]  # procedure_id, measured, breaches, rate
    busiest: list[list[int]]  # [weekday 1..7 - 1][hour 0..23] -> visits


def rows(query: Query) -> list:
    """The roll-up rows of the period (and procedure), as named tuples of VisitRollup's
    columns, and rows (unsaved VisitRollup) counting the tickets of the period that are
    not closed yet. Two rows may share a day and procedure: every figure sums them."""
    period = {"service_date__gte": query.date_from, "service_date__lte": query.date_to}
    if query.procedure_id:
        period["procedure_id"] = query.procedure_id
    fields = ("service_date", "procedure_id", *VisitRollup.COUNTED)
    stored = list(VisitRollup.objects.filter(**period).values_list(*fields, named=True))
    still_open = Visit.objects.filter(status__in=OPEN, **period)
    live, _ = rollup.recount(still_open.values_list(*rollup.VISIT_COLUMNS))
    return stored + live


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def volumes(query: Query, counted: list | None = None) -> list[dict]:
    """Per day and procedure: counter visits (served: completed), applications submitted
    online and at the counter, and the online rate = online ÷ (online + counter volume),
    the counter volume being the larger of the counter applications and the served
    visits (a visit through 書かない窓口 is both; one that leaves no application only
    a visit)."""
    out: dict[tuple, dict] = {}

    def cell(day, procedure_id) -> dict:
        return out.setdefault(
            (day, procedure_id),
            {
                "day": day,
                "procedure_id": procedure_id,
                "visits": 0,
                "served": 0,
                "online": 0,
                "counter": 0,
            },
        )

    for row in rows(query) if counted is None else counted:
        r = cell(row.service_date, row.procedure_id)
        r["visits"] += row.visits
        r["served"] += row.served
    for a in submitted_per_day(query.date_from, query.date_to, query.procedure_id or None):
        r = cell(a["day"], a["procedure_id"])
        r["online"] += a["online"]
        r["counter"] += a["counter"]
    for r in out.values():
        r["online_rate"] = _rate(r["online"], r["online"] + max(r["counter"], r["served"]))
    return sorted(out.values(), key=lambda r: (r["day"], r["procedure_id"]))


def hours(query: Query, counted: list | None = None) -> list[dict]:
    """Visits per local hour of arrival."""
    total: list[int] = []
    for row in rows(query) if counted is None else counted:
        rollup.add_into(total, row.hourly)
    total += [0] * (24 - len(total))
    return [{"hour": hour, "visits": total[hour]} for hour in range(24)]


def busiest(query: Query, counted: list | None = None) -> list[list[int]]:
    """Visits per ISO weekday (Monday first) × hour of arrival."""
    grid = [[0] * 24 for _ in range(7)]
    for row in rows(query) if counted is None else counted:
        rollup.add_into(grid[row.service_date.isoweekday() - 1], row.hourly)
    return grid


def _summary(count: int, total: int, bins: list[int]) -> dict:
    out = {"count": count, "mean": round(total / count, 1) if count else None}
    out.update({f"p{round(p * 100)}": rollup.percentile(bins, count, p) for p in PERCENTILES})
    return out


def _per_procedure(counted: list, measure: str) -> dict[str, list]:
    """procedure_id -> [count, total seconds, bins] of ``measure`` (``wait``/``process``)."""
    per: dict[str, list] = {}
    for row in counted:
        n = getattr(row, f"{measure}_count")
        if not n:
            continue
        figures = per.setdefault(row.procedure_id, [0, 0, []])
        figures[0] += n
        figures[1] += getattr(row, f"{measure}_total")
        rollup.add_into(figures[2], getattr(row, f"{measure}_bins"))
    return per


def distribution(query: Query, name: str, counted: list | None = None) -> dict[str, dict]:
    """count, mean, p50, p90, p95 of ``wait_seconds`` or ``process_seconds`` per procedure
    (and for all under :data:`ALL`)."""
    per = _per_procedure(rows(query) if counted is None else counted, MEASURES[name])
    everything = [0, 0, []]
    for count, total, bins in per.values():
        everything[0] += count
        everything[1] += total
        rollup.add_into(everything[2], bins)
    result = {procedure_id: _summary(*figures) for procedure_id, figures in per.items()}
    result[ALL] = _summary(*everything)
    return result


def histogram(query: Query, name: str, counted: list | None = None) -> list[int]:
    """Counts per 5-minute bin (the last bin holds 60 minutes and more)."""
    bins = [0] * (LAST_BUCKET + 1)
    field = f"{MEASURES[name]}_5min"
    for row in rows(query) if counted is None else counted:
        rollup.add_into(bins, getattr(row, field))
    return bins


def breaches(query: Query, counted: list | None = None) -> list[dict]:
    """Per procedure: visits whose waiting exceeded the target (and all of them)."""
    per = _per_procedure(rows(query) if counted is None else counted, "wait")
    target = query.target_minutes * 60
    out = []
    for procedure_id, (measured, _, bins) in sorted(per.items()):
        over = rollup.above(bins, target)
        out.append(
            {
                "procedure_id": procedure_id,
                "measured": measured,
                "breaches": over,
                "rate": _rate(over, measured),
            }
        )
    return out


def dashboard(query: Query) -> Dashboard:
    """Every figure of the dashboard for ``query`` in the municipality in scope."""
    counted = rows(query)
    return Dashboard(
        query=query,
        volumes=volumes(query, counted),
        hours=hours(query, counted),
        waiting=distribution(query, "wait_seconds", counted),
        processing=distribution(query, "process_seconds", counted),
        histogram={
            "waiting": histogram(query, "wait_seconds", counted),
            "processing": histogram(query, "process_seconds", counted),
        },
        breaches=breaches(query, counted),
        busiest=busiest(query, counted),
    )
