"""API tokens: shown once, stored hashed, scoped, expiring, revocable."""

import hashlib

import pytest

from jichi.common.errors import RuleViolation
from jichi.tenancy.models import ApiToken
from jichi.tenancy.roles import Role
from jichi.tenancy.services import revoke_token
from tests import factories
from tests.factories import SYSTEM, bearer


def test_token_secret_is_stored_only_as_its_hash(yokohama):
    token, secret = factories.token(yokohama, ["municipality:read"])
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret not in {stored.secret_hash, stored.prefix, stored.name}
    assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()


def test_valid_token_reads_its_municipality(client, yokohama):
    _, secret = factories.token(yokohama, ["municipality:read"])
    response = client.get(f"/api/v1/municipalities/{yokohama.code}", **bearer(secret))
    assert response.status_code == 200
    assert response.json()["name"] == "横浜市"


def test_expired_token_gets_401(client, yokohama):
    token, secret = factories.token(yokohama, ["municipality:read"])
    factories.expire(token)
    response = client.get(f"/api/v1/municipalities/{yokohama.code}", **bearer(secret))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "auth.required"


def test_revoked_token_gets_401(client, yokohama):
    token, secret = factories.token(yokohama, ["municipality:read"])
    revoke_token(actor=SYSTEM, token=token)
    response = client.get(f"/api/v1/municipalities/{yokohama.code}", **bearer(secret))
    assert response.status_code == 401


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer jichi_wrong", "Basic abc", "Token x"])
def test_missing_or_invalid_token_gets_401(client, yokohama, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get(f"/api/v1/municipalities/{yokohama.code}", **extra)
    assert response.status_code == 401
    body = response.json()["error"]
    assert body["code"] == "auth.required" and body["message_ja"] and body["message"]


def test_token_without_the_scope_gets_403(client, yokohama):
    _, secret = factories.token(yokohama, ["municipality:read"])
    response = client.get(f"/api/v1/municipalities/{yokohama.code}/audit", **bearer(secret))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission.denied"


def test_unknown_scope_is_refused(yokohama):
    with pytest.raises(RuleViolation) as caught:
        factories.token(yokohama, ["registry:read", "everything"])
    assert caught.value.code == "scopes.unknown" and caught.value.field == "scopes"


def test_validity_beyond_two_years_is_refused(yokohama):
    with pytest.raises(RuleViolation) as caught:
        factories.token(yokohama, ["municipality:read"], days=731)
    assert caught.value.code == "days.range" and caught.value.field == "days"


def test_staff_token_cannot_exceed_its_owners_roles(yokohama):
    clerk = factories.staff(yokohama, Role.COUNTER_CLERK)
    with pytest.raises(RuleViolation) as caught:
        factories.token(yokohama, ["audit:read"], user=clerk)
    assert caught.value.code == "scopes.beyond_roles"


def test_staff_token_loses_what_its_owner_loses(client, yokohama):
    admin = factories.staff(yokohama, Role.MUNICIPAL_ADMIN)
    _, secret = factories.token(yokohama, ["audit:read"], user=admin)
    url = f"/api/v1/municipalities/{yokohama.code}/audit"
    assert client.get(url, **bearer(secret)).status_code == 200
    admin.grants.all().delete()
    assert client.get(url, **bearer(secret)).status_code == 404
    admin.is_active = False
    admin.save()
    assert client.get(url, **bearer(secret)).status_code == 401


def test_token_created_over_the_api_is_shown_once_then_revoked(client, yokohama):
    _, admin_secret = factories.token(yokohama, ["tokens:manage", "municipality:read"])
    base = f"/api/v1/municipalities/{yokohama.code}/tokens"
    created = client.post(
        base,
        {"name": "tax system", "scopes": ["municipality:read"]},
        content_type="application/json",
        **bearer(admin_secret),
    )
    assert created.status_code == 201, created.content
    secret = created.json()["token"]
    listed = client.get(base, **bearer(admin_secret)).json()["items"]
    assert all("token" not in item for item in listed)
    assert (
        client.get(f"/api/v1/municipalities/{yokohama.code}", **bearer(secret)).status_code == 200
    )
    revoked = client.delete(f"{base}/{created.json()['id']}", **bearer(admin_secret))
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert (
        client.get(f"/api/v1/municipalities/{yokohama.code}", **bearer(secret)).status_code == 401
    )


def _token_queries(client, path, secret) -> tuple[int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        status = client.get(path, **bearer(secret)).status_code
    return status, sum('"tenancy_apitoken"' in q["sql"] for q in queries.captured_queries)


def test_a_token_used_again_is_not_looked_up_again(client, yokohama, settings):
    settings.JICHI_TOKEN_CACHE_SECONDS = 10
    _, secret = factories.token(yokohama, ["municipality:read"])
    path = f"/api/v1/municipalities/{yokohama.code}"
    assert _token_queries(client, path, secret)[0] == 200
    assert _token_queries(client, path, secret) == (200, 0)
    settings.JICHI_TOKEN_CACHE_SECONDS = 0  # no cache: every request looks it up
    _, other = factories.token(yokohama, ["municipality:read"])
    client.get(path, **bearer(other))
    status, looked_up = _token_queries(client, path, other)
    assert status == 200 and looked_up >= 1


def test_a_token_revoked_in_this_process_is_refused_at_once_even_when_kept(
    client, yokohama, settings
):
    settings.JICHI_TOKEN_CACHE_SECONDS = 10
    token, secret = factories.token(yokohama, ["municipality:read"])
    path = f"/api/v1/municipalities/{yokohama.code}"
    assert client.get(path, **bearer(secret)).status_code == 200
    revoke_token(actor=SYSTEM, token=ApiToken.objects.get(pk=token.pk))
    assert client.get(path, **bearer(secret)).status_code == 401


def test_a_token_revoked_elsewhere_is_refused_once_the_cache_time_is_over(
    client, yokohama, settings, monkeypatch
):
    from datetime import timedelta

    from django.utils import timezone

    settings.JICHI_TOKEN_CACHE_SECONDS = 10
    token, secret = factories.token(yokohama, ["municipality:read"])
    path = f"/api/v1/municipalities/{yokohama.code}"
    assert client.get(path, **bearer(secret)).status_code == 200
    # As another process would: a row update, no signal reaches this process.
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert client.get(path, **bearer(secret)).status_code == 200  # kept, for ≤ 10 s
    started = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: started + timedelta(seconds=11))
    assert client.get(path, **bearer(secret)).status_code == 401


def test_a_deactivated_owner_or_municipality_ends_a_kept_token_at_once(client, yokohama, settings):
    settings.JICHI_TOKEN_CACHE_SECONDS = 10
    _, secret = factories.token(yokohama, ["municipality:read"])
    path = f"/api/v1/municipalities/{yokohama.code}"
    assert client.get(path, **bearer(secret)).status_code == 200
    yokohama.is_active = False
    yokohama.save(update_fields=["is_active"])
    assert client.get(path, **bearer(secret)).status_code == 404
