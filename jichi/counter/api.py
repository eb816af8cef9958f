"""Counter operations in the JSON API: counters, slots, reservations, queue, dashboard."""

from __future__ import annotations

from datetime import date, datetime, time

from django.http import HttpResponse
from ninja import Query as QueryParams
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from jichi.common.api import ERRORS, StrictSchema
from jichi.common.errors import not_found
from jichi.counter import charts, exports, selectors, services
from jichi.counter import dashboard as dash
from jichi.counter.models import Counter, Reservation, Slot, Visit
from jichi.tenancy.access import require

router = Router(tags=["counter"])
BASE = "/municipalities/{code}/counter"


class CounterIn(StrictSchema):
    name: str = Field(max_length=60)
    department: str = Field(max_length=60)
    office: str = Field("main", pattern=r"^[a-z0-9-]{1,30}$")
    ticket_prefix: str
    procedure_ids: list[str]
    opens_at: time
    closes_at: time


class CounterOut(Schema):
    id: str
    name: str
    department: str
    office: str
    ticket_prefix: str
    procedure_ids: list[str]
    opens_at: time
    closes_at: time
    is_active: bool


def counter_out(counter: Counter) -> dict:
    fields = (
        "name",
        "department",
        "office",
        "ticket_prefix",
        "procedure_ids",
        "opens_at",
        "closes_at",
        "is_active",
    )
    return {"id": str(counter.id), **{name: getattr(counter, name) for name in fields}}


@router.post(BASE + "/counters", response={201: CounterOut, **ERRORS})
def create_counter(request, code: str, payload: CounterIn):
    municipality = require(request, "counter:manage")
    counter = services.create_counter(
        municipality=municipality, actor=request.principal.actor, **payload.model_dump()
    )
    return Status(201, counter_out(counter))


@router.get(BASE + "/counters", response={200: list[CounterOut], **ERRORS})
def list_counters(request, code: str):
    require(request, "counter:operate")
    return [counter_out(c) for c in selectors.counters()]


class SlotsIn(StrictSchema):
    procedure_id: str
    starts_at: datetime
    duration_minutes: int
    capacity: int
    count: int = 1


class SlotOut(Schema):
    id: str
    counter: str
    procedure_id: str
    starts_at: datetime
    duration_minutes: int
    capacity: int
    booked: int


def slot_out(slot: Slot) -> dict:
    return {
        "id": str(slot.id),
        "counter": str(slot.counter_id),
        "procedure_id": slot.procedure_id,
        "starts_at": slot.starts_at,
        "duration_minutes": slot.duration_minutes,
        "capacity": slot.capacity,
        "booked": slot.booked,
    }


@router.post(BASE + "/counters/{counter_id}/slots", response={201: list[SlotOut], **ERRORS})
def create_slots(request, code: str, counter_id: str, payload: SlotsIn):
    municipality = require(request, "counter:manage")
    slots = services.create_slots(
        municipality=municipality,
        actor=request.principal.actor,
        counter=selectors.counter(counter_id),
        **payload.model_dump(),
    )
    return Status(201, [slot_out(s) for s in slots])


@router.get(BASE + "/slots", response={200: list[SlotOut], **ERRORS})
def open_slots(request, code: str, procedure_id: str):
    """Future slots of a procedure with places left."""
    require(request, "counter:operate")
    return [slot_out(s) for s in selectors.open_slots(procedure_id)]


class ReservationIn(StrictSchema):
    slot: str
    name: str = Field("", max_length=100)
    contact: str = Field("", max_length=254)
    application_id: str = Field("", max_length=64)


class ReservationOut(Schema):
    id: str
    reference: str
    slot: str
    procedure_id: str
    starts_at: datetime
    status: str
    application_id: str
    reminded_at: datetime | None


def reservation_out(reservation: Reservation) -> dict:
    return {
        "id": str(reservation.id),
        "reference": reservation.reference,
        "slot": str(reservation.slot_id),
        "procedure_id": reservation.procedure_id,
        "starts_at": reservation.slot.starts_at,
        "status": reservation.status,
        "application_id": reservation.application_id,
        "reminded_at": reservation.reminded_at,
    }


@router.post(BASE + "/reservations", response={201: ReservationOut, **ERRORS})
def book(request, code: str, payload: ReservationIn):
    """Book a place for a visitor (a reservation taken by telephone, or by another system)."""
    municipality = require(request, "counter:operate")
    reservation = services.book(
        municipality=municipality,
        actor=request.principal.actor,
        slot=selectors.slot(payload.slot),
        name=payload.name,
        contact=payload.contact,
        application_id=payload.application_id,
    )
    return Status(201, reservation_out(reservation))


@router.post(BASE + "/reservations/{reference}/cancel", response={200: ReservationOut, **ERRORS})
def cancel(request, code: str, reference: str):
    municipality = require(request, "counter:operate")
    reservation = services.cancel_reservation(
        municipality=municipality, actor=request.principal.actor, reference=reference
    )
    return reservation_out(reservation)


