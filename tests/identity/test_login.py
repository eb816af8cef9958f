"""Resident login with the card's authentication certificate: a signed, single-use challenge."""

from __future__ import annotations

import base64
import re

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from jichi.audit.models import AuditEntry
from jichi.identity import services, x509build
from jichi.identity.login import SESSION_RESIDENT
from jichi.registry import services as registry
from jichi.registry.schemas import DeathIn
from jichi.tenancy.context import tenant_scope
from tests.factories import SYSTEM
from tests.registry.people import days_ago, family, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(yokohama):
    return family(yokohama)[1]


def card_of(municipality, someone) -> services.IssuedCard:
    with tenant_scope(municipality.code):
        return services.issue_card(
            municipality=municipality, actor=SYSTEM, person_number=someone.number
        )


def challenge_of(client) -> str:
    html = client.get("/resident/login/").content.decode()
    return re.search(r'name="challenge" value="([^"]+)"', html).group(1)


def sign(key, challenge: str) -> str:
    signature = key.sign(challenge.encode(), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode()


def answer(client, card, challenge, *, key=None, certificate=None):
    return client.post(
        "/resident/login/",
        {
            "challenge": challenge,
            "certificate": x509build.pem(certificate or card.authentication_certificate).decode(),
            "signature": sign(key or card.authentication_key, challenge),
        },
    )


def test_a_signed_challenge_logs_the_resident_in(client, yokohama, people):
    card = card_of(yokohama, people[0])
    response = answer(client, card, challenge_of(client))
    assert response.status_code == 302 and response["Location"] == "/resident/certificates/"
    assert client.session[SESSION_RESIDENT]["number"] == people[0].number
    with tenant_scope(yokohama.code):
        assert (
            AuditEntry.objects.filter(action="identity.resident.login", outcome="ok").count() == 1
        )


def test_a_challenge_is_used_once(client, yokohama, people):
    card = card_of(yokohama, people[0])
    challenge = challenge_of(client)
    answer(client, card, challenge)
    client.post("/resident/logout/")
    replay = answer(client, card, challenge)
    assert replay.status_code == 403 and "既に使われています" in replay.content.decode()
    assert SESSION_RESIDENT not in client.session


def test_an_expired_challenge_is_refused(client, yokohama, people, monkeypatch):
    card = card_of(yokohama, people[0])
    challenge = challenge_of(client)
    session = client.session
    session["jichi.resident.challenge"]["expires"] -= 3600
    session.save()
    response = answer(client, card, challenge)
    assert response.status_code == 403 and "有効期限" in response.content.decode()


def test_a_signature_by_another_key_is_refused(client, yokohama, people):
    card = card_of(yokohama, people[0])
    response = answer(client, card, challenge_of(client), key=x509build.new_key())
    assert response.status_code == 403 and "署名" in response.content.decode()
    assert SESSION_RESIDENT not in client.session


def test_the_signing_certificate_does_not_log_in(client, yokohama, people):
    card = card_of(yokohama, people[0])
    response = answer(
        client,
        card,
        challenge_of(client),
        key=card.signing_key,
        certificate=card.signing_certificate,
    )
    assert response.status_code == 403 and "利用者証明用" in response.content.decode()


def test_garbage_is_not_a_certificate(client, yokohama, people):
    challenge = challenge_of(client)
    response = client.post(
        "/resident/login/",
        {
            "challenge": challenge,
            "certificate": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
            "signature": "AAAA",
        },
    )
    assert response.status_code == 400 and "証明書を読み取れません" in response.content.decode()


def test_a_revoked_card_cannot_log_in(client, yokohama, people):
    card = card_of(yokohama, people[2])
    record(
        yokohama, registry.record_death, DeathIn(effective_on=days_ago(1), person=people[2].number)
    )
    response = answer(client, card, challenge_of(client))
    assert response.status_code == 403 and "失効" in response.content.decode()


def test_resident_pages_need_a_resident_login(client, yokohama, people):
    response = client.get("/resident/certificates/")
    assert response.status_code == 302 and response["Location"].startswith("/resident/login/")
