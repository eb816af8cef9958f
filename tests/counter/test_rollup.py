"""The visit roll-up: kept as visits close, rebuilt from the visits, kept apart per
municipality, and percentiles read off its bins within their documented bound."""

from __future__ import annotations

import io
import math
import random
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from jichi.common.errors import RuleViolation
from jichi.counter import dashboard as dash
from jichi.counter import rollup, services
from jichi.counter.models import Visit, VisitRollup, VisitStatus
from jichi.tenancy.context import tenant_scope
from tests.counter.conftest import DAY, SYSTEM, at, make_counter

pytestmark = pytest.mark.django_db


def _issue(municipality, counter, procedure_id, arrived):
    return services.issue_ticket(
        municipality=municipality,
        actor=SYSTEM,
        counter=counter,
        procedure_id=procedure_id,
        now=arrived,
    )


def _call(municipality, counter, when):
    return services.call_next(
        municipality=municipality, actor=SYSTEM, counter=counter, desk="1番", now=when
    )


def _served(municipality, counter, procedure_id, arrived, wait, process):
    _issue(municipality, counter, procedure_id, arrived)
    called = arrived + timedelta(seconds=wait)
    visit = services.start(actor=SYSTEM, visit=_call(municipality, counter, called), now=called)
    return services.complete(actor=SYSTEM, visit=visit, now=called + timedelta(seconds=process))


def _no_show(municipality, counter, procedure_id, arrived, wait):
    _issue(municipality, counter, procedure_id, arrived)
    called = _call(municipality, counter, arrived + timedelta(seconds=wait))
    return services.mark_no_show(actor=SYSTEM, visit=called)


def _snapshot() -> dict:
    """Every roll-up row of the scope, by municipality, day and procedure."""
    return {
        (r.municipality_id, r.service_date, r.procedure_id): tuple(
            getattr(r, name) for name in VisitRollup.COUNTED
        )
        for r in VisitRollup.objects.all()
    }


def _row(procedure_id="tennyu_yoyaku", day=DAY) -> VisitRollup:
    return VisitRollup.objects.get(service_date=day, procedure_id=procedure_id)


# --- bins -------------------------------------------------------------------------


def test_bins_hold_whole_seconds_up_to_their_upper_bound():
    assert [rollup.bin_of(s) for s in (0, 1, 5, 6, 600, 601, 610, 611)] == [
        0,
        1,
        1,
        2,
        120,
        121,
        121,
        122,
    ]
    assert rollup.upper_bound(rollup.bin_of(1801)) == 1830
    assert rollup.width(rollup.bin_of(4000)) == 60
    assert rollup.bin_of(86400) == rollup.OVERFLOW - 1
    assert rollup.bin_of(86401) == rollup.OVERFLOW
    assert rollup.upper_bound(rollup.OVERFLOW) == 86400


def test_every_whole_minute_of_a_day_is_a_bin_bound():
    # so breaches of a target in whole minutes are counted exactly
    assert all(rollup.upper_bound(rollup.bin_of(60 * m)) == 60 * m for m in range(1441))


@given(st.lists(st.integers(min_value=0, max_value=100_000), min_size=1, max_size=300))
def test_a_binned_percentile_is_at_most_a_bin_width_above_the_exact_one(values):
    bins: list[int] = []
    for v in values:
        rollup.add_into(bins, [0] * rollup.bin_of(v) + [1])
    ordered = sorted(values)
    for p in (0.5, 0.9, 0.95):
        exact = ordered[max(1, math.ceil(p * len(values) - 1e-9)) - 1]
        binned = rollup.percentile(bins, len(values), p)
        if exact > 86400:  # the overflow bin reads as a day
            assert binned == 86400
        else:
            assert 0 <= binned - exact <= rollup.width(rollup.bin_of(exact)) - 1


# --- kept by the queue services -----------------------------------------------------


def test_a_completed_visit_is_counted_in_its_days_row(scope, counter):
    assert not VisitRollup.objects.exists()
    _served(scope, counter, "tennyu_yoyaku", at(9, 5), 125, 600)
    _served(scope, counter, "tennyu_yoyaku", at(10), 30, 61)
    row = _row()
    assert (row.visits, row.served) == (2, 2)
    assert row.hourly[9] == 1 and row.hourly[10] == 1 and sum(row.hourly) == 2
    assert (row.wait_count, row.wait_total) == (2, 155)
    assert (row.process_count, row.process_total) == (2, 661)
    assert row.wait_bins[rollup.bin_of(125)] == 1 and sum(row.wait_bins) == 2
    assert row.wait_5min[:2] == [2] and row.process_5min[2] == 1


