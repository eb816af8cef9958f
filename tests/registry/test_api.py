"""The register's API: movements, reads with purpose and audit, search, protection, isolation."""

import pytest

from jichi.audit.models import AuditEntry
from jichi.registry.models import Person
from jichi.tenancy.context import tenant_scope
from tests import factories
from tests.factories import bearer
from tests.registry.people import days_ago

PURPOSE = {"purpose": "窓口での本人確認"}


@pytest.fixture
def clerk_secret(yokohama):
    return factories.token(yokohama)[1]


def _body(**overrides):
    body = {
        "effective_on": days_ago(20).isoformat(),
        "notified_on": days_ago(18).isoformat(),
        "address": {"town": "中区元町", "block": "1丁目2番3号", "building": "元町ハイツ101"},
        "previous_address": "東京都千代田区千代田1番1号",
        "persons": [
            {
                "family_name": "佐藤",
                "given_name": "花子",
                "family_name_kana": "サトウ",
                "given_name_kana": "ハナコ",
                "birth_date": "昭和55年4月1日",
                "sex": "2",
                "relationship": "世帯主",
                "domicile": "東京都千代田区千代田1番",
                "domicile_head": "佐藤花子",
                "my_number": "123456789018",
            },
            {
                "family_name": "佐藤",
                "given_name": "一郎",
                "family_name_kana": "サトウ",
                "given_name_kana": "イチロウ",
                "birth_date": "2012-05-05",
                "sex": "1",
                "relationship": "子",
                "domicile": "東京都千代田区千代田1番",
                "domicile_head": "佐藤花子",
            },
        ],
    }
    body.update(overrides)
    return body


def move_in(client, code, secret, **overrides):
    return client.post(
        f"/api/v1/municipalities/{code}/movements/move-in",
        _body(**overrides),
        content_type="application/json",
        **bearer(secret),
    )


def numbers(code):
    with tenant_scope(code):
        return sorted(Person.objects.values_list("number", flat=True))


def test_move_in_over_the_api(client, yokohama, clerk_secret):
    response = move_in(client, yokohama.code, clerk_secret)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reason"] == "11" and body["reason_label"] == "転入"
    assert len(body["persons"]) == 2


def test_bad_movement_names_the_field_in_both_languages(client, yokohama, clerk_secret):
    body = _body()
    body["persons"][1]["relationship"] = "孫"
    response = move_in(client, yokohama.code, clerk_secret, persons=body["persons"])
    assert response.status_code == 400
    field = response.json()["error"]["fields"]["persons.1.relationship"][0]
    assert field["code"] == "relationship.vocabulary" and field["message_ja"]


def test_reading_a_person_needs_a_purpose_and_is_audited(client, yokohama, clerk_secret):
    move_in(client, yokohama.code, clerk_secret)
    number = numbers(yokohama.code)[0]
    url = f"/api/v1/municipalities/{yokohama.code}/persons/{number}"
    assert client.get(url, **bearer(clerk_secret)).status_code == 400
    response = client.get(url, PURPOSE, **bearer(clerk_secret))
    assert response.status_code == 200
    assert response.json()["address"] == "神奈川県横浜市中区元町1丁目2番3号"
    with tenant_scope(yokohama.code):
        entry = AuditEntry.objects.get(action="registry.person.read")
    assert entry.purpose == PURPOSE["purpose"]


def test_birth_date_is_shown_in_wareki_for_japanese_residents(client, yokohama, clerk_secret):
    move_in(client, yokohama.code, clerk_secret)
    number = numbers(yokohama.code)[0]
    body = client.get(
        f"/api/v1/municipalities/{yokohama.code}/persons/{number}", PURPOSE, **bearer(clerk_secret)
    ).json()
    assert body["birth_date"] == "1980-04-01" and body["birth_display"] == "昭和55年4月1日"


def test_my_number_is_shown_only_to_roles_that_may(client, yokohama, clerk_secret):
    move_in(client, yokohama.code, clerk_secret)
    head = numbers(yokohama.code)[0]
    url = f"/api/v1/municipalities/{yokohama.code}/persons/{head}"
    assert client.get(url, PURPOSE, **bearer(clerk_secret)).json()["my_number"] == "123456789018"
    _, reader = factories.token(yokohama, ["registry:read"])
    assert client.get(url, PURPOSE, **bearer(reader)).json()["my_number"] == "*" * 12


def test_search_by_kana_kanji_and_wareki(client, yokohama, clerk_secret):
    move_in(client, yokohama.code, clerk_secret)
    url = f"/api/v1/municipalities/{yokohama.code}/persons"
    for params in (
        {"name": "さとう はなこ"},
        {"name": "ｻﾄｳ"},
        {"name": "佐藤 花"},
        {"birth_date": "S55.4.1"},
        {"town": "中区元町"},
    ):
        items = client.get(url, {**PURPOSE, **params}, **bearer(clerk_secret)).json()["items"]
        assert "佐藤 花子" in [i["name"] for i in items], params


