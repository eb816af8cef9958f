"""Who may be given an application: staff holding ``procedures:review`` in the municipality."""

from __future__ import annotations

import uuid

from django.db.models import Q
from django.utils import timezone

from jichi.common.errors import RuleViolation
from jichi.tenancy.models import RoleGrant
from jichi.tenancy.roles import ROLE_PERMISSIONS

REVIEW = "procedures:review"


def reviewer_roles() -> list[str]:
    return [role for role, perms in ROLE_PERMISSIONS.items() if REVIEW in perms]


def check_assignee(municipality_code: str, assignee: str) -> str:
    """The staff user id, if that person may review here ("" unassigns)."""
    if assignee == "":
        return ""
    try:
        user_id = uuid.UUID(str(assignee))
    except ValueError:
        user_id = None
    grants = RoleGrant.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=timezone.now()),
        user_id=user_id,
        municipality_id=municipality_code,
        role__in=reviewer_roles(),
        user__is_active=True,
    )
    if user_id is None or not grants.exists():
        raise RuleViolation(
            "assignee.not_reviewer",
            "担当者は、この団体で申請を審査できる職員にしてください。",
            "The assignee must be staff who may review applications in this municipality.",
            "assignee",
        )
    return str(user_id)


def reviewers(municipality_code: str) -> list[tuple[str, str]]:
    """(staff user id, name) of everyone who may be given an application here, by name."""
    grants = (
        RoleGrant.objects.filter(
            Q(valid_until__isnull=True) | Q(valid_until__gt=timezone.now()),
            municipality_id=municipality_code,
            role__in=reviewer_roles(),
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user__username")
    )
    found: dict[str, str] = {}
    for grant in grants:
        found.setdefault(str(grant.user_id), grant.user.display_name or grant.user.username)
    return list(found.items())
