"""Roles of staff and the permissions (token scopes) they carry.

A permission name is also a token scope: a system token holds scopes, a
staff member holds roles, and both are checked with the same names.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COUNTER_CLERK = "counter_clerk", _("Counter clerk")  # 窓口職員
    BACK_OFFICE_CLERK = "back_office_clerk", _("Back-office clerk")  # 業務担当職員
    MUNICIPAL_ADMIN = "municipal_admin", _("Municipal administrator")  # 自治体管理者
    AUDITOR = "auditor", _("Auditor")  # 監査担当
    PREFECTURE_STAFF = "prefecture_staff", _("Prefecture staff")  # 都道府県職員


# Scope name -> what it allows (English; shown to admins creating tokens).
SCOPES: dict[str, str] = {
    "municipality:read": "Read the municipality's profile",
    "audit:read": "Read the audit trail",
    "staff:manage": "Manage staff accounts and role grants",
    "tokens:manage": "Create and revoke API tokens",
    "registry:read": "Read the resident register",
    "registry:write": "Record movements in the resident register",
    "registry:read_my_number": "See individual numbers (個人番号) in the register",
    "registry:protect": "Manage DV support measures (支援措置)",
    "statistics:read": "Read aggregated statistics",
    "certificates:issue": "Request and issue certificates (住民票の写し and others)",
    "certificates:read": "Read the issuance ledger and issued certificates",
    "certificates:approve": "Approve or refuse held certificate requests (third party, 支援措置)",
    "certificates:revoke": "Revoke issued certificates and reissue them",
    "certificates:manage": "Set the fees and the mayor's name printed on certificates",
    "counter:operate": "Run the counter queue and take visit reservations",
    "counter:manage": "Set up counters and reservation slots",
    "counter:dashboard": "Read the counter dashboards (volumes, waiting and processing times)",
    "procedures:apply": "Submit and follow applications on behalf of residents (systems)",
    "procedures:review": "Work the applications inbox: assign, review, request information",
    "procedures:decide": "Approve, reject and complete applications",
    "procedures:manage": "Enable procedures and set their fees and texts for the municipality",
    "events:read": "Read the event feed (only the event types the other scopes allow)",
    "webhooks:manage": "Subscribe systems to events (webhooks), replay and redeliver them",
    "elections:read": "Read the electoral roll (選挙人名簿) and its counts",
    "elections:manage": "Register electors and set the voting districts",
    "schooling:read": "Read the 学齢簿 and the 就学通知",
    "schooling:manage": "Set the schools' districts and issue the 就学通知",
    "allowance:read": "Read the 児童手当 recipients, payments and changes",
    "allowance:manage": "Certify 児童手当 recipients and compute the payments",
}

_CLERK = {"municipality:read", "registry:read"}

_ISSUE = {"certificates:issue", "certificates:read"}
_DECIDE = {"certificates:read", "certificates:approve", "certificates:revoke"}
_REVIEW = {"procedures:review"}
_PROCESS = {"procedures:review", "procedures:decide"}
# the derived businesses
_BUSINESSES = {
    *("elections:read", "elections:manage", "schooling:read", "schooling:manage"),
    *("allowance:read", "allowance:manage"),
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.COUNTER_CLERK: frozenset(
        _CLERK | _ISSUE | {"registry:write", "registry:read_my_number", "counter:operate"} | _REVIEW
    ),
    Role.BACK_OFFICE_CLERK: frozenset(
        _CLERK
        | _DECIDE
        | {"statistics:read", "registry:protect", "counter:dashboard"}
        | _PROCESS
        | _BUSINESSES
    ),
    Role.MUNICIPAL_ADMIN: frozenset(
        _CLERK
        | _DECIDE
        | {"staff:manage", "tokens:manage", "statistics:read", "audit:read"}
        | {"certificates:manage", "counter:manage", "counter:dashboard"}
        | _PROCESS
        | {"procedures:manage", "events:read", "webhooks:manage"}
        | _BUSINESSES
    ),
    Role.AUDITOR: frozenset({"municipality:read", "audit:read"}),
    Role.PREFECTURE_STAFF: frozenset({"municipality:read", "statistics:read"}),
}

ALL_PERMISSIONS = frozenset(SCOPES)


def permissions_of(roles: set[str] | frozenset[str]) -> frozenset[str]:
    perms: set[str] = set()
    for role in roles:
        perms |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(perms)
