"""Procedures through the API: catalog, Idempotency-Key, inbox, steps, life events, isolation."""

from __future__ import annotations

import base64

import pytest

from tests import factories
from tests.factories import bearer
from tests.registry.people import family

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(yokohama):
    return family(yokohama)[1]


@pytest.fixture
def secret(yokohama):
    return factories.token(yokohama)[1]


def _url(code: str, path: str) -> str:
    return f"/api/v1/municipalities/{code}{path}"


def _post(client, code, secret, path, body=None, **headers):
    return client.post(
        _url(code, path), body or {}, content_type="application/json", **bearer(secret), **headers
    )


def _genkyo(people, **extra) -> dict:
    body = {
        "procedure": "jidou_teate_genkyo",
        "applicant": {"kind": "resident", "person": people[0].number},
        "answers": {"children": [people[2].number], "living_apart": False, "still_raising": True},
    }
    body.update(extra)
    return body


def test_the_catalog_lists_and_shows_procedures_with_settings(client, yokohama, secret):
    listed = client.get(_url(yokohama.code, "/procedures?q=児童手当"), **bearer(secret))
    assert listed.status_code == 200
    assert {"jidou_teate_nintei", "jidou_teate_genkyo"} <= {p["id"] for p in listed.json()}
    changed = client.put(
        _url(yokohama.code, "/procedures/sodai_gomi/settings"),
        {"fee": 500, "texts": {"name": {"ja": "粗大ごみ申込", "en": "Bulky"}}},
        content_type="application/json",
        **bearer(secret),
    )
    assert changed.status_code == 200, changed.json()
    shown = client.get(_url(yokohama.code, "/procedures/sodai_gomi"), **bearer(secret)).json()
    assert shown["fee"] == 500 and shown["name"]["ja"] == "粗大ごみ申込"
    assert [f["name"] for f in shown["fields"]][:2] == ["name", "address"]


def test_prefill_lists_the_known_values_and_the_remaining_questions(
    client, yokohama, people, secret
):
    answer = client.get(
        _url(yokohama.code, f"/procedures/jidou_teate_genkyo/prefill?person={people[0].number}"),
        **bearer(secret),
    ).json()
    assert answer["values"]["claimant_name"] == {"source": "register:name", "value": "山田 太郎"}
    assert answer["values"]["children"]["value"] == [people[2].number]
    assert answer["remaining"] == ["living_apart", "still_raising", "changes"]


