"""Dashboards of counter operations, computed in the database (GROUP BY).

Per municipality (the scope) and procedure, over a range of days: volumes
per day and hour, the online rate when online counts are given, waiting and
processing time distributions (p50/p90/p95 and a 5-minute histogram),
service-level breaches (waiting over a target) and the busiest weekday × hour
cells. Only aggregates leave the database: on PostgreSQL the percentiles are
``percentile_disc``; on SQLite (no percentile function) the database returns a
count per distinct second and the nearest-rank percentile is read off it —
the same definition as ``percentile_disc``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import Aggregate, Avg, Count, F, FloatField, Q, QuerySet
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay

from jichi.counter.models import Visit, VisitStatus

PERCENTILES = (0.5, 0.9, 0.95)
BUCKET_SECONDS = 300  # histogram bins of 5 minutes
LAST_BUCKET = 12  # 60 minutes and more in one bin
DEFAULT_TARGET_MINUTES = 30
ALL = ""  # the key of the all-procedures row


class PercentileDisc(Aggregate):
    """PostgreSQL's ``percentile_disc(ARRAY[…]) WITHIN GROUP (ORDER BY …)``."""

    function = "percentile_disc"
    template = "%(function)s(ARRAY[%(fractions)s]) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()  # read as a list; the field is never used to convert

    def __init__(self, expression, fractions, **extra):
        super().__init__(expression, fractions=", ".join(str(f) for f in fractions), **extra)

    def convert_value(self, value, expression, connection):
        return value

    def get_db_converters(self, connection):
        return []


@dataclass(frozen=True)
class Query:
    date_from: date
    date_to: date
    procedure_id: str = ""
    target_minutes: int = DEFAULT_TARGET_MINUTES
    online: dict[tuple[str, date], int] = field(default_factory=dict)  # (procedure, day) -> n


@dataclass
class Dashboard:
    query: Query
    volumes: list[dict]  # day, procedure_id, visits, served, online, online_rate
    hours: list[dict]  # hour, visits
    waiting: dict[str, dict]  # procedure_id (ALL for all) -> count, mean, p50, p90, p95
    processing: dict[str, dict]
    histogram: dict[str, list[int]]  # "waiting"/"processing" -> counts per 5-minute bin
    breaches: list[dict]  # procedure_id, measured, breaches, rate
    busiest: list[list[int]]  # [weekday 1..7 - 1][hour 0..23] -> visits


def visits(query: Query) -> QuerySet[Visit]:
    queryset = Visit.objects.filter(
        service_date__gte=query.date_from, service_date__lte=query.date_to
    ).exclude(status=VisitStatus.CANCELLED)
    if query.procedure_id:
        queryset = queryset.filter(procedure_id=query.procedure_id)
    return queryset


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def volumes(query: Query) -> list[dict]:
    """Visits per day and procedure, with the online count and rate when given."""
    rows = (
        visits(query)
        .values("service_date", "procedure_id")
        .annotate(visits=Count("id"), served=Count("id", filter=Q(status=VisitStatus.DONE)))
        .order_by("service_date", "procedure_id")
    )
    out = {}
    for row in rows:
        key = (row["procedure_id"], row["service_date"])
        out[key] = {
            "day": row["service_date"],
            "procedure_id": row["procedure_id"],
            "visits": row["visits"],
            "served": row["served"],
        }
    for (procedure_id, day), online in query.online.items():
        if query.procedure_id and procedure_id != query.procedure_id:
            continue
        if query.date_from <= day <= query.date_to:
            key = (procedure_id, day)
            out.setdefault(
                key, {"day": day, "procedure_id": procedure_id, "visits": 0, "served": 0}
            )["online"] = online
    for row in out.values():
        if "online" in row:
            row["online_rate"] = _rate(row["online"], row["online"] + row["visits"])
    return sorted(out.values(), key=lambda r: (r["day"], r["procedure_id"]))


def hours(query: Query) -> list[dict]:
    rows = visits(query).annotate(hour=ExtractHour("arrived_at")).values("hour")
    counts = {r["hour"]: r["n"] for r in rows.annotate(n=Count("id")).order_by("hour")}
    return [{"hour": hour, "visits": counts.get(hour, 0)} for hour in range(24)]