def test_search_needs_a_criterion(client, yokohama, clerk_secret):
    response = client.get(
        f"/api/v1/municipalities/{yokohama.code}/persons", PURPOSE, **bearer(clerk_secret)
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "search.criteria_required"


def test_household_lists_members_head_first(client, yokohama, clerk_secret):
    move_in(client, yokohama.code, clerk_secret)
    head = numbers(yokohama.code)[0]
    person = client.get(
        f"/api/v1/municipalities/{yokohama.code}/persons/{head}", PURPOSE, **bearer(clerk_secret)
    ).json()
    household = client.get(
        f"/api/v1/municipalities/{yokohama.code}/households/{person['household']}",
        PURPOSE,
        **bearer(clerk_secret),
    ).json()
    assert [m["relationship"] for m in household["members"]] == ["世帯主", "子"]
    assert household["head"] == head


def _protect(client, code, secret, person_number, offender_name="佐藤 次郎"):
    return client.post(
        f"/api/v1/municipalities/{code}/protections",
        {
            "person": person_number,
            "starts_on": days_ago(1).isoformat(),
            "offenders": [
                {"name": offender_name, "name_kana": "サトウ ジロウ", "birth_date": "1978-02-02"}
            ],
        },
        content_type="application/json",
        **bearer(secret),
    )


def test_protected_person_is_flagged_and_hidden_from_listed_offenders(
    client, yokohama, clerk_secret
):
    move_in(client, yokohama.code, clerk_secret)
    head = numbers(yokohama.code)[0]
    created = _protect(client, yokohama.code, clerk_secret, head)
    assert created.status_code == 201, created.content
    person = client.get(
        f"/api/v1/municipalities/{yokohama.code}/persons/{head}", PURPOSE, **bearer(clerk_secret)
    ).json()
    assert person["protected"] is True and "支援措置" in person["warning_ja"]
    url = f"/api/v1/municipalities/{yokohama.code}/persons"
    staff_view = client.get(url, {**PURPOSE, "name": "サトウ"}, **bearer(clerk_secret)).json()
    assert [i["protected"] for i in staff_view["items"] if i["number"] == head] == [True]
    for requester in (
        {"requester_name": "サトウ ジロウ"},
        {"requester_name": "佐藤次郎", "requester_birth_date": "1978-02-02"},
    ):
        offender_view = client.get(
            url, {**PURPOSE, "name": "サトウ", **requester}, **bearer(clerk_secret)
        ).json()
        assert head not in [i["number"] for i in offender_view["items"]], requester
    with tenant_scope(yokohama.code):
        reads = AuditEntry.objects.filter(action="registry.person.read")
        assert reads.get().details["protected"] is True


def test_protection_needs_its_permission(client, yokohama, clerk_secret):
    move_in(client, yokohama.code, clerk_secret)
    _, reader = factories.token(yokohama, ["registry:read", "registry:write"])
    response = _protect(client, yokohama.code, reader, numbers(yokohama.code)[0])
    assert response.status_code == 403


def test_population_statistics_json_and_csv(client, yokohama, clerk_secret):
    move_in(client, yokohama.code, clerk_secret)
    url = f"/api/v1/municipalities/{yokohama.code}/statistics/population"
    body = client.get(url, **bearer(clerk_secret)).json()
    assert body["total"] == 2 and body["households"] == 1 and body["japanese"] == 2
    bands = {(r["band"], r["sex"]) for r in body["rows"]}
    assert ("45-49", "2") in bands or ("40-44", "2") in bands
    assert ("10-14", "1") in bands
    csv = client.get(url, {"format": "csv"}, **bearer(clerk_secret))
    assert csv["Content-Type"].startswith("text/csv")
    assert csv.content.decode("utf-8-sig").splitlines()[0] == "town_code,town_name,band,sex,count"


# Every route's closure to other municipalities: tests/api/test_isolation.py.


def test_a_token_never_reads_another_municipalitys_person_by_number(
    client, yokohama, chiyoda, clerk_secret
):
    move_in(client, yokohama.code, clerk_secret)
    number = numbers(yokohama.code)[0]
    _, other = factories.token(chiyoda)
    response = client.get(
        f"/api/v1/municipalities/{chiyoda.code}/persons/{number}", PURPOSE, **bearer(other)
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "person.not_found"


def test_population_pyramid_as_png_and_svg(client, yokohama, clerk_secret):
    move_in(client, yokohama.code, clerk_secret)
    url = f"/api/v1/municipalities/{yokohama.code}/statistics/population"
    png = client.get(f"{url}.png", **bearer(clerk_secret))
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    svg = client.get(f"{url}.svg", **bearer(clerk_secret)).content.decode()
    assert "<svg" in svg and "人口ピラミッド" in svg and "歳以上" in svg
    bad = client.get(f"{url}.gif", **bearer(clerk_secret))
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "format.unknown"


def test_pyramid_counts_follow_the_cells():
    from jichi.registry.charts import pyramid_counts
    from jichi.registry.selectors import BANDS

    men, women = pyramid_counts(
        {
            ("t", "n", "0-4", "1"): 3,
            ("t", "n", "0-4", "2"): 2,
            ("u", "m", "0-4", "1"): 1,
            ("t", "n", "100+", "2"): 4,
        }
    )
    assert men[0] == 4 and women[0] == 2 and women[BANDS.index("100+")] == 4
    assert sum(men) == 4 and sum(women) == 6
