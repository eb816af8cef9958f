"""Counters and reservation slots: each rule with a bad input and its code."""

from __future__ import annotations

from datetime import time

import pytest

from jichi.common.errors import RuleViolation
from jichi.counter import selectors, services
from jichi.counter.models import Counter, Slot
from jichi.tenancy.context import tenant_scope
from tests import factories
from tests.counter.conftest import SYSTEM, at, make_counter, make_slot

pytestmark = pytest.mark.django_db


def _codes(exc: RuleViolation) -> set[str]:
    return {e.code for e in exc.errors} | {exc.code}


def test_a_counter_is_created_with_its_procedures_and_hours(counter):
    assert counter.serves("tennyu_yoyaku") and not counter.serves("inu_touroku")
    assert counter.opens_at == time(8, 30)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"name": " "}, "name.required"),
        ({"ticket_prefix": "a1"}, "ticket_prefix.invalid"),
        ({"procedure_ids": []}, "procedure_ids.required"),
        ({"procedure_ids": ["Move-In"]}, "procedure_id.invalid"),
        ({"opens_at": time(18), "closes_at": time(9)}, "hours.invalid"),
    ],
)
def test_a_bad_counter_is_refused_with_its_rule(scope, changes, code):
    fields = dict(
        name="窓口",
        department="市民課",
        ticket_prefix="B",
        procedure_ids=["tennyu_yoyaku"],
        opens_at=time(9),
        closes_at=time(17),
    )
    fields.update(changes)
    with pytest.raises(RuleViolation) as caught:
        services.create_counter(municipality=scope, actor=SYSTEM, **fields)
    assert code in _codes(caught.value)
    assert not Counter.objects.exists()


def test_a_second_counter_of_the_same_name_is_refused(scope, counter):
    with pytest.raises(RuleViolation) as caught:
        make_counter(scope)
    assert caught.value.code == "name.duplicate" and caught.value.status == 409


def test_consecutive_slots_are_created(scope, counter):
    slots = services.create_slots(
        municipality=scope,
        actor=SYSTEM,
        counter=counter,
        procedure_id="tennyu_yoyaku",
        starts_at=at(9),
        duration_minutes=30,
        capacity=3,
        count=4,
        now=at(7),
    )
    assert [s.starts_at for s in slots] == [at(9), at(9, 30), at(10), at(10, 30)]
    assert all(s.capacity == 3 and s.booked == 0 for s in slots)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"procedure_id": "inu_touroku"}, "procedure_id.not_served"),
        ({"procedure_id": "犬"}, "procedure_id.invalid"),
        ({"capacity": 0}, "capacity.invalid"),
        ({"duration_minutes": 2}, "duration_minutes.invalid"),
        ({"count": 49}, "count.invalid"),
        ({"starts_at": at(8)}, "starts_at.outside_hours"),
        ({"starts_at": at(16, 30), "count": 2}, "starts_at.outside_hours"),
        ({"starts_at": at(6, 30)}, "starts_at.past"),
    ],
)
def test_a_bad_slot_is_refused_with_its_rule(scope, counter, changes, code):
    fields = dict(
        procedure_id="tennyu_yoyaku",
        starts_at=at(10),
        duration_minutes=30,
        capacity=2,
        count=1,
        now=at(7),
    )
    fields.update(changes)
    with pytest.raises(RuleViolation) as caught:
        services.create_slots(municipality=scope, actor=SYSTEM, counter=counter, **fields)
    assert code in _codes(caught.value)
    assert not Slot.objects.exists()


def test_another_municipalitys_counter_is_not_found(scope, counter, chiyoda):
    with tenant_scope(chiyoda.code):
        with pytest.raises(RuleViolation) as caught:
            selectors.counter(counter.id)
    assert caught.value.status == 404 and caught.value.code == "not_found"


def test_open_slots_leave_out_full_ones(scope, counter):
    full = make_slot(scope, counter, capacity=1, start=at(10))
    free = make_slot(scope, counter, capacity=1, start=at(11))
    Slot.objects.filter(pk=full.pk).update(booked=1)
    assert list(selectors.open_slots("tennyu_yoyaku", now=at(8))) == [free]
    assert factories  # the module's factories made the municipality
