"""Pages of 就学: schools by grade, the entrants of next April, the notices."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jichi.benefits.schooling import documents, rules, selectors, services
from jichi.common.errors import RuleViolation
from jichi.tenancy.pages import staff_page


@staff_page("schooling:read")
def index(request, municipality):
    today = timezone.localdate()
    year = rules.next_entry_year(today)
    pupils = selectors.school_age_register(today)
    by_school = Counter(
        (p.school.name if p.school else "—", p.stage, p.grade_in_stage) for p in pupils
    )
    entrants = selectors.entrants(year, today)
    return render(
        request,
        "schooling/index.html",
        {
            "entry_year": year,
            "by_school": sorted(by_school.items()),
            "pupils": len(pupils),
            "entrants": len(entrants),
            "unassigned": sum(1 for _row, school in entrants if school is None),
            "notices": selectors.notices(year),
            "schools": selectors.schools(),
            "may_manage": request.principal.has_perm(municipality.code, "schooling:manage"),
        },
    )


@staff_page("schooling:manage")
@require_POST
def issue(request, municipality):
    try:
        result = services.issue_notices(
            municipality=municipality,
            actor=request.principal.actor,
            entry_year=int(request.POST.get("entry_year", "0") or 0),
        )
    except RuleViolation as exc:
        messages.error(request, exc.message(get_language()))
    else:
        messages.success(
            request,
            _(
                "%(issued)d notices issued; %(unassigned)d entrants live "
                "where no school's district is set."
            )
            % {"issued": result["issued"], "unassigned": len(result["unassigned"])},
        )
    return redirect("schooling:index")


@staff_page("schooling:read")
def notice_pdf(request, municipality, notice_id: str):
    notice = selectors.notice(notice_id)
    return documents.notice_response(notice, municipality, request.principal.actor)
