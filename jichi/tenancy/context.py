"""Tenant context: which municipalities the work in progress may touch.

Every request and every background job runs inside exactly one scope:
one municipality (the usual case), an explicit list (a prefecture's grant),
or the whole platform (operators, platform jobs). The scope lives in a
context variable; tenant-scoped managers read it, and refuse to build a query
when there is none, so a query without a tenant cannot be written by
accident.

On PostgreSQL the scope also sets the transaction-local setting
``jichi.tenants`` that the row-level security policies read
(``"*"`` for the platform, else comma-separated codes). The scope therefore
opens a transaction there: the setting lives and dies with it, and raw SQL
run outside any scope sees no tenant rows at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import connection, transaction

from jichi.common.errors import RuleViolation

PLATFORM = "*"
SETTING = "jichi.tenants"


@dataclass(frozen=True)
class TenantScope:
    """The municipalities in reach; ``codes is None`` means the whole platform."""

    codes: frozenset[str] | None
    reason: str = ""

    @property
    def is_platform(self) -> bool:
        return self.codes is None

    def allows(self, code: str) -> bool:
        return self.codes is None or code in self.codes

    @property
    def single_code(self) -> str:
        """The one municipality of this scope (raises for wider scopes)."""
        if self.codes is None or len(self.codes) != 1:
            raise TenantContextMissing("this work needs exactly one municipality in scope")
        return next(iter(self.codes))

    def setting_value(self) -> str:
        return PLATFORM if self.codes is None else ",".join(sorted(self.codes))


class TenantContextMissing(RuntimeError):
    """Tenant data was touched outside any tenant scope: a programming error."""


class OutOfScope(RuleViolation):
    """A row of a municipality outside the current scope was about to be written."""

    def __init__(self, code: str) -> None:
        super().__init__(
            "tenant.out_of_scope",
            "この団体のデータは操作できません。",
            "This municipality's data is outside the current scope.",
            "municipality_code",
            status=404,
        )
        self.municipality_code = code


_scope: ContextVar[TenantScope | None] = ContextVar("jichi_tenant_scope", default=None)


def current_scope() -> TenantScope:
    scope = _scope.get()
    if scope is None:
        raise TenantContextMissing(
            "no tenant scope: wrap the work in tenant_scope(), prefecture_scope() "
            "or platform_scope()"
        )
    return scope


def current_scope_or_none() -> TenantScope | None:
    return _scope.get()


def _set_db_setting(value: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, true)", [SETTING, value])


@contextmanager
def _enter(scope: TenantScope) -> Iterator[TenantScope]:
    outer = _scope.get()
    token = _scope.set(scope)
    try:
        if connection.vendor == "postgresql":
            # The setting is local to the transaction: when this block is the whole
            # transaction, its end clears the setting and nothing is handed back.
            nested = connection.in_atomic_block
            with transaction.atomic():
                _set_db_setting(scope.setting_value())
                yield scope
                # On success, hand the outer scope its setting back (a released
                # savepoint keeps the change); on failure the rollback does it.
                if nested and not connection.needs_rollback:
                    _set_db_setting(outer.setting_value() if outer else "")
        else:
            yield scope
    finally:
        _scope.reset(token)


@contextmanager
def tenant_scope(code: str, reason: str = "") -> Iterator[TenantScope]:
    """Work on one municipality's data."""
    with _enter(TenantScope(frozenset([code]), reason)) as scope:
        yield scope


@contextmanager
def multi_scope(codes: Iterable[str], reason: str) -> Iterator[TenantScope]:
    """Work across an explicit list of municipalities (a prefecture's grant)."""
    codes = frozenset(codes)
    if not codes:
        raise TenantContextMissing("a multi-municipality scope needs at least one code")
    with _enter(TenantScope(codes, reason)) as scope:
        yield scope


@contextmanager
def platform_scope(reason: str) -> Iterator[TenantScope]:
    """Work across every municipality: operators and platform jobs only."""
    if not reason:
        raise TenantContextMissing("a platform scope must state its reason")
    with _enter(TenantScope(None, reason)) as scope:
        yield scope
