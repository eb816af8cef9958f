"""The demo's front yard: counters, slots, past visits, reservations and applications in
varied states, so that the dashboards and the inbox have something to show; a second
run adds nothing."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from jichi.counter import dashboard
from jichi.counter.models import Counter, Reservation, ReservationStatus, Slot, Visit, VisitStatus
from jichi.procedures import mining, selectors
from jichi.procedures.models import Application, Transition
from jichi.tenancy.context import tenant_scope

CODE = "141003"


def run_demo() -> str:
    out = io.StringIO()
    call_command("demo", municipality=CODE, residents=150, seed=5, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.DEBUG = True
    settings.DATA_DIR = tmp_path
    return run_demo()


def counts() -> dict[str, int]:
    with tenant_scope(CODE):
        return {
            "counters": Counter.objects.count(),
            "slots": Slot.objects.count(),
            "visits": Visit.objects.count(),
            "reservations": Reservation.objects.count(),
            "applications": Application.objects.count(),
            "transitions": Transition.objects.count(),
        }


def test_the_demo_fills_the_counters_and_the_inbox(demo):
    today = timezone.localdate()
    with tenant_scope(CODE):
        counters = Counter.objects.count()
        visits = Visit.objects.all()
        future_slots = Slot.objects.filter(starts_at__gt=timezone.now()).count()
        reservations = Reservation.objects.filter(status=ReservationStatus.BOOKED).count()
        states = set(Application.objects.values_list("state", flat=True))
        procedures = set(Application.objects.values_list("procedure_id", flat=True))
        inbox = selectors.inbox(selectors.InboxQuery()).count()
        done = list(visits.filter(status=VisitStatus.DONE))
        days = set(visits.values_list("service_date", flat=True))
        board = dashboard.dashboard(
            dashboard.Query(date_from=today - timedelta(days=30), date_to=today)
        )
        mined = mining.mine(mining.default_query())

    assert counters == 3
    assert future_slots > 0 and reservations >= 5
    assert len(days) >= 10 and max(days) < today  # weeks of history, none of it today
    assert len(done) > 100
    assert all(v.wait_seconds is not None and v.process_seconds > 0 for v in done)
    assert {
        "submitted",
        "in_review",
        "info_requested",
        "approved",
        "completed",
        "rejected",
        "withdrawn",
    } <= states
    assert len(procedures) >= 4 and inbox > 0
    assert board.waiting[dashboard.ALL]["count"] > 100
    assert board.waiting[dashboard.ALL]["p90"] > board.waiting[dashboard.ALL]["p50"] > 0
    assert board.processing[dashboard.ALL]["p50"] > 0 and board.breaches
    assert mined.applications > 0 and len(mined.variants) >= 5
    line = next(x for x in demo.splitlines() if x.startswith("Front yard: added"))
    assert "3 counters" in line and "applications" in line


def test_running_the_demo_again_adds_nothing(demo):
    before = counts()

    again = run_demo()

    assert counts() == before
    assert (
        "Front yard: added 0 counters, 0 reservation slots, 0 past visits, 0 reservations, "
        "0 applications" in again
    )
