"""Business identity (GビズID-like): accounts keyed by 法人番号, members, roles, suspension."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import check_password
from django.db import DatabaseError, connection, transaction

from jichi.common.errors import RuleViolation
from jichi.identity.business import audit, selectors, services
from jichi.identity.business.models import (
    AccountStatus,
    BusinessAccount,
    BusinessAuditEntry,
    BusinessMember,
    MemberRole,
)
from tests.factories import PASSWORD, SYSTEM

NUMBER = "7000012050002"  # a 法人番号 whose check digit (the first digit) holds
OTHER_NUMBER = "5010001008846"


def register(number: str = NUMBER, email: str = "admin@example.co.jp", **changes):
    """An account with its first administrator, whose password is ``PASSWORD``."""
    values = {
        "actor": SYSTEM,
        "corporate_number": number,
        "name": "株式会社テスト商事",
        "head_office_address": "東京都千代田区霞が関三丁目1番1号",
        "administrator_name": "代表 太郎",
        "administrator_email": email,
        "administrator_password": PASSWORD,
        **changes,
    }
    return services.register_account(**values).member


def add(by, email: str, role: str = MemberRole.MEMBER):
    return services.add_member(by=by, name="社員 花子", email=email, role=role).member


def refused(action, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        action(**kwargs)
    return caught.value


@pytest.fixture
def admin(db):
    return register()


@pytest.fixture
def member(admin):
    return add(admin, "staff@example.co.jp")


# --- registering an account -------------------------------------------------------------


def test_registering_creates_the_account_and_its_first_administrator(db):
    admin = register(email="Admin@Example.CO.JP")
    account = BusinessAccount.objects.get(corporate_number=NUMBER)
    assert account.status == AccountStatus.ACTIVE and account.name == "株式会社テスト商事"
    assert admin.account == account and admin.role == MemberRole.ADMINISTRATOR
    assert admin.email == "admin@example.co.jp"  # one spelling, whatever the case typed
    assert admin.password.startswith("argon2$") and check_password(PASSWORD, admin.password)
    assert not admin.must_change_password


def test_registering_without_a_password_gives_a_one_time_password(db):
    credentials = services.register_account(
        actor=SYSTEM,
        corporate_number=NUMBER,
        name="株式会社テスト商事",
        head_office_address="東京都千代田区",
        administrator_name="代表 太郎",
        administrator_email="admin@example.co.jp",
    )
    member = BusinessMember.objects.get(pk=credentials.member.pk)
    assert member.must_change_password
    assert credentials.initial_password not in member.password
    assert check_password(credentials.initial_password, member.password)


def test_wrong_check_digit_of_the_corporate_number_is_refused(db):
    error = refused(register, number="1000012050002")  # 7 is the right check digit
    assert error.code == "corporate_number.check_digit" and error.field == "corporate_number"
    assert not BusinessAccount.objects.exists() and not BusinessMember.objects.exists()


def test_corporate_number_of_twelve_digits_is_refused(db):
    assert refused(register, number="000012050002").code == "corporate_number.length"


def test_duplicate_corporate_number_is_refused(admin):
    error = refused(register, email="other@example.co.jp")
    assert error.code == "corporate_number.taken"
    assert BusinessMember.objects.count() == 1


def test_duplicate_email_is_refused_whatever_its_case(admin):
    error = refused(register, number=OTHER_NUMBER, email="ADMIN@example.co.jp")
    assert error.code == "email.taken" and error.field == "administrator_email"
    assert BusinessAccount.objects.count() == 1


def test_malformed_email_is_refused(db):
    assert refused(register, email="not-an-address").code == "email.invalid"


def test_every_missing_field_is_named_at_once(db):
    error = refused(register, name=" ", head_office_address="", administrator_name="")
    assert error.code == "name.required"
    fields = {e.field: e.code for e in error.errors}
    assert fields == {
        "name": "name.required",
        "head_office_address": "head_office_address.required",
        "administrator_name": "administrator_name.required",
    }
    assert all(e.message_ja and e.message_en for e in error.errors)


def test_weak_password_is_refused(db):
    error = refused(register, administrator_password="password")
    assert error.code == "password.weak" and error.field == "password"
    assert not BusinessAccount.objects.exists()


# --- members ------------------------------------------------------------------------------


def test_administrator_adds_a_member_with_a_one_time_password(admin):
    credentials = services.add_member(by=admin, name="社員 花子", email="Staff@Example.co.jp")
    member = credentials.member
    assert member.account_id == admin.account_id and member.role == MemberRole.MEMBER
    assert member.email == "staff@example.co.jp" and member.must_change_password
    assert check_password(credentials.initial_password, member.password)
    assert len(credentials.initial_password) == 19  # XXXX-XXXX-XXXX-XXXX


def test_a_member_who_is_not_an_administrator_cannot_add_members(member):
    error = refused(services.add_member, by=member, name="誰か", email="x@example.co.jp")
    assert error.code == "member.administrator_required" and error.status == 403
    assert not BusinessMember.objects.filter(email="x@example.co.jp").exists()


def test_a_member_cannot_remove_or_promote_anyone(admin, member):
    other = add(admin, "other@example.co.jp")
    for action, kwargs in (
        (services.deactivate_member, {"member": other}),
        (services.change_member_role, {"member": member, "role": MemberRole.ADMINISTRATOR}),
        (services.reset_member_password, {"member": other}),
    ):
        assert refused(action, by=member, **kwargs).code == "member.administrator_required"
    assert BusinessMember.objects.get(pk=member.pk).role == MemberRole.MEMBER


def test_unknown_role_is_refused(admin):
    error = refused(services.add_member, by=admin, name="誰か", email="x@example.co.jp", role="x")
    assert error.code == "role.unknown"


def test_email_of_a_member_of_another_account_is_taken(admin, member):
    other_admin = register(number=OTHER_NUMBER, email="boss@other.example")
    error = refused(services.add_member, by=other_admin, name="誰か", email="STAFF@example.co.jp")
    assert error.code == "email.taken" and error.field == "email"


def test_administrator_deactivates_a_member(admin, member):
    services.deactivate_member(by=admin, member=member)
    member.refresh_from_db()
    assert not member.is_active and member.deactivated_at is not None


def test_the_address_of_a_deactivated_member_may_be_used_again(admin, member):
    services.deactivate_member(by=admin, member=member)
    again = add(admin, "staff@example.co.jp")
    assert again.pk != member.pk and again.is_active


def test_the_last_administrator_cannot_be_removed(admin, member):
    error = refused(services.deactivate_member, by=admin, member=admin)
    assert error.code == "member.last_administrator" and error.status == 409
    assert BusinessMember.objects.get(pk=admin.pk).is_active


def test_the_last_administrator_cannot_be_demoted(admin):
    error = refused(services.change_member_role, by=admin, member=admin, role=MemberRole.MEMBER)
    assert error.code == "member.last_administrator"
    assert BusinessMember.objects.get(pk=admin.pk).role == MemberRole.ADMINISTRATOR


def test_an_administrator_may_go_once_another_one_exists(admin, member):
    services.change_member_role(by=admin, member=member, role=MemberRole.ADMINISTRATOR)
    services.deactivate_member(by=member, member=admin)
    assert not BusinessMember.objects.get(pk=admin.pk).is_active
    assert refused(services.add_member, by=admin, name="x", email="x@example.co.jp").code == (
        "member.administrator_required"
    )


def test_members_of_another_account_are_out_of_reach(admin):
    other_admin = register(number=OTHER_NUMBER, email="boss@other.example")
    outsider = add(other_admin, "worker@other.example")
    error = refused(services.deactivate_member, by=admin, member=outsider)
    assert error.code == "not_found" and error.status == 404
    assert BusinessMember.objects.get(pk=outsider.pk).is_active
    with pytest.raises(RuleViolation) as caught:
        selectors.member_of(admin.account, outsider.pk)
    assert caught.value.code == "not_found"


def test_a_deactivated_member_cannot_be_given_a_role(admin, member):
    services.deactivate_member(by=admin, member=member)
    error = refused(
        services.change_member_role, by=admin, member=member, role=MemberRole.ADMINISTRATOR
    )
    assert error.code == "member.inactive"


def test_reset_gives_a_new_one_time_password(admin, member):
    credentials = services.reset_member_password(by=admin, member=member)
    stored = BusinessMember.objects.get(pk=member.pk)
    assert stored.must_change_password
    assert check_password(credentials.initial_password, stored.password)
    assert not check_password(PASSWORD, stored.password)


# --- a member's own password ----------------------------------------------------------------


def test_member_replaces_the_one_time_password(admin):
    credentials = services.add_member(by=admin, name="社員 花子", email="staff@example.co.jp")
    changed = services.change_password(
        member=credentials.member,
        current_password=credentials.initial_password,
        new_password=PASSWORD,
    )
    assert not changed.must_change_password and check_password(PASSWORD, changed.password)


@pytest.mark.parametrize(
    ("current", "new", "code"),
    [
        ("wrong password 2026", "another long passphrase 7", "current_password.wrong"),
        (PASSWORD, PASSWORD, "new_password.unchanged"),
        (PASSWORD, "12345678", "password.weak"),
    ],
)
def test_bad_password_changes_are_refused(admin, current, new, code):
    error = refused(
        services.change_password, member=admin, current_password=current, new_password=new
    )
    assert error.code == code
    assert check_password(PASSWORD, BusinessMember.objects.get(pk=admin.pk).password)


# --- suspension ------------------------------------------------------------------------------


def test_suspension_needs_a_reason(admin):
    error = refused(services.suspend_account, actor=SYSTEM, account=admin.account, reason=" ")
    assert error.code == "reason.required"
    assert BusinessAccount.objects.get(pk=admin.account_id).status == AccountStatus.ACTIVE


def test_a_suspended_account_cannot_change_its_members(admin):
    services.suspend_account(actor=SYSTEM, account=admin.account, reason="虚偽申請の疑い")
    error = refused(services.add_member, by=admin, name="x", email="x@example.co.jp")
    assert error.code == "account.suspended"
    services.reactivate_account(actor=SYSTEM, account=admin.account)
    assert add(admin, "x@example.co.jp").is_active


# --- the audit chain -------------------------------------------------------------------------


def test_every_action_is_audited_without_personal_data(admin, member):
    services.change_member_role(by=admin, member=member, role=MemberRole.ADMINISTRATOR)
    services.deactivate_member(by=member, member=admin)
    services.suspend_account(actor=SYSTEM, account=admin.account, reason="代表 太郎 の申出")
    entries = list(selectors.audit_entries(NUMBER).order_by("seq"))
    assert [e.action for e in entries] == [
        "identity.business.account.registered",
        "identity.business.member.added",
        "identity.business.member.role_changed",
        "identity.business.member.deactivated",
        "identity.business.account.suspended",
    ]
    assert entries[3].actor_kind == "business_member" and entries[3].actor_id == str(member.id)
    assert entries[3].object_id == str(admin.id)
    text = repr([(e.actor_label, e.details, e.object_id) for e in entries])
    for personal in ("代表", "社員", "example.co.jp", "株式会社"):
        assert personal not in text


def test_a_refused_action_leaves_no_audit_entry(admin):
    before = BusinessAuditEntry.objects.count()
    refused(services.deactivate_member, by=admin, member=admin)
    assert BusinessAuditEntry.objects.count() == before


def test_the_chain_links_and_verifies(admin, member):
    entries = list(BusinessAuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == [1, 2]
    assert entries[1].prev_hash == entries[0].entry_hash
    report = audit.verify_chain()
    assert report.ok and report.entries == 2 and report.municipality_code == "business"


def tamper(sql: str, params=()) -> None:
    """Change the chain behind the application's back, as an attacker with SQL would."""
    table = BusinessAuditEntry._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute(sql.format(table=table), params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def test_an_edited_entry_is_detected(admin, member):
    tamper("UPDATE {table} SET details = '{{}}' WHERE seq = 2")
    report = audit.verify_chain()
    assert not report.ok and (report.problem.kind, report.problem.seq) == ("content", 2)


def test_a_deleted_entry_is_detected(admin, member):
    add(admin, "third@example.co.jp")
    tamper("DELETE FROM {table} WHERE seq = 2")
    report = audit.verify_chain()
    assert not report.ok and (report.problem.kind, report.problem.seq) == ("sequence", 3)


@pytest.mark.postgres
def test_postgres_refuses_to_edit_the_chain(admin):
    table = BusinessAuditEntry._meta.db_table
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"UPDATE {table} SET action = 'x'")
    assert audit.verify_chain().ok
