"""Business members sign in with e-mail and password: Argon2, lockout, suspension."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from jichi.common.errors import RuleViolation
from jichi.identity.business import selectors, services
from jichi.identity.business.models import BusinessMember
from tests.factories import PASSWORD, SYSTEM
from tests.identity.test_business_services import add, register

WRONG = "wrong password 2026!"


def login(email: str, password: str = PASSWORD) -> BusinessMember:
    return services.authenticate_member(email=email, password=password)


def refused_login(email: str, password: str = WRONG, times: int = 1) -> RuleViolation:
    for _ in range(times):
        with pytest.raises(RuleViolation) as caught:
            login(email, password)
    return caught.value


@pytest.fixture
def admin(db):
    return register(email="admin@example.co.jp")


def test_right_password_logs_in_whatever_the_case_of_the_address(admin):
    member = login(" Admin@Example.co.jp ")
    assert member == admin and member.last_login is not None
    assert BusinessMember.objects.get(pk=admin.pk).last_login == member.last_login


def test_wrong_password_and_unknown_address_get_the_same_answer(admin):
    wrong = refused_login("admin@example.co.jp")
    unknown = refused_login("nobody@example.co.jp", PASSWORD)
    assert wrong.code == unknown.code == "auth.invalid_credentials"
    assert wrong.status == 401 and wrong.message_ja == unknown.message_ja


def test_member_is_locked_after_repeated_failures_even_for_the_right_password(admin):
    refused_login("admin@example.co.jp", times=settings.JICHI_LOGIN_MAX_FAILURES)
    error = refused_login("admin@example.co.jp", PASSWORD)
    assert error.code == "auth.locked"
    entry = selectors.audit_entries(admin.account.corporate_number).first()
    assert entry.action == "identity.business.member.locked_out"
    assert entry.object_id == str(admin.id) and entry.actor_kind == "anonymous"


def test_one_failure_fewer_than_the_limit_does_not_lock(admin):
    refused_login("admin@example.co.jp", times=settings.JICHI_LOGIN_MAX_FAILURES - 1)
    assert login("admin@example.co.jp") == admin
    assert BusinessMember.objects.get(pk=admin.pk).failed_login_count == 0


def test_lock_ends_after_the_lockout_period(admin):
    refused_login("admin@example.co.jp", times=settings.JICHI_LOGIN_MAX_FAILURES)
    BusinessMember.objects.filter(pk=admin.pk).update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )
    assert login("admin@example.co.jp") == admin


def test_lockout_settings_are_the_staff_ones(admin, settings):
    settings.JICHI_LOGIN_MAX_FAILURES = 2
    refused_login("admin@example.co.jp", times=2)
    assert refused_login("admin@example.co.jp", PASSWORD).code == "auth.locked"


def test_members_of_a_suspended_account_cannot_log_in(admin):
    services.suspend_account(actor=SYSTEM, account=admin.account, reason="調査中")
    error = refused_login("admin@example.co.jp", PASSWORD)
    assert error.code == "auth.account_suspended" and error.status == 403
    # Without the password, nobody learns that the account is suspended.
    assert refused_login("admin@example.co.jp").code == "auth.invalid_credentials"


def test_a_deactivated_member_cannot_log_in(admin):
    credentials = services.add_member(by=admin, name="社員 花子", email="staff@example.co.jp")
    member = services.change_password(
        member=credentials.member,
        current_password=credentials.initial_password,
        new_password=PASSWORD,
    )
    assert login("staff@example.co.jp") == member
    services.deactivate_member(by=admin, member=member)
    assert refused_login("staff@example.co.jp", PASSWORD).code == "auth.invalid_credentials"


def test_reset_unlocks_a_locked_member(admin):
    member = add(admin, "staff@example.co.jp")
    refused_login("staff@example.co.jp", times=settings.JICHI_LOGIN_MAX_FAILURES)
    credentials = services.reset_member_password(by=admin, member=member)
    assert login("staff@example.co.jp", credentials.initial_password) == member
