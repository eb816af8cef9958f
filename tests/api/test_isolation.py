"""Every tenant route of the API, read from the OpenAPI document, is closed to another
municipality's token: the same 404 as for a municipality that does not exist, before
the route runs, whatever the method, body or path parameters."""

import re
import uuid

import pytest

from jichi.api import api
from jichi.audit.models import AuditEntry
from jichi.tenancy.context import tenant_scope
from tests import factories
from tests.factories import bearer

TENANT_PREFIX = "/api/v1/municipalities/{code}"
_PARAM = re.compile(r"\{(\w+)\}")


def _tenant_operations() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema()
    operations = []
    for path, methods in schema["paths"].items():
        if not path.startswith(TENANT_PREFIX):
            continue
        for method in methods:
            if method in {"get", "post", "put", "patch", "delete"}:
                operations.append((method, path))
    return sorted(operations)


OPERATIONS = _tenant_operations()


def _filled(path: str, code: str) -> str:
    """The path with ``code`` and a plausible value for every other parameter."""

    def value(match):
        name = match[1]
        if name == "code":
            return code
        if name in {"number", "household"}:
            return "0000000001"
        return str(uuid.UUID(int=1))

    return _PARAM.sub(value, path)


def test_the_document_lists_the_routes_of_every_app():
    paths = {path for _, path in OPERATIONS}
    parts = ("/persons", "/movements/", "/certificates", "/signatures/verify", "/audit")
    for part in (*parts, "/events", "/subscriptions"):
        assert any(part in p for p in paths), part
    assert len(OPERATIONS) >= 80


@pytest.mark.parametrize("method, path", OPERATIONS)
def test_every_tenant_route_is_closed_to_another_municipality(
    client, yokohama, chiyoda, method, path
):
    _, other = factories.token(chiyoda)  # every scope, but of 千代田区
    call = getattr(client, method)
    kwargs = {"content_type": "application/json", "data": "{}"} if method != "get" else {}
    response = call(_filled(path, yokohama.code), **kwargs, **bearer(other))
    assert response.status_code == 404, response.content[:200]
    assert response.json()["error"]["code"] == "not_found"


def test_a_refused_route_is_recorded_in_the_target_chain(client, yokohama, chiyoda):
    _, other = factories.token(chiyoda)
    path = _filled(TENANT_PREFIX + "/persons", yokohama.code)
    client.get(path, {"name": "ヤマダ", "purpose": "確認"}, **bearer(other))
    with tenant_scope(yokohama.code):
        denied = AuditEntry.objects.filter(action="tenancy.access.denied").get()
    assert denied.actor_kind == "token" and denied.details["path"] == path
