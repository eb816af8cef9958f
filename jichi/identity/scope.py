"""Running identity work inside exactly one municipality's tenant scope."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from jichi.common.errors import not_found
from jichi.tenancy.context import current_scope_or_none, tenant_scope
from jichi.tenancy.models import Municipality
from jichi.tenancy.selectors import active_municipality


@contextmanager
def municipality_scope(code: str, reason: str = "identity") -> Iterator[Municipality]:
    """The active municipality ``code``, with its scope entered unless it is the current one.

    A wider scope (a prefecture's, the platform's) is not enough: the register's
    reads would then span several municipalities.
    """
    scope = current_scope_or_none()
    if scope is not None and scope.codes == frozenset([code]):
        # Whoever opened this scope checked the municipality; its names barely change.
        yield _names_of(code)
        return
    municipality = active_municipality(code) if isinstance(code, str) else None
    if municipality is None:
        raise not_found("municipality", "団体")
    with tenant_scope(code, reason):
        yield municipality


@lru_cache(maxsize=2048)
def _names_of(code: str) -> Municipality:
    """The municipality ``code`` with its parent, read once per process (names, kind)."""
    return Municipality.objects.select_related("parent").get(code=code)
