"""Writes of business identity: one function per business action.

Each action is its own transaction and writes its entry in the business audit
chain (:mod:`jichi.identity.business.audit`) inside it. Actions of members on
their account lock the account's row first, so two administrators removing
each other at the same moment cannot leave the account without one. The
rules and their error codes are in :mod:`jichi.identity.business.rules`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from jichi.common.errors import ErrorCollector, RuleViolation, not_found
from jichi.identity.business import audit, rules
from jichi.identity.business.models import (
    AccountStatus,
    BusinessAccount,
    BusinessMember,
    MemberRole,
)
from jichi.tenancy.principals import Actor
from jichi.tenancy.services import _check_password as check_password_strength

# One-time passwords: 4 groups of 4 characters without look-alikes (0/O, 1/l/I): ~90 bits.
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"


@dataclass(frozen=True)
class Credentials:
    """A member just given a password; ``initial_password`` is shown once, never stored."""

    member: BusinessMember
    initial_password: str | None  # None when the caller chose the password


def member_actor(member: BusinessMember) -> Actor:
    """A member as the audit trail records them: their id and their account's 法人番号."""
    return Actor("business_member", str(member.id), member.account.corporate_number)


# --- accounts -----------------------------------------------------------------------


@transaction.atomic
def register_account(
    *,
    actor: Actor,
    corporate_number: str,
    name: str,
    head_office_address: str,
    administrator_name: str,
    administrator_email: str,
    administrator_password: str | None = None,
) -> Credentials:
    """Register a corporation (法人) with its first administrator (GビズIDプライム).

    A real deployment verifies the application first (印鑑証明書, the
    representative); here a platform operator or ``jichi business register``
    registers it. Without ``administrator_password`` a one-time password is
    generated and returned; the administrator must replace it at first login.
    """
    errors = ErrorCollector()
    account = BusinessAccount(
        corporate_number=rules.corporate_number(errors, corporate_number),
        name=rules.text(errors, name, "name", 150, "商号又は名称", "legal name"),
        head_office_address=rules.text(
            errors, head_office_address, "head_office_address", 300, "本店所在地", "head office"
        ),
    )
    administrator = BusinessMember(
        account=account,
        name=rules.text(errors, administrator_name, "administrator_name", 100, "氏名", "name"),
        email=rules.email(errors, administrator_email, "administrator_email"),
        role=MemberRole.ADMINISTRATOR,
    )
    errors.raise_if_any()
    initial = _set_password(administrator, administrator_password)
    _insert(account, rules.corporate_number_taken())
    _insert(administrator, rules.email_taken("administrator_email"))
    audit.record(
        actor,
        "identity.business.account.registered",
        account=account.corporate_number,
        object_type="business_account",
        object_id=str(account.id),
        details={"administrator": str(administrator.id)},
    )
    return Credentials(administrator, initial)


@transaction.atomic
def suspend_account(*, actor: Actor, account: BusinessAccount, reason: str) -> BusinessAccount:
    """利用停止: no member of the account can sign in, and their sessions end."""
    return _set_status(actor, account, AccountStatus.SUSPENDED, rules.reason(reason))


@transaction.atomic
def reactivate_account(*, actor: Actor, account: BusinessAccount) -> BusinessAccount:
    """End a suspension: the members sign in again as before."""
    return _set_status(actor, account, AccountStatus.ACTIVE, "")


def _set_status(actor: Actor, account: BusinessAccount, status: str, reason: str):
    account = BusinessAccount.objects.select_for_update().get(pk=account.pk)
    if account.status == status:
        return account
    account.status = status
    account.status_reason = reason
    account.status_changed_at = timezone.now()
    account.save(update_fields=["status", "status_reason", "status_changed_at"])
    action = "suspended" if status == AccountStatus.SUSPENDED else "reactivated"
    audit.record(
        actor,
        f"identity.business.account.{action}",
        account=account.corporate_number,
        object_type="business_account",
        object_id=str(account.id),
    )
    return account


# --- members (actions of an administrator) ------------------------------------------


@transaction.atomic
def add_member(
    *, by: BusinessMember, name: str, email: str, role: str = MemberRole.MEMBER
) -> Credentials:
    """An administrator adds a member (GビズIDメンバー) with a one-time password."""
    account = _administered_by(by)
    errors = ErrorCollector()
    member = BusinessMember(
        account=account,
        name=rules.text(errors, name, "name", 100, "氏名", "name"),
        email=rules.email(errors, email, "email"),
        role=rules.role(errors, role),
    )
    errors.raise_if_any()
    initial = _set_password(member, None)
    _insert(member, rules.email_taken("email"))
    _record_member(by, "added", member, {"role": member.role})
    return Credentials(member, initial)


@transaction.atomic
def deactivate_member(*, by: BusinessMember, member: BusinessMember) -> BusinessMember:
    """An administrator removes a member; the last active administrator cannot go."""
    account = _administered_by(by)
    member = _member_of(account, member)
    if not member.is_active:
        return member
    if member.is_administrator:
        _keep_an_administrator(account, member)
    member.is_active = False
    member.deactivated_at = timezone.now()
    member.save(update_fields=["is_active", "deactivated_at"])
    _record_member(by, "deactivated", member)
    return member


@transaction.atomic
def change_member_role(*, by: BusinessMember, member: BusinessMember, role: str) -> BusinessMember:
    """An administrator makes a member an administrator, or an administrator a member."""
    account = _administered_by(by)
    errors = ErrorCollector()
    role = rules.role(errors, role)
    errors.raise_if_any()
    member = _active_member_of(account, member)
    if member.role == role:
        return member
    if member.is_administrator:
        _keep_an_administrator(account, member)
    previous, member.role = member.role, role
    member.save(update_fields=["role"])
    _record_member(by, "role_changed", member, {"from": previous, "to": role})
    return member


