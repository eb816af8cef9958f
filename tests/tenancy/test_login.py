"""Staff login: Argon2, lockout after repeated failures, session expiry."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from jichi.audit.models import AuditEntry
from jichi.common.errors import RuleViolation
from jichi.tenancy.context import tenant_scope
from jichi.tenancy.models import StaffUser
from jichi.tenancy.roles import Role
from jichi.tenancy.services import authenticate_staff
from tests import factories
from tests.factories import PASSWORD


def _fail(username, times):
    for _ in range(times):
        with pytest.raises(RuleViolation) as caught:
            authenticate_staff(username=username, password="wrong password!!")
    return caught.value


def test_passwords_are_hashed_with_argon2(yokohama):
    user = factories.staff(yokohama, Role.COUNTER_CLERK)
    assert user.password.startswith("argon2$")


def test_right_password_logs_in(yokohama):
    user = factories.staff(yokohama, Role.COUNTER_CLERK)
    assert authenticate_staff(username=user.username, password=PASSWORD) == user


def test_unknown_user_and_wrong_password_get_the_same_answer(yokohama):
    user = factories.staff(yokohama, Role.COUNTER_CLERK)
    wrong = _fail(user.username, 1)
    unknown = _fail("nobody-here", 1)
    assert wrong.code == unknown.code == "auth.invalid_credentials"
    assert wrong.message_ja == unknown.message_ja


def test_account_locks_after_repeated_failures_even_for_the_right_password(yokohama):
    user = factories.staff(yokohama, Role.COUNTER_CLERK)
    _fail(user.username, settings.JICHI_LOGIN_MAX_FAILURES)
    with pytest.raises(RuleViolation) as caught:
        authenticate_staff(username=user.username, password=PASSWORD)
    assert caught.value.code == "auth.locked"


def test_one_failure_fewer_than_the_limit_does_not_lock(yokohama):
    user = factories.staff(yokohama, Role.COUNTER_CLERK)
    _fail(user.username, settings.JICHI_LOGIN_MAX_FAILURES - 1)
    assert authenticate_staff(username=user.username, password=PASSWORD) == user
    assert StaffUser.objects.get(pk=user.pk).failed_login_count == 0


def test_lock_ends_after_the_lockout_period(yokohama):
    user = factories.staff(yokohama, Role.COUNTER_CLERK)
    _fail(user.username, settings.JICHI_LOGIN_MAX_FAILURES)
    StaffUser.objects.filter(pk=user.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert authenticate_staff(username=user.username, password=PASSWORD) == user


def test_lockout_is_audited_in_the_staff_members_municipality(yokohama):
    user = factories.staff(yokohama, Role.COUNTER_CLERK)
    _fail(user.username, settings.JICHI_LOGIN_MAX_FAILURES)
    with tenant_scope(yokohama.code):
        assert (
            AuditEntry.objects.filter(
                action="tenancy.staff.locked_out", object_id=str(user.id)
            ).count()
            == 1
        )


def test_login_page_refuses_a_locked_account(client, yokohama):
    user = factories.staff(yokohama, Role.COUNTER_CLERK)
    for _ in range(settings.JICHI_LOGIN_MAX_FAILURES):
        client.post("/login/", {"username": user.username, "password": "nope nope nope"})
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 401
    assert "ロック" in response.content.decode()


def test_login_page_logs_in_and_redirects_home(client, yokohama):
    user = factories.staff(yokohama, Role.COUNTER_CLERK)
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert yokohama.name in client.get("/").content.decode()


def test_login_does_not_redirect_to_another_site(client, yokohama):
    user = factories.staff(yokohama, Role.COUNTER_CLERK)
    response = client.post(
        "/login/",
        {"username": user.username, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_sessions_expire_and_are_renewed_on_activity():
    assert 0 < settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_SAVE_EVERY_REQUEST and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_expired_session_must_log_in_again(client, yokohama):
    from django.contrib.sessions.models import Session

    user = factories.staff(yokohama, Role.COUNTER_CLERK)
    client.force_login(user)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302 and "/login/" in response["Location"]