@router.get(BASE + "/reminders", response={200: list[ReservationOut], **ERRORS})
def reminders(request, code: str):
    """Tomorrow's reservations whose reminder is not sent yet (sending is up to the caller)."""
    require(request, "counter:operate")
    return [reservation_out(r) for r in selectors.reminders_due()]


class RemindedIn(StrictSchema):
    references: list[str] = Field(max_length=1000)


@router.post(BASE + "/reminders/sent", response={200: dict, **ERRORS})
def reminded(request, code: str, payload: RemindedIn):
    require(request, "counter:operate")
    due = list(selectors.reminders_due().filter(reference__in=payload.references))
    return {"marked": services.mark_reminded(actor=request.principal.actor, reservations=due)}


class VisitOut(Schema):
    id: str
    label: str
    counter: str
    procedure_id: str
    status: str
    priority: bool
    desk: str
    recalls: int
    arrived_at: datetime
    called_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    wait_seconds: int | None
    process_seconds: int | None


def visit_out(visit: Visit) -> dict:
    fields = (
        "procedure_id",
        "status",
        "desk",
        "recalls",
        "arrived_at",
        "called_at",
        "started_at",
        "ended_at",
        "wait_seconds",
        "process_seconds",
    )
    return {
        "id": str(visit.id),
        "label": visit.label,
        "counter": str(visit.counter_id),
        "priority": visit.priority_from is not None,
        **{name: getattr(visit, name) for name in fields},
    }


class TicketIn(StrictSchema):
    procedure_id: str = ""


@router.post(BASE + "/counters/{counter_id}/tickets", response={201: VisitOut, **ERRORS})
def issue(request, code: str, counter_id: str, payload: TicketIn):
    municipality = require(request, "counter:operate")
    visit = services.issue_ticket(
        municipality=municipality,
        actor=request.principal.actor,
        counter=selectors.counter(counter_id),
        procedure_id=payload.procedure_id,
    )
    return Status(201, visit_out(visit))


@router.get(BASE + "/counters/{counter_id}/queue", response={200: list[VisitOut], **ERRORS})
def queue(request, code: str, counter_id: str):
    require(request, "counter:operate")
    return [visit_out(v) for v in selectors.queue(selectors.counter(counter_id))]


class CallIn(StrictSchema):
    desk: str = Field(max_length=20)


@router.post(BASE + "/counters/{counter_id}/call-next", response={200: VisitOut, **ERRORS})
def call_next(request, code: str, counter_id: str, payload: CallIn):
    municipality = require(request, "counter:operate")
    visit = services.call_next(
        municipality=municipality,
        actor=request.principal.actor,
        counter=selectors.counter(counter_id),
        desk=payload.desk,
    )
    return visit_out(visit)


ACTIONS = {
    "recall": services.recall,
    "start": services.start,
    "complete": services.complete,
    "no-show": services.mark_no_show,
    "cancel": services.cancel_ticket,
}


@router.post(BASE + "/tickets/{visit_id}/{action}", response={200: VisitOut, **ERRORS})
def ticket_action(request, code: str, visit_id: str, action: str):
    """recall, start, complete, no-show or cancel a ticket."""
    require(request, "counter:operate")
    if action not in ACTIONS:
        raise not_found("action", "操作")
    visit = ACTIONS[action](actor=request.principal.actor, visit=selectors.visit(visit_id))
    return visit_out(visit)


class DashboardParams(Schema):
    date_from: date
    date_to: date
    procedure_id: str = ""
    target_minutes: int = Field(dash.DEFAULT_TARGET_MINUTES, ge=1, le=600)


@router.get(BASE + "/dashboard", response={200: dict, **ERRORS})
def dashboard(request, code: str, params: QueryParams[DashboardParams]):
    """The dashboard's figures; online and counter applications come from the procedures."""
    require(request, "counter:dashboard")
    return exports.as_json(dash.dashboard(exports.checked(dash.Query(**params.model_dump()))))


@router.get(BASE + "/dashboard.csv", response={200: None, **ERRORS})
def dashboard_csv(request, code: str, params: QueryParams[DashboardParams]):
    require(request, "counter:dashboard")
    return exports.csv_response(dash.dashboard(exports.checked(dash.Query(**params.model_dump()))))


@router.get(BASE + "/dashboard/{kind}.png", response={200: None, **ERRORS})
def dashboard_chart(request, code: str, kind: str, params: QueryParams[DashboardParams]):
    """The waiting (``waiting.png``) or processing (``processing.png``) time histogram."""
    require(request, "counter:dashboard")
    query = exports.checked(dash.Query(**params.model_dump()))
    return HttpResponse(charts.histogram_png(query, kind), content_type="image/png")
