"""Process mining of applications: variants, durations, the directly-follows graph, rework,
breaches, the filters, and the API (tenant isolation, permission, CSV, PNG).

The services stamp their steps with Django's clock; the ``clock`` fixture sets that clock
so that every duration below is exact.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from jichi.procedures import mining, services
from jichi.tenancy.context import tenant_scope
from tests import factories
from tests.factories import bearer
from tests.procedures.helpers import CLERK, SYSTEM, apply, run
from tests.registry.people import family

pytestmark = pytest.mark.django_db

DAY = 86_400
KAIGO = "youkaigo_nintei"  # 30 days, reviewed
GENKYO = "jidou_teate_genkyo"
KAIGO_ANSWERS = {
    "insured_number": "0123456789",
    "application_kind": "new",
    "doctor_name": "佐藤",
    "clinic": "中央病院",
    "contact_phone": "045-123-4567",
}


class Clock:
    """Django's ``timezone.now`` for the test: it stands still until moved."""

    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, days: float = 0, hours: float = 0) -> None:
        self.now += timedelta(days=days, hours=hours)

    def today(self):
        return timezone.localdate(self.now)


@pytest.fixture
def clock(monkeypatch):
    start = timezone.now().replace(microsecond=0)
    found = Clock(start)
    monkeypatch.setattr(timezone, "now", found)
    return found


@pytest.fixture
def people(yokohama):
    return family(yokohama)[1]  # head, wife, child


def submit_kaigo(municipality, person):
    return apply(municipality, KAIGO, person, dict(KAIGO_ANSWERS))


def submit_genkyo(municipality, people):
    answers = {"children": [people[2].number], "living_apart": False, "still_raising": True}
    return apply(municipality, GENKYO, people[0], answers)


STEPS = {
    "start": lambda a: dict(action=services.start_review, actor=CLERK, application=a),
    "ask": lambda a: dict(
        action=services.request_information, actor=CLERK, application=a, question="主治医は？"
    ),
    "answer": lambda a: dict(
        action=services.answer_information, actor=SYSTEM, application=a, answer="佐藤医師です。"
    ),
    "approve": lambda a: dict(action=services.approve, actor=CLERK, application=a),
    "reject": lambda a: dict(
        action=services.reject, actor=CLERK, application=a, reason="要件を満たしません。"
    ),
    "complete": lambda a: dict(action=services.complete, actor=CLERK, application=a),
}


def walk(municipality, clock, application, *steps: tuple[str, float]):
    """Each step ``(name, days after the previous one)`` through the real services."""
    for name, days in steps:
        clock.advance(days=days)
        kwargs = STEPS[name](application)
        application = run(municipality, kwargs.pop("action"), **kwargs)
    return application


def mine(municipality, clock, procedure_id: str = "", *, days_back: int = 60, today=None):
    today = today or clock.today()
    query = mining.Query(today - timedelta(days=days_back), today, procedure_id)
    with tenant_scope(municipality.code):
        return mining.mine(mining.checked(query), today=today)


def _variants(result) -> list[tuple]:
    return [(tuple(v["states"]), v["count"]) for v in result.variants]


# --- the figures ------------------------------------------------------------------------


def test_variants_are_counted_and_listed_most_frequent_first(yokohama, people, clock):
    for _ in range(2):
        walk(yokohama, clock, submit_kaigo(yokohama, people[0]), ("start", 1), ("approve", 1))
    walk(yokohama, clock, submit_kaigo(yokohama, people[1]), ("start", 1), ("reject", 1))
    walk(
        yokohama,
        clock,
        submit_kaigo(yokohama, people[1]),
        ("start", 1),
        ("ask", 1),
        ("answer", 1),
        ("approve", 1),
        ("complete", 1),
    )
    submit_kaigo(yokohama, people[0])  # still waiting

    result = mine(yokohama, clock)

    assert result.applications == 5
    assert _variants(result) == [
        (("submitted", "in_review", "approved"), 2),
        (("submitted",), 1),
        (
            ("submitted", "in_review", "info_requested", "in_review", "approved", "completed"),
            1,
        ),
        (("submitted", "in_review", "rejected"), 1),
    ]
    assert [v["share"] for v in result.variants] == [0.4, 0.2, 0.2, 0.2]


def test_a_variant_has_the_median_and_p90_of_its_total_duration(yokohama, people, clock):
    walk(yokohama, clock, submit_kaigo(yokohama, people[0]), ("start", 1), ("approve", 1))
    walk(yokohama, clock, submit_kaigo(yokohama, people[0]), ("start", 2), ("approve", 2))
    walk(yokohama, clock, submit_kaigo(yokohama, people[0]), ("start", 3), ("approve", 6))

    result = mine(yokohama, clock)

    (variant,) = result.variants
    assert variant["count"] == 3
    assert (variant["median_seconds"], variant["p90_seconds"]) == (4 * DAY, 9 * DAY)