def test_no_show_is_a_visit_not_served_and_a_cancelled_ticket_is_not_counted(scope, counter):
    _no_show(scope, counter, "tennyu_yoyaku", at(9), 400)
    cancelled = _issue(scope, counter, "tennyu_yoyaku", at(9, 30))
    services.cancel_ticket(actor=SYSTEM, visit=cancelled)
    row = _row()
    assert (row.visits, row.served, row.wait_count, row.process_count) == (1, 0, 1, 0)
    board = dash.dashboard(dash.Query(DAY, DAY))
    assert board.volumes[0]["visits"] == 1 and board.volumes[0]["served"] == 0
    assert board.processing[dash.ALL]["count"] == 0


def test_a_closing_that_rolls_back_is_not_counted(scope, counter):
    _issue(scope, counter, "tennyu_yoyaku", at(9))
    visit = services.start(actor=SYSTEM, visit=_call(scope, counter, at(9, 10)), now=at(9, 10))
    with pytest.raises(RuntimeError), transaction.atomic():
        services.complete(actor=SYSTEM, visit=visit, now=at(9, 20))
        raise RuntimeError("the caller's transaction fails after the completion")
    assert not VisitRollup.objects.exists()
    visit.status = VisitStatus.SERVING
    services.complete(actor=SYSTEM, visit=visit, now=at(9, 20))
    assert _row().served == 1


def test_a_ticket_closed_twice_is_counted_once(scope, counter):
    _issue(scope, counter, "tennyu_yoyaku", at(9))
    visit = services.start(actor=SYSTEM, visit=_call(scope, counter, at(9, 10)), now=at(9, 10))
    stale = Visit.objects.get(pk=visit.pk)  # a second clerk's copy, read before the first closes
    services.complete(actor=SYSTEM, visit=visit, now=at(9, 20))
    with pytest.raises(RuleViolation) as refused:
        services.complete(actor=SYSTEM, visit=stale, now=at(9, 21))
    assert refused.value.code == "visit.not_started"
    assert _row().served == 1


def test_open_tickets_count_on_the_dashboard_until_they_close(scope, counter):
    _issue(scope, counter, "tennyu_yoyaku", at(9))  # waiting
    called = _call(scope, counter, at(9, 5))  # called: it waited 300 s
    query = dash.Query(DAY, DAY)
    board = dash.dashboard(query)
    assert not VisitRollup.objects.exists()
    assert board.volumes[0]["visits"] == 1 and board.waiting[dash.ALL]["count"] == 1
    _issue(scope, counter, "tennyu_yoyaku", at(9, 1))
    visit = services.start(actor=SYSTEM, visit=called, now=at(9, 6))
    services.complete(actor=SYSTEM, visit=visit, now=at(9, 16))
    board = dash.dashboard(query)
    assert (board.volumes[0]["visits"], board.volumes[0]["served"]) == (2, 1)
    assert board.waiting[dash.ALL] == {
        "count": 1,
        "mean": 300.0,
        "p50": 300,
        "p90": 300,
        "p95": 300,
    }
    assert board.hours[9]["visits"] == 2


# --- rebuilt from the visits ----------------------------------------------------------


def _some_visits(municipality, counter, day=DAY):
    for i, (wait, process) in enumerate([(0, 0), (59, 61), (300, 1800), (1801, 3601), (7200, 5)]):
        _served(municipality, counter, "tennyu_yoyaku", at(9 + i, day=day), wait, process)
    _served(municipality, counter, "juminhyo_utsushi", at(14, day=day), 12, 99)
    _no_show(municipality, counter, "juminhyo_utsushi", at(15, day=day), 45)


def test_the_rebuild_gives_the_rows_kept_as_visits_closed_and_twice_the_same(scope, counter):
    _some_visits(scope, counter)
    _some_visits(scope, counter, DAY + timedelta(days=1))
    kept = _snapshot()
    VisitRollup.objects.filter(service_date=DAY).update(visits=999, wait_bins=[])  # spoilt
    first = services.rebuild_rollup(municipality=scope, actor=SYSTEM)
    assert _snapshot() == kept
    assert first == {"visits": 14, "rows": 4, "rows_removed": 4}
    services.rebuild_rollup(municipality=scope, actor=SYSTEM)
    assert _snapshot() == kept


def test_a_rebuild_of_some_days_leaves_the_other_days(scope, counter):
    _some_visits(scope, counter)
    _some_visits(scope, counter, DAY + timedelta(days=1))
    kept = _snapshot()
    VisitRollup.objects.update(served=0)
    result = services.rebuild_rollup(municipality=scope, actor=SYSTEM, date_from=DAY, date_to=DAY)
    assert result["rows"] == 2
    assert _row(day=DAY).served == 5 and _row(day=DAY + timedelta(days=1)).served == 0
    services.rebuild_rollup(municipality=scope, actor=SYSTEM)
    assert _snapshot() == kept


