"""就学: the 学齢簿, the entrants of April at the 1/2 April boundary, 就学通知 and its PDF."""

from __future__ import annotations

from datetime import date

import pytest
from pypdf import PdfReader

from jichi.benefits.schooling import rules, selectors, services
from jichi.benefits.schooling.models import EntryNotice, NoticeStatus
from jichi.common.errors import RuleViolation
from jichi.registry import services as registry
from jichi.registry.schemas import DepartureIn
from jichi.registry.towns import find_town
from jichi.tenancy.context import tenant_scope
from tests import factories
from tests.factories import SYSTEM, bearer
from tests.registry.people import arrival, days_ago, person, record, today

YEAR = rules.next_entry_year(today())  # the April the next entrants start


def _family_with(*births: date):
    """A parent and children born on ``births``, moved in long ago."""
    children = [
        person(
            given_name=f"子{i}", given_name_kana="コ", relationship="子", birth_date=b.isoformat()
        )
        for i, b in enumerate(births)
    ]
    return arrival(person(), *children, effective_on=days_ago(300), notified_on=days_ago(299))


@pytest.fixture
def schools(yokohama):
    town = find_town("141003", "中区元町").code
    with tenant_scope(yokohama.code):
        services.set_schools(
            municipality=yokohama,
            actor=SYSTEM,
            schools=[
                {
                    "code": "P01",
                    "name": "元町小学校",
                    "kind": "primary",
                    "address": "中区元町2丁目",
                    "towns": [town],
                },
                {"code": "J01", "name": "港中学校", "kind": "junior", "towns": [town]},
            ],
        )
    return town


def _numbers(yokohama, movement):
    from jichi.registry.selectors import persons_of

    with tenant_scope(yokohama.code):
        return {p.number: p for p in persons_of(movement)}


def test_born_on_1_april_enters_with_the_year_before_born_on_2_april_waits(yokohama, schools):
    first_day = date(YEAR - 6, 4, 1)
    record(
        yokohama,
        registry.record_move_in,
        _family_with(first_day, date(YEAR - 6, 4, 2), date(YEAR - 7, 4, 2)),
    )
    with tenant_scope(yokohama.code):
        entrants = selectors.entrants(YEAR, today())
    births = sorted(row.birth_date for row, _ in entrants)
    assert births == [date(YEAR - 7, 4, 2), first_day]
    assert {school.name for _, school in entrants} == {"元町小学校"}


def test_the_school_age_register_holds_grades_one_to_nine_with_their_schools(yokohama, schools):
    fy = YEAR - 1  # the current school year
    births = [
        date(fy - 6, 4, 1),  # grade 1: entered this April (born on 1 April: 早生まれ)
        date(fy - 12, 4, 2),  # grade 6
        date(fy - 12, 4, 1),  # grade 7, junior high 1
        date(fy - 15, 4, 2),  # grade 9
        date(fy - 15, 4, 1),  # left junior high last March
    ]
    record(yokohama, registry.record_move_in, _family_with(*births))
    with tenant_scope(yokohama.code):
        pupils = sorted(selectors.school_age_register(today()), key=lambda p: p.grade)
    assert [(p.grade, p.stage, p.grade_in_stage) for p in pupils] == [
        (1, "primary", 1),
        (6, "primary", 6),
        (7, "junior", 1),
        (9, "junior", 3),
    ]
    assert [p.school.name for p in pupils] == ["元町小学校", "元町小学校", "港中学校", "港中学校"]


def test_notices_go_once_to_each_entrant_and_name_the_household_head(yokohama, schools):
    record(yokohama, registry.record_move_in, _family_with(date(YEAR - 6, 1, 10)))
    with tenant_scope(yokohama.code):
        first = services.issue_notices(municipality=yokohama, actor=SYSTEM, entry_year=YEAR)
        again = services.issue_notices(municipality=yokohama, actor=SYSTEM, entry_year=YEAR)
        notice = EntryNotice.objects.select_related("school").get()
    assert (first["issued"], again["issued"], again["already"]) == (1, 0, 1)
    assert (notice.child_name, notice.guardian_name, notice.school.name) == (
        "山田 子0",
        "山田 太郎",
        "元町小学校",
    )


