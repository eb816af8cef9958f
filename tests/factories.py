"""Test data built through the project's own services (no fixtures files)."""

from __future__ import annotations

import itertools
from datetime import timedelta

from django.utils import timezone

from jichi.tenancy.models import ApiToken, Municipality
from jichi.tenancy.principals import Actor
from jichi.tenancy.roles import SCOPES
from jichi.tenancy.services import (
    activate_municipality,
    add_local_government,
    create_staff,
    create_token,
    grant_role,
)

PASSWORD = "correct horse battery 2026"
SYSTEM = Actor.system("tests")
_serial = itertools.count(1)


def municipality(code: str = "141003", *, active: bool = True) -> Municipality:
    """A real local government from the national list (with its parents)."""
    obj = add_local_government(code)
    if active and not obj.is_active:
        activate_municipality(municipality=obj, actor=SYSTEM)
    return obj


def activate(obj: Municipality) -> Municipality:
    activate_municipality(municipality=obj, actor=SYSTEM)
    return obj


def issuer_profile(obj: Municipality, mayor_name: str = "見本　太郎", fees=None):
    """What an office sets before it issues certificates: its mayor's name (and fees)."""
    from jichi.certificates.services import profile_of, update_profile
    from jichi.tenancy.context import tenant_scope

    with tenant_scope(obj.code):
        if profile_of(obj).mayor_name and fees is None:
            return profile_of(obj)
        city = obj.parent if obj.kind == "ward" and obj.parent else obj
        return update_profile(
            municipality=obj,
            actor=SYSTEM,
            mayor_title=f"{city.name}長",
            mayor_name=mayor_name,
            fees=fees or {},
        )


def staff(
    home: Municipality | None, *roles: str, username: str | None = None, operator: bool = False
):
    username = username or f"staff{next(_serial)}"
    return create_staff(
        actor=SYSTEM,
        username=username,
        password=PASSWORD,
        organization=home,
        roles=list(roles),
        is_platform_operator=operator,
    )


def grant(user, target: Municipality, role: str):
    return grant_role(actor=SYSTEM, user=user, municipality=target, role=role)


def token(home: Municipality, scopes=None, *, days: int = 30, user=None) -> tuple[ApiToken, str]:
    return create_token(
        actor=SYSTEM,
        municipality=home,
        name=f"system {next(_serial)}",
        scopes=list(scopes or SCOPES),
        days=days,
        user=user,
    )


def expire(token_obj: ApiToken) -> None:
    ApiToken.objects.filter(pk=token_obj.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
