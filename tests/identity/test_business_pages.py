"""Pages at /business/: member sessions kept apart from staff, administrators' actions,
one-time passwords, registration by platform operators."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client, RequestFactory

from jichi.identity.business import services, sessions
from jichi.identity.business.models import BusinessAccount, BusinessMember, MemberRole
from jichi.identity.business.selectors import current_member
from jichi.tenancy.roles import Role
from tests import factories
from tests.factories import PASSWORD, SYSTEM
from tests.identity.test_business_services import NUMBER, register


def log_in(client, email: str = "admin@example.co.jp", password: str = PASSWORD, **extra):
    return client.post("/business/login/", {"email": email, "password": password, **extra})


def error_code(response) -> str:
    match = re.search(r'class="error-code">([^<]+)<', response.content.decode())
    return match[1] if match else ""


@pytest.fixture
def admin(db):
    return register(email="admin@example.co.jp")


@pytest.fixture
def member(admin):
    """A member (not an administrator) who has chosen their password."""
    credentials = services.add_member(by=admin, name="社員 花子", email="staff@example.co.jp")
    return services.change_password(
        member=credentials.member,
        current_password=credentials.initial_password,
        new_password=PASSWORD,
    )


@pytest.fixture
def as_admin(client, admin):
    assert log_in(client).status_code == 302
    return client


# --- logging in and out ----------------------------------------------------------------------


def test_login_page_labels_every_field(client, db):
    html = client.get("/business/login/").content.decode()
    assert re.search(r'<html lang="(ja|en)"', html) and 'role="banner"' in html
    assert 'for="id_email"' in html and 'for="id_password"' in html
    assert 'autocomplete="current-password"' in html


def test_login_starts_a_member_session_that_is_not_a_staff_login(client, admin):
    response = log_in(client)
    assert response.status_code == 302 and response["Location"] == "/business/"
    assert client.session[sessions.SESSION_KEY] == str(admin.id)
    assert "_auth_user_id" not in client.session
    assert client.session.get_expiry_age() == sessions.SESSION_SECONDS
    html = client.get("/business/").content.decode()
    assert NUMBER in html and "株式会社テスト商事" in html and "admin@example.co.jp" in html


def test_wrong_password_on_the_page_is_refused(client, admin):
    response = log_in(client, password="wrong password 2026")
    assert response.status_code == 401 and 'role="alert"' in response.content.decode()
    assert sessions.SESSION_KEY not in client.session


def test_suspended_account_login_on_the_page_is_refused(client, admin):
    services.suspend_account(actor=SYSTEM, account=admin.account, reason="調査中")
    assert log_in(client).status_code == 403
    assert sessions.SESSION_KEY not in client.session


def test_locked_member_is_refused_on_the_page(client, admin):
    for _ in range(settings.JICHI_LOGIN_MAX_FAILURES):
        log_in(client, password="wrong password 2026")
    response = log_in(client)
    assert response.status_code == 401 and sessions.SESSION_KEY not in client.session


def test_login_form_requires_csrf(admin):
    strict = Client(enforce_csrf_checks=True)
    assert log_in(strict).status_code == 403


def test_login_does_not_redirect_to_another_site(client, admin):
    response = log_in(client, next="https://evil.example/steal")
    assert response["Location"] == "/business/"


def test_logout_ends_the_member_session(as_admin):
    assert as_admin.post("/business/logout/").status_code == 302
    assert sessions.SESSION_KEY not in as_admin.session
    assert as_admin.get("/business/")["Location"].startswith("/business/login/")


# --- members and staff are kept apart ----------------------------------------------------------


@pytest.mark.parametrize("path", ["/registry/", "/certificates/", "/"])
def test_a_member_session_does_not_reach_staff_pages(as_admin, yokohama, path):
    response = as_admin.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_member_session_does_not_reach_the_staff_api(as_admin, yokohama):
    assert as_admin.get("/api/v1/municipalities/141003").status_code == 401


def test_a_staff_session_does_not_count_as_a_member(client, yokohama, admin):
    operator = factories.staff(None, operator=True)
    client.force_login(operator)
    response = client.get("/business/")
    assert response.status_code == 302 and response["Location"].startswith("/business/login/")
    request = RequestFactory().get("/business/")
    request.session = client.session
    assert current_member(request) is None


def test_a_member_login_ends_a_staff_login_in_the_same_browser(client, yokohama, admin):
    clerk = factories.staff(yokohama, Role.COUNTER_CLERK)
    client.force_login(clerk)
    log_in(client)
    assert "_auth_user_id" not in client.session
    assert client.get("/registry/")["Location"].startswith("/login/")


# --- the account page and administrators' actions -----------------------------------------------


def test_a_member_sees_the_members_but_no_administrator_actions(client, member):
    log_in(client, "staff@example.co.jp")
    html = client.get("/business/").content.decode()
    assert "admin@example.co.jp" in html and "staff@example.co.jp" in html
    assert "/business/members/" not in html


def test_a_member_posting_an_administrator_action_is_refused(client, member):
    log_in(client, "staff@example.co.jp")
    response = client.post(
        "/business/members/", {"name": "誰か", "email": "x@example.co.jp", "role": "member"}
    )
    assert response.status_code == 403 and error_code(response) == "member.administrator_required"
    assert not BusinessMember.objects.filter(email="x@example.co.jp").exists()


def test_administrator_adds_a_member_and_sees_the_one_time_password_once(as_admin):
    response = as_admin.post(
        "/business/members/", {"name": "社員 次郎", "email": "jiro@example.co.jp", "role": "member"}
    )
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    password = re.search(r'id="one-time-password">([^<]+)<', response.content.decode())[1]
    new = BusinessMember.objects.get(email="jiro@example.co.jp")
    assert new.must_change_password and password not in new.password


def test_adding_a_member_with_a_taken_address_shows_the_error_on_its_field(as_admin, member):
    response = as_admin.post(
        "/business/members/", {"name": "誰か", "email": "STAFF@example.co.jp", "role": "member"}
    )
    assert response.status_code == 400
    assert "このメールアドレスは既に登録されています。" in response.content.decode()


def test_removing_the_last_administrator_on_the_page_is_refused(as_admin, admin):
    response = as_admin.post(f"/business/members/{admin.id}/deactivate/")
    assert response.status_code == 409 and error_code(response) == "member.last_administrator"
    assert BusinessMember.objects.get(pk=admin.pk).is_active


def test_administrator_deactivates_a_member_whose_session_then_ends(as_admin, member):
    other = Client()
    log_in(other, "staff@example.co.jp")
    assert other.get("/business/").status_code == 200
    assert as_admin.post(f"/business/members/{member.id}/deactivate/").status_code == 302
    assert not BusinessMember.objects.get(pk=member.pk).is_active
    assert other.get("/business/")["Location"].startswith("/business/login/")


def test_administrator_changes_a_role_on_the_page(as_admin, member):
    response = as_admin.post(f"/business/members/{member.id}/role/", {"role": "administrator"})
    assert response.status_code == 302
    assert BusinessMember.objects.get(pk=member.pk).role == MemberRole.ADMINISTRATOR


def test_a_member_of_another_account_is_not_found(as_admin):
    other_admin = register(number="5010001008846", email="boss@other.example")
    response = as_admin.post(f"/business/members/{other_admin.id}/deactivate/")
    assert response.status_code == 404 and error_code(response) == "not_found"
    assert BusinessMember.objects.get(pk=other_admin.pk).is_active


def test_a_suspended_account_ends_its_members_sessions(as_admin, admin):
    services.suspend_account(actor=SYSTEM, account=admin.account, reason="調査中")
    assert as_admin.get("/business/")["Location"].startswith("/business/login/")


# --- passwords --------------------------------------------------------------------------------


def test_a_one_time_password_must_be_replaced_before_anything_else(client, admin):
    credentials = services.add_member(by=admin, name="社員 次郎", email="jiro@example.co.jp")
    log_in(client, "jiro@example.co.jp", credentials.initial_password)
    assert client.get("/business/")["Location"] == "/business/password/"
    response = client.post(
        "/business/password/",
        {
            "current_password": credentials.initial_password,
            "new_password": PASSWORD,
            "new_password_again": PASSWORD,
        },
    )
    assert response.status_code == 302 and response["Location"] == "/business/"
    assert client.get("/business/").status_code == 200


def test_a_weak_new_password_is_shown_on_its_field(as_admin):
    response = as_admin.post(
        "/business/password/",
        {"current_password": PASSWORD, "new_password": "short", "new_password_again": "short"},
    )
    assert response.status_code == 400
    assert "パスワードが弱すぎます" in response.content.decode()


def test_changing_the_password_ends_the_other_sessions_but_not_this_one(as_admin):
    other = Client()
    log_in(other)
    new = "a brand new passphrase 2027"
    response = as_admin.post(
        "/business/password/",
        {"current_password": PASSWORD, "new_password": new, "new_password_again": new},
    )
    assert response.status_code == 302
    assert as_admin.get("/business/").status_code == 200
    assert other.get("/business/")["Location"].startswith("/business/login/")


# --- registration by platform operators ---------------------------------------------------------

FORM = {
    "corporate_number": "７０００－０１２０－５０００２",  # full width with dashes, as pasted
    "name": "株式会社テスト商事",
    "head_office_address": "東京都千代田区霞が関三丁目1番1号",
    "administrator_name": "代表 太郎",
    "administrator_email": "admin@example.co.jp",
}


def test_a_platform_operator_registers_an_account(client, db):
    client.force_login(factories.staff(None, operator=True))
    html = client.get("/business/register/").content.decode()
    for field in FORM:
        assert f'for="id_{field}"' in html
    response = client.post("/business/register/", FORM)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    account = BusinessAccount.objects.get(corporate_number=NUMBER)
    administrator = account.members.get()
    assert administrator.role == MemberRole.ADMINISTRATOR and administrator.must_change_password
    assert re.search(r'id="one-time-password">[^<]+<', response.content.decode())


def test_registration_with_a_wrong_check_digit_is_refused_on_the_page(client, db):
    client.force_login(factories.staff(None, operator=True))
    response = client.post("/business/register/", {**FORM, "corporate_number": "1000012050002"})
    assert response.status_code == 400 and "検査用数字" in response.content.decode()
    assert not BusinessAccount.objects.exists()


def test_registration_is_for_platform_operators_only(client, yokohama):
    assert client.get("/business/register/")["Location"].startswith("/login/")
    client.force_login(factories.staff(yokohama, Role.MUNICIPAL_ADMIN))
    response = client.post("/business/register/", FORM)
    assert response.status_code == 403 and error_code(response) == "permission.denied"
    assert not BusinessAccount.objects.exists()


def test_a_member_cannot_register_accounts(as_admin):
    assert as_admin.get("/business/register/")["Location"].startswith("/login/")


def test_the_account_page_labels_every_control(as_admin, member):
    html = as_admin.get("/business/").content.decode()
    assert 'role="banner"' in html and "<main" in html and 'role="contentinfo"' in html
    ids = re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html)
    assert len(ids) >= 5  # role selects of both members and the add-member form
    for field_id in ids:
        assert f'for="{field_id}"' in html, f"{field_id} has no label"
    for described in re.findall(r'aria-describedby="([^"]+)"', html):
        assert f'id="{described}"' in html
