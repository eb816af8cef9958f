"""Staff pages of the shell: login, municipality switcher, home, health."""

from __future__ import annotations

from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_POST

from jichi.common.errors import RuleViolation
from jichi.tenancy.middleware import SESSION_KEY, deny
from jichi.tenancy.roles import Role
from jichi.tenancy.selectors import active_municipality, municipalities_for
from jichi.tenancy.services import authenticate_staff

SWITCHER_PAGE = 50


def healthz(request):
    return JsonResponse({"status": "ok"})


def readyz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


@require_http_methods(["GET", "POST"])
def login_view(request):
    error = None
    username = ""
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        try:
            user = authenticate_staff(username=username, password=request.POST.get("password", ""))
        except RuleViolation as exc:
            error = exc.message(get_language())
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            target = request.POST.get("next") or reverse("web:home")
            if not url_has_allowed_host_and_scheme(
                target, {request.get_host()}, require_https=request.is_secure()
            ):
                target = reverse("web:home")
            return HttpResponseRedirect(target)
    status = 401 if error else 200
    return render(
        request,
        "web/login.html",
        {"error": error, "username": username, "next": request.GET.get("next", "")},
        status=status,
    )


@require_POST
def logout_view(request):
    logout(request)
    return HttpResponseRedirect(reverse("web:login"))


@login_required
def home(request):
    if request.tenant is None:
        return HttpResponseRedirect(reverse("web:switch"))
    principal = request.principal
    code = request.tenant.code
    return render(
        request,
        "web/home.html",
        {
            "roles": [Role(role).label for role in sorted(principal.roles(code))],
            "permissions": sorted(principal.permissions(code)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def switch(request):
    """Choose the municipality to work in (users with several grants)."""
    reachable = municipalities_for(request.principal)
    if request.method == "POST":
        code = request.POST.get("code", "")
        if reachable.filter(code=code).exists():
            request.session[SESSION_KEY] = code
            return HttpResponseRedirect(reverse("web:home"))
        deny(request, code[:12], active_municipality(code))
        return render(request, "web/switch.html", _switch_context(request, reachable), status=404)
    template = "web/_switch_list.html" if request.htmx else "web/switch.html"
    return render(request, template, _switch_context(request, reachable))


def _switch_context(request, reachable):
    query = request.GET.get("q", "").strip()
    if query:
        reachable = reachable.filter(name__contains=query) | reachable.filter(
            code__startswith=query
        )
    return {
        "municipalities": reachable.order_by("code")[:SWITCHER_PAGE],
        "q": query,
        "total": reachable.count(),
    }
