"""Counters (窓口), reservation slots, visit reservations and visits (queue tickets).

A visit is one queue ticket and carries its own timings: arrival, call,
start and end, with the waiting time (call − arrival) and the processing
time (end − start) stored in seconds. The dashboards read the day's roll-up of
the closed visits (:class:`VisitRollup`), kept as visits close. Procedures are
named by their catalog id only (``procedure_id``).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from jichi.tenancy.models import TenantModel


class Counter(TenantModel):
    """A counter (窓口) of an office: the procedures it serves and its opening hours."""

    name = models.CharField(max_length=60)  # e.g. 住民票・転入転出
    department = models.CharField(max_length=60)  # e.g. 市民課
    office = models.SlugField(max_length=30, default="main")  # 庁舎 (one waiting board each)
    ticket_prefix = models.CharField(max_length=2)  # counter group: tickets …
    procedure_ids = models.JSONField(default=list)
    opens_at = models.TimeField()
    closes_at = models.TimeField()
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["municipality", "office", "name"], name="counter_name"),
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.name}"

    def serves(self, procedure_id: str) -> bool:
        return procedure_id in self.procedure_ids


class Slot(TenantModel):
    """A reservation slot: a counter, a procedure, a start, a duration and a capacity."""

    counter = models.ForeignKey(Counter, on_delete=models.PROTECT, related_name="slots")
    procedure_id = models.CharField(max_length=64)
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField()
    capacity = models.PositiveSmallIntegerField()
    booked = models.PositiveSmallIntegerField(default=0)  # kept ≤ capacity by one UPDATE

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.CheckConstraint(
                condition=models.Q(booked__lte=models.F("capacity")), name="slot_not_overbooked"
            ),
        ]
        indexes = [models.Index(fields=["municipality", "starts_at"], name="slot_start")]

    @property
    def places_left(self) -> int:
        return self.capacity - self.booked


class ReservationStatus(models.TextChoices):
    BOOKED = "booked", "予約済"
    CANCELLED = "cancelled", "取消"
    ARRIVED = "arrived", "来庁済"


class Reservation(TenantModel):
    """A visit reservation (来庁予約). Name and contact are personal data: never logged."""

    reference = models.CharField(max_length=12)  # 予約番号, given to the resident
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="reservations")
    procedure_id = models.CharField(max_length=64)
    name = models.CharField(max_length=100, blank=True)
    contact = models.CharField(max_length=254, blank=True)  # phone or e-mail
    person_id = models.CharField(max_length=64, blank=True)  # from a resident session
    application_id = models.CharField(max_length=64, blank=True)  # e.g. an online 転入予約
    status = models.CharField(
        max_length=10, choices=ReservationStatus.choices, default=ReservationStatus.BOOKED
    )
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["municipality", "reference"], name="reservation_reference"
            ),
        ]


class VisitStatus(models.TextChoices):
    ISSUED = "issued", "発券済"
    CALLED = "called", "呼出中"
    SERVING = "serving", "対応中"
    DONE = "done", "完了"
    NO_SHOW = "no_show", "不在"
    CANCELLED = "cancelled", "取消"


WAITING = (VisitStatus.ISSUED,)
OPEN = (VisitStatus.ISSUED, VisitStatus.CALLED, VisitStatus.SERVING)


class Visit(TenantModel):
    """A queue ticket and the timings of the visit it stands for."""

    counter = models.ForeignKey(Counter, on_delete=models.PROTECT, related_name="visits")
    procedure_id = models.CharField(max_length=64, blank=True)
    service_date = models.DateField()  # the local day of the ticket number
    ticket_prefix = models.CharField(max_length=2)
    number = models.PositiveIntegerField()
    reservation = models.OneToOneField(
        Reservation, null=True, blank=True, on_delete=models.PROTECT, related_name="visit"
    )
    priority_from = models.DateTimeField(null=True, blank=True)  # reservation's time
    status = models.CharField(
        max_length=10, choices=VisitStatus.choices, default=VisitStatus.ISSUED
    )
    desk = models.CharField(max_length=20, blank=True)  # where it was called to (3番窓口)
    recalls = models.PositiveSmallIntegerField(default=0)
    arrived_at = models.DateTimeField()
    called_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    wait_seconds = models.PositiveIntegerField(null=True, blank=True)  # called − arrived
    process_seconds = models.PositiveIntegerField(null=True, blank=True)  # ended − started

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["municipality", "service_date", "ticket_prefix", "number"],
                name="visit_ticket_number",
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "counter", "status"], name="visit_queue"),
            models.Index(fields=["municipality", "service_date"], name="visit_day"),
            # the tickets not closed yet, which the dashboards add to the roll-up (few rows)
            models.Index(
                fields=["municipality", "service_date"],
                condition=models.Q(status__in=OPEN),
                name="visit_open",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The number shown and called: A-012."""
        return f"{self.ticket_prefix}-{self.number:03d}"


class VisitRollup(TenantModel):
    """The closed visits (done or no-show) of one day and one procedure, counted for the
    dashboards: volumes, visits per hour of arrival, and the waiting and processing times
    as counts, sums and fixed bins (:mod:`jichi.counter.rollup`).

    Kept by the queue services in the transaction that closes a visit; rebuilt from the
    visits by ``services.rebuild_rollup``. Cancelled tickets are never counted.
    """

    service_date = models.DateField()
    procedure_id = models.CharField(max_length=64, blank=True)
    visits = models.PositiveIntegerField(default=0)  # done + no-show
    served = models.PositiveIntegerField(default=0)  # done
    hourly = models.JSONField(default=list)  # visits by local hour of arrival, [0..23]
    wait_count = models.PositiveIntegerField(default=0)  # visits that were called
    wait_total = models.PositiveBigIntegerField(default=0)  # seconds
    wait_bins = models.JSONField(default=list)  # counts per rollup bin (trailing zeros cut)
    wait_5min = models.JSONField(default=list)  # counts per 5-minute bin, the last 60+ min
    process_count = models.PositiveIntegerField(default=0)  # visits that were completed
    process_total = models.PositiveBigIntegerField(default=0)
    process_bins = models.JSONField(default=list)
    process_5min = models.JSONField(default=list)

    COUNTED = (
        "visits",
        "served",
        "hourly",
        "wait_count",
        "wait_total",
        "wait_bins",
        "wait_5min",
        "process_count",
        "process_total",
        "process_bins",
        "process_5min",
    )

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["municipality", "service_date", "procedure_id"], name="visit_rollup_day"
            ),
        ]


class TicketSequence(TenantModel):
    """The last ticket number given on a day to a counter group."""

    service_date = models.DateField()
    ticket_prefix = models.CharField(max_length=2)
    last = models.PositiveIntegerField(default=0)

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["municipality", "service_date", "ticket_prefix"], name="ticket_sequence"
            ),
        ]
