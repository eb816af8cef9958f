"""A token or user of municipality A asking for municipality B gets the same 404
as for a municipality that does not exist, and the attempt is audited."""

import pytest

from jichi.audit.models import AuditEntry
from jichi.tenancy.context import tenant_scope
from jichi.tenancy.roles import Role
from tests import factories
from tests.factories import bearer


def _denials(code):
    with tenant_scope(code):
        return list(AuditEntry.objects.filter(action="tenancy.access.denied").order_by("seq"))


@pytest.mark.parametrize("suffix", ["", "/audit", "/tokens", "/audit/verify"])
def test_token_of_a_gets_404_for_b(client, yokohama, chiyoda, suffix):
    _, secret = factories.token(yokohama)
    response = client.get(f"/api/v1/municipalities/{chiyoda.code}{suffix}", **bearer(secret))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_404_for_b_is_identical_to_404_for_a_code_that_does_not_exist(client, yokohama, chiyoda):
    _, secret = factories.token(yokohama)
    other = client.get(f"/api/v1/municipalities/{chiyoda.code}", **bearer(secret))
    missing = client.get("/api/v1/municipalities/999999", **bearer(secret))
    inactive = client.get("/api/v1/municipalities/011002", **bearer(secret))
    assert other.status_code == missing.status_code == inactive.status_code == 404
    assert other.json() == missing.json() == inactive.json()


def test_attempt_on_b_is_audited_in_bs_chain(client, yokohama, chiyoda):
    token, secret = factories.token(yokohama)
    client.get(f"/api/v1/municipalities/{chiyoda.code}/audit", **bearer(secret))
    denials = _denials(chiyoda.code)
    assert len(denials) == 1
    entry = denials[0]
    assert (entry.actor_kind, entry.actor_id, entry.outcome) == ("token", str(token.id), "denied")
    assert entry.details["path"] == f"/api/v1/municipalities/{chiyoda.code}/audit"
    assert _denials(yokohama.code) == []


def test_attempt_on_an_unknown_code_is_audited_in_the_askers_chain(client, yokohama):
    _, secret = factories.token(yokohama)
    client.get("/api/v1/municipalities/999999", **bearer(secret))
    assert [e.object_id for e in _denials(yokohama.code)] == ["999999"]


def test_staff_token_of_a_gets_404_for_b(client, yokohama, chiyoda):
    admin = factories.staff(yokohama, Role.MUNICIPAL_ADMIN)
    _, secret = factories.token(yokohama, ["municipality:read"], user=admin)
    assert client.get(f"/api/v1/municipalities/{chiyoda.code}", **bearer(secret)).status_code == 404


def test_user_of_a_cannot_switch_to_b(client, yokohama, chiyoda):
    clerk = factories.staff(yokohama, Role.COUNTER_CLERK)
    client.force_login(clerk)
    response = client.post("/switch/", {"code": chiyoda.code})
    assert response.status_code == 404
    [entry] = _denials(chiyoda.code)
    assert (entry.actor_kind, entry.actor_id) == ("staff", str(clerk.id))
    home = client.get("/")
    assert home.status_code == 200 and "131016" not in home.content.decode()


def test_user_session_pointing_at_b_falls_back_to_nothing(client, yokohama, chiyoda):
    clerk = factories.staff(yokohama, Role.COUNTER_CLERK)
    client.force_login(clerk)
    session = client.session
    session["jichi_municipality"] = chiyoda.code
    session.save()
    page = client.get("/").content.decode()
    assert chiyoda.name not in page and yokohama.name in page


def test_prefecture_staff_reach_only_granted_municipalities(client, yokohama, kawasaki):
    kanagawa = factories.municipality("140007", active=False)
    officer = factories.staff(kanagawa)
    factories.grant(officer, yokohama, Role.PREFECTURE_STAFF)
    client.force_login(officer)
    assert client.post("/switch/", {"code": yokohama.code}).status_code == 302
    assert client.post("/switch/", {"code": kawasaki.code}).status_code == 404


def test_prefecture_staff_cannot_be_granted_another_prefecture(yokohama, chiyoda):
    from jichi.common.errors import RuleViolation

    kanagawa = factories.municipality("140007", active=False)
    officer = factories.staff(kanagawa)
    with pytest.raises(RuleViolation) as caught:
        factories.grant(officer, chiyoda, Role.PREFECTURE_STAFF)
    assert caught.value.code == "role.prefecture_scope"


def test_municipal_roles_only_in_the_staff_members_own_municipality(yokohama, chiyoda):
    from jichi.common.errors import RuleViolation

    clerk = factories.staff(yokohama, Role.COUNTER_CLERK)
    with pytest.raises(RuleViolation) as caught:
        factories.grant(clerk, chiyoda, Role.MUNICIPAL_ADMIN)
    assert caught.value.code == "role.own_organization"


def test_platform_operator_reaches_every_active_municipality(client, yokohama, chiyoda):
    operator = factories.staff(None, operator=True)
    client.force_login(operator)
    for m in (yokohama, chiyoda):
        assert client.post("/switch/", {"code": m.code}).status_code == 302
        assert m.name in client.get("/").content.decode()
