"""Pages of business members and of platform operators; errors as pages."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language

from jichi.common.errors import RuleViolation
from jichi.identity.business import rules
from jichi.identity.business.selectors import current_member


def error_page(request, exc: RuleViolation):
    return render(
        request,
        "identity/business/error.html",
        {"error": exc, "message": exc.message(get_language())},
        status=exc.status,
    )


def business_page(*, administrator: bool = False, password_change: bool = False):
    """Decorate a view: a business member signed in (an administrator if asked).

    The view receives the member after the request, which also carries it as
    ``request.business_member`` (``member.account``, ``member.role``). Anyone
    else is sent to the business login (a staff login does not count). A member
    still holding a one-time password is sent to change it first, except on
    the page that does (``password_change=True``). A :class:`RuleViolation`
    the view raises is shown as an error page with its status.
    """

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            member = current_member(request)
            request.business_member = member
            if member is None:
                return redirect_to_login(request.get_full_path(), reverse("business:login"))
            if member.must_change_password and not password_change:
                return HttpResponseRedirect(reverse("business:password"))
            try:
                if administrator and not member.is_administrator:
                    raise rules.administrator_required()
                return view(request, member, *args, **kwargs)
            except RuleViolation as exc:
                return error_page(request, exc)

        return wrapped

    return decorate


def operator_page(view):
    """Decorate a view for platform operators (staff with ``is_platform_operator``)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.is_platform_operator:
            return error_page(
                request,
                RuleViolation(
                    "permission.denied",
                    "この操作はプラットフォーム運用者だけが行えます。",
                    "Only a platform operator may do this.",
                    status=403,
                ),
            )
        return view(request, *args, **kwargs)

    return wrapped
