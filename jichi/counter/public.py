"""Public pages: the kiosk (番号札), the waiting board, visit reservations.

They need no login; the municipality is named in the path and each page runs
in its scope only. A resident logged in with the card books without typing a
name or a contact.
"""

from __future__ import annotations

from functools import wraps

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from jichi.common.errors import RuleViolation
from jichi.counter import selectors, services
from jichi.identity.login import current_resident
from jichi.tenancy.context import tenant_scope
from jichi.tenancy.pages import error_page
from jichi.tenancy.principals import Actor
from jichi.tenancy.selectors import active_municipality

KIOSK = Actor.system("kiosk")
BOARD_REFRESH_SECONDS = 5


def public_page(view):
    """Decorate a view: the active municipality of ``code``, its scope, errors as pages."""

    @wraps(view)
    def wrapped(request, code: str, *args, **kwargs):
        municipality = active_municipality(code) if len(code) == 6 else None
        if municipality is None:
            raise Http404
        with tenant_scope(code, "public counter page"):
            try:
                return view(request, municipality, *args, **kwargs)
            except RuleViolation as exc:
                return error_page(request, exc)

    return wrapped


@public_page
@require_http_methods(["GET", "POST"])
def kiosk(request, municipality):
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("reference"):
                visit = services.check_in(
                    municipality=municipality, actor=KIOSK, reference=request.POST["reference"]
                )
            else:
                visit = services.issue_ticket(
                    municipality=municipality,
                    actor=KIOSK,
                    counter=selectors.counter(request.POST.get("counter", "")),
                )
        except RuleViolation as exc:
            error = exc.message(get_language())
        else:
            return HttpResponseRedirect(reverse("queue:ticket", args=[municipality.code, visit.id]))
    return render(
        request,
        "counter/kiosk.html",
        {
            "municipality": municipality,
            "counters": selectors.counters(active_only=True),
            "error": error,
        },
        status=409 if error else 200,
    )


@public_page
def ticket(request, municipality, visit_id: str):
    visit = selectors.visit(visit_id)
    return render(request, "counter/ticket.html", {"municipality": municipality, "visit": visit})


def _board(request, municipality, office: str, template: str):
    return render(
        request,
        template,
        {
            "municipality": municipality,
            "office": office,
            "rows": selectors.board(office),
            "refresh": BOARD_REFRESH_SECONDS,
        },
    )


@public_page
def board(request, municipality, office: str):
    """The waiting board: htmx refreshes its body every few seconds; without script the
    page reloads itself (meta refresh)."""
    return _board(request, municipality, office, "counter/board.html")


@public_page
def board_live(request, municipality, office: str):
    return _board(request, municipality, office, "counter/_board_rows.html")


@public_page
def reserve_home(request, municipality):
    return render(
        request,
        "counter/reserve_home.html",
        {"municipality": municipality, "procedures": selectors.procedures_offered()},
    )


def _booker(request) -> tuple[Actor, str]:
    resident = current_resident(request.session)
    if resident is None or resident.municipality_code != request.resolver_match.kwargs["code"]:
        return Actor.anonymous(), ""
    return resident.actor, resident.person_id


@public_page
@require_http_methods(["GET", "POST"])
def reserve_slots(request, municipality, procedure_id: str):
    actor, person_id = _booker(request)
    errors, status = [], 200
    if request.method == "POST":
        try:
            reservation = services.book(
                municipality=municipality,
                actor=actor,
                slot=selectors.slot(request.POST.get("slot", "")),
                name=request.POST.get("name", ""),
                contact=request.POST.get("contact", ""),
                person_id=person_id,
            )
        except RuleViolation as exc:
            errors, status = exc.errors or [exc], exc.status
        else:
            return render(
                request,
                "counter/reserve_done.html",
                {"municipality": municipality, "reservation": reservation},
            )
    return render(
        request,
        "counter/reserve_slots.html",
        {
            "municipality": municipality,
            "procedure_id": procedure_id,
            "slots": selectors.open_slots(procedure_id),
            "errors": errors,
            "post": request.POST,
            "logged_in": bool(person_id),
            "language": get_language(),
        },
        status=status,
    )


@public_page
@require_http_methods(["GET", "POST"])
def reserve_cancel(request, municipality):
    error, cancelled = None, None
    if request.method == "POST":
        try:
            cancelled = services.cancel_reservation(
                municipality=municipality,
                actor=Actor.anonymous(),
                reference=request.POST.get("reference", ""),
            )
        except RuleViolation as exc:
            error = exc
    return render(
        request,
        "counter/reserve_cancel.html",
        {
            "municipality": municipality,
            "error": error,
            "cancelled": cancelled,
            "message": error.message(get_language()) if error else "",
        },
        status=error.status if error else 200,
    )
