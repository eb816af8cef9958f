"""Process mining of applications: the paths through the workflow, how often, how long.

For the applications of the municipality in scope submitted in a period
(local days, optionally of one procedure):

- **variants**: each distinct sequence of states an application went through
  from its submission (``submitted → in_review → info_requested → in_review →
  approved → completed``), with its count, share and the median and p90 of its
  total duration (submission to the last state change);
- the **directly-follows graph**: from-state → to-state edges, with the count
  and the median and p90 time between entering the one and entering the other;
- per **state**, the median and p90 time spent in it (stays that ended);
- **rework**: how many applications had information requested (補正依頼), how
  many times each;
- **breaches**: the share of applications decided after their due date or
  still open past it (those waiting for the applicant excepted, as in the
  inbox); withdrawn applications are not measured.

Only states, counts and seconds leave this module: no ids, no personal data.
The history is read in one streamed pass over the state-changing transitions,
ordered by application and ``seq`` (the ``transition_seq`` index); the breach
figures are one aggregate in the database. Percentiles are nearest-rank (the
definition of PostgreSQL's ``percentile_disc``).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import CharField, Count, F, FloatField, Func, Q, QuerySet
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone

from jichi.common.errors import RuleViolation
from jichi.procedures import selectors
from jichi.procedures.models import Application, State, Transition

MAX_DAYS = 366
DEFAULT_DAYS = 90
CHUNK = 5_000
REWORK_STATE = State.INFO_REQUESTED


@dataclass(frozen=True)
class Query:
    date_from: date
    date_to: date
    procedure_id: str = ""


@dataclass
class Mining:
    query: Query
    applications: int
    variants: list[dict]  # states, count, share, median_seconds, p90_seconds
    edges: list[dict]  # from, to, count, median_seconds, p90_seconds
    states: list[dict]  # state, count, median_seconds, p90_seconds
    rework: dict  # applications, share, requests, per_application [{times, applications}]
    breaches: dict  # measured, breached, share


def default_query(today: date | None = None, procedure_id: str = "") -> Query:
    """The last ``DEFAULT_DAYS`` days up to today."""
    today = today or timezone.localdate()
    return Query(today - timedelta(days=DEFAULT_DAYS - 1), today, procedure_id)


def checked(query: Query) -> Query:
    """The query, or the rule it breaks (a period of at most 366 days, a known procedure)."""
    if query.date_to < query.date_from:
        raise RuleViolation(
            "to.before_from",
            "終了日は開始日以降にしてください。",
            "The end of the period is before its start.",
            "to",
        )
    if (query.date_to - query.date_from).days >= MAX_DAYS:
        raise RuleViolation(
            "to.too_far",
            f"期間は{MAX_DAYS}日以内にしてください。",
            f"The period is at most {MAX_DAYS} days.",
            "to",
        )
    if query.procedure_id:
        selectors.procedure(query.procedure_id)
    return query


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _chosen(query: Query, prefix: str = "") -> dict:
    """Submitted in the period (local days), of the procedure if given."""
    where = {
        f"{prefix}submitted_at__gte": _start_of(query.date_from),
        f"{prefix}submitted_at__lt": _start_of(query.date_to + timedelta(days=1)),
    }
    if query.procedure_id:
        where[f"{prefix}procedure_id"] = query.procedure_id
    return where


def applications(query: Query) -> QuerySet[Application]:
    """The applications submitted in the period (local days), of the procedure if given."""
    return Application.objects.filter(**_chosen(query))


class Epoch(Func):
    """Seconds since 1970 of a datetime column, as a float: no datetime object per row."""

    output_field = FloatField()
    template = "CAST(EXTRACT(EPOCH FROM %(expressions)s) AS double precision)"

    def as_sqlite(self, compiler, connection, **extra):
        # Django stores UTC text; julianday() reads it (2440587.5 is 1970-01-01 00:00 UTC).
        template = "((julianday(%(expressions)s) - 2440587.5) * 86400.0)"
        return self.as_sql(compiler, connection, template=template, **extra)


def _state_changes(query: Query):
    """(application, state entered, seconds since 1970) of every state change, by
    application and seq; the id comes as text and the time as a number (no conversions)."""
    rows = Transition.objects.filter(**_chosen(query, "application__"))
    return (
        rows.exclude(to_state=F("from_state"))
        .annotate(key=Cast("application_id", CharField()), epoch=Epoch("at"))
        .order_by("application_id", "seq")
        .values_list("key", "to_state", "epoch")
        .iterator(chunk_size=CHUNK)
    )


def nearest_rank(ordered: list[int], fraction: float) -> int | None:
    """The smallest of the sorted values with at least ``fraction`` of them at or below it."""
    if not ordered:
        return None
    return ordered[max(1, math.ceil(fraction * len(ordered) - 1e-9)) - 1]


def _spread(values: list[int]) -> dict:
    ordered = sorted(values)
    return {
        "count": len(ordered),
        "median_seconds": nearest_rank(ordered, 0.5),
        "p90_seconds": nearest_rank(ordered, 0.9),
    }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass
class _Tally:
    """What the streamed pass accumulates, one finished application at a time."""

    variants: dict[tuple[str, ...], list[int]] = field(default_factory=lambda: defaultdict(list))
    edges: dict[tuple[str, str], list[int]] = field(default_factory=lambda: defaultdict(list))
    stays: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    rework: Counter = field(default_factory=Counter)

    def add(self, path: list[str], stamps: list[float]) -> None:
        if not path:
            return
        self.variants[tuple(path)].append(round(stamps[-1] - stamps[0]))
        for index in range(1, len(path)):
            waited = round(stamps[index] - stamps[index - 1])
            self.edges[(path[index - 1], path[index])].append(waited)
            self.stays[path[index - 1]].append(waited)
        self.rework[path.count(REWORK_STATE)] += 1


def _tally(query: Query) -> _Tally:
    tally, current, path, stamps = _Tally(), None, [], []
    for application_id, state, seconds in _state_changes(query):
        if application_id != current:
            tally.add(path, stamps)
            current, path, stamps = application_id, [], []
        path.append(state)
        stamps.append(seconds)
    tally.add(path, stamps)
    return tally


def _variants(tally: _Tally, total: int) -> list[dict]:
    items = sorted(tally.variants.items(), key=lambda item: (-len(item[1]), item[0]))
    return [
        {"states": list(states), **_spread(durations), "share": _share(len(durations), total)}
        for states, durations in items
    ]


def _edges(tally: _Tally) -> list[dict]:
    items = sorted(tally.edges.items(), key=lambda item: (-len(item[1]), item[0]))
    return [{"from": a, "to": b, **_spread(waits)} for (a, b), waits in items]


def _states(tally: _Tally) -> list[dict]:
    order = {state: index for index, state in enumerate(State.values)}
    items = sorted(tally.stays.items(), key=lambda item: order.get(item[0], len(order)))
    return [{"state": state, **_spread(stays)} for state, stays in items]


def _rework(tally: _Tally, total: int) -> dict:
    reworked = sum(n for times, n in tally.rework.items() if times)
    return {
        "applications": reworked,
        "share": _share(reworked, total),
        "requests": sum(times * n for times, n in tally.rework.items()),
        "per_application": [
            {"times": times, "applications": n}
            for times, n in sorted(tally.rework.items())
            if times
        ],
    }


def _counts(query: Query, today: date) -> dict:
    """Applications, and breaches of the due date, counted in the database."""
    late_decision = Q(decided_on__isnull=False, decided_on__gt=F("due_on"))
    open_past_due = Q(state__in=[State.SUBMITTED, State.IN_REVIEW], due_on__lt=today)
    measured = ~Q(state=State.WITHDRAWN) & Q(due_on__isnull=False)
    return (
        applications(query)
        .annotate(decided_on=TruncDate("decided_at"))
        .aggregate(
            total=Count("id"),
            measured=Count("id", filter=measured),
            breached=Count("id", filter=measured & (late_decision | open_past_due)),
        )
    )


def mine(query: Query, today: date | None = None) -> Mining:
    """Every figure of the process mining of ``query`` in the municipality in scope."""
    counts = _counts(query, today or timezone.localdate())
    tally = _tally(query)
    total = counts["total"]
    return Mining(
        query=query,
        applications=total,
        variants=_variants(tally, total),
        edges=_edges(tally),
        states=_states(tally),
        rework=_rework(tally, total),
        breaches={
            "measured": counts["measured"],
            "breached": counts["breached"],
            "share": _share(counts["breached"], counts["measured"]),
        },
    )
