"""Pages of business identity at ``/business/``.

Members sign in and out, see their account and its members, change their own
password; administrators add, remove and re-role members and give a member a
new one-time password; platform operators register new accounts.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jichi.common.errors import RuleViolation
from jichi.identity.business import selectors, services, sessions
from jichi.identity.business.forms import MemberForm, PasswordForm, RegisterForm, show_errors
from jichi.identity.business.models import MemberRole
from jichi.identity.business.pages import business_page, operator_page


def _account_url() -> str:
    return reverse("business:account")


@require_http_methods(["GET", "POST"])
def login_view(request):
    error, email = None, ""
    target = request.POST.get("next") or request.GET.get("next", "")
    if request.method == "POST":
        email = request.POST.get("email", "").strip()
        try:
            member = services.authenticate_member(
                email=email, password=request.POST.get("password", "")
            )
        except RuleViolation as exc:
            error = exc
        else:
            sessions.start(request, member)
            if not url_has_allowed_host_and_scheme(
                target, {request.get_host()}, require_https=request.is_secure()
            ):
                target = _account_url()
            return HttpResponseRedirect(target or _account_url())
    context = {
        "error": error.message(get_language()) if error else None,
        "email": email,
        "next": target,
    }
    return render(
        request, "identity/business/login.html", context, status=error.status if error else 200
    )


@require_POST
def logout_view(request):
    sessions.end(request)
    return HttpResponseRedirect(reverse("business:login"))


def _account_page(request, member, form=None, *, status: int = 200):
    return render(
        request,
        "identity/business/account.html",
        {
            "me": member,
            "account": member.account,
            "members": selectors.members_of(member.account),
            "form": form or (MemberForm() if member.is_administrator else None),
            "roles": MemberRole.choices,
        },
        status=status,
    )


def _credentials_page(request, credentials: services.Credentials, title: str):
    """The one-time password, shown once: the answer must not be cached."""
    response = render(
        request,
        "identity/business/credentials.html",
        {"credentials": credentials, "new": credentials.member, "title": title},
    )
    add_never_cache_headers(response)
    return response


@business_page()
def account(request, member):
    return _account_page(request, member)


@business_page(administrator=True)
@require_POST
def add_member(request, member):
    form = MemberForm(request.POST)
    if form.is_valid():
        try:
            credentials = services.add_member(by=member, **form.cleaned_data)
        except RuleViolation as exc:
            show_errors(form, exc)
        else:
            return _credentials_page(request, credentials, _("Member added"))
    return _account_page(request, member, form, status=400)


@business_page(administrator=True)
@require_POST
def deactivate_member(request, member, member_id):
    target = selectors.member_of(member.account, member_id)
    services.deactivate_member(by=member, member=target)
    messages.success(request, _("The member can no longer log in."))
    return HttpResponseRedirect(_account_url())


@business_page(administrator=True)
@require_POST
def change_role(request, member, member_id):
    target = selectors.member_of(member.account, member_id)
    services.change_member_role(by=member, member=target, role=request.POST.get("role", ""))
    messages.success(request, _("The role was changed."))
    return HttpResponseRedirect(_account_url())


@business_page(administrator=True)
@require_POST
def reset_password(request, member, member_id):
    target = selectors.member_of(member.account, member_id)
    credentials = services.reset_member_password(by=member, member=target)
    return _credentials_page(request, credentials, _("New one-time password"))


@business_page(password_change=True)
@require_http_methods(["GET", "POST"])
def password(request, member):
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.change_password(
                member=member,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except RuleViolation as exc:
            show_errors(form, exc, {"password": "new_password"})
        else:
            sessions.keep(request, changed)
            messages.success(request, _("Your password was changed."))
            return HttpResponseRedirect(_account_url())
    status = 400 if form.errors else 200
    return render(
        request,
        "identity/business/password.html",
        {"form": form, "member": member},
        status=status,
    )


@operator_page
@require_http_methods(["GET", "POST"])
def register(request):
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            credentials = services.register_account(
                actor=request.principal.actor, **form.cleaned_data
            )
        except RuleViolation as exc:
            show_errors(form, exc)
        else:
            return _credentials_page(request, credentials, _("Business account registered"))
    status = 400 if form.errors else 200
    return render(request, "identity/business/register.html", {"form": form}, status=status)
