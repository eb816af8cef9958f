"""Approval effects: 転出届 records the 転出; 住民票の写しの請求 issues the certificate;
a failing effect rolls the approval back and says why."""

from __future__ import annotations

import pytest

from jichi.certificates.models import Certificate
from jichi.common.errors import RuleViolation
from jichi.procedures import services
from jichi.procedures.models import Application, Transition
from jichi.registry.codes import Reason, ResidentStatus
from jichi.registry.models import Movement
from jichi.registry.selectors import person_on
from jichi.tenancy.context import tenant_scope
from tests.procedures.helpers import CLERK, apply, iso, run
from tests.registry.people import family

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("issuing")]


@pytest.fixture
def people(yokohama):
    return family(yokohama)[1]


def _move_out(people, when: int = 3) -> dict:
    return {
        "movers": [p.number for p in people],
        "move_out_date": iso(when),
        "destination_address": "東京都千代田区千代田1番1号",
        "phone": "045-123-4567",
    }


def test_an_approved_move_out_is_recorded_in_the_register(yokohama, people):
    application = apply(yokohama, "tenshutsu", people[0], _move_out(people))
    run(yokohama, services.start_review, actor=CLERK, application=application)
    approved = run(yokohama, services.approve, actor=CLERK, application=application)
    with tenant_scope(yokohama.code):
        movement = Movement.objects.get(pk=approved.effect_result["movement"])
        after = person_on(people[0], movement.effective_on)
    assert movement.reason == Reason.MOVE_OUT and movement.effective_on.isoformat() == iso(3)
    assert after.status == ResidentStatus.MOVED_OUT
    assert after.destination_address == "東京都千代田区千代田1番1号"


def test_a_failing_effect_rolls_everything_back_and_says_why(yokohama, people):
    application = apply(yokohama, "tenshutsu", people[0], _move_out(people[:1]))  # the head alone
    run(yokohama, services.start_review, actor=CLERK, application=application)
    with pytest.raises(RuleViolation) as caught:
        run(yokohama, services.approve, actor=CLERK, application=application)
    exc = caught.value
    assert (exc.code, exc.status) == ("effect.failed", 422)
    assert [e.code for e in exc.errors] == ["effect.failed", "household.head_leaving"]
    with tenant_scope(yokohama.code):
        assert Application.objects.get(pk=application.pk).state == "in_review"
        assert not Movement.objects.filter(reason=Reason.MOVE_OUT).exists()
        assert not Transition.objects.filter(application=application, action="approve").exists()


def test_a_resident_copy_request_is_approved_at_once_and_issues_the_certificate(yokohama, people):
    answers = {"scope": "household", "purpose": "勤務先への提出", "delivery": "download"}
    application = apply(yokohama, "juminhyo_utsushi", people[0], answers)
    assert application.state == "approved"
    with tenant_scope(yokohama.code):
        certificate = Certificate.objects.get(pk=application.effect_result["certificate"])
    assert certificate.status == "issued" and certificate.person_id == people[0].id
    assert certificate.household_id is not None and certificate.pdf
    assert application.fee == 300
