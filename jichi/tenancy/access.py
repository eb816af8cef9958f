"""Permission checks for views and API operations inside a tenant scope."""

from __future__ import annotations

from jichi.common.errors import RuleViolation, not_found


def require(request, permission: str):
    """The request's municipality, if its principal holds ``permission`` there."""
    municipality = getattr(request, "tenant", None)
    principal = getattr(request, "principal", None)
    if municipality is None or principal is None:
        raise not_found()
    if not principal.has_perm(municipality.code, permission):
        raise RuleViolation(
            "permission.denied",
            f"この操作の権限がありません（必要な権限: {permission}）。",
            f"You may not do this (needs the permission {permission}).",
            status=403,
        )
    return municipality
