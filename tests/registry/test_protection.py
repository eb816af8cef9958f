"""DV等支援措置: start, extend, end, and what each refuses."""

from datetime import timedelta

import pytest

from jichi.audit.models import AuditEntry
from jichi.common.errors import RuleViolation
from jichi.registry import services
from jichi.registry.models import Protection
from jichi.registry.schemas import OffenderIn, ProtectionIn
from jichi.registry.services.protection import one_year_from
from jichi.tenancy.context import tenant_scope
from tests.factories import SYSTEM
from tests.registry.people import days_ago, family, today


@pytest.fixture
def protected_number(yokohama):
    _, people = family(yokohama)
    return people[1].number


def start(yokohama, number, **overrides):
    values = dict(person=number, starts_on=days_ago(10), offenders=[OffenderIn(name="加害 太郎")])
    values.update(overrides)
    with tenant_scope(yokohama.code):
        return services.start_protection(
            municipality=yokohama, actor=SYSTEM, request=ProtectionIn(**values)
        )


def refused(yokohama, call, **kwargs):
    with tenant_scope(yokohama.code), pytest.raises(RuleViolation) as caught:
        call(actor=SYSTEM, **kwargs)
    return caught.value


def test_a_protection_lasts_one_year_by_default():
    from datetime import date

    assert one_year_from(date(2020, 4, 1)) == date(2021, 3, 31)
    assert one_year_from(date(2024, 2, 29)) == date(2025, 2, 28)


def test_an_end_before_the_start_is_refused(yokohama, protected_number):
    with pytest.raises(RuleViolation) as caught:
        start(yokohama, protected_number, ends_on=days_ago(11))
    assert (caught.value.code, caught.value.field) == ("ends_on.order", "ends_on")
    with tenant_scope(yokohama.code):
        assert not Protection.objects.exists()


def test_an_unknown_offender_number_names_its_field(yokohama, protected_number):
    with pytest.raises(RuleViolation) as caught:
        start(yokohama, protected_number, offenders=[OffenderIn(name="x", person="0000000001")])
    assert caught.value.field == "offenders.0.person"


def test_extension_is_refused_until_a_month_before_the_end(yokohama, protected_number):
    protection = start(yokohama, protected_number, ends_on=today() + timedelta(days=60))
    error = refused(yokohama, services.extend_protection, protection=protection)
    assert (error.code, error.status) == ("protection.too_early", 409)
    with tenant_scope(yokohama.code):
        assert Protection.objects.get().ends_on == today() + timedelta(days=60)


def test_an_extension_adds_a_year_after_the_current_end_and_is_audited(yokohama, protected_number):
    end = today() + timedelta(days=20)
    protection = start(yokohama, protected_number, ends_on=end)
    with tenant_scope(yokohama.code):
        services.extend_protection(actor=SYSTEM, protection=protection)
        assert Protection.objects.get().ends_on == one_year_from(end + timedelta(days=1))
        entry = AuditEntry.objects.get(action="registry.protection.extended")
        assert entry.details == {"ends_on": one_year_from(end + timedelta(days=1)).isoformat()}


def test_ending_needs_a_reason_and_an_ended_protection_cannot_be_extended(
    yokohama, protected_number
):
    protection = start(yokohama, protected_number, ends_on=today() + timedelta(days=5))
    error = refused(yokohama, services.end_protection, protection=protection, note="  ")
    assert (error.code, error.field) == ("note.required", "note")
    with tenant_scope(yokohama.code):
        services.end_protection(actor=SYSTEM, protection=protection, note="申出の取下げ")
        assert AuditEntry.objects.get(action="registry.protection.ended").purpose == "申出の取下げ"
    error = refused(yokohama, services.extend_protection, protection=protection)
    assert error.code == "protection.ended"
