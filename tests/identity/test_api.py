"""POST /api/v1/municipalities/{code}/signatures/verify."""

import base64

import pytest

from jichi.audit.models import AuditEntry
from jichi.tenancy.context import tenant_scope
from tests import factories
from tests.factories import bearer
from tests.identity.conftest import CONTENT, openssl_sign

URL = "/api/v1/municipalities/{code}/signatures/verify"


@pytest.fixture
def secret(yokohama):
    return factories.token(yokohama, ["registry:read"])[1]


def post(client, secret, body, code="141003"):
    return client.post(
        URL.format(code=code), body, content_type="application/json", **bearer(secret)
    )


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_a_pem_signature_with_base64_content_verifies(client, secret, card, household):
    response = post(
        client,
        secret,
        {"signature": openssl_sign(card, outform="PEM").decode(), "content": b64(CONTENT)},
    )

    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True and body["code"] == "valid"
    assert body["person"] == household[0].number
    assert body["certificate"]["serial"] == card.serial
    assert body["signing_time_source"] == "signed_attribute"
    with tenant_scope("141003"):
        entry = AuditEntry.objects.get(action="identity.signature.verified")
    assert entry.details["valid"] is True and entry.details["serial"] == card.serial


def test_an_attached_der_signature_in_base64_verifies_without_content(client, secret, card):
    response = post(client, secret, {"signature": b64(openssl_sign(card, detached=False))})

    assert response.status_code == 200 and response.json()["valid"] is True


def test_modified_content_answers_not_valid_with_the_reason_in_both_languages(client, secret, card):
    response = post(
        client, secret, {"signature": b64(openssl_sign(card)), "content": b64(b"changed")}
    )

    body = response.json()
    assert response.status_code == 200 and body["valid"] is False
    assert body["code"] == "content.modified"
    assert body["reasons"][0]["message_ja"].startswith("署名後に内容が変更")
    assert "changed after signing" in body["reasons"][0]["message"]


def test_a_malformed_signature_is_a_400_naming_the_field(client, secret, yokohama):
    response = post(client, secret, {"signature": "not a signature", "content": b64(CONTENT)})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "signature.malformed" and "signature" in error["fields"]


def test_content_that_is_not_base64_is_a_400(client, secret, card):
    response = post(client, secret, {"signature": b64(openssl_sign(card)), "content": "@@@"})

    assert response.status_code == 400 and response.json()["error"]["code"] == "content.malformed"


def test_a_detached_signature_without_content_is_a_400(client, secret, card):
    response = post(client, secret, {"signature": b64(openssl_sign(card))})

    assert response.json()["error"]["code"] == "content.required"


def test_verification_needs_the_register_read_permission(client, yokohama, card):
    secret = factories.token(yokohama, ["municipality:read"])[1]

    response = post(client, secret, {"signature": b64(openssl_sign(card)), "content": b64(CONTENT)})

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission.denied"


def test_another_municipalitys_token_gets_a_404(client, kawasaki, card):
    secret = factories.token(kawasaki, ["registry:read"])[1]

    response = post(client, secret, {"signature": b64(openssl_sign(card)), "content": b64(CONTENT)})

    assert response.status_code == 404


def test_unknown_fields_are_refused(client, secret, card):
    response = post(client, secret, {"signature": b64(openssl_sign(card)), "signer": "me"})

    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_input"
