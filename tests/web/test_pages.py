"""Staff pages: security headers, accessibility landmarks, admin for operators only."""

import re

import pytest
from django.test import Client

from jichi.tenancy.roles import Role
from tests import factories


@pytest.fixture
def clerk(yokohama):
    return factories.staff(yokohama, Role.COUNTER_CLERK)


def test_pages_need_login(client, db):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_security_headers(client, db):
    response = client.get("/login/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_login_form_requires_csrf(db, clerk):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/login/", {"username": clerk.username, "password": factories.PASSWORD})
    assert response.status_code == 403


def test_base_template_is_accessible(client, clerk):
    client.force_login(clerk)
    html = client.get("/").content.decode()
    assert re.search(r'<html lang="(ja|en)"', html)
    for landmark in (
        'role="banner"',
        "<main",
        "<nav",
        'role="contentinfo"',
        'class="skip-link" href="#main"',
    ):
        assert landmark in html
    for field_id in re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', html):
        assert f'for="{field_id}"' in html, f"{field_id} has no label"


def test_login_form_labels_every_field(client, db):
    html = client.get("/login/").content.decode()
    assert 'for="id_username"' in html and 'for="id_password"' in html
    assert 'autocomplete="current-password"' in html


def test_home_shows_municipality_and_roles(client, clerk, yokohama):
    client.force_login(clerk)
    html = client.get("/").content.decode()
    assert yokohama.name in html and "141003" in html and "registry:write" in html


def test_switcher_lists_only_reachable_municipalities_and_filters_with_htmx(
    client, yokohama, chiyoda, kawasaki
):
    operator = factories.staff(None, operator=True)
    client.force_login(operator)
    html = client.get("/switch/").content.decode()
    assert all(m.code in html for m in (yokohama, chiyoda, kawasaki))
    partial = client.get("/switch/", {"q": "千代田"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "131016" in partial and "141003" not in partial


def test_admin_is_for_platform_operators_only(client, yokohama):
    admin = factories.staff(yokohama, Role.MUNICIPAL_ADMIN)
    client.force_login(admin)
    assert client.get("/admin/").status_code == 302  # sent to the admin login
    operator = factories.staff(None, operator=True)
    client.force_login(operator)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/audit/auditentry/").status_code == 200


def test_logout_needs_post(client, clerk):
    client.force_login(clerk)
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302
