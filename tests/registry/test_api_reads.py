"""The register's reads over the API: as of a date, as recorded, search paging and kinds,
the 支援措置 warning on every answer that names the person, the audited movement list."""

from datetime import UTC, datetime

import pytest

from jichi.audit.models import AuditEntry
from jichi.registry.codes import Reason
from jichi.registry.models import Person
from jichi.tenancy.context import tenant_scope
from tests import factories
from tests.factories import bearer
from tests.registry.people import days_ago
from tests.registry.test_api import PURPOSE, _body, _protect, move_in


@pytest.fixture
def secret(yokohama):
    return factories.token(yokohama)[1]


@pytest.fixture
def api(yokohama):
    return f"/api/v1/municipalities/{yokohama.code}"


@pytest.fixture
def family(client, yokohama, secret):
    """佐藤花子 (head, 個人番号 123456789018) and 佐藤一郎, moved in 20 days ago."""
    assert move_in(client, yokohama.code, secret).status_code == 201
    with tenant_scope(yokohama.code):
        by_name = {p.versions.get().given_name: p.number for p in Person.objects.all()}
    return by_name


def _rename(client, api, secret, number, effective_on):
    body = {
        "effective_on": effective_on.isoformat(),
        "person": number,
        "family_name": "鈴木",
        "given_name": "花子",
        "family_name_kana": "スズキ",
        "given_name_kana": "ハナコ",
    }
    response = client.post(
        f"{api}/movements/name-change", body, content_type="application/json", **bearer(secret)
    )
    assert response.status_code == 201, response.content


def test_a_person_as_of_a_date_and_as_recorded_at_a_time(client, api, secret, family):
    head = family["花子"]
    before_recording = datetime.now(UTC)
    _rename(client, api, secret, head, days_ago(5))
    url = f"{api}/persons/{head}"

    def name(**params):
        answer = client.get(url, {**PURPOSE, **params}, **bearer(secret))
        assert answer.status_code == 200, answer.content
        return answer.json()["family_name"]

    assert name() == "鈴木"
    assert name(on=days_ago(6).isoformat()) == "佐藤"
    assert name(recorded_at=before_recording.isoformat()) == "佐藤"
    timeline = client.get(f"{url}/timeline", PURPOSE, **bearer(secret)).json()
    assert [(p["family_name"], p["valid_from"]) for p in timeline] == [
        ("佐藤", days_ago(20).isoformat()),
        ("鈴木", days_ago(5).isoformat()),
    ]
    old = client.get(
        f"{url}/timeline",
        {**PURPOSE, "recorded_at": before_recording.isoformat()},
        **bearer(secret),
    ).json()
    assert [p["family_name"] for p in old] == ["佐藤"]
    with tenant_scope(api.split("/")[-1]):
        assert AuditEntry.objects.filter(action="registry.timeline.read").count() == 2


def test_a_household_as_of_a_date_before_it_existed_has_no_members(client, api, secret, family):
    with tenant_scope(api.split("/")[-1]):
        household = Person.objects.get(number=family["花子"]).versions.get().household.number
    url = f"{api}/households/{household}"
    now = client.get(url, PURPOSE, **bearer(secret)).json()
    assert now["head"] == family["花子"] and len(now["members"]) == 2
    assert now["protected"] is False and now["warning"] is None
    earlier = client.get(url, {**PURPOSE, "on": days_ago(21).isoformat()}, **bearer(secret))
    assert earlier.json()["members"] == [] and earlier.json()["head"] is None


def test_every_answer_naming_a_protected_person_carries_the_warning(
    client, api, yokohama, secret, family
):
    head = family["花子"]
    assert _protect(client, yokohama.code, secret, head).status_code == 201
    found = client.get(f"{api}/persons", {**PURPOSE, "name": "サトウ"}, **bearer(secret)).json()
    flagged = {i["number"]: i for i in found["items"]}
    assert "支援措置" in flagged[head]["warning_ja"] and flagged[head]["warning"]
    assert flagged[family["一郎"]]["warning"] is None
    with tenant_scope(yokohama.code):
        household = Person.objects.get(number=head).versions.get().household.number
    answer = client.get(f"{api}/households/{household}", PURPOSE, **bearer(secret)).json()
    assert answer["protected"] is True and "支援措置" in answer["warning_ja"]
    moves = client.get(f"{api}/persons/{head}/movements", PURPOSE, **bearer(secret)).json()
    assert moves[0]["protected"] is True and moves[0]["warning_ja"]
    listed = client.get(f"{api}/movements", PURPOSE, **bearer(secret)).json()["items"]
    assert [m["protected"] for m in listed] == [True]


def test_search_pages_by_reading_and_a_bad_cursor_is_refused(client, api, secret, family):
    url = f"{api}/persons"
    first = client.get(url, {**PURPOSE, "name": "サトウ", "limit": 1}, **bearer(secret)).json()
    assert [i["name_kana"] for i in first["items"]] == ["サトウ イチロウ"]
    second = client.get(
        url,
        {**PURPOSE, "name": "サトウ", "limit": 1, "cursor": first["next_cursor"]},
        **bearer(secret),
    ).json()
    assert [i["name_kana"] for i in second["items"]] == ["サトウ ハナコ"]
    assert second["next_cursor"] is None
    bad = client.get(url, {**PURPOSE, "name": "サトウ", "cursor": "xyz"}, **bearer(secret))
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "cursor.invalid"


