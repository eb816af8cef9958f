"""The API skeleton: error format, bad input, auth, OpenAPI, paging, health."""

import pytest

from jichi.audit.models import AuditEntry
from jichi.tenancy.context import tenant_scope
from tests import factories
from tests.factories import bearer


@pytest.fixture
def admin_secret(yokohama):
    return factories.token(yokohama)[1]


def _post_token(client, code, secret, body, content_type="application/json"):
    return client.post(
        f"/api/v1/municipalities/{code}/tokens", body, content_type=content_type, **bearer(secret)
    )


def test_malformed_json_is_400_with_both_messages(client, yokohama, admin_secret):
    response = _post_token(client, yokohama.code, admin_secret, '{"name": "x", ')
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "body.malformed_json"
    assert error["message"] and error["message_ja"]


def test_wrong_type_names_the_field(client, yokohama, admin_secret):
    response = _post_token(
        client,
        yokohama.code,
        admin_secret,
        {"name": "x", "scopes": ["municipality:read"], "days": "many"},
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields["days"][0]["code"] == "invalid.int_parsing"
    assert fields["days"][0]["message_ja"] == "整数で指定してください。"


def test_unknown_field_is_refused(client, yokohama, admin_secret):
    response = _post_token(
        client,
        yokohama.code,
        admin_secret,
        {"name": "x", "scopes": ["municipality:read"], "admin": True},
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["admin"][0]["code"] == "invalid.extra_forbidden"


def test_missing_field_is_refused(client, yokohama, admin_secret):
    response = _post_token(client, yokohama.code, admin_secret, {"scopes": ["audit:read"]})
    assert response.json()["error"]["fields"]["name"][0]["code"] == "invalid.missing"


def test_rule_violation_from_a_service_is_a_4xx_with_the_field(client, yokohama, admin_secret):
    response = _post_token(
        client, yokohama.code, admin_secret, {"name": "x", "scopes": ["no-such-scope"]}
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["scopes"][0]["code"] == "scopes.unknown"


def test_bad_input_changes_nothing(client, yokohama, admin_secret):
    from jichi.tenancy.models import ApiToken

    before = ApiToken.objects.count()
    _post_token(client, yokohama.code, admin_secret, {"name": "x", "scopes": ["bad"]})
    assert ApiToken.objects.count() == before


def test_openapi_document_describes_the_api(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/municipalities/{code}/audit" in spec["paths"]
    assert "BearerToken" in spec["components"]["securitySchemes"]


def test_api_docs_page_is_served_without_outside_resources(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html and "cdn." not in html


def test_cursor_pagination_walks_every_entry_once(client, yokohama, admin_secret):
    with tenant_scope(yokohama.code):
        from jichi.audit.services import record

        for n in range(7):
            record(factories.SYSTEM, "test.page", object_id=str(n))
        total = AuditEntry.objects.count()
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get(
            f"/api/v1/municipalities/{yokohama.code}/audit", params, **bearer(admin_secret)
        ).json()
        seen += [item["seq"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen[:total] == list(range(1, total + 1))


@pytest.mark.parametrize(
    "params, field",
    [({"cursor": "%%%"}, "cursor"), ({"limit": 0}, "limit"), ({"limit": 100000}, "limit")],
)
def test_bad_paging_parameters_are_400(client, yokohama, admin_secret, params, field):
    response = client.get(
        f"/api/v1/municipalities/{yokohama.code}/audit", params, **bearer(admin_secret)
    )
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_reading_the_audit_trail_is_itself_audited(client, yokohama, admin_secret):
    client.get(f"/api/v1/municipalities/{yokohama.code}/audit", **bearer(admin_secret))
    with tenant_scope(yokohama.code):
        assert AuditEntry.objects.filter(action="audit.trail.read").count() == 1


def test_verify_endpoint_reports_the_chain(client, yokohama, admin_secret):
    body = client.get(
        f"/api/v1/municipalities/{yokohama.code}/audit/verify", **bearer(admin_secret)
    ).json()
    assert body["ok"] is True and body["entries"] >= 2


def test_me_lists_permissions_per_municipality(client, yokohama):
    _, secret = factories.token(yokohama, ["municipality:read"])
    body = client.get("/api/v1/me", **bearer(secret)).json()
    assert body["actor_kind"] == "token"
    assert body["municipalities"] == {yokohama.code: ["municipality:read"]}


def test_list_of_municipalities_holds_only_the_tokens_own(client, yokohama, chiyoda):
    _, secret = factories.token(yokohama, ["municipality:read"])
    items = client.get("/api/v1/municipalities", **bearer(secret)).json()["items"]
    assert [m["code"] for m in items] == [yokohama.code]


def test_unexpected_errors_are_json_without_a_stack_trace(client, yokohama, admin_secret):
    from django.db import connection

    with connection.cursor() as cursor:  # a real failure: the table has gone missing
        cursor.execute("ALTER TABLE audit_auditcheckpoint RENAME TO audit_gone")
    response = client.get(
        f"/api/v1/municipalities/{yokohama.code}/audit/verify", **bearer(admin_secret)
    )
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal"
    assert b"audit_auditcheckpoint" not in response.content
    assert b"Traceback" not in response.content


def test_health_endpoints(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ok"


def test_every_answer_carries_a_request_id(client, db):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="abcdef12-trace")
    assert response["X-Request-ID"] == "abcdef12-trace"
    assert len(client.get("/healthz")["X-Request-ID"]) == 32
