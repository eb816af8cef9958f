"""Fixtures of the counter tests: a counter of 横浜市 and times on a fixed local day."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from jichi.counter import services
from jichi.tenancy.context import tenant_scope
from tests import factories

SYSTEM = factories.SYSTEM
DAY = date.today() + timedelta(days=7)


def at(hour: int, minute: int = 0, second: int = 0, day: date = DAY) -> datetime:
    """An aware datetime at local (Asia/Tokyo) ``hour:minute`` of ``day``."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute, second)))


@pytest.fixture
def scope(yokohama):
    with tenant_scope(yokohama.code):
        yield yokohama


def make_counter(municipality, name="住民票・転入転出", prefix="A", procedures=None, office="main"):
    return services.create_counter(
        municipality=municipality,
        actor=SYSTEM,
        name=name,
        department="市民課",
        office=office,
        ticket_prefix=prefix,
        procedure_ids=procedures or ["tennyu_yoyaku", "juminhyo_utsushi"],
        opens_at=time(8, 30),
        closes_at=time(17, 15),
    )


@pytest.fixture
def counter(scope):
    return make_counter(scope)


def make_slot(municipality, counter, *, capacity=2, start=None, procedure="tennyu_yoyaku"):
    return services.create_slots(
        municipality=municipality,
        actor=SYSTEM,
        counter=counter,
        procedure_id=procedure,
        starts_at=start or at(10),
        duration_minutes=30,
        capacity=capacity,
        now=(start or at(10)) - timedelta(hours=3),
    )[0]
