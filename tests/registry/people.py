"""Factories for register data: notices with sensible defaults, recorded through services."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from jichi.common.errors import RuleViolation
from jichi.registry import services
from jichi.registry.models import Person
from jichi.registry.schemas import AddressIn, ArrivalIn, PersonIn
from jichi.tenancy.context import tenant_scope
from tests.factories import SYSTEM

TOWN = "中区元町"


def today() -> date:
    return timezone.localdate()


def days_ago(n: int) -> date:
    return today() - timedelta(days=n)


def person(**overrides) -> PersonIn:
    values = dict(
        family_name="山田",
        given_name="太郎",
        family_name_kana="ヤマダ",
        given_name_kana="タロウ",
        birth_date="1980-04-01",
        sex="1",
        relationship="世帯主",
        domicile="神奈川県横浜市中区元町1丁目1番地",
        domicile_head="山田太郎",
    )
    values.update(overrides)
    return PersonIn(**values)


def foreigner(**overrides) -> PersonIn:
    values = dict(
        kind="2",
        name_alphabet="SMITH JOHN",
        family_name="",
        given_name="",
        family_name_kana="",
        given_name_kana="",
        birth_date="1990-01-15",
        sex="1",
        relationship="世帯主",
        domicile="",
        domicile_head="",
        nationality="米国",
        article_30_45="1",
        residence_status="engineer_humanities",
        residence_period="3年",
        residence_expiry=today() + timedelta(days=700),
        residence_card_no="AB12345678CD",
    )
    values.update(overrides)
    return PersonIn(**values)


def arrival(
    *persons: PersonIn, effective_on=None, notified_on=None, town=TOWN, household=None, **extra
) -> ArrivalIn:
    return ArrivalIn(
        effective_on=effective_on or days_ago(30),
        notified_on=notified_on or days_ago(25),
        address=AddressIn(town=town, block="1丁目2番3号"),
        previous_address="東京都千代田区千代田1番1号",
        household=household,
        persons=list(persons or [person()]),
        **extra,
    )


def family(municipality, **kwargs):
    """A household of three moved in 30 days ago: head, spouse, child."""
    notice = arrival(
        person(),
        person(
            given_name="花子",
            given_name_kana="ハナコ",
            sex="2",
            relationship="妻",
            birth_date="1982-06-15",
        ),
        person(
            given_name="一郎",
            given_name_kana="イチロウ",
            relationship="子",
            birth_date="2015-09-09",
        ),
        **kwargs,
    )
    with tenant_scope(municipality.code):
        movement = services.record_move_in(municipality=municipality, actor=SYSTEM, notice=notice)
        people = list(Person.objects.filter(movements__movement=movement).order_by("number"))
    return movement, people


def record(municipality, service, notice):
    """Run a register service in the municipality's scope."""
    with tenant_scope(municipality.code):
        return service(municipality=municipality, actor=SYSTEM, notice=notice)


def refusal(municipality, service, notice) -> RuleViolation:
    """The rule a register service refuses ``notice`` with."""
    with tenant_scope(municipality.code), pytest.raises(RuleViolation) as caught:
        service(municipality=municipality, actor=SYSTEM, notice=notice)
    return caught.value
