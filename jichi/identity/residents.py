"""Resident pages' entry: login with the card, logout, and the ``resident_page`` decorator."""

from __future__ import annotations

from functools import wraps

from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_POST

from jichi.common.errors import RuleViolation
from jichi.identity import login
from jichi.tenancy.context import tenant_scope
from jichi.tenancy.models import Municipality
from jichi.tenancy.pages import error_page

HOME = "/resident/certificates/"


def resident_page(view):
    """Decorate a view: a resident is logged in; it runs in their municipality's scope.

    The view receives the municipality and the :class:`~jichi.identity.login.Resident`.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        resident = login.current_resident(request.session)
        if resident is None:
            target = reverse("resident:login") + f"?next={request.get_full_path()}"
            return HttpResponseRedirect(target)
        municipality = Municipality.objects.get(code=resident.municipality_code)
        with tenant_scope(resident.municipality_code, "resident page"):
            try:
                return view(request, municipality, resident, *args, **kwargs)
            except RuleViolation as exc:
                return error_page(request, exc)

    return wrapped


@require_http_methods(["GET", "POST"])
def login_page(request):
    error, status = None, 200
    next_url = request.POST.get("next") or request.GET.get("next") or HOME
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = HOME
    if request.method == "POST":
        upload = request.FILES.get("certificate_file")
        certificate = upload.read() if upload else request.POST.get("certificate", "")
        try:
            login.authenticate(
                session=request.session,
                challenge=request.POST.get("challenge", ""),
                certificate=certificate,
                signature=request.POST.get("signature", ""),
            )
        except RuleViolation as exc:
            error, status = exc.message(get_language()), exc.status
        else:
            return HttpResponseRedirect(next_url)
    challenge = login.new_challenge(request.session)
    return render(
        request,
        "identity/resident_login.html",
        {"challenge": challenge, "error": error, "next": next_url},
        status=status,
    )


@require_POST
def logout_page(request):
    login.log_out(request.session)
    return HttpResponseRedirect(reverse("resident:login"))
