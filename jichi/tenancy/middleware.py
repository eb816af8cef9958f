"""Every request runs in exactly one tenant scope, or in none.

- API requests name the municipality in the path
  (``/api/v1/municipalities/{code}/...``) and authenticate with a Bearer
  token.
- Staff pages use the municipality chosen in the session (the switcher);
  platform operators get a platform scope on the admin site.

A principal asking for a municipality it may not reach gets the same 404 as
for one that does not exist, and the attempt is recorded in the audit trail.
"""

from __future__ import annotations

import re

from django.http import JsonResponse

from jichi.common.errors import not_found
from jichi.tenancy.context import platform_scope, tenant_scope
from jichi.tenancy.events import announce
from jichi.tenancy.principals import Principal
from jichi.tenancy.selectors import active_municipality
from jichi.tenancy.services import token_for_secret

API_PREFIX = "/api/"
_API_TENANT = re.compile(r"^/api/v1/municipalities/(?P<code>[^/]+)(?:/|$)")
SESSION_KEY = "jichi_municipality"


def bearer_secret(request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


class TenantMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.principal = None
        request.tenant = None
        if request.path.startswith(API_PREFIX):
            return self._api(request)
        return self._pages(request)

    # --- API --------------------------------------------------------------------

    def _api(self, request):
        secret = bearer_secret(request)
        token = token_for_secret(secret) if secret else None
        if token is not None:
            request.principal = Principal(token=token)
        match = _API_TENANT.match(request.path)
        if match is None or request.principal is None:
            return self.get_response(request)  # ninja answers 401 or serves a global route
        code = match["code"]
        token = request.principal.token
        if token.municipality_id == code:  # the usual case: read with the token
            municipality = token.municipality if token.municipality.is_active else None
        else:
            municipality = active_municipality(code) if len(code) == 6 else None
        if municipality is None or not request.principal.can_access(code):
            deny(request, code, municipality)
            return JsonResponse(
                not_found().as_dict(), status=404, json_dumps_params={"ensure_ascii": False}
            )
        request.tenant = municipality
        with tenant_scope(code, "api request"):
            return self.get_response(request)

    # --- pages ------------------------------------------------------------------

    def _pages(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        request.principal = Principal(user=user)
        if request.path.startswith("/admin/") and user.is_platform_operator:
            with platform_scope("admin site"):
                return self.get_response(request)
        code = request.session.get(SESSION_KEY)
        if code and not request.principal.can_access(code):
            request.session.pop(SESSION_KEY, None)  # a grant was withdrawn
            code = None
        codes = request.principal.codes()
        if code is None and codes is not None and len(codes) == 1:
            code = next(iter(codes))
        municipality = active_municipality(code) if code else None
        if municipality is None:
            return self.get_response(request)
        request.tenant = municipality
        with tenant_scope(code, "staff page"):
            return self.get_response(request)


def deny(request, code: str, municipality) -> None:
    """Record a refused attempt on another municipality.

    The entry goes to the target's own chain when it exists (its auditors must
    see who knocked), otherwise to the home chain of whoever asked.
    """
    principal = request.principal
    chain = municipality.code if municipality is not None else principal.home_code
    if not chain:
        return
    with tenant_scope(chain, "access denied"):
        announce(
            chain,
            principal.actor,
            "tenancy.access.denied",
            "municipality",
            code[:12],
            outcome="denied",
            details={"path": request.path[:200], "method": request.method},
        )