def test_the_directly_follows_graph_has_counts_and_waiting_times(yokohama, people, clock):
    walk(yokohama, clock, submit_kaigo(yokohama, people[0]), ("start", 1), ("approve", 3))
    walk(
        yokohama,
        clock,
        submit_kaigo(yokohama, people[0]),
        ("start", 2),
        ("ask", 1),
        ("answer", 4),
        ("approve", 1),
    )
    walk(yokohama, clock, submit_kaigo(yokohama, people[1]), ("start", 5), ("reject", 0.5))

    result = mine(yokohama, clock)

    edges = {(e["from"], e["to"]): e for e in result.edges}
    assert set(edges) == {
        ("submitted", "in_review"),
        ("in_review", "approved"),
        ("in_review", "info_requested"),
        ("info_requested", "in_review"),
        ("in_review", "rejected"),
    }
    first = edges[("submitted", "in_review")]
    assert (first["count"], first["median_seconds"], first["p90_seconds"]) == (3, 2 * DAY, 5 * DAY)
    approved = edges[("in_review", "approved")]
    assert (approved["count"], approved["median_seconds"]) == (2, 1 * DAY)
    assert edges[("info_requested", "in_review")]["median_seconds"] == 4 * DAY
    assert result.edges[0]["from"] == "submitted"  # the most frequent edge first


def test_time_spent_per_state_counts_every_stay(yokohama, people, clock):
    walk(
        yokohama,
        clock,
        submit_kaigo(yokohama, people[0]),
        ("start", 1),
        ("ask", 2),  # in review 2 days
        ("answer", 3),
        ("approve", 1),  # in review again 1 day
        ("complete", 4),
    )

    result = mine(yokohama, clock)

    states = {s["state"]: s for s in result.states}
    assert [s["state"] for s in result.states] == [
        "submitted",
        "in_review",
        "info_requested",
        "approved",
    ]
    assert states["in_review"]["count"] == 2
    assert (states["in_review"]["median_seconds"], states["in_review"]["p90_seconds"]) == (
        1 * DAY,
        2 * DAY,
    )
    assert states["info_requested"]["median_seconds"] == 3 * DAY
    assert states["approved"]["median_seconds"] == 4 * DAY


def test_rework_counts_the_requests_for_information_per_application(yokohama, people, clock):
    twice = [("start", 1), ("ask", 1), ("answer", 1), ("ask", 1), ("answer", 1), ("approve", 1)]
    walk(yokohama, clock, submit_kaigo(yokohama, people[0]), *twice)
    walk(yokohama, clock, submit_kaigo(yokohama, people[0]), ("ask", 1), ("answer", 1))
    walk(yokohama, clock, submit_kaigo(yokohama, people[1]), ("start", 1), ("approve", 1))
    submit_kaigo(yokohama, people[1])

    result = mine(yokohama, clock)

    assert result.rework == {
        "applications": 2,
        "share": 0.5,
        "requests": 3,
        "per_application": [{"times": 1, "applications": 1}, {"times": 2, "applications": 1}],
    }


def test_breaches_are_late_decisions_and_open_applications_past_due(yokohama, people, clock):
    late = submit_kaigo(yokohama, people[0])
    on_time = submit_kaigo(yokohama, people[0])
    paused = submit_kaigo(yokohama, people[1])
    waiting = submit_kaigo(yokohama, people[1])
    withdrawn = submit_kaigo(yokohama, people[1])
    walk(yokohama, clock, paused, ("ask", 1))  # day 1
    run(yokohama, services.withdraw, actor=SYSTEM, application=withdrawn)
    walk(yokohama, clock, paused, ("answer", 5))  # day 6: the due date moves 5 days on
    walk(yokohama, clock, on_time, ("start", 4), ("approve", 20))  # decided on day 30
    walk(yokohama, clock, late, ("start", 4), ("approve", 0))  # decided on day 34: late
    walk(yokohama, clock, paused, ("approve", 0))  # due on day 35: in time

    result = mine(yokohama, clock)

    assert waiting.due_on < clock.today()
    assert result.breaches == {"measured": 4, "breached": 2, "share": 0.5}  # late, waiting


def test_the_procedure_filter_keeps_one_procedure(yokohama, people, clock):
    walk(yokohama, clock, submit_kaigo(yokohama, people[0]), ("start", 1))
    walk(yokohama, clock, submit_genkyo(yokohama, people), ("start", 1), ("approve", 1))

    only_genkyo = mine(yokohama, clock, GENKYO)
    everything = mine(yokohama, clock)

    assert only_genkyo.applications == 1
    assert _variants(only_genkyo) == [(("submitted", "in_review", "approved"), 1)]
    assert everything.applications == 2


def test_the_period_is_the_day_of_submission(yokohama, people, clock):
    walk(yokohama, clock, submit_kaigo(yokohama, people[0]), ("start", 1))  # submitted day 0
    clock.advance(days=9)
    submit_kaigo(yokohama, people[0])  # day 10
    today = clock.today()

    recent = mine(yokohama, clock, days_back=5, today=today)
    both = mine(yokohama, clock, days_back=10, today=today)

    assert _variants(recent) == [(("submitted",), 1)]
    assert both.applications == 2


