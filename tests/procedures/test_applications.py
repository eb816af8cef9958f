"""Applications through the services: validation, prefill, idempotency, workflow, history."""

from __future__ import annotations

import pytest

from jichi.common.errors import RuleViolation
from jichi.linkage.models import OutboxEvent
from jichi.procedures import selectors, services
from jichi.procedures.models import Application, Transition
from jichi.tenancy.context import tenant_scope
from tests.procedures.helpers import (
    CLERK,
    SYSTEM,
    apply,
    as_resident,
    iso,
    neighbour,
    resident,
    run,
)
from tests.registry.people import family

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(yokohama):
    return family(yokohama)[1]  # head, wife, child (born 2015)


def _genkyo(people, **extra):
    return {"children": [people[2].number], "living_apart": False, "still_raising": True, **extra}


def _refusal(callable_, *args, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        callable_(*args, **kwargs)
    return caught.value


def _codes(exc: RuleViolation) -> dict[str, str]:
    return {e.field: e.code for e in exc.errors}


def test_submit_fills_what_the_register_knows_and_sets_the_due_date(yokohama, people):
    application = apply(yokohama, "jidou_teate_genkyo", people[0], _genkyo(people))
    assert application.state == "submitted"
    assert application.answers["claimant_name"] == "山田 太郎"
    assert application.prefilled["claimant_name"]["source"] == "register:name"
    assert application.due_on.isoformat() == iso(30)
    assert application.department == "kodomo" and application.procedure_version == 1


def test_every_broken_rule_is_reported_with_its_field_and_code(yokohama, people):
    answers = {
        "children": [people[2].number],
        "still_raising": "yes",  # not a boolean
        "changes": "x" * 1001,  # too long
        "colour": "red",  # not a question
    }
    exc = _refusal(apply, yokohama, "jidou_teate_genkyo", people[0], answers)
    assert _codes(exc) == {
        "answers.colour": "field.unknown",
        "answers.living_apart": "field.required",
        "answers.still_raising": "field.type",
        "answers.changes": "field.max_length",
    }
    assert "入力してください" in exc.errors[1].message_ja or exc.errors[1].message_ja
    with tenant_scope(yokohama.code):
        assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("weeks", 50, "field.max"),
        ("weeks", 0, "field.min"),
        ("due_date", "2000-01-01", "field.date_too_early"),
        ("due_date", "not a date", "field.date"),
        ("multiple", "quintuplets", "field.choice"),
        ("phone", "12345", "field.phone"),
    ],
)
def test_field_rules(yokohama, people, field, value, code):
    answers = {"due_date": iso(100), "weeks": 12, "multiple": "single", "phone": "045-123-4567"}
    answers[field] = value
    exc = _refusal(apply, yokohama, "ninshin_todoke", people[1], answers)
    assert _codes(exc) == {f"answers.{field}": code}


def test_a_pattern_rule(yokohama, people):
    answers = {
        "insured_number": "12AB",
        "application_kind": "new",
        "doctor_name": "佐藤",
        "clinic": "中央病院",
        "contact_phone": "045-123-4567",
    }
    exc = _refusal(apply, yokohama, "youkaigo_nintei", people[0], answers)
    assert _codes(exc) == {"answers.insured_number": "field.pattern"}


def test_a_changed_register_value_is_refused_where_the_procedure_says_so(yokohama, people):
    exc = _refusal(
        apply, yokohama, "jidou_teate_genkyo", people[0], _genkyo(people, claimant_name="山田 次郎")
    )
    assert exc.status == 422
    assert _codes(exc) == {"answers.claimant_name": "field.prefill_changed"}


def test_a_person_outside_the_household_is_refused(yokohama, people):
    other = neighbour(yokohama)
    exc = _refusal(
        apply,
        yokohama,
        "jidou_teate_genkyo",
        people[0],
        {**_genkyo(people), "children": [other.number]},
    )
    assert _codes(exc) == {"answers.children": "field.not_in_register"}


def test_the_applicant_kind_and_identity_level_are_checked(yokohama, people):
    from jichi.procedures.applicants import Applicant

    exc = _refusal(
        apply,
        yokohama,
        "ninshin_todoke",
        people[1],
        {},
        applicant=Applicant("business", people[1], identity="login"),
    )
    assert exc.code == "applicant.kind_not_allowed"
    exc = _refusal(
        apply, yokohama, "tenshutsu", people[0], {}, applicant=resident(people[0], identity="login")
    )
    assert exc.code == "identity.insufficient" and exc.status == 403
    exc = _refusal(
        apply,
        yokohama,
        "jidou_teate_genkyo",
        people[0],
        _genkyo(people),
        applicant=Applicant("agent", people[0], identity="login"),
    )
    assert exc.code == "agent_name.required"


