"""Dashboard figures against small data computed by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jichi.common.errors import RuleViolation
from jichi.counter import charts, exports, rollup, services
from jichi.counter import dashboard as dash
from jichi.procedures import services as procedure_services
from jichi.procedures.applicants import Applicant
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
        _visit(scope, counter, "tennyu_yoyaku", at(hour, minute), wait, process)
    for hour, minute, wait, process in COPY:
        _visit(scope, counter, "juminhyo_utsushi", at(hour, minute), wait, process)
    cancelled = services.issue_ticket(
        municipality=scope, actor=SYSTEM, counter=counter, procedure_id="tennyu_yoyaku", now=at(15)
    )
    services.cancel_ticket(actor=SYSTEM, visit=cancelled)  # never counted
    return scope


def _query(**fields):
    return dash.Query(date_from=DAY, date_to=DAY, **fields)


def test_waiting_and_processing_percentiles(data):
    board = dash.dashboard(_query())
    assert board.waiting["tennyu_yoyaku"] == {
        "count": 5,
        "mean": 696.0,
        "p50": 300,
        "p90": 2400,
        "p95": 2400,
    }
    assert board.processing["tennyu_yoyaku"] == {
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


def test_percentiles_are_the_nearest_rank_as_percentile_disc():
    # one value each of 10, 20, 30 and 40 seconds (each the upper bound of its bin)
    bins = [0] * 9
    for seconds in (10, 20, 30, 40):
        bins[rollup.bin_of(seconds)] += 1
    assert [rollup.percentile(bins, 4, p) for p in (0.5, 0.9, 0.95, 0.25)] == [20, 40, 40, 10]
    assert rollup.percentile([], 0, 0.5) is None


def _water(municipality, channel: str):
    """An application for 水道の使用開始 (no register record needed), submitted now."""
    return procedure_services.apply(
        municipality=municipality,
        actor=SYSTEM,
        procedure_id="suidou_kaishi",
        applicant=Applicant("resident"),
        channel=channel,
        answers={
            "user_name": "山田 太郎",
            "supply_address": "横浜市中区港町1-1",
            "start_date": timezone.localdate().isoformat(),
            "payment": "invoice",
            "phone": "045-123-4567",
        },
    )


def test_volumes_count_online_and_counter_applications_with_the_online_rate(scope, chiyoda):
    today = timezone.localdate()
    water = make_counter(scope, name="水道", prefix="W", procedures=["suidou_kaishi"])
    for hour in (9, 10):
        _visit(scope, water, "suidou_kaishi", at(hour, day=today), 60, 300)
    for channel in ("online", "online", "online", "counter", "api"):
        _water(scope, channel)
    with tenant_scope(chiyoda.code):
        _water(chiyoda, "online")  # another municipality's: not counted
    board = dash.dashboard(dash.Query(today, today))
    # counter volume = max(1 counter application, 2 served visits) = 2: 3 / (3 + 2)
    assert board.volumes == [
        {
            "day": today,
            "procedure_id": "suidou_kaishi",
            "visits": 2,
            "served": 2,
            "online": 3,
            "counter": 1,
            "online_rate": 0.6,
        }
    ]
    assert dash.volumes(dash.Query(today, today, procedure_id="sodai_gomi")) == []


def test_volumes_of_visits_without_applications(data):
    assert dash.dashboard(_query()).volumes == [
        {
            "day": DAY,
            "procedure_id": "juminhyo_utsushi",
            "visits": 2,
            "served": 2,
            "online": 0,
            "counter": 0,
            "online_rate": 0.0,
        },
        {
            "day": DAY,
            "procedure_id": "tennyu_yoyaku",
            "visits": 5,
            "served": 5,
            "online": 0,
            "counter": 0,
            "online_rate": 0.0,
        },
    ]


def test_visits_per_hour_and_busiest_cells(data):
    board = dash.dashboard(_query())
    per_hour = {row["hour"]: row["visits"] for row in board.hours if row["visits"]}
    assert per_hour == {9: 3, 10: 2, 11: 1, 14: 1}
    weekday = DAY.isoweekday() - 1
    assert board.busiest[weekday][9] == 3 and sum(map(sum, board.busiest)) == 7


def test_breaches_of_the_waiting_target(data):
    assert dash.breaches(_query(target_minutes=30)) == [
        {"procedure_id": "juminhyo_utsushi", "measured": 2, "breaches": 0, "rate": 0.0},
        {"procedure_id": "tennyu_yoyaku", "measured": 5, "breaches": 1, "rate": 0.2},
    ]
    assert dash.breaches(_query(target_minutes=1))[1]["breaches"] == 4  # 120 300 600 2400


def test_histogram_bins_of_five_minutes(data):
    # waits 30 60 90 120 -> bin 0; 300 -> bin 1; 600 -> bin 2; 2400 -> bin 8
    assert dash.histogram(_query(), "wait_seconds")[:9] == [4, 1, 1, 0, 0, 0, 0, 0, 1]


def test_a_procedure_filter_and_another_municipality(data, chiyoda):
    assert dash.dashboard(_query(procedure_id="juminhyo_utsushi")).waiting[dash.ALL]["count"] == 2
    with tenant_scope(chiyoda.code):
        other = make_counter(chiyoda)
        _visit(chiyoda, other, "tennyu_yoyaku", at(9), 10, 10)
        assert dash.dashboard(_query()).waiting[dash.ALL]["count"] == 1


def test_the_csv_and_the_chart(data):
    board = dash.dashboard(_query())
    text = exports.csv_text(board)
    assert f"volume,{DAY.isoformat()},tennyu_yoyaku,5,5,0,0,0.0" in text
    assert "distribution,waiting,tennyu_yoyaku,5,696.0,300,2400,2400" in text
    assert "breach,tennyu_yoyaku,5,1,0.2,30" in text
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
