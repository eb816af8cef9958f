"""Queue tickets: numbers, priority, state rules, timings, the waiting board."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jichi.common.errors import RuleViolation
from jichi.counter import selectors, services
from jichi.counter.models import VisitStatus
from tests.counter.conftest import DAY, SYSTEM, at, make_counter, make_slot

pytestmark = pytest.mark.django_db


def _issue(municipality, counter, when, procedure_id=""):
    return services.issue_ticket(
        municipality=municipality,
        actor=SYSTEM,
        counter=counter,
        procedure_id=procedure_id,
        now=when,
    )


def _call(municipality, counter, when, desk="1番"):
    return services.call_next(
        municipality=municipality, actor=SYSTEM, counter=counter, desk=desk, now=when
    )


def test_tickets_are_numbered_per_day_and_counter_group(scope, counter):
    other = make_counter(scope, name="税証明", prefix="B", procedures=["tax_certificate"])
    first, second = _issue(scope, counter, at(9)), _issue(scope, counter, at(9, 1))
    assert (first.label, second.label) == ("A-001", "A-002")
    assert _issue(scope, other, at(9, 2)).label == "B-001"
    assert _issue(scope, counter, at(9) + timedelta(days=1)).label == "A-001"


def test_a_ticket_outside_opening_hours_is_refused(scope, counter):
    with pytest.raises(RuleViolation) as caught:
        _issue(scope, counter, at(17, 15))
    assert caught.value.code == "counter.closed" and caught.value.status == 409


def test_a_ticket_for_a_procedure_not_served_is_refused(scope, counter):
    with pytest.raises(RuleViolation) as caught:
        _issue(scope, counter, at(9), procedure_id="inu_touroku")
    assert caught.value.code == "procedure_id.not_served"


def test_calls_are_first_in_first_out(scope, counter):
    first, second = _issue(scope, counter, at(9)), _issue(scope, counter, at(9, 5))
    assert _call(scope, counter, at(9, 10)).id == first.id
    assert _call(scope, counter, at(9, 11), desk="2番").id == second.id


def test_a_reservation_at_its_time_is_called_before_earlier_walk_ins(scope, counter):
    slot = make_slot(scope, counter, start=at(10))
    reservation = services.book(
        municipality=scope, actor=SYSTEM, slot=slot, name="山田", contact="0451234567", now=at(8)
    )
    walk_in = _issue(scope, counter, at(9, 40))
    reserved = services.check_in(
        municipality=scope, actor=SYSTEM, reference=reservation.reference, now=at(9, 45)
    )
    assert _call(scope, counter, at(9, 52)).id == reserved.id  # within 10 minutes of its time
    assert _call(scope, counter, at(9, 53)).id == walk_in.id


def test_a_reservation_arriving_long_before_its_time_waits_in_turn(scope, counter):
    slot = make_slot(scope, counter, start=at(11))
    reservation = services.book(
        municipality=scope, actor=SYSTEM, slot=slot, name="山田", contact="0451234567", now=at(8)
    )
    reserved = services.check_in(
        municipality=scope, actor=SYSTEM, reference=reservation.reference, now=at(9)
    )
    walk_in = _issue(scope, counter, at(9, 5))
    assert _call(scope, counter, at(9, 10)).id == reserved.id  # it came first anyway
    assert _call(scope, counter, at(9, 11)).id == walk_in.id


def test_calling_when_nobody_waits_is_refused(scope, counter):
    with pytest.raises(RuleViolation) as caught:
        _call(scope, counter, at(9))
    assert caught.value.code == "queue.empty" and caught.value.status == 409


def test_calling_without_a_desk_is_refused(scope, counter):
    _issue(scope, counter, at(9))
    with pytest.raises(RuleViolation) as caught:
        _call(scope, counter, at(9, 1), desk=" ")
    assert caught.value.code == "desk.required"
    assert selectors.queue(counter, day=DAY).get().status == VisitStatus.ISSUED


def test_the_timings_of_a_visit_are_stored(scope, counter):
    visit = _issue(scope, counter, at(9, 0, 0))
    visit = _call(scope, counter, at(9, 12, 30))
    visit = services.recall(actor=SYSTEM, visit=visit)
    visit = services.start(actor=SYSTEM, visit=visit, now=at(9, 14, 0))
    visit = services.complete(actor=SYSTEM, visit=visit, now=at(9, 31, 15))
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DONE and visit.recalls == 1 and visit.desk == "1番"
    assert (visit.arrived_at, visit.called_at, visit.started_at, visit.ended_at) == (
        at(9),
        at(9, 12, 30),
        at(9, 14),
        at(9, 31, 15),
    )
    assert visit.wait_seconds == 12 * 60 + 30  # call − arrival
    assert visit.process_seconds == 17 * 60 + 15  # end − start


def test_completing_a_ticket_not_started_is_refused(scope, counter):
    _issue(scope, counter, at(9))
    visit = _call(scope, counter, at(9, 5))
    with pytest.raises(RuleViolation) as caught:
        services.complete(actor=SYSTEM, visit=visit, now=at(9, 6))
    assert caught.value.code == "visit.not_started" and caught.value.status == 409
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CALLED and visit.ended_at is None


@pytest.mark.parametrize("action", [services.start, services.recall, services.mark_no_show])
def test_a_ticket_not_called_cannot_be_started_recalled_or_marked_absent(scope, counter, action):
    visit = _issue(scope, counter, at(9))
    with pytest.raises(RuleViolation) as caught:
        action(actor=SYSTEM, visit=visit)
    assert caught.value.code == "visit.not_called"


def test_no_show_and_cancel(scope, counter):
    absent = _issue(scope, counter, at(9))
    waiting = _issue(scope, counter, at(9, 1))
    absent = services.mark_no_show(actor=SYSTEM, visit=_call(scope, counter, at(9, 5)))
    assert absent.status == VisitStatus.NO_SHOW
    assert services.cancel_ticket(actor=SYSTEM, visit=waiting).status == VisitStatus.CANCELLED
    with pytest.raises(RuleViolation) as caught:
        services.cancel_ticket(actor=SYSTEM, visit=absent)
    assert caught.value.code == "visit.not_waiting"


def test_the_board_shows_called_numbers_waiting_count_and_estimate(scope, counter):
    done = _issue(scope, counter, at(9))
    for minute in (1, 2, 3, 4):
        _issue(scope, counter, at(9, minute))
    done = services.start(actor=SYSTEM, visit=_call(scope, counter, at(9, 5)), now=at(9, 5))
    services.complete(actor=SYSTEM, visit=done, now=at(9, 20))  # 15 minutes
    called = _call(scope, counter, at(9, 21), desk="2番")
    row = selectors.board("main", day=DAY)[0]
    assert [v.id for v in row.called] == [called.id]
    assert row.waiting == 3
    assert row.estimated_minutes == 45  # 3 waiting × 15 min ÷ 1 desk at work