def test_search_without_a_criterion_is_refused(client, api, secret, family):
    answer = client.get(f"{api}/persons", PURPOSE, **bearer(secret))
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "search.criteria_required"


def test_search_by_resident_number_and_by_my_number(client, api, yokohama, secret, family):
    url = f"{api}/persons"
    by_number = client.get(url, {**PURPOSE, "number": family["一郎"]}, **bearer(secret)).json()
    assert [i["number"] for i in by_number["items"]] == [family["一郎"]]
    by_my_number = client.get(
        url, {**PURPOSE, "my_number": "1234 5678 9018"}, **bearer(secret)
    ).json()
    assert [i["number"] for i in by_my_number["items"]] == [family["花子"]]
    _, reader = factories.token(yokohama, ["registry:read"])
    refused = client.get(url, {**PURPOSE, "my_number": "123456789018"}, **bearer(reader))
    assert refused.status_code == 403


def test_the_movement_list_needs_a_purpose_is_audited_and_filters(client, api, secret, family):
    url = f"{api}/movements"
    assert client.get(url, **bearer(secret)).status_code == 400
    _rename(client, api, secret, family["花子"], days_ago(5))
    listed = client.get(url, PURPOSE, **bearer(secret)).json()["items"]
    assert [m["reason"] for m in listed] == [Reason.NAME_CHANGE, Reason.MOVE_IN]
    moved_in = client.get(url, {**PURPOSE, "reason": "11"}, **bearer(secret)).json()["items"]
    assert [m["reason"] for m in moved_in] == ["11"]
    recent = client.get(
        url, {**PURPOSE, "effective_from": days_ago(10).isoformat()}, **bearer(secret)
    ).json()["items"]
    assert len(recent) == 1 and recent[0]["reason"] != "11"
    with tenant_scope(api.split("/")[-1]):
        entries = AuditEntry.objects.filter(action="registry.movements.list")
        assert entries.count() == 3 and entries.first().purpose == PURPOSE["purpose"]


def test_a_search_as_of_an_earlier_date_finds_only_who_lived_here_then(
    client, api, yokohama, secret, family
):
    dates = {"effective_on": days_ago(3).isoformat(), "notified_on": days_ago(2).isoformat()}
    body = _body()
    for person, given, kana in zip(
        body["persons"], ["次郎", "三郎"], ["ジロウ", "サブロウ"], strict=True
    ):
        person.update(given_name=given, given_name_kana=kana, my_number="")
    moved = move_in(client, yokohama.code, secret, persons=body["persons"], **dates)
    assert moved.status_code == 201
    url = f"{api}/persons"
    now = client.get(url, {**PURPOSE, "name": "サトウ"}, **bearer(secret)).json()
    then = client.get(
        url, {**PURPOSE, "name": "サトウ", "on": days_ago(10).isoformat()}, **bearer(secret)
    ).json()
    assert len(now["items"]) == 4
    assert sorted(i["number"] for i in then["items"]) == sorted(family.values())


def test_population_per_town_with_households_and_kinds_in_json_and_csv(client, api, family):
    _, reader = factories.token(factories.municipality("141003"), ["statistics:read"])
    url = f"{api}/statistics/population"
    body = client.get(url, **bearer(reader)).json()
    assert body["towns"] == [
        {
            "town_code": body["rows"][0]["town_code"],
            "town_name": "中区元町",
            "total": 2,
            "male": 1,
            "female": 1,
            "japanese": 2,
            "foreign": 0,
            "households": 1,
        }
    ]
    csv = client.get(url, {"format": "csv", "table": "towns"}, **bearer(reader))
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "town_code,town_name,total,male,female,japanese,foreign,households"
    assert lines[1].endswith(",中区元町,2,1,1,2,0,1")
    bad = client.get(url, {"format": "csv", "table": "bands"}, **bearer(reader))
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "table.unknown"


def test_monthly_movements_in_json_and_csv(client, api, family):
    _, reader = factories.token(factories.municipality("141003"), ["statistics:read"])
    moved = days_ago(20)
    url = f"{api}/statistics/movements"
    rows = client.get(url, {"year": moved.year}, **bearer(reader)).json()
    assert rows == [{"month": moved.month, "reason": "11", "reason_label": "転入", "count": 1}]
    csv = client.get(url, {"year": moved.year, "format": "csv"}, **bearer(reader))
    assert csv.content.decode("utf-8-sig").splitlines() == [
        "month,reason,reason_label,count",
        f"{moved.month},11,転入,1",
    ]
    assert client.get(url, {"year": moved.year - 1}, **bearer(reader)).json() == []


def test_every_movement_body_has_an_example_that_parses():
    from jichi.api import api as ninja_api
    from jichi.registry.api import MOVEMENTS

    document = ninja_api.get_openapi_schema()
    schemas = document["components"]["schemas"]
    for path, _service, body, _label in MOVEMENTS:
        operation = document["paths"][f"/api/v1/municipalities/{{code}}/movements/{path}"]["post"]
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        examples = schemas[ref.rsplit("/", 1)[-1]]["examples"]
        assert examples, path
        body(**examples[0])  # a body the endpoint accepts in shape
