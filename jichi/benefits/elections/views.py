"""Pages of the electoral roll: counts, registrations, districts, the roll of a district."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jichi.audit.services import record_read
from jichi.benefits.elections import selectors, services
from jichi.benefits.elections.models import RegistrationKind
from jichi.common.errors import RuleViolation
from jichi.registry import selectors as registry
from jichi.tenancy.pages import date_input, staff_page


@staff_page("elections:read")
def index(request, municipality):
    return render(
        request,
        "elections/index.html",
        {
            "counts": selectors.counts(),
            "registrations": selectors.registrations()[:20],
            "districts": selectors.districts(),
            "kinds": RegistrationKind.choices,
            "may_manage": request.principal.has_perm(municipality.code, "elections:manage"),
        },
    )


@staff_page("elections:manage")
@require_POST
def register(request, municipality):
    reference_date = date_input(request.POST.get("reference_date"))
    if reference_date is None:
        messages.error(request, _("Give the reference date as a date."))
        return redirect("elections:index")
    try:
        registration = services.register(
            municipality=municipality,
            actor=request.principal.actor,
            reference_date=reference_date,
            kind=request.POST.get("kind", RegistrationKind.PERIODIC),
            election=request.POST.get("election", ""),
        )
    except RuleViolation as exc:
        messages.error(request, exc.message(get_language()))
    else:
        messages.success(
            request,
            _("Registered: %(added)d added, %(removed)d removed, %(total)d on the roll.")
            % {
                "added": registration.added,
                "removed": registration.removed,
                "total": registration.total,
            },
        )
    return redirect("elections:index")


def _parse_districts(text: str) -> list[dict]:
    """One district a line: ``code, name, polling place, town code town code …``."""
    districts = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(",", 3)] + ["", "", ""]
        districts.append(
            {
                "code": parts[0],
                "name": parts[1],
                "polling_place": parts[2],
                "towns": parts[3].split(),
            }
        )
    return districts


@staff_page("elections:manage")
@require_http_methods(["GET", "POST"])
def districts(request, municipality):
    text = "\n".join(
        f"{d.code}, {d.name}, {d.polling_place}, {' '.join(d.towns)}" for d in selectors.districts()
    )
    error = None
    if request.method == "POST":
        text = request.POST.get("districts", "")
        try:
            services.set_districts(
                municipality=municipality,
                actor=request.principal.actor,
                districts=_parse_districts(text),
            )
        except RuleViolation as exc:
            error = exc.message(get_language())
        else:
            messages.success(request, _("The districts were saved."))
            return redirect("elections:index")
    return render(request, "elections/districts.html", {"text": text, "error": error})


@staff_page("elections:read")
def roll(request, municipality, district: str):
    purpose = request.GET.get("purpose", "").strip()
    lines = None
    if purpose:
        protected = registry.protected_person_ids()
        lines = [(e, r, r.person_id in protected) for e, r in selectors.roll(district)]
        record_read(
            request.principal.actor,
            object_type="electoral_roll",
            object_id=district,
            purpose=purpose,
            details={"electors": len(lines)},
        )
    names = {d.code: d.name for d in selectors.districts()}
    return render(
        request,
        "elections/roll.html",
        {"district": district, "name": names.get(district, ""), "purpose": purpose, "lines": lines},
    )