def test_a_double_submit_with_the_same_key_creates_one_application(
    client, yokohama, people, secret
):
    first = _post(
        client,
        yokohama.code,
        secret,
        "/applications",
        _genkyo(people),
        HTTP_IDEMPOTENCY_KEY="abc-1",
    )
    again = _post(
        client,
        yokohama.code,
        secret,
        "/applications",
        _genkyo(people),
        HTTP_IDEMPOTENCY_KEY="abc-1",
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    inbox = client.get(_url(yokohama.code, "/applications"), **bearer(secret)).json()
    assert len(inbox["items"]) == 1


def test_field_errors_use_the_house_format(client, yokohama, people, secret):
    body = _genkyo(people)
    body["answers"]["still_raising"] = "yes"
    answer = _post(client, yokohama.code, secret, "/applications", body)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["fields"]["answers.still_raising"][0]["code"] == "field.type"
    assert error["message_ja"]


def test_the_steps_are_posts_and_the_history_is_shown(client, yokohama, people, secret):
    created = _post(client, yokohama.code, secret, "/applications", _genkyo(people)).json()
    path = f"/applications/{created['id']}"
    assert _post(client, yokohama.code, secret, path + "/start-review").status_code == 200
    asked = _post(
        client,
        yokohama.code,
        secret,
        path + "/request-information",
        {"question": "別居の状況を教えてください。"},
    )
    assert asked.json()["state"] == "info_requested"
    _post(client, yokohama.code, secret, path + "/answer-information", {"answer": "同居です。"})
    refused = _post(client, yokohama.code, secret, path + "/reject", {"reason": ""})
    assert refused.json()["error"]["code"] == "reason.required"
    done = _post(client, yokohama.code, secret, path + "/approve", {"reason": "確認済"}).json()
    assert done["state"] == "approved"
    shown = client.get(_url(yokohama.code, path), **bearer(secret)).json()
    assert [h["to_state"] for h in shown["history"]] == [
        "draft",
        "submitted",
        "in_review",
        "info_requested",
        "in_review",
        "approved",
    ]


def test_the_inbox_filters_and_pages(client, yokohama, people, secret):
    for i in range(3):
        _post(
            client,
            yokohama.code,
            secret,
            "/applications",
            _genkyo(people),
            HTTP_IDEMPOTENCY_KEY=f"page-{i}",
        )
    _post(
        client,
        yokohama.code,
        secret,
        "/applications",
        {
            "procedure": "kaigo_futan_saikoufu",
            "applicant": {"kind": "resident", "person": people[0].number},
            "answers": {"insured_number": "1234567890", "reason": "lost"},
        },
    )
    page = client.get(
        _url(yokohama.code, "/applications?procedure=jidou_teate_genkyo&limit=2"), **bearer(secret)
    ).json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest = client.get(
        _url(
            yokohama.code,
            f"/applications?procedure=jidou_teate_genkyo&limit=2&cursor={page['next_cursor']}",
        ),
        **bearer(secret),
    ).json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    assert (
        client.get(_url(yokohama.code, "/applications?breached=true"), **bearer(secret)).json()[
            "items"
        ]
        == []
    )


def test_an_attachment_is_checked_and_kept(client, yokohama, people, secret):
    body = {
        "procedure": "hoiku_genkyo",
        "applicant": {"kind": "resident", "person": people[0].number},
        "answers": {"children": [people[2].number], "need_continues": True},
        "submit": False,
    }
    draft = _post(client, yokohama.code, secret, "/applications", body).json()
    path = f"/applications/{draft['id']}"
    fake = {
        "field": "employment_certificate",
        "filename": "a.pdf",
        "content_type": "application/pdf",
        "content_base64": base64.b64encode(b"MZ not a pdf").decode(),
    }
    answer = _post(client, yokohama.code, secret, path + "/attachments", fake)
    assert (answer.status_code, answer.json()["error"]["code"]) == (
        415,
        "attachment.content_mismatch",
    )
    real = {**fake, "content_base64": base64.b64encode(b"%PDF-1.7 test").decode()}
    assert _post(client, yokohama.code, secret, path + "/attachments", real).status_code == 201
    submitted = _post(client, yokohama.code, secret, path + "/submit")
    assert submitted.json()["state"] == "submitted", submitted.json()


def test_life_events_list_the_procedures_with_reasons(client, yokohama, people, secret):
    answer = client.get(
        _url(yokohama.code, f"/life-events/moving_out?person={people[0].number}"), **bearer(secret)
    ).json()
    status = {p["procedure"]: p["status"] for p in answer["procedures"]}
    assert status["tenshutsu"] == "applies" and status["shugaku_tenkou"] == "applies"
    assert status["inu_henkou"] == "to_confirm" and status["jidou_teate_shoumetsu"] == "applies"


def test_another_municipality_sees_nothing(client, yokohama, kawasaki, people, secret):
    created = _post(client, yokohama.code, secret, "/applications", _genkyo(people)).json()
    theirs = factories.token(kawasaki)[1]
    answer = client.get(_url(kawasaki.code, f"/applications/{created['id']}"), **bearer(theirs))
    assert answer.status_code == 404
    assert client.get(_url(yokohama.code, "/applications"), **bearer(theirs)).status_code == 404


def test_a_token_without_the_scope_is_refused(client, yokohama, people):
    reader = factories.token(yokohama, ["municipality:read"])[1]
    answer = _post(client, yokohama.code, reader, "/applications", _genkyo(people))
    assert (answer.status_code, answer.json()["error"]["code"]) == (403, "permission.denied")


def test_a_system_reads_only_the_applications_it_entered(client, yokohama, people, secret):
    _, portal = factories.token(yokohama, ["procedures:apply"])
    _, other_system = factories.token(yokohama, ["procedures:apply"])
    body = _genkyo(people, applicant={**_genkyo(people)["applicant"], "identity": "login"})
    created = _post(client, yokohama.code, portal, "/applications", body)
    assert created.status_code == 201, created.content
    path = _url(yokohama.code, f"/applications/{created.json()['id']}")
    assert client.get(path, **bearer(portal)).status_code == 200
    theirs = client.get(path, **bearer(other_system))
    assert theirs.status_code == 404 and theirs.json()["error"]["code"] == "not_found"
    assert client.get(path, **bearer(secret)).status_code == 200  # staff scope: any