def test_the_same_idempotency_key_returns_the_first_application(yokohama, people):
    first = apply(yokohama, "jidou_teate_genkyo", people[0], _genkyo(people), idempotency_key="k-1")
    again = apply(yokohama, "jidou_teate_genkyo", people[0], _genkyo(people), idempotency_key="k-1")
    assert again.id == first.id
    with tenant_scope(yokohama.code):
        assert Application.objects.count() == 1
    exc = _refusal(
        apply,
        yokohama,
        "jidou_teate_genkyo",
        people[0],
        _genkyo(people, changes="別の内容"),
        idempotency_key="k-1",
    )
    assert (exc.code, exc.status) == ("idempotency_key.reused", 409)


def test_the_same_key_in_another_municipality_is_another_application(yokohama, kawasaki, people):
    apply(yokohama, "jidou_teate_genkyo", people[0], _genkyo(people), idempotency_key="k-2")
    theirs = family(kawasaki, town="川崎区駅前本町")[1]
    other = apply(kawasaki, "jidou_teate_genkyo", theirs[0], _genkyo(theirs), idempotency_key="k-2")
    assert other.municipality_id == kawasaki.code


def test_the_full_workflow_leaves_a_complete_history(yokohama, people):
    application = apply(yokohama, "jidou_teate_genkyo", people[0], _genkyo(people))
    run(yokohama, services.start_review, actor=CLERK, application=application)
    run(
        yokohama,
        services.request_information,
        actor=CLERK,
        application=application,
        question="別居の有無を確認させてください。",
    )
    run(
        yokohama,
        services.answer_information,
        actor=SYSTEM,
        application=application,
        answer="同居しています。",
    )
    run(yokohama, services.approve, actor=CLERK, application=application)
    done = run(yokohama, services.complete, actor=CLERK, application=application)
    assert done.state == "completed"
    with tenant_scope(yokohama.code):
        steps = list(Transition.objects.filter(application=application).order_by("seq"))
        events = list(OutboxEvent.objects.filter(subject=str(application.id)).order_by("seq"))
    assert [(t.action, t.from_state, t.to_state) for t in steps] == [
        ("save_draft", "draft", "draft"),
        ("submit", "draft", "submitted"),
        ("start_review", "submitted", "in_review"),
        ("request_information", "in_review", "info_requested"),
        ("answer_information", "info_requested", "in_review"),
        ("approve", "in_review", "approved"),
        ("complete", "approved", "completed"),
    ]
    assert steps[3].reason == "別居の有無を確認させてください。" and steps[2].actor_id == CLERK.id
    assert events[-1].type == "jp.jichi.procedures.application.completed"
    assert events[1].data["notification"]["ja"] == "現況届を受け付けました。"


def test_a_transition_the_workflow_forbids_is_refused(yokohama, people):
    application = apply(yokohama, "jidou_teate_genkyo", people[0], _genkyo(people))
    exc = _refusal(run, yokohama, services.approve, actor=CLERK, application=application)
    assert (exc.code, exc.status) == ("state.transition_not_allowed", 409)
    exc = _refusal(run, yokohama, services.complete, actor=CLERK, application=application)
    assert exc.code == "state.transition_not_allowed"


def test_a_procedure_without_review_may_be_decided_at_once(yokohama, people):
    application = apply(
        yokohama,
        "kaigo_futan_saikoufu",
        people[0],
        {"insured_number": "1234567890", "reason": "lost"},
    )
    assert run(yokohama, services.approve, actor=CLERK, application=application).state == "approved"


def test_reject_needs_a_reason(yokohama, people):
    application = apply(yokohama, "jidou_teate_genkyo", people[0], _genkyo(people))
    run(yokohama, services.start_review, actor=CLERK, application=application)
    exc = _refusal(run, yokohama, services.reject, actor=CLERK, application=application, reason=" ")
    assert exc.code == "reason.required"
    done = run(yokohama, services.reject, actor=CLERK, application=application, reason="要件外")
    assert done.state == "rejected" and done.decision_reason == "要件外"


