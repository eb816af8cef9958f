"""Staff pages of the register: search, person and household with purpose, movement forms."""

import re

import pytest

from jichi.audit.models import AuditEntry
from jichi.registry import services
from jichi.registry.codes import Reason
from jichi.registry.models import Movement, Person, PersonVersion
from jichi.registry.schemas import OffenderIn, ProtectionIn
from jichi.tenancy.context import tenant_scope
from jichi.tenancy.roles import Role
from tests import factories
from tests.factories import SYSTEM
from tests.registry.people import days_ago, family

PURPOSE = "証明書の交付"


@pytest.fixture
def household(yokohama):
    _, people = family(yokohama)
    return people


def test_search_page_finds_by_kana(client, clerk, household):
    html = client.get("/registry/", {"name": "やまだ", "purpose": PURPOSE}).content.decode()
    assert "山田 太郎" in html and household[0].number in html


def test_search_without_a_purpose_shows_nothing(client, clerk, household):
    html = client.get("/registry/", {"name": "ヤマダ"}).content.decode()
    assert "山田 太郎" not in html and 'role="alert"' in html


def test_search_partial_for_htmx(client, clerk, household):
    html = client.get(
        "/registry/", {"name": "ヤマダ", "purpose": PURPOSE}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in html and "山田 花子" in html


def test_person_page_asks_for_a_purpose_then_shows_and_audits(client, clerk, household, yokohama):
    url = f"/registry/persons/{household[0].number}/"
    first = client.get(url).content.decode()
    assert 'name="purpose"' in first and "山田" not in first
    html = client.get(url, {"purpose": PURPOSE}).content.decode()
    assert "山田 太郎" in html and "中区元町" in html and "昭和55年4月1日" in html
    with tenant_scope(yokohama.code):
        assert (
            AuditEntry.objects.filter(action="registry.person.read", purpose=PURPOSE).count() == 1
        )


def test_protected_person_pages_carry_the_banner(client, clerk, household, yokohama):
    with tenant_scope(yokohama.code):
        services.start_protection(
            municipality=yokohama,
            actor=SYSTEM,
            request=ProtectionIn(
                person=household[1].number,
                starts_on=days_ago(1),
                offenders=[OffenderIn(name="加害 者")],
            ),
        )
    for url in (
        f"/registry/persons/{household[1].number}/",
        f"/registry/persons/{household[1].number}/?purpose=x1",
    ):
        assert "banner-protected" in client.get(url).content.decode()
    results = client.get("/registry/", {"name": "ヤマダ", "purpose": PURPOSE}).content.decode()
    assert "tag-protected" in results


def test_household_page_lists_members(client, clerk, household, yokohama):
    with tenant_scope(yokohama.code):
        from jichi.registry import timeline

        number = timeline.latest(household[0]).household.number
    html = client.get(f"/registry/households/{number}/", {"purpose": PURPOSE}).content.decode()
    assert html.index("世帯主") < html.index("妻") < html.index("子")


def _move_in_form(**overrides):
    form = {
        "effective_on": days_ago(3).isoformat(),
        "notified_on": days_ago(2).isoformat(),
        "address.town": "中区山下町",
        "address.block": "1番地",
        "previous_address": "東京都港区",
        "persons.0.family_name": "鈴木",
        "persons.0.given_name": "一郎",
        "persons.0.family_name_kana": "スズキ",
        "persons.0.given_name_kana": "イチロウ",
        "persons.0.birth_date": "平成2年3月4日",
        "persons.0.sex": "1",
        "persons.0.relationship": "世帯主",
        "persons.0.domicile": "横浜市中区山下町1番地",
    }
    form.update(overrides)
    return form


def test_move_in_form_records_a_movement(client, clerk, yokohama):
    response = client.post("/registry/movements/move-in/", _move_in_form())
    assert response.status_code == 302
    with tenant_scope(yokohama.code):
        assert Person.objects.count() == 1


def test_move_in_form_shows_errors_next_to_their_inputs(client, clerk, yokohama):
    response = client.post(
        "/registry/movements/move-in/", _move_in_form(**{"persons.0.given_name_kana": "いちろう1"})
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="err-persons0given_name_kana"' in html
    assert "カタカナ" in html
    with tenant_scope(yokohama.code):
        assert not Person.objects.exists()


def test_form_validates_one_input_as_you_type(client, clerk, yokohama):
    response = client.post(
        "/registry/movements/move-in/check/",
        _move_in_form(**{"persons.0.relationship": "孫"}),
        HTTP_HX_REQUEST="true",
        HTTP_HX_TRIGGER_NAME="persons.0.relationship",
    )
    html = response.content.decode()
    assert 'hx-swap-oob="true"' in html and 'id="err-persons0relationship"' in html
    assert html.count("hx-swap-oob") == 1 and "続柄" in html


def test_form_check_of_a_valid_input_clears_its_error(client, clerk, yokohama):
    response = client.post(
        "/registry/movements/move-in/check/", _move_in_form(), HTTP_HX_TRIGGER_NAME="address.town"
    )
    assert (
        '<span class="field-error" data-field="address.town" hx-swap-oob="true" '
        'id="err-addresstown"></span>' in response.content.decode()
    )


FOREIGN = {
    "persons.0.family_name": "",
    "persons.0.given_name": "",
    "persons.0.family_name_kana": "",
    "persons.0.given_name_kana": "",
    "persons.0.domicile": "",
    "persons.0.kind": "2",
    "persons.0.name_alphabet": "NGUYEN VAN AN",
    "persons.0.nationality": "ベトナム",
    "persons.0.article_30_45": "1",
    "persons.0.residence_status": "engineer_humanities",
    "persons.0.residence_period": "3年",
    "persons.0.residence_expiry": "2028-03-31",
    "persons.0.residence_card_no": "ab1234 5678cd",
}


def test_move_in_form_registers_a_foreign_resident(client, clerk, yokohama):
    response = client.post("/registry/movements/move-in-from-abroad/", _move_in_form(**FOREIGN))
    assert response.status_code == 302
    with tenant_scope(yokohama.code):
        version = PersonVersion.objects.get()
    assert (version.kind, version.residence_status, version.residence_card_no) == (
        "2",
        "engineer_humanities",
        "AB12345678CD",
    )


def test_foreign_resident_form_records_articles_30_46_and_47(client, clerk, yokohama):
    form = _move_in_form(
        **{
            **FOREIGN,
            "persons.0.article_30_45": "4",
            "persons.0.residence_status": "",
            "persons.0.residence_period": "6月",
            "persons.0.residence_card_no": "",
        }
    )
    response = client.post("/registry/movements/foreign-resident/", form)
    assert response.status_code == 302
    with tenant_scope(yokohama.code):
        movement = Movement.objects.get()
        version = PersonVersion.objects.get()
    assert movement.reason == Reason.FOREIGN_RESIDENT_RECORDED
    assert (version.article_30_45, version.residence_period) == ("4", "6月")


def test_provisional_stay_without_its_period_is_refused_by_name(client, clerk, yokohama):
    form = _move_in_form(
        **{**FOREIGN, "persons.0.article_30_45": "4", "persons.0.residence_period": ""}
    )
    response = client.post("/registry/movements/foreign-resident/", form)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="err-persons0residence_period"' in html and "仮滞在期間が必要" in html
    with tenant_scope(yokohama.code):
        assert not Person.objects.exists()


def test_register_pages_need_the_permission(client, yokohama):
    auditor = factories.staff(yokohama, Role.AUDITOR)
    client.force_login(auditor)
    assert client.get("/registry/").status_code == 403
    assert client.get("/registry/movements/move-in/").status_code == 403


def test_pages_of_another_municipality_are_not_found(client, clerk, chiyoda):
    _, people = family(chiyoda, town="千代田")
    response = client.get(f"/registry/persons/{people[0].number}/", {"purpose": PURPOSE})
    assert response.status_code == 404


def test_every_movement_kind_has_a_page(client, clerk):
    from jichi.registry.api import MOVEMENTS
    from jichi.registry.forms import FORMS

    assert set(FORMS) == {path for path, *_ in MOVEMENTS}
    for kind in FORMS:
        response = client.get(f"/registry/movements/{kind}/")
        assert response.status_code == 200, kind
        html = response.content.decode()
        for field_id in re.findall(r'<(?:input|select|textarea)[^>]*\bid="(f-\d+)"', html):
            assert f'for="{field_id}"' in html, (kind, field_id)


def test_household_split_page_with_relationships(client, clerk, household, yokohama):
    _head, wife, child = household
    response = client.post(
        "/registry/movements/household-split/",
        {
            "effective_on": days_ago(2).isoformat(),
            "persons": f"{wife.number} {child.number}",
            "new_head": wife.number,
            "relationships": f"{child.number} 子",
        },
    )
    assert response.status_code == 302, response.content.decode()[-800:]
    with tenant_scope(yokohama.code):
        from jichi.registry import timeline

        assert timeline.latest(wife).is_head and timeline.latest(child).relationship == "子"
        assert timeline.latest(child).household_id != timeline.latest(_head).household_id


def test_correction_page_corrects_one_field(client, clerk, household, yokohama):
    head = household[0]
    response = client.post(
        "/registry/movements/correction/",
        {
            "person": head.number,
            "valid_from": days_ago(30).isoformat(),
            "changes.given_name": "太朗",
            "note": "届書の誤記",
        },
    )
    assert response.status_code == 302
    html = client.get(f"/registry/persons/{head.number}/", {"purpose": PURPOSE})
    assert "山田 太朗" in html.content.decode()


def test_relationship_pairs_are_checked_as_you_type(client, clerk, household):
    response = client.post(
        "/registry/movements/head-change/check/",
        {"relationships": f"{household[1].number} 孫"},
        HTTP_HX_TRIGGER_NAME="relationships",
    )
    assert "続柄" in response.content.decode()


def test_person_page_shows_dates_in_wareki_for_japanese_residents(client, clerk, household):
    from jichi.common.wareki import format_wareki

    html = client.get(
        f"/registry/persons/{household[0].number}/", {"purpose": PURPOSE}
    ).content.decode()
    assert format_wareki(days_ago(30)) in html


def test_resident_dates_follow_the_residents_kind():
    from datetime import date

    from jichi.registry.templatetags.registry import resident_date

    assert resident_date(date(2019, 5, 1), "1") == "令和元年5月1日"
    assert resident_date(date(2019, 5, 1), "2") == "2019年5月1日"
    assert resident_date(date(1850, 1, 1), "1") == "1850-01-01"
    assert resident_date(None) == ""
