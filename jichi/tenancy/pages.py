"""Staff pages of any app: login, a current municipality, a permission; errors as pages."""

from __future__ import annotations

from datetime import date
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language

from jichi.common.errors import RuleViolation
from jichi.tenancy.access import require


def error_page(request, exc: RuleViolation):
    """A refused action shown as a page, with its status and message in the page's language."""
    return render(
        request,
        "tenancy/error.html",
        {"error": exc, "message": exc.message(get_language())},
        status=exc.status,
    )


def staff_page(permission: str):
    """Decorate a view: logged in, in a municipality, holding ``permission``.

    The view receives the municipality after the request. A
    :class:`RuleViolation` it raises is shown as an error page with its status.
    """

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if getattr(request, "tenant", None) is None:
                return HttpResponseRedirect(reverse("web:switch"))
            try:
                municipality = require(request, permission)
                return view(request, municipality, *args, **kwargs)
            except RuleViolation as exc:
                return error_page(request, exc)

        return wrapped

    return decorate


def date_input(text: str | None) -> date | None:
    """A date input's value (YYYY-MM-DD), or None when empty or not a date."""
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None