def test_only_the_applicant_withdraws_and_only_before_a_decision(yokohama, people):
    application = apply(yokohama, "jidou_teate_genkyo", people[0], _genkyo(people))
    exc = _refusal(
        run, yokohama, services.withdraw, actor=as_resident(people[1]), application=application
    )
    assert (exc.code, exc.status) == ("applicant.not_applicant", 403)
    done = run(yokohama, services.withdraw, actor=as_resident(people[0]), application=application)
    assert done.state == "withdrawn"
    approved = apply(
        yokohama,
        "kaigo_futan_saikoufu",
        people[0],
        {"insured_number": "1234567890", "reason": "lost"},
    )
    run(yokohama, services.approve, actor=CLERK, application=approved)
    exc = _refusal(run, yokohama, services.withdraw, actor=SYSTEM, application=approved)
    assert exc.code == "state.transition_not_allowed"


def test_a_disabled_procedure_takes_no_application(yokohama, people):
    run(
        yokohama,
        services.update_setting,
        municipality=yokohama,
        actor=CLERK,
        procedure_id="jidou_teate_genkyo",
        enabled=False,
        fee=100,
    )
    exc = _refusal(apply, yokohama, "jidou_teate_genkyo", people[0], _genkyo(people))
    assert (exc.code, exc.status) == ("procedure.disabled", 409)
    with tenant_scope(yokohama.code):
        assert selectors.offered("jidou_teate_genkyo").fee == 100
        assert all(o.procedure.id != "jidou_teate_genkyo" for o in selectors.offered_catalog())


def test_settings_refuse_bad_fees_and_unknown_texts(yokohama):
    exc = _refusal(
        run,
        yokohama,
        services.update_setting,
        municipality=yokohama,
        actor=CLERK,
        procedure_id="sodai_gomi",
        fee=-1,
        texts={"colour": {"ja": "赤"}},
    )
    assert _codes(exc) == {"fee": "fee.range", "texts.colour": "texts.unknown_key"}
    exc = _refusal(
        run,
        yokohama,
        services.update_setting,
        municipality=yokohama,
        actor=CLERK,
        procedure_id="nothing_here",
    )
    assert exc.code == "procedure.not_found"


def test_the_clock_stops_while_information_is_requested_and_breaches_are_listed(yokohama, people):
    from datetime import timedelta

    application = apply(yokohama, "jidou_teate_genkyo", people[0], _genkyo(people))
    with tenant_scope(yokohama.code):
        Application.objects.filter(pk=application.pk).update(
            due_on=application.due_on - timedelta(days=40)
        )
        assert [a.id for a in selectors.breaches()] == [application.id]
    run(
        yokohama,
        services.request_information,
        actor=CLERK,
        application=application,
        question="確認事項があります。",
    )
    with tenant_scope(yokohama.code):
        assert list(selectors.breaches()) == []  # waiting for the applicant


def test_assign_needs_a_reviewer_and_bulk_assign_is_all_or_nothing(yokohama, people):
    from tests import factories

    clerk = factories.staff(yokohama, "counter_clerk")
    auditor = factories.staff(yokohama, "auditor")
    a = apply(yokohama, "jidou_teate_genkyo", people[0], _genkyo(people))
    b = apply(
        yokohama,
        "kaigo_futan_saikoufu",
        people[0],
        {"insured_number": "1234567890", "reason": "lost"},
    )
    exc = _refusal(
        run, yokohama, services.assign, actor=CLERK, application=a, assignee=str(auditor.id)
    )
    assert exc.code == "assignee.not_reviewer"
    exc = _refusal(
        run,
        yokohama,
        services.bulk_assign,
        actor=CLERK,
        application_ids=[str(a.id), "01900000-0000-7000-8000-000000000000"],
        department="kaigo",
    )
    assert exc.code == "applications.not_found"
    with tenant_scope(yokohama.code):
        assert Application.objects.get(pk=a.pk).department == "kodomo"  # nothing changed
    done = run(
        yokohama,
        services.bulk_assign,
        actor=CLERK,
        application_ids=[str(a.id), str(b.id)],
        assignee=str(clerk.id),
        department="shimin",
    )
    assert {(x.assignee, x.department) for x in done} == {(str(clerk.id), "shimin")}


def test_residents_see_only_their_own_applications(yokohama, kawasaki, people):
    mine = apply(yokohama, "jidou_teate_genkyo", people[0], _genkyo(people))
    apply(
        yokohama,
        "ninshin_todoke",
        people[1],
        {"due_date": iso(100), "weeks": 12, "multiple": "single", "phone": "045-123-4567"},
    )
    with tenant_scope(yokohama.code):
        assert [a.id for a in selectors.applications_of_resident(people[0].id)] == [mine.id]
        exc = _refusal(selectors.application_of_resident, people[1].id, mine.id)
        assert exc.status == 404
    with tenant_scope(kawasaki.code):
        assert list(selectors.applications_of_resident(people[0].id)) == []
        assert _refusal(selectors.application, str(mine.id)).status == 404
