"""Reads of counter operations: counters, slots, reservations, queues, the waiting board."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Avg, Count, F, Q, QuerySet
from django.utils import timezone

from jichi.common.errors import not_found
from jichi.common.ids import parse_id
from jichi.counter.models import (
    OPEN,
    Counter,
    Reservation,
    ReservationStatus,
    Slot,
    Visit,
    VisitStatus,
)

DEFAULT_SERVICE_SECONDS = 600  # assumed per visit until the day has completed ones


def counters(*, office: str | None = None, active_only: bool = False) -> QuerySet[Counter]:
    queryset = Counter.objects.order_by("office", "ticket_prefix", "name")
    if office:
        queryset = queryset.filter(office=office)
    return queryset.filter(is_active=True) if active_only else queryset


def counter(counter_id) -> Counter:
    """One counter of the municipality in scope (another municipality's: 404)."""
    found = Counter.objects.filter(pk=parse_id(counter_id)).first()
    if found is None:
        raise not_found("counter", "窓口")
    return found


def slot(slot_id) -> Slot:
    found = Slot.objects.select_related("counter").filter(pk=parse_id(slot_id)).first()
    if found is None:
        raise not_found("slot", "予約枠")
    return found


def visit(visit_id) -> Visit:
    found = Visit.objects.select_related("counter").filter(pk=parse_id(visit_id)).first()
    if found is None:
        raise not_found("ticket", "番号札")
    return found


def procedures_offered() -> list[str]:
    """The procedure ids that the active counters serve (sorted, each once)."""
    ids: set[str] = set()
    for procedure_ids in Counter.objects.filter(is_active=True).values_list(
        "procedure_ids", flat=True
    ):
        ids.update(procedure_ids)
    return sorted(ids)


def open_slots(procedure_id: str, *, now: datetime | None = None, days: int = 30):
    """Future slots of a procedure with places left, soonest first."""
    now = now or timezone.now()
    return (
        Slot.objects.select_related("counter")
        .filter(
            procedure_id=procedure_id,
            starts_at__gt=now,
            starts_at__lt=now + timedelta(days=days),
            counter__is_active=True,
        )
        .filter(booked__lt=F("capacity"))
        .order_by("starts_at")
    )


def slots_of(counter_obj: Counter, day: date) -> QuerySet[Slot]:
    return counter_obj.slots.filter(starts_at__date=day).order_by("starts_at", "procedure_id")


def reservations_on(day: date) -> QuerySet[Reservation]:
    """The day's reservations (staff list), by time."""
    return (
        Reservation.objects.select_related("slot", "slot__counter")
        .filter(slot__starts_at__date=day)
        .order_by("slot__starts_at", "created_at")
    )


def reminders_due(*, today: date | None = None) -> QuerySet[Reservation]:
    """Booked reservations for tomorrow whose reminder was not sent yet."""
    tomorrow = (today or timezone.localdate()) + timedelta(days=1)
    return reservations_on(tomorrow).filter(
        status=ReservationStatus.BOOKED, reminded_at__isnull=True
    )


def queue(counter_obj: Counter, *, day: date | None = None) -> QuerySet[Visit]:
    """The counter's open tickets of the day: waiting, called and being served."""
    return Visit.objects.filter(
        counter=counter_obj, service_date=day or timezone.localdate(), status__in=OPEN
    ).order_by("status", "arrived_at", "number")


@dataclass(frozen=True)
class BoardRow:
    counter: Counter
    called: list[Visit]  # now calling or serving, newest call first
    waiting: int
    estimated_minutes: int


def _estimate(waiting: int, average_seconds: float | None, desks: int) -> int:
    per_visit = average_seconds or DEFAULT_SERVICE_SECONDS
    return math.ceil(waiting * per_visit / max(desks, 1) / 60)


def board(office: str, *, day: date | None = None) -> list[BoardRow]:
    """The waiting board of one office: per counter, the numbers called, the waiting count
    and an estimated wait (waiting × the day's mean processing time ÷ desks at work)."""
    day = day or timezone.localdate()
    today = Visit.objects.filter(service_date=day, counter__office=office)
    figures = {
        row["counter"]: row
        for row in today.values("counter").annotate(
            waiting=Count("id", filter=Q(status=VisitStatus.ISSUED)),
            desks=Count(
                "desk",
                filter=Q(status__in=[VisitStatus.CALLED, VisitStatus.SERVING]),
                distinct=True,
            ),
            average=Avg("process_seconds", filter=Q(status=VisitStatus.DONE)),
        )
    }
    called = today.filter(status__in=[VisitStatus.CALLED, VisitStatus.SERVING]).order_by(
        "-called_at"
    )
    rows = []
    for item in counters(office=office, active_only=True):
        f = figures.get(item.id, {"waiting": 0, "desks": 0, "average": None})
        rows.append(
            BoardRow(
                counter=item,
                called=[v for v in called if v.counter_id == item.id][:6],
                waiting=f["waiting"],
                estimated_minutes=_estimate(f["waiting"], f["average"], f["desks"]),
            )
        )
    return rows