def test_a_period_ending_before_it_starts_is_refused(yokohama):
    from jichi.common.errors import RuleViolation

    today = timezone.localdate()
    with pytest.raises(RuleViolation) as caught:
        mining.checked(mining.Query(today, today - timedelta(days=1)))
    assert (caught.value.code, caught.value.field) == ("to.before_from", "to")
    with pytest.raises(RuleViolation) as caught:
        mining.checked(mining.Query(today - timedelta(days=400), today))
    assert caught.value.code == "to.too_far"


# --- the API ----------------------------------------------------------------------------

URL = "/api/v1/municipalities/{code}/procedures/process-mining"


@pytest.fixture
def history(yokohama, people, clock):
    walk(yokohama, clock, submit_kaigo(yokohama, people[0]), ("start", 1), ("approve", 1))
    walk(yokohama, clock, submit_kaigo(yokohama, people[0]), ("start", 1), ("approve", 2))
    walk(yokohama, clock, submit_kaigo(yokohama, people[1]), ("start", 1), ("reject", 1))
    return clock


def test_the_api_answers_the_figures(client, yokohama, history):
    secret = factories.token(yokohama, ["procedures:review"])[1]

    answer = client.get(URL.format(code=yokohama.code), **bearer(secret))

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["applications"] == 3 and body["procedure"] == ""
    assert body["date_to"] == history.today().isoformat()
    assert body["variants"][0] == {
        "states": ["submitted", "in_review", "approved"],
        "count": 2,
        "share": 0.6667,
        "median_seconds": 2 * DAY,
        "p90_seconds": 3 * DAY,
    }
    assert {"from": "submitted", "to": "in_review"}.items() <= body["edges"][0].items()
    assert body["breaches"] == {"measured": 3, "breached": 0, "share": 0.0}


def test_the_api_filters_by_procedure_and_period(client, yokohama, people, history):
    secret = factories.token(yokohama, ["procedures:review"])[1]
    today = history.today()
    url = URL.format(code=yokohama.code)

    genkyo = client.get(f"{url}?procedure={GENKYO}", **bearer(secret)).json()
    tomorrow = (today + timedelta(days=1)).isoformat()
    later = client.get(f"{url}?from={tomorrow}&to={tomorrow}", **bearer(secret)).json()
    refused = client.get(f"{url}?from={today}&to={today - timedelta(days=1)}", **bearer(secret))
    unknown = client.get(f"{url}?procedure=no_such_procedure", **bearer(secret))

    assert genkyo["applications"] == 0 and genkyo["procedure"] == GENKYO
    assert later["applications"] == 0 and later["date_from"] == tomorrow
    assert (refused.status_code, refused.json()["error"]["code"]) == (400, "to.before_from")
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "procedure.not_found")


def test_the_variants_as_csv_with_a_bom(client, yokohama, history):
    secret = factories.token(yokohama, ["procedures:review"])[1]

    answer = client.get(URL.format(code=yokohama.code) + "?format=csv", **bearer(secret))

    assert answer.status_code == 200
    assert answer["Content-Type"] == "text/csv; charset=utf-8"
    text = answer.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == [
        "rank",
        "variant",
        "variant_ja",
        "steps",
        "count",
        "share",
        "median_seconds",
        "p90_seconds",
    ]
    assert rows[1:] == [
        [
            "1",
            "submitted → in_review → approved",
            "受付→審査中→承認",
            "3",
            "2",
            "0.6667",
            str(2 * DAY),
            str(3 * DAY),
        ],
        [
            "2",
            "submitted → in_review → rejected",
            "受付→審査中→却下",
            "3",
            "1",
            "0.3333",
            str(2 * DAY),
            str(2 * DAY),
        ],
    ]


def test_the_variants_as_a_png_chart(client, yokohama, history):
    secret = factories.token(yokohama, ["procedures:review"])[1]

    answer = client.get(URL.format(code=yokohama.code) + "?format=png", **bearer(secret))

    assert answer.status_code == 200 and answer["Content-Type"] == "image/png"
    assert answer.content.startswith(b"\x89PNG\r\n\x1a\n")


def test_another_municipalitys_token_gets_404(client, yokohama, kawasaki, history):
    theirs = factories.token(kawasaki)[1]

    answer = client.get(URL.format(code=yokohama.code), **bearer(theirs))

    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"


def test_another_municipality_sees_only_its_own_applications(client, kawasaki, history):
    secret = factories.token(kawasaki, ["procedures:review"])[1]

    answer = client.get(URL.format(code=kawasaki.code), **bearer(secret))

    assert answer.status_code == 200
    assert answer.json()["applications"] == 0 and answer.json()["variants"] == []


def test_the_review_permission_is_needed(client, yokohama, history):
    secret = factories.token(yokohama, ["municipality:read", "procedures:apply"])[1]

    answer = client.get(URL.format(code=yokohama.code), **bearer(secret))

    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "permission.denied"
