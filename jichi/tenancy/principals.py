"""Who is acting: an :class:`Actor` for the audit trail, a :class:`Principal`
for access decisions (staff member or API token, with their grants)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.utils import timezone

from jichi.tenancy.roles import ALL_PERMISSIONS, permissions_of


@dataclass(frozen=True)
class Actor:
    """Who did it, as the audit trail records it (never personal data of residents)."""

    kind: str  # staff | token | system | anonymous
    id: str
    label: str

    @classmethod
    def system(cls, name: str) -> Actor:
        return cls("system", name, name)

    @classmethod
    def anonymous(cls) -> Actor:
        return cls("anonymous", "", "anonymous")

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "id": self.id, "label": self.label}


class Principal:
    """An authenticated staff member or token and what it may reach."""

    def __init__(self, *, user=None, token=None) -> None:
        if (user is None) == (token is None):
            raise ValueError("a principal is a user or a token")
        self.user = user
        self.token = token

    @cached_property
    def actor(self) -> Actor:
        if self.token is not None:
            return Actor("token", str(self.token.id), self.token.name)
        return Actor("staff", str(self.user.id), self.user.username)

    @property
    def home_code(self) -> str | None:
        if self.token is not None:
            return self.token.municipality_id
        return self.user.organization_id

    @cached_property
    def _user_roles(self) -> dict[str, frozenset[str]]:
        user = self.user if self.token is None else self.token.user
        if user is None:
            return {}
        now = timezone.now()
        roles: dict[str, set[str]] = {}
        for code, role, valid_until in user.grants.values_list(
            "municipality_id", "role", "valid_until"
        ):
            if valid_until is None or valid_until > now:
                roles.setdefault(code, set()).add(role)
        return {code: frozenset(r) for code, r in roles.items()}

    @property
    def is_platform(self) -> bool:
        return self.token is None and bool(self.user.is_platform_operator)

    def codes(self) -> frozenset[str] | None:
        """Municipalities in reach; ``None`` means all (platform operators)."""
        if self.is_platform:
            return None
        if self.token is not None:
            code = self.token.municipality_id
            owner = self.token.user
            if (
                owner is not None
                and not owner.is_platform_operator
                and code not in self._user_roles
            ):
                return frozenset()  # a staff token reaches no further than its owner
            return frozenset([code])
        return frozenset(self._user_roles)

    def can_access(self, code: str) -> bool:
        codes = self.codes()
        return codes is None or code in codes

    def permissions(self, code: str) -> frozenset[str]:
        if not self.can_access(code):
            return frozenset()
        if self.is_platform:
            return ALL_PERMISSIONS
        if self.token is not None:
            scopes = frozenset(self.token.scopes)
            if self.token.user_id is not None:
                owner = self.token.user
                if owner.is_platform_operator:
                    return scopes
                scopes &= permissions_of(self._user_roles.get(code, frozenset()))
            return scopes
        return permissions_of(self._user_roles.get(code, frozenset()))

    def has_perm(self, code: str, permission: str) -> bool:
        return permission in self.permissions(code)

    def roles(self, code: str) -> frozenset[str]:
        return self._user_roles.get(code, frozenset())