def busiest(query: Query) -> list[list[int]]:
    """Visits per ISO weekday (Monday first) × hour of arrival."""
    grid = [[0] * 24 for _ in range(7)]
    rows = (
        visits(query)
        .annotate(weekday=ExtractIsoWeekDay("arrived_at"), hour=ExtractHour("arrived_at"))
        .values("weekday", "hour")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        grid[row["weekday"] - 1][row["hour"]] = row["n"]
    return grid


def nearest_rank(counts: list[tuple[int, int]], fraction: float) -> int | None:
    """The smallest value whose cumulative count reaches ``fraction`` of all (value, n) pairs
    sorted by value: ``percentile_disc``'s definition."""
    total = sum(n for _, n in counts)
    if not total:
        return None
    rank, seen = max(1, math.ceil(fraction * total - 1e-9)), 0
    for value, n in counts:
        seen += n
        if seen >= rank:
            return value
    return counts[-1][0]


def _summary(count: int, mean, values: list) -> dict:
    out = {"count": count, "mean": round(mean, 1) if mean is not None else None}
    out.update({f"p{round(p * 100)}": v for p, v in zip(PERCENTILES, values, strict=True)})
    return out


def _distribution_pg(queryset, name: str) -> dict[str, dict]:
    aggregates = {"n": Count(name), "mean": Avg(name), "ps": PercentileDisc(F(name), PERCENTILES)}
    result = {}
    for row in queryset.values("procedure_id").annotate(**aggregates).order_by():
        result[row["procedure_id"]] = _summary(row["n"], row["mean"], row["ps"] or [None] * 3)
    total = queryset.aggregate(**aggregates)
    result[ALL] = _summary(total["n"], total["mean"], total["ps"] or [None] * 3)
    return result


def _distribution_counted(queryset, name: str) -> dict[str, dict]:
    rows = (
        queryset.filter(**{f"{name}__isnull": False})
        .values("procedure_id", name)
        .annotate(n=Count("id"))
        .order_by("procedure_id", name)
    )
    per: dict[str, list[tuple[int, int]]] = defaultdict(list)
    everything: dict[int, int] = defaultdict(int)
    for row in rows:
        per[row["procedure_id"]].append((row[name], row["n"]))
        everything[row[name]] += row["n"]
    per[ALL] = sorted(everything.items())
    result = {}
    for procedure_id, counts in per.items():
        total = sum(n for _, n in counts)
        mean = sum(v * n for v, n in counts) / total if total else None
        result[procedure_id] = _summary(total, mean, [nearest_rank(counts, p) for p in PERCENTILES])
    return result


def distribution(query: Query, name: str) -> dict[str, dict]:
    """count, mean, p50, p90, p95 of ``wait_seconds`` or ``process_seconds`` per procedure."""
    queryset = visits(query)
    if connection.vendor == "postgresql":
        return _distribution_pg(queryset, name)
    return _distribution_counted(queryset, name)


def histogram(query: Query, name: str) -> list[int]:
    """Counts per 5-minute bin (the last bin holds 60 minutes and more)."""
    bins = [0] * (LAST_BUCKET + 1)
    rows = (
        visits(query)
        .filter(**{f"{name}__isnull": False})
        .annotate(bucket=F(name) / BUCKET_SECONDS)
        .values("bucket")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        bins[min(int(row["bucket"]), LAST_BUCKET)] += row["n"]
    return bins


def breaches(query: Query) -> list[dict]:
    """Per procedure: visits whose waiting exceeded the target (and all of them)."""
    target = query.target_minutes * 60
    rows = (
        visits(query)
        .filter(wait_seconds__isnull=False)
        .values("procedure_id")
        .annotate(measured=Count("id"), breaches=Count("id", filter=Q(wait_seconds__gt=target)))
        .order_by("procedure_id")
    )
    return [{**row, "rate": _rate(row["breaches"], row["measured"])} for row in rows]


def dashboard(query: Query) -> Dashboard:
    """Every figure of the dashboard for ``query`` in the municipality in scope."""
    return Dashboard(
        query=query,
        volumes=volumes(query),
        hours=hours(query),
        waiting=distribution(query, "wait_seconds"),
        processing=distribution(query, "process_seconds"),
        histogram={
            "waiting": histogram(query, "wait_seconds"),
            "processing": histogram(query, "process_seconds"),
        },
        breaches=breaches(query),
        busiest=busiest(query),
    )