def test_a_notice_is_withdrawn_when_the_child_moves_out_before_entering(yokohama, schools):
    movement = record(yokohama, registry.record_move_in, _family_with(date(YEAR - 6, 1, 10)))
    with tenant_scope(yokohama.code):
        services.issue_notices(municipality=yokohama, actor=SYSTEM, entry_year=YEAR)
    everyone = list(_numbers(yokohama, movement))
    record(
        yokohama,
        registry.record_move_out,
        DepartureIn(
            persons=everyone,
            effective_on=days_ago(1),
            notified_on=days_ago(1),
            destination_address="東京都千代田区千代田1番1号",
        ),
    )
    with tenant_scope(yokohama.code):
        assert EntryNotice.objects.get().status == NoticeStatus.WITHDRAWN


def test_entrants_where_no_school_is_set_are_reported_not_notified(yokohama):
    record(yokohama, registry.record_move_in, _family_with(date(YEAR - 6, 1, 10)))
    with tenant_scope(yokohama.code):
        result = services.issue_notices(municipality=yokohama, actor=SYSTEM, entry_year=YEAR)
    assert result["issued"] == 0 and len(result["unassigned"]) == 1


@pytest.mark.parametrize(
    "school, code",
    [
        ({"code": "P1", "name": "x", "kind": "college", "towns": []}, "kind.choice"),
        ({"code": "", "name": "x", "kind": "primary", "towns": []}, "code.invalid"),
        ({"code": "P1", "name": "x", "kind": "primary", "towns": ["1"]}, "towns.unknown"),
    ],
)
def test_bad_schools_are_refused_naming_the_field(yokohama, school, code):
    with tenant_scope(yokohama.code), pytest.raises(RuleViolation) as refused:
        services.set_schools(municipality=yokohama, actor=SYSTEM, schools=[school])
    assert refused.value.code == code and refused.value.field.startswith("schools.0.")


def test_notices_only_for_this_or_next_april(yokohama):
    with tenant_scope(yokohama.code), pytest.raises(RuleViolation) as refused:
        services.issue_notices(municipality=yokohama, actor=SYSTEM, entry_year=today().year + 2)
    assert refused.value.code == "entry_year.range"


def test_the_api_issues_notices_and_gives_the_pdf(client, yokohama, schools):
    record(yokohama, registry.record_move_in, _family_with(date(YEAR - 6, 1, 10)))
    _, secret = factories.token(yokohama)
    base = "/api/v1/municipalities/141003/schooling"
    made = client.post(
        base + "/notices", {"entry_year": YEAR}, content_type="application/json", **bearer(secret)
    )
    assert made.status_code == 201 and made.json()["issued"] == 1
    listed = client.get(base + "/notices", **bearer(secret)).json()
    pdf = client.get(listed[0]["pdf_url"], **bearer(secret))
    assert pdf.status_code == 200 and pdf["content-type"] == "application/pdf"
    import io

    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "就学通知書" in text and "元町小学校" in text and "山田" in text
    register = client.get(base + "/register", {"purpose": "学齢簿の確認"}, **bearer(secret))
    assert [p["grade"] for p in register.json()] == []  # the entrant is not of school age yet


def test_the_page_counts_and_issues(client, yokohama, schools):
    from jichi.tenancy.roles import Role

    record(yokohama, registry.record_move_in, _family_with(date(YEAR - 6, 1, 10)))
    client.force_login(factories.staff(yokohama, Role.MUNICIPAL_ADMIN))
    assert client.post("/schooling/notices", {"entry_year": YEAR}).status_code == 302
    page = client.get("/schooling/").content.decode()
    assert "就学" in page and "山田 子0" in page