@transaction.atomic
def reset_member_password(*, by: BusinessMember, member: BusinessMember) -> Credentials:
    """An administrator gives a member a new one-time password (a forgotten password)."""
    account = _administered_by(by)
    member = _active_member_of(account, member)
    initial = _set_password(member, None)
    member.failed_login_count, member.locked_until = 0, None
    member.save(
        update_fields=["password", "must_change_password", "failed_login_count", "locked_until"]
    )
    _record_member(by, "password_reset", member)
    return Credentials(member, initial)


# --- a member's own password ---------------------------------------------------------


@transaction.atomic
def change_password(
    *, member: BusinessMember, current_password: str, new_password: str
) -> BusinessMember:
    """A member replaces their password (and so a one-time password)."""
    member = BusinessMember.objects.select_related("account").get(pk=member.pk)
    if not check_password(current_password, member.password):
        raise rules.current_password_wrong()
    if new_password == current_password:
        raise rules.password_unchanged()
    _set_password(member, new_password)
    member.save(update_fields=["password", "must_change_password"])
    _record_member(member, "password_changed", member)
    return member


# --- signing in ----------------------------------------------------------------------


def authenticate_member(*, email: str, password: str) -> BusinessMember:
    """Check a member's sign-in; lock the member after repeated failures.

    As for staff (:func:`jichi.tenancy.services.authenticate_staff`): after
    ``JICHI_LOGIN_MAX_FAILURES`` wrong passwords in a row the member is locked
    for ``JICHI_LOGIN_LOCKOUT_MINUTES``, even against the right password; an
    unknown address gets the answer of a wrong password after the same hashing
    work. A suspended account is said so only to someone with the password.
    """
    member = (
        BusinessMember.objects.select_related("account")
        .filter(email=(email or "").strip().lower(), is_active=True)
        .first()
    )
    now = timezone.now()
    if member is None:
        make_password(password)  # the same work as a real check
        raise rules.invalid_login()
    if member.is_locked(now):
        raise rules.locked()
    if not check_password(password, member.password, setter=_rehash(member)):
        _record_failure(member, now)
        raise rules.invalid_login()
    if not member.account.is_active:
        raise rules.login_suspended()
    BusinessMember.objects.filter(pk=member.pk).update(
        failed_login_count=0, locked_until=None, last_login=now
    )
    member.failed_login_count, member.locked_until, member.last_login = 0, None, now
    return member


def _rehash(member: BusinessMember):
    """Store the password again when the configured hasher changed (an upgrade)."""

    def setter(raw: str) -> None:
        member.password = make_password(raw)
        BusinessMember.objects.filter(pk=member.pk).update(password=member.password)

    return setter


@transaction.atomic
def _record_failure(member: BusinessMember, now) -> None:
    BusinessMember.objects.filter(pk=member.pk).update(
        failed_login_count=F("failed_login_count") + 1
    )
    member.refresh_from_db(fields=["failed_login_count"])
    if member.failed_login_count < settings.JICHI_LOGIN_MAX_FAILURES:
        return
    until = now + timedelta(minutes=settings.JICHI_LOGIN_LOCKOUT_MINUTES)
    BusinessMember.objects.filter(pk=member.pk).update(locked_until=until, failed_login_count=0)
    audit.record(
        Actor.anonymous(),
        "identity.business.member.locked_out",
        account=member.account.corporate_number,
        object_type="business_member",
        object_id=str(member.id),
    )


# --- helpers --------------------------------------------------------------------------


def _administered_by(by: BusinessMember) -> BusinessAccount:
    """``by``'s account, locked for the change, if ``by`` is still its active administrator."""
    account = BusinessAccount.objects.select_for_update().get(pk=by.account_id)
    state = BusinessMember.objects.filter(pk=by.pk).values_list("is_active", "role").first()
    if not account.is_active:
        raise rules.account_suspended()
    if state is None or not state[0] or state[1] != MemberRole.ADMINISTRATOR:
        raise rules.administrator_required()
    by.account = account
    return account


def _member_of(account: BusinessAccount, member: BusinessMember) -> BusinessMember:
    found = BusinessMember.objects.filter(pk=member.pk, account=account).first()
    if found is None:
        raise not_found("member", "メンバー")
    found.account = account
    return found


def _active_member_of(account: BusinessAccount, member: BusinessMember) -> BusinessMember:
    member = _member_of(account, member)
    if not member.is_active:
        raise rules.member_inactive()
    return member


def _keep_an_administrator(account: BusinessAccount, leaving: BusinessMember) -> None:
    others = BusinessMember.objects.filter(
        account=account, role=MemberRole.ADMINISTRATOR, is_active=True
    ).exclude(pk=leaving.pk)
    if not others.exists():
        raise rules.last_administrator()


def _record_member(by: BusinessMember, what: str, member: BusinessMember, details=None) -> None:
    audit.record(
        member_actor(by),
        f"identity.business.member.{what}",
        account=by.account.corporate_number,
        object_type="business_member",
        object_id=str(member.id),
        details=details,
    )


def _insert(obj, conflict: RuleViolation) -> None:
    """Insert ``obj``; a unique index that a concurrent request won becomes ``conflict``."""
    try:
        with transaction.atomic():
            obj.save(force_insert=True)
    except IntegrityError as exc:
        raise conflict from exc


def _set_password(member: BusinessMember, password: str | None) -> str | None:
    """Hash ``password`` into ``member``; without one, a one-time password (returned)."""
    if password is None:
        generated = "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(4))
        member.password = make_password(generated)
        member.must_change_password = True
        return generated
    check_password_strength(password, member)
    member.password = make_password(password)
    member.must_change_password = False
    return None
