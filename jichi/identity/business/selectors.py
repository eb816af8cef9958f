"""Reads of business identity, and who a request comes from.

For the procedures module: :func:`current_member` tells which member (and so
which account, ``member.account``, and which role, ``member.role``) a request
comes from; pages decorated with :func:`jichi.identity.business.pages.business_page`
also carry it as ``request.business_member``.
"""

from __future__ import annotations

from django.db.models import QuerySet

from jichi.common.errors import not_found
from jichi.identity.business import sessions
from jichi.identity.business.models import BusinessAccount, BusinessAuditEntry, BusinessMember

_CACHE = "_jichi_business_member"


def current_member(request) -> BusinessMember | None:
    """The business member signed in on this request's session, or ``None``.

    ``None`` for anyone else: nobody signed in, a staff session, a member
    deactivated since, an account suspended since, a password changed since.
    Read once per request.
    """
    if not hasattr(request, _CACHE):
        setattr(request, _CACHE, sessions.member_in(request.session))
    return getattr(request, _CACHE)


def account_by_corporate_number(corporate_number: str) -> BusinessAccount | None:
    return BusinessAccount.objects.filter(corporate_number=corporate_number).first()


def account_of_number(corporate_number: str) -> BusinessAccount:
    """The account with this 法人番号 (404 ``not_found`` if there is none)."""
    account = account_by_corporate_number(corporate_number)
    if account is None:
        raise not_found("business account", "事業者アカウント")
    return account


def members_of(account: BusinessAccount) -> QuerySet[BusinessMember]:
    """The account's members: active ones first, administrators first, then by age."""
    return BusinessMember.objects.filter(account=account).order_by(
        "-is_active", "role", "created_at"
    )


def member_of(account: BusinessAccount, member_id) -> BusinessMember:
    """A member of ``account`` (404 for a member of another account, as for none)."""
    member = BusinessMember.objects.filter(account=account, pk=member_id).first()
    if member is None:
        raise not_found("member", "メンバー")
    member.account = account
    return member


def audit_entries(corporate_number: str | None = None) -> QuerySet[BusinessAuditEntry]:
    """The business audit chain, newest first (of one account when given)."""
    entries = BusinessAuditEntry.objects.order_by("-seq")
    if corporate_number is not None:
        entries = entries.filter(account=corporate_number)
    return entries
