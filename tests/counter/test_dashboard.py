"""Dashboard figures against small data computed by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jichi.common.errors import RuleViolation
from jichi.counter import charts, exports, services
from jichi.counter import dashboard as dash
from jichi.tenancy.context import tenant_scope
from tests.counter.conftest import DAY, SYSTEM, at, make_counter

pytestmark = pytest.mark.django_db

# (procedure, arrival hour, minute, waiting s, processing s)
MOVE_IN = [
    (9, 0, 60, 600),
    (9, 10, 120, 900),
    (10, 0, 300, 300),
    (10, 5, 600, 1200),
    (14, 0, 2400, 600),
]
COPY = [(9, 30, 30, 120), (11, 0, 90, 180)]


def _visit(municipality, counter, procedure_id, arrived, wait, process):
    services.issue_ticket(
        municipality=municipality,
        actor=SYSTEM,
        counter=counter,
        procedure_id=procedure_id,
        now=arrived,
    )
    called = arrived + timedelta(seconds=wait)
    visit = services.call_next(
        municipality=municipality, actor=SYSTEM, counter=counter, desk="1番", now=called
    )
    visit = services.start(actor=SYSTEM, visit=visit, now=called)
    return services.complete(actor=SYSTEM, visit=visit, now=called + timedelta(seconds=process))


@pytest.fixture
def data(scope, counter):
    for hour, minute, wait, process in MOVE_IN:
        _visit(scope, counter, "move_in", at(hour, minute), wait, process)
    for hour, minute, wait, process in COPY:
        _visit(scope, counter, "resident_copy_request", at(hour, minute), wait, process)
    cancelled = services.issue_ticket(
        municipality=scope, actor=SYSTEM, counter=counter, procedure_id="move_in", now=at(15)
    )
    services.cancel_ticket(actor=SYSTEM, visit=cancelled)  # never counted
    return scope


def _query(**fields):
    return dash.Query(date_from=DAY, date_to=DAY, **fields)


def test_waiting_and_processing_percentiles(data):
    board = dash.dashboard(_query())
    assert board.waiting["move_in"] == {
        "count": 5,
        "mean": 696.0,
        "p50": 300,
        "p90": 2400,
        "p95": 2400,
    }
    assert board.processing["move_in"] == {
        "count": 5,
        "mean": 720.0,
        "p50": 600,
        "p90": 1200,
        "p95": 1200,
    }
    # all seven waits sorted: 30 60 90 120 300 600 2400 -> ranks 4, 7, 7
    assert board.waiting[dash.ALL] == {
        "count": 7,
        "mean": 514.3,
        "p50": 120,
        "p90": 2400,
        "p95": 2400,
    }


def test_nearest_rank_matches_percentile_disc():
    counts = [(10, 1), (20, 1), (30, 1), (40, 1)]
    assert [dash.nearest_rank(counts, p) for p in (0.5, 0.9, 0.95, 0.25)] == [20, 40, 40, 10]
    assert dash.nearest_rank([], 0.5) is None


def test_volumes_per_day_with_the_online_rate(data):
    board = dash.dashboard(
        _query(online={("move_in", DAY): 15, ("move_in", DAY - timedelta(1)): 9})
    )
    assert board.volumes == [
        {
            "day": DAY,
            "procedure_id": "move_in",
            "visits": 5,
            "served": 5,
            "online": 15,
            "online_rate": 0.75,
        },
        {"day": DAY, "procedure_id": "resident_copy_request", "visits": 2, "served": 2},
    ]


def test_visits_per_hour_and_busiest_cells(data):
    board = dash.dashboard(_query())
    per_hour = {row["hour"]: row["visits"] for row in board.hours if row["visits"]}
    assert per_hour == {9: 3, 10: 2, 11: 1, 14: 1}
    weekday = DAY.isoweekday() - 1
    assert board.busiest[weekday][9] == 3 and sum(map(sum, board.busiest)) == 7


def test_breaches_of_the_waiting_target(data):
    assert dash.breaches(_query(target_minutes=30)) == [
        {"procedure_id": "move_in", "measured": 5, "breaches": 1, "rate": 0.2},
        {"procedure_id": "resident_copy_request", "measured": 2, "breaches": 0, "rate": 0.0},
    ]
    assert dash.breaches(_query(target_minutes=1))[0]["breaches"] == 4  # 120 300 600 2400


def test_histogram_bins_of_five_minutes(data):
    # waits 30 60 90 120 -> bin 0; 300 -> bin 1; 600 -> bin 2; 2400 -> bin 8
    assert dash.histogram(_query(), "wait_seconds")[:9] == [4, 1, 1, 0, 0, 0, 0, 0, 1]


def test_a_procedure_filter_and_another_municipality(data, chiyoda):
    assert (
        dash.dashboard(_query(procedure_id="resident_copy_request")).waiting[dash.ALL]["count"] == 2
    )
    with tenant_scope(chiyoda.code):
        other = make_counter(chiyoda)
        _visit(chiyoda, other, "move_in", at(9), 10, 10)
        assert dash.dashboard(_query()).waiting[dash.ALL]["count"] == 1


def test_the_csv_and_the_chart(data):
    board = dash.dashboard(_query())
    text = exports.csv_text(board)
    assert f"volume,{DAY.isoformat()},move_in,5,5,," in text
    assert "distribution,waiting,move_in,5,696.0,300,2400,2400" in text
    assert "breach,move_in,5,1,0.2,30" in text
    assert charts.histogram_png(_query(), "waiting").startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("query", "code"),
    [
        (dash.Query(DAY, DAY - timedelta(days=1)), "date_to.before_from"),
        (dash.Query(DAY, DAY + timedelta(days=400)), "date_to.too_far"),
        (dash.Query(DAY, DAY, procedure_id="転入"), "procedure_id.invalid"),
    ],
)
def test_a_bad_dashboard_query_is_refused(query, code):
    with pytest.raises(RuleViolation) as caught:
        exports.checked(query)
    assert caught.value.code == code
