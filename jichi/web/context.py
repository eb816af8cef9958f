"""Template context: the current municipality and the caller's other ones."""

from __future__ import annotations


def tenant(request):
    principal = getattr(request, "principal", None)
    current = getattr(request, "tenant", None)
    codes = principal.codes() if principal is not None else frozenset()
    return {
        "tenant": current,
        "can_switch": codes is None or len(codes) > 1,
    }
