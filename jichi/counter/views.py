"""Staff pages: the desk (queue actions), set-up (counters, slots), reservations, dashboard."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from jichi.common.errors import RuleViolation
from jichi.counter import charts, exports, selectors, services
from jichi.counter import dashboard as dash
from jichi.tenancy.pages import date_input, staff_page

ACTIONS = {
    "recall": services.recall,
    "start": services.start,
    "complete": services.complete,
    "no-show": services.mark_no_show,
    "cancel": services.cancel_ticket,
}


def _done(request, action, target: str):
    """Run ``action``; a refusal becomes a message on the page it came from."""
    try:
        action()
    except RuleViolation as exc:
        messages.error(request, exc.message(get_language()))
    return HttpResponseRedirect(target)


@staff_page("counter:operate")
def desk(request, municipality):
    rows = [(c, list(selectors.queue(c))) for c in selectors.counters(active_only=True)]
    return render(request, "counter/desk.html", {"rows": rows})


@staff_page("counter:operate")
@require_POST
def call_next(request, municipality, counter_id: str):
    counter = selectors.counter(counter_id)
    return _done(
        request,
        lambda: services.call_next(
            municipality=municipality,
            actor=request.principal.actor,
            counter=counter,
            desk=request.POST.get("desk", ""),
        ),
        reverse("counter:desk"),
    )


@staff_page("counter:operate")
@require_POST
def ticket_action(request, municipality, visit_id: str, action: str):
    visit = selectors.visit(visit_id)
    if action not in ACTIONS:
        raise RuleViolation(
            "action.unknown", "その操作はありません。", "No such action.", status=404
        )
    return _done(
        request,
        lambda: ACTIONS[action](actor=request.principal.actor, visit=visit),
        reverse("counter:desk"),
    )


def _time(text: str) -> time | None:
    try:
        return time.fromisoformat(text)
    except ValueError:
        return None


def _int(text: str) -> int | None:
    return int(text) if (text or "").strip().isdigit() else None


def _create_counter(request, municipality):
    post = request.POST
    services.create_counter(
        municipality=municipality,
        actor=request.principal.actor,
        name=post.get("name", ""),
        department=post.get("department", ""),
        ticket_prefix=post.get("ticket_prefix", ""),
        office=post.get("office", "") or "main",
        procedure_ids=[p.strip() for p in post.get("procedure_ids", "").split(",") if p.strip()],
        opens_at=_time(post.get("opens_at", "")),
        closes_at=_time(post.get("closes_at", "")),
    )


def _create_slots(request, municipality):
    post = request.POST
    try:
        starts = timezone.make_aware(datetime.fromisoformat(post.get("starts_at", "")))
    except ValueError:
        raise RuleViolation(
            "starts_at.invalid",
            "開始日時を正しく入力してください。",
            "Enter a valid start date and time.",
            "starts_at",
        ) from None
    services.create_slots(
        municipality=municipality,
        actor=request.principal.actor,
        counter=selectors.counter(post.get("counter", "")),
        procedure_id=post.get("procedure_id", "").strip(),
        starts_at=starts,
        duration_minutes=_int(post.get("duration_minutes")),
        capacity=_int(post.get("capacity")),
        count=_int(post.get("count")) or 1,
    )


@staff_page("counter:manage")
def setup(request, municipality):
    errors, status = [], 200
    if request.method == "POST":
        create = _create_slots if request.POST.get("what") == "slots" else _create_counter
        try:
            create(request, municipality)
        except RuleViolation as exc:
            errors, status = exc.errors or [exc], 400
        else:
            return HttpResponseRedirect(reverse("counter:setup"))
    day = timezone.localdate()
    counters = [
        (c, list(selectors.slots_of(c, day + timedelta(days=1)))) for c in selectors.counters()
    ]
    return render(
        request,
        "counter/setup.html",
        {"counters": counters, "errors": errors, "post": request.POST},
        status=status,
    )


@staff_page("counter:operate")
def reservations(request, municipality):
    day = date_input(request.GET.get("day")) or timezone.localdate()
    return render(
        request, "counter/reservations.html", {"day": day, "rows": selectors.reservations_on(day)}
    )


def _query(request) -> dash.Query:
    today = timezone.localdate()
    params = request.GET
    return exports.checked(
        dash.Query(
            date_from=date_input(params.get("date_from")) or today - timedelta(days=29),
            date_to=date_input(params.get("date_to")) or today,
            procedure_id=params.get("procedure_id", "").strip(),
            target_minutes=min(max(_int(params.get("target_minutes")) or 30, 1), 600),
        )
    )


@staff_page("counter:dashboard")
def dashboard(request, municipality):
    query = _query(request)
    board = dash.dashboard(query)
    return render(
        request,
        "counter/dashboard.html",
        {
            "board": board,
            "query": query,
            "weekdays": exports.WEEKDAYS,
            "hours": range(24),
            "waiting": sorted(board.waiting.items()),
            "processing": sorted(board.processing.items()),
            "params": request.GET.urlencode(),
        },
    )


@staff_page("counter:dashboard")
def dashboard_csv(request, municipality):
    return exports.csv_response(dash.dashboard(_query(request)))


@staff_page("counter:dashboard")
def dashboard_chart(request, municipality, kind: str):
    return HttpResponse(charts.histogram_png(_query(request), kind), content_type="image/png")
