"""Certificates through the API: request, PDF, ledger, decisions, permissions, isolation."""

from __future__ import annotations

import pytest

from tests import factories
from tests.factories import bearer
from tests.registry.people import family

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("issuing")]


@pytest.fixture
def people(yokohama):
    return family(yokohama)[1]


@pytest.fixture
def secret(yokohama):
    return factories.token(yokohama)[1]


def _body(person, **overrides):
    body = {
        "kind": "resident_copy",
        "person": person.number,
        "household": True,
        "requester": {"category": "self"},
        "purpose": "各種手続への添付",
    }
    body.update(overrides)
    return body


def _post(client, code, secret, body, path=""):
    return client.post(
        f"/api/v1/municipalities/{code}/certificates{path}",
        body,
        content_type="application/json",
        **bearer(secret),
    )


def test_request_issues_and_links_the_signed_pdf(client, yokohama, people, secret):
    answer = _post(client, yokohama.code, secret, _body(people[0]))
    assert answer.status_code == 201, answer.json()
    data = answer.json()
    assert data["status"] == "issued" and data["household"] is True and data["fee"] == 300
    pdf = client.get(data["pdf_url"], **bearer(secret))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    public = client.get(f"/verify/{data['id']}.json").json()
    assert public["sha256"] == data["sha256"] and public["revoked"] is False


def test_a_held_request_answers_202_and_has_no_pdf_yet(client, yokohama, people, secret):
    requester = {
        "category": "third_party",
        "name": "債権者株式会社",
        "reason": "貸金債権の回収のため住所の確認が必要である。",
    }
    answer = _post(
        client, yokohama.code, secret, _body(people[0], household=False, requester=requester)
    )
    assert answer.status_code == 202
    assert answer.json()["pdf_url"] is None and answer.json()["status"] == "pending"


def test_bad_input_names_the_field(client, yokohama, people, secret):
    answer = _post(client, yokohama.code, secret, _body(people[0], kind="family_register"))
    assert answer.status_code == 400
    assert "kind" in answer.json()["error"]["fields"]


def test_printing_numbers_needs_the_permission_to_see_them(client, yokohama, people):
    _token, secret = factories.token(yokohama, ["certificates:issue", "certificates:read"])
    answer = _post(client, yokohama.code, secret, _body(people[0], options={"my_number": True}))
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "permission.denied"


def test_issuing_needs_the_permission(client, yokohama, people):
    _token, secret = factories.token(yokohama, ["registry:read"])
    answer = _post(client, yokohama.code, secret, _body(people[0]))
    assert answer.status_code == 403


def test_another_municipalitys_token_finds_nothing(client, yokohama, kawasaki, people, secret):
    issued = _post(client, yokohama.code, secret, _body(people[0])).json()
    other = factories.token(kawasaki)[1]
    assert _post(client, yokohama.code, other, _body(people[0])).status_code == 404
    assert client.get(issued["pdf_url"], **bearer(other)).status_code == 404
    own = f"/api/v1/municipalities/{kawasaki.code}/certificates/{issued['id']}"
    assert client.get(own, **bearer(other)).status_code == 404
    assert client.get(own + ".pdf", **bearer(other)).status_code == 404


def test_ledger_pages_newest_first_and_filters(client, yokohama, people, secret):
    for person in people:
        _post(client, yokohama.code, secret, _body(person, household=False))
    url = f"/api/v1/municipalities/{yokohama.code}/certificates"
    first = client.get(url, {"limit": 2}, **bearer(secret)).json()
    assert [c["serial"] for c in first["items"]] == [3, 2]
    rest = client.get(url, {"limit": 2, "cursor": first["next_cursor"]}, **bearer(secret)).json()
    assert [c["serial"] for c in rest["items"]] == [1] and rest["next_cursor"] is None
    mine = client.get(url, {"person": people[1].number}, **bearer(secret)).json()
    assert [c["person"] for c in mine["items"]] == [people[1].number]


def test_revoke_and_reissue(client, yokohama, people, secret):
    issued = _post(client, yokohama.code, secret, _body(people[0])).json()
    answer = _post(
        client,
        yokohama.code,
        secret,
        {"reason": "世帯主の誤り", "reissue": True},
        f"/{issued['id']}/revoke",
    )
    assert answer.status_code == 200
    assert answer.json()["replaces"] == issued["id"] and answer.json()["status"] == "issued"
    assert client.get(f"/verify/{issued['id']}.json").json()["revoked"] is True


def test_the_openapi_document_describes_certificates(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/municipalities/{code}/certificates" in paths
    assert "/api/v1/municipalities/{code}/certificates/{certificate_id}/revoke" in paths


def test_issued_pdfs_validate_with_pyhanko_against_the_published_trust_anchors(
    client, yokohama, people, secret
):
    from cryptography import x509

    from jichi.certificates import pdf

    issued = _post(client, yokohama.code, secret, _body(people[0])).json()
    document = client.get(issued["pdf_url"], **bearer(secret)).content
    anchors = x509.load_pem_x509_certificates(client.get("/pki/ca.pem").content)
    result = pdf.validate(document, anchors)
    assert (result.intact, result.valid, result.trusted, result.modified) == (
        True,
        True,
        True,
        False,
    )
    assert "141003" in result.signer_subject or "横浜市" in result.signer_subject
    assert result.document_sha256 == issued["sha256"]
