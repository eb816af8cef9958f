"""Staff pages and 支援措置: searches on someone's behalf, warnings on the movement forms,
paging of results, pages of another municipality, the English pages."""

import pytest

from jichi.audit.models import AuditEntry
from jichi.registry import services
from jichi.registry.models import PersonVersion
from jichi.registry.schemas import OffenderIn, ProtectionIn
from jichi.tenancy.context import tenant_scope
from tests.factories import SYSTEM
from tests.registry.people import arrival, days_ago, family, person
from tests.registry.test_pages import PURPOSE


@pytest.fixture
def protected(yokohama):
    """山田 family; 花子 is protected from 加害 太郎 (born 1975-05-05)."""
    _, people = family(yokohama)
    with tenant_scope(yokohama.code):
        services.start_protection(
            municipality=yokohama,
            actor=SYSTEM,
            request=ProtectionIn(
                person=people[1].number,
                starts_on=days_ago(1),
                offenders=[
                    OffenderIn(name="加害 太郎", name_kana="カガイ タロウ", birth_date="1975-05-05")
                ],
            ),
        )
    return people


def test_a_search_on_behalf_of_a_listed_offender_never_shows_the_protected_person(
    client, clerk, protected, yokohama
):
    wife = protected[1].number
    office = client.get("/registry/", {"name": "ヤマダ", "purpose": PURPOSE}).content.decode()
    assert wife in office
    for requester in (
        {"requester_name": "加害 太郎"},
        {"requester_name": "カガイタロウ", "requester_birth_date": "昭和50年5月5日"},
    ):
        html = client.get(
            "/registry/", {"name": "ヤマダ", "purpose": PURPOSE, **requester}
        ).content.decode()
        assert wife not in html and protected[0].number in html, requester
    with tenant_scope(yokohama.code):
        searches = AuditEntry.objects.filter(action="registry.person.search")
        assert [e.details["on_behalf"] for e in searches.order_by("seq")] == [False, True, True]
        assert {e.details["channel"] for e in searches} == {"page"}


def test_a_bad_requester_birth_date_is_shown_as_an_error(client, clerk, protected):
    html = client.get(
        "/registry/",
        {
            "name": "ヤマダ",
            "purpose": PURPOSE,
            "requester_name": "x",
            "requester_birth_date": "2月30日",
        },
    ).content.decode()
    assert 'role="alert"' in html and protected[0].number not in html


def test_results_page_by_reading_with_a_next_link(client, clerk, yokohama, monkeypatch):
    from jichi.registry import views

    family(yokohama)
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    first = client.get("/registry/", {"name": "ヤマダ", "purpose": PURPOSE}).content.decode()
    assert first.index("山田 一郎") < first.index("山田 太郎") and "山田 花子" not in first
    next_url = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = client.get(next_url.replace("&amp;", "&")).content.decode()
    assert "山田 花子" in second and "山田 太郎" not in second and 'rel="next"' not in second


def test_a_protected_number_typed_in_a_movement_form_warns(client, clerk, protected):
    response = client.post(
        "/registry/movements/relocation/check/",
        {"persons": f"{protected[0].number} {protected[1].number}"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TRIGGER_NAME="persons",
    )
    html = response.content.decode()
    assert 'class="field-warning"' in html and "支援措置" in html
    plain = client.post(
        "/registry/movements/relocation/check/",
        {"persons": protected[0].number},
        HTTP_HX_TRIGGER_NAME="persons",
    ).content.decode()
    assert "field-warning" not in plain


def test_recording_a_movement_of_a_protected_person_warns_afterwards(
    client, clerk, protected, yokohama
):
    response = client.post(
        "/registry/movements/relocation/",
        {
            "effective_on": days_ago(2).isoformat(),
            "notified_on": days_ago(1).isoformat(),
            "persons": " ".join(p.number for p in protected),
            "address.town": "中区山下町",
            "address.block": "1番地",
        },
        follow=True,
    )
    html = response.content.decode()
    assert response.status_code == 200 and "支援措置" in html
    with tenant_scope(yokohama.code):
        assert PersonVersion.objects.filter(town_name="中区山下町").count() == 3


def test_search_and_household_pages_of_another_municipality_show_nothing(client, clerk, chiyoda):
    _, people = family(chiyoda, town="千代田")
    html = client.get("/registry/", {"name": "ヤマダ", "purpose": PURPOSE}).content.decode()
    assert people[0].number not in html and "山田 太郎" not in html
    with tenant_scope(chiyoda.code):
        household = PersonVersion.objects.filter(person=people[0]).get().household.number
    assert client.get(f"/registry/households/{household}/", {"purpose": PURPOSE}).status_code == 404
    response = client.post(
        "/registry/movements/death/",
        {"effective_on": days_ago(1).isoformat(), "person": people[0].number},
    )
    assert response.status_code == 400
    with tenant_scope(chiyoda.code):
        assert PersonVersion.objects.filter(person=people[0], superseded_at=None).count() == 1


def test_register_pages_speak_english_when_asked(client, clerk, yokohama):
    with tenant_scope(yokohama.code):
        services.record_move_in(municipality=yokohama, actor=SYSTEM, notice=arrival(person()))
    client.cookies["django_language"] = "en"
    html = client.get("/registry/", {"name": "ヤマダ", "purpose": PURPOSE}).content.decode()
    assert "Resident register" in html and "1 result" in html and "On behalf of" in html
    form = client.post("/registry/movements/death/", {"person": "12"}).content.decode()
    assert "Please correct the following" in form
    client.cookies["django_language"] = "ja"
    html = client.get("/registry/", {"name": "ヤマダ", "purpose": PURPOSE}).content.decode()
    assert "住民記録" in html