def test_the_rebuild_command_counts_bulk_loaded_visits(scope, counter):
    _some_visits(scope, counter)
    kept = _snapshot()
    VisitRollup.objects.all().delete()
    out = io.StringIO()
    call_command("rebuild-counter-rollup", municipality=[scope.code], stdout=out)
    assert out.getvalue().strip() == f"{scope.code}: 7 visits in 2 day × procedure rows"
    assert _snapshot() == kept


# --- one municipality's roll-up --------------------------------------------------------


def test_each_municipality_counts_and_rebuilds_only_its_own_visits(scope, counter, chiyoda):
    _some_visits(scope, counter)
    with tenant_scope(chiyoda.code):
        theirs = make_counter(chiyoda)
        _served(chiyoda, theirs, "tennyu_yoyaku", at(9), 10, 10)
        assert [(r.municipality_id, r.visits) for r in VisitRollup.objects.all()] == [
            (chiyoda.code, 1)
        ]
        assert dash.dashboard(dash.Query(DAY, DAY)).waiting[dash.ALL]["count"] == 1
        services.rebuild_rollup(municipality=chiyoda, actor=SYSTEM)
        assert dash.dashboard(dash.Query(DAY, DAY)).waiting[dash.ALL]["count"] == 1
    ours = _snapshot()
    assert {key[0] for key in ours} == {scope.code}
    assert dash.dashboard(dash.Query(DAY, DAY)).waiting[dash.ALL]["count"] == 7
    services.rebuild_rollup(municipality=scope, actor=SYSTEM)
    assert _snapshot() == ours
    with tenant_scope(chiyoda.code):
        assert VisitRollup.objects.get().visits == 1


# --- figures of many visits against the exact ones ---------------------------------------


def _exact(values: list[int], p: float) -> int:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p * len(ordered) - 1e-9)) - 1]


@pytest.fixture
def many(scope, counter):
    """2,000 visits over 3 days and 2 procedures, loaded in bulk, then rebuilt."""
    generator = random.Random(6)
    visits, timings = [], {"tennyu_yoyaku": [], "juminhyo_utsushi": []}
    for i in range(2000):
        procedure_id = "tennyu_yoyaku" if i % 3 else "juminhyo_utsushi"
        day = DAY + timedelta(days=i % 3)
        arrived = at(8 + i % 9, i % 60, day=day)
        wait = generator.choice([generator.randint(0, 900), generator.randint(0, 14_400), 1800])
        process = generator.randint(30, 2400)
        served = i % 10 != 0  # every tenth a no-show
        timings[procedure_id].append((wait, process if served else None))
        visits.append(
            Visit(
                municipality_id=scope.code,
                counter=counter,
                procedure_id=procedure_id,
                service_date=day,
                ticket_prefix="A",
                number=i + 1,
                status=VisitStatus.DONE if served else VisitStatus.NO_SHOW,
                arrived_at=arrived,
                called_at=arrived + timedelta(seconds=wait),
                wait_seconds=wait,
                process_seconds=process if served else None,
            )
        )
    Visit.objects.bulk_create(visits)
    services.rebuild_rollup(municipality=scope, actor=SYSTEM)
    return timings


def test_figures_of_the_rollup_against_the_raw_timings(many):
    board = dash.dashboard(dash.Query(DAY, DAY + timedelta(days=2), target_minutes=20))
    every = [t for ts in many.values() for t in ts]
    for procedure_id, figures in (*many.items(), (dash.ALL, every)):
        for name, index in (("waiting", 0), ("processing", 1)):
            values = [t[index] for t in figures if t[index] is not None]
            shown = getattr(board, name)[procedure_id]
            assert shown["count"] == len(values)
            assert shown["mean"] == round(sum(values) / len(values), 1)
            for p in (50, 90, 95):
                exact = _exact(values, p / 100)
                error = shown[f"p{p}"] - exact
                assert 0 <= error <= rollup.width(rollup.bin_of(exact)) - 1, (name, p)
    waits = [w for w, _ in every]
    assert board.histogram["waiting"] == [
        sum(1 for w in waits if min(w // 300, 12) == b) for b in range(13)
    ]
    breaches = {r["procedure_id"]: r["breaches"] for r in board.breaches}
    for procedure_id, figures in many.items():
        assert breaches[procedure_id] == sum(1 for w, _ in figures if w > 1200)
    assert sum(sum(hours) for hours in board.busiest) == 2000
