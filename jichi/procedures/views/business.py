"""Business procedures from a business member's own session (GビズID-like login).

A member chooses the municipality, sees the procedures it offers to businesses, applies
and follows what their account's members applied for there. The application is the
business's (``applicant_kind = business``, the member's id); a password login is the
identity level ``login``.
"""

from __future__ import annotations

from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from jichi.common.errors import RuleViolation, not_found
from jichi.identity.business.pages import business_page
from jichi.identity.business.services import member_actor
from jichi.procedures import selectors, services
from jichi.procedures.applicants import Applicant
from jichi.procedures.models import Application, Channel
from jichi.procedures.views import forms
from jichi.procedures.views.shared import history_rows, state_label
from jichi.tenancy.context import tenant_scope
from jichi.tenancy.models import Municipality
from jichi.tenancy.selectors import active_municipality


def _municipality(code: str) -> Municipality:
    found = active_municipality(code)
    if found is None or found.kind == "prefecture":
        raise not_found("municipality", "団体")
    return found


@business_page()
def home(request, member):
    """Choose the municipality to apply to."""
    query = request.GET.get("q", "").strip()
    found = Municipality.objects.filter(is_active=True).exclude(kind="prefecture")
    if query:
        found = found.filter(name__contains=query) | found.filter(code__startswith=query)
    return render(
        request,
        "procedures/business/home.html",
        {"me": member, "query": query, "municipalities": found.order_by("code")[:50]},
    )


@business_page()
def municipality(request, member, code: str):
    language = get_language()
    place = _municipality(code)
    with tenant_scope(place.code, "business procedures"):
        offered = [
            (o.procedure.id, o.text("name", language[:2]))
            for o in selectors.offered_catalog()
            if "business" in o.procedure.applicants and o.procedure.identity != "card_signature"
        ]
        mine = [
            (
                a,
                forms.text(selectors.procedure(a.procedure_id).name, language),
                state_label(a.state),
            )
            for a in _account_applications(member)[:50]
        ]
    return render(
        request,
        "procedures/business/municipality.html",
        {"me": member, "place": place, "procedures": offered, "mine": mine},
    )


def _account_applications(member):
    """Applications of every member of the member's account, newest first."""
    ids = [m.id for m in member.account.members.all()]
    return Application.objects.filter(business_member_id__in=ids).order_by("-id")


@business_page()
@require_http_methods(["GET", "POST"])
def procedure(request, member, code: str, procedure_id: str):
    language = get_language()
    place = _municipality(code)
    with tenant_scope(place.code, "business procedures"):
        offered = selectors.offered(procedure_id)
        errors: dict[str, list[str]] = {}
        answers: dict = {}
        if request.method == "POST":
            answers = forms.answers_from(offered.procedure, request.POST, {})
            try:
                application = services.apply(
                    municipality=place,
                    actor=member_actor(member),
                    procedure_id=procedure_id,
                    applicant=Applicant("business", business_member_id=member.id, identity="login"),
                    channel=Channel.ONLINE,
                    answers=answers,
                    idempotency_key=request.POST.get("idempotency_key") or None,
                )
            except RuleViolation as exc:
                errors = forms.errors_by_field(exc, language, offered.procedure)
            else:
                return HttpResponseRedirect(
                    reverse("business-procedures:application", args=[place.code, application.id])
                )
        questions = forms.questions(offered.procedure, {}, answers, errors, language)
    return render(
        request,
        "procedures/business/procedure.html",
        {
            "me": member,
            "place": place,
            "name": offered.text("name", language[:2]),
            "fee": offered.fee,
            "questions": questions,
            "general_errors": errors.get("__all__", []),
        },
        status=400 if errors else 200,
    )


@business_page()
def application(request, member, code: str, application_id: str):
    language = get_language()
    place = _municipality(code)
    with tenant_scope(place.code, "business procedures"):
        found = selectors.application(application_id)
        if not _account_applications(member).filter(pk=found.pk).exists():
            raise not_found("application", "申請")
        procedure = selectors.procedure(found.procedure_id)
        context = {
            "me": member,
            "place": place,
            "application": found,
            "name": forms.text(procedure.name, language),
            "state": state_label(found.state),
            "answers": forms.questions(procedure, {}, found.answers, {}, language),
            "history": history_rows(found),
        }
    return render(request, "procedures/business/application.html", context)
