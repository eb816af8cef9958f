"""児童手当: amounts at the boundary dates, the 15-day rule, payments, events, the API."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from jichi.benefits.allowance import rules, services
from jichi.benefits.allowance.models import Change, ChangeKind, Payment, Recipient
from jichi.common.errors import RuleViolation
from jichi.registry import services as registry
from jichi.registry.schemas import BirthIn, DepartureIn
from jichi.registry.selectors import persons_of
from jichi.tenancy.context import tenant_scope
from tests import factories
from tests.factories import SYSTEM, bearer
from tests.registry.people import arrival, days_ago, person, record, today

M = rules.month_of


# --- the rules --------------------------------------------------------------------------


def test_a_child_is_paid_up_to_the_march_after_attaining_18():
    march = date(2026, 3, 1)
    assert rules.paid_in(date(2008, 3, 15), march)  # 18 in March 2026: paid through March
    assert not rules.paid_in(date(2008, 3, 15), date(2026, 4, 1))
    assert rules.paid_in(date(2008, 4, 1), march) and not rules.paid_in(
        date(2008, 4, 1), date(2026, 4, 1)
    )
    assert rules.paid_in(date(2008, 4, 2), date(2027, 3, 1))  # attains 18 on 1 April 2026


def test_under_three_until_the_month_the_third_year_is_attained():
    born = date(2024, 1, 15)  # attains 3 on 14 January 2027
    assert rules.monthly_amounts({"a": born}, date(2027, 1, 1)) == {"a": 15_000}
    assert rules.monthly_amounts({"a": born}, date(2027, 2, 1)) == {"a": 10_000}
    first = date(2024, 2, 1)  # attains 3 on 31 January 2027
    assert rules.monthly_amounts({"b": first}, date(2027, 1, 1)) == {"b": 15_000}
    assert rules.monthly_amounts({"b": first}, date(2027, 2, 1)) == {"b": 10_000}


def test_the_third_child_counts_older_siblings_up_to_22():
    month = date(2026, 12, 1)
    births = {"big": date(2005, 6, 1), "mid": date(2015, 6, 1), "small": date(2025, 6, 1)}
    # big (21) is counted, not paid; mid is second; small is third: ¥30,000 under 3 too
    assert rules.monthly_amounts(births, month) == {"mid": 10_000, "small": 30_000}
    births["big"] = date(2003, 6, 1)  # 23: no longer counted
    assert rules.monthly_amounts(births, month) == {"mid": 10_000, "small": 15_000}


def test_payment_starts_after_the_claim_or_after_the_event_within_15_days():
    assert rules.start_month(date(2026, 5, 10)) == date(2026, 6, 1)
    born = date(2026, 4, 28)
    assert rules.start_month(date(2026, 5, 13), born) == date(2026, 5, 1)  # day 15: in time
    assert rules.start_month(date(2026, 5, 14), born) == date(2026, 6, 1)  # day 16: late


def test_even_months_pay_the_two_before():
    assert rules.covered_months(date(2026, 2, 1)) == [date(2025, 12, 1), date(2026, 1, 1)]
    assert not rules.is_pay_month(date(2026, 3, 1)) and not rules.is_pay_month(date(2026, 2, 2))


# --- with the register --------------------------------------------------------------------


def _family(municipality, *child_births: date, since=None, head="太郎"):
    children = [person(given_name=f"子{i}", given_name_kana="コ", relationship="子",
                       birth_date=b.isoformat()) for i, b in enumerate(child_births)]  # fmt: skip
    since = since or days_ago(300)
    parent = person(given_name=head, given_name_kana="タロウ" if head == "太郎" else "ジロウ")
    notice = arrival(parent, *children, effective_on=since, notified_on=since)
    movement = record(municipality, registry.record_move_in, notice)
    with tenant_scope(municipality.code):
        people = persons_of(movement)
    return people[0], people[1:]


def _certify(municipality, parent, children, claimed_on=None):
    with tenant_scope(municipality.code):
        return services.certify(
            municipality=municipality,
            actor=SYSTEM,
            claimant=parent.number,
            children=[c.number for c in children],
            claimed_on=claimed_on or today(),
        )


def _pay(municipality, month):
    with tenant_scope(municipality.code):
        return services.compute_payments(municipality=municipality, actor=SYSTEM, pay_month=month)


def test_a_certified_family_is_paid_in_the_even_months(yokohama):
    parent, kids = _family(yokohama, date(2015, 6, 1))
    recipient = _certify(yokohama, parent, kids)
    start = recipient.start_month
    pay = start if rules.is_pay_month(start) else rules.add_months(start, 1)
    pay = rules.add_months(pay, 2)  # an even month after two paid months
    result = _pay(yokohama, pay)
    assert result["payments"] == 1 and result["total"] == 20_000
    assert _pay(yokohama, pay)["already"] == 1  # paid once
    with tenant_scope(yokohama.code):
        assert Payment.objects.count() == 1


def test_a_claim_for_a_child_paid_already_is_refused(yokohama):
    parent, kids = _family(yokohama, date(2015, 6, 1))
    _certify(yokohama, parent, kids)
    with pytest.raises(RuleViolation) as twice:
        _certify(yokohama, parent, kids)
    assert twice.value.code == "child.already_paid" and twice.value.status == 409


def test_a_child_past_the_age_or_in_another_household_is_refused(yokohama):
    parent, kids = _family(yokohama, date(2000, 6, 1))
    with pytest.raises(RuleViolation) as old:
        _certify(yokohama, parent, kids)
    assert old.value.code == "age.over" and old.value.field == "children.0"
    _, others = _family(yokohama, date(2016, 1, 1), head="次郎")
    with pytest.raises(RuleViolation) as elsewhere:
        _certify(yokohama, parent, others)
    assert elsewhere.value.code == "household.other"


def test_moving_out_ends_the_entitlement_with_that_month(yokohama):
    parent, kids = _family(yokohama, date(2015, 6, 1))
    recipient = _certify(yokohama, parent, kids, claimed_on=days_ago(200))
    record(yokohama, registry.record_move_out, DepartureIn(
        persons=[parent.number, *(k.number for k in kids)], effective_on=days_ago(3),
        notified_on=days_ago(3)))  # fmt: skip
    with tenant_scope(yokohama.code):
        ended = Recipient.objects.get(pk=recipient.pk)
        kinds = set(Change.objects.values_list("kind", flat=True))
    assert ended.end_month == M(days_ago(3)) and ended.end_reason == "moved_out"
    assert ChangeKind.ENDED in kinds


def test_a_birth_raises_a_change_due_in_15_days(yokohama):
    parent, kids = _family(yokohama, date(2015, 6, 1))
    _certify(yokohama, parent, kids)
    with tenant_scope(yokohama.code):
        household = parent.versions.order_by("-history_no").first().household.number
    born = days_ago(2)
    record(yokohama, registry.record_birth, BirthIn(
        effective_on=born, notified_on=today(), household=household,
        child=person(given_name="新", given_name_kana="アラタ", relationship="子",
                      birth_date=born.isoformat())))  # fmt: skip
    with tenant_scope(yokohama.code):
        change = Change.objects.get(kind=ChangeKind.BIRTH)
    assert change.deadline == born + timedelta(days=15) and change.recipient_id is not None


def test_a_household_moving_in_with_a_child_raises_one_change(yokohama):
    _family(yokohama, date(2015, 6, 1), date(2018, 1, 1))
    _family(yokohama, since=days_ago(30), head="次郎")  # no children: nothing
    with tenant_scope(yokohama.code):
        assert list(Change.objects.values_list("kind", flat=True)) == [ChangeKind.MOVE_IN]


def test_the_api_certifies_pays_and_lists(client, yokohama):
    parent, kids = _family(yokohama, date(2024, 6, 1))
    _, secret = factories.token(yokohama)
    base = "/api/v1/municipalities/141003/allowance"
    made = client.post(base + "/recipients", {"claimant": parent.number,
                       "children": [k.number for k in kids], "claimed_on": today().isoformat()},
                       content_type="application/json", **bearer(secret))  # fmt: skip
    assert made.status_code == 201, made.content
    assert [c["number"] for c in made.json()["children"]] == [kids[0].number]
    odd = client.post(
        base + "/payments",
        {"pay_month": "2027-03-01"},
        content_type="application/json",
        **bearer(secret),
    )
    assert odd.status_code == 400 and odd.json()["error"]["code"] == "pay_month.even"
    changes = client.get(base + "/changes", **bearer(secret)).json()
    assert [c["kind"] for c in changes] == ["move_in"]
    done = client.post(f"{base}/changes/{changes[0]['id']}/handled", **bearer(secret))
    assert done.status_code == 200 and client.get(base + "/changes", **bearer(secret)).json() == []


# --- from the procedures module ----------------------------------------------------------


def _claim(yokohama, parent, kids, higher_income=True):
    from tests.procedures.helpers import apply

    answers = {  # the claimant's name, birth date and address come from the register
        "children": [k.number for k in kids],
        "pension": "kosei",
        "higher_income": higher_income,
        "bank_name": "横浜銀行",
        "branch_name": "元町支店",
        "account_type": "ordinary",
        "account_number": "1234567",
        "account_holder_kana": "ヤマダ タロウ",
        "phone": "045-123-4567",
    }
    return apply(yokohama, "jidou_teate_nintei", parent, answers)


def test_an_approved_online_claim_certifies_the_claimant(yokohama):
    from jichi.procedures import services as procedures
    from tests.procedures.helpers import CLERK, run

    parent, kids = _family(yokohama, date(2019, 5, 5))
    application = _claim(yokohama, parent, kids)
    run(yokohama, procedures.start_review, actor=CLERK, application=application)
    run(yokohama, procedures.approve, actor=CLERK, application=application)
    with tenant_scope(yokohama.code):
        recipient = Recipient.objects.get()
        children = [c.number for c in recipient.children.all()]
    assert recipient.application_id == application.id and recipient.number == parent.number
    assert children == [kids[0].number]


def test_a_claim_that_cannot_be_certified_stops_the_approval(yokohama):
    from jichi.procedures import services as procedures
    from jichi.procedures.models import Application
    from tests.procedures.helpers import CLERK, run

    parent, kids = _family(yokohama, date(2019, 5, 5))
    _certify(yokohama, parent, kids)  # paid already, from a claim at the counter
    application = _claim(yokohama, parent, kids)
    run(yokohama, procedures.start_review, actor=CLERK, application=application)
    with pytest.raises(RuleViolation) as refused:
        run(yokohama, procedures.approve, actor=CLERK, application=application)
    assert refused.value.code == "child.already_paid"
    with tenant_scope(yokohama.code):
        assert Application.objects.get(pk=application.pk).state == "in_review"
        assert Recipient.objects.count() == 1


def test_the_page_lists_changes_recipients_and_computes_payments(client, yokohama):
    from jichi.tenancy.roles import Role

    parent, kids = _family(yokohama, date(2019, 5, 5))
    _certify(yokohama, parent, kids, claimed_on=days_ago(120))
    client.force_login(factories.staff(yokohama, Role.MUNICIPAL_ADMIN))
    pay_month = rules.add_months(M(today()), 1 if M(today()).month % 2 else 0)
    assert (
        client.post("/allowance/payments", {"pay_month": pay_month.isoformat()}).status_code == 302
    )
    page = client.get("/allowance/").content.decode()
    assert "児童手当" in page and "山田 太郎" in page and "20000" in page


def test_a_claimant_who_earns_less_than_the_spouse_is_not_certified(yokohama):
    from jichi.procedures import services as procedures
    from tests.procedures.helpers import CLERK, run

    parent, kids = _family(yokohama, date(2019, 5, 5))
    application = _claim(yokohama, parent, kids, higher_income=False)
    run(yokohama, procedures.start_review, actor=CLERK, application=application)
    with pytest.raises(RuleViolation) as refused:
        run(yokohama, procedures.approve, actor=CLERK, application=application)
    assert refused.value.code == "claimant.lower_income" and refused.value.field == "higher_income"
