"""The 児童手当 page: the changes to handle, the recipients, the even months' payments."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jichi.benefits.allowance import rules, selectors, services
from jichi.common.errors import RuleViolation
from jichi.tenancy.pages import date_input, staff_page


def _next_pay_month(today: date) -> date:
    month = rules.month_of(today)
    return month if rules.is_pay_month(month) else rules.add_months(month, 1)


@staff_page("allowance:read")
def index(request, municipality):
    pay_month = _next_pay_month(timezone.localdate())
    return render(
        request,
        "allowance/index.html",
        {
            "changes": selectors.open_changes()[:200],
            "recipients": selectors.recipients()[:200],
            "pay_month": pay_month,
            "payments": selectors.payments(pay_month)[:200],
            "may_manage": request.principal.has_perm(municipality.code, "allowance:manage"),
        },
    )


@staff_page("allowance:manage")
@require_POST
def pay(request, municipality):
    pay_month = date_input(request.POST.get("pay_month"))
    if pay_month is None:
        messages.error(request, _("Give the payment month as a date."))
        return redirect("allowance:index")
    try:
        result = services.compute_payments(
            municipality=municipality, actor=request.principal.actor, pay_month=pay_month
        )
    except RuleViolation as exc:
        messages.error(request, exc.message(get_language()))
    else:
        messages.success(
            request,
            _("%(payments)d payments, ¥%(total)s in all.")
            % {"payments": result["payments"], "total": f"{result['total']:,}"},
        )
    return redirect("allowance:index")
