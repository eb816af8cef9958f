"""The demo's counters (``jichi demo``): three counters, reservation slots for the coming
working days, a few weeks of past visits and a handful of reservations.

Everything goes through the counter's own services, with explicit times for the
past (the services take ``now``), so the visits carry the timings, audit
entries, events and dashboard roll-up that real ones would. A day at a counter
is simulated at a busy office's volume (arrivals busier in the morning, a few
desks, first come first served, processing times per procedure, now and then a
no-show), and one visitor in :data:`SAMPLE` goes through the services: the
waiting and processing times are those of a busy day, the demo stays quick.
The simulation is seeded by the municipality, counter and day, so the same day
always gets the same visits; a day, a slot series or a reservation already
there is skipped, so running the demo again adds nothing (a later day adds the
days since).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from jichi.counter import services
from jichi.counter.models import Counter, Reservation, Slot, Visit
from jichi.tenancy.models import Municipality
from jichi.tenancy.principals import Actor

OPENS, CLOSES = time(8, 30), time(17, 15)
HISTORY_DAYS = 21  # calendar days before today (working days only)
SLOT_DAYS = 10  # working days from tomorrow
NO_SHOW_RATE = 0.03
SAMPLE = 8  # one simulated visitor in SAMPLE is recorded
# Arrivals per hour from 8:30 to 16:30 (the morning is the busiest).
HOURLY_WEIGHTS = [8, 12, 10, 7, 3, 7, 7, 4]


@dataclass(frozen=True)
class CounterPlan:
    name: str
    department: str
    prefix: str
    procedures: dict[str, int]  # procedure id -> mean processing minutes
    desks: int
    visitors_per_day: tuple[int, int]  # simulated (one in SAMPLE recorded)
    reserved: tuple[str, ...]  # procedures with reservation slots


PLANS = (
    CounterPlan(
        "住民票・転入転出",
        "市民課",
        "A",
        {"juminhyo_utsushi": 6, "tenshutsu": 15, "tennyu_yoyaku": 22},
        desks=3,
        visitors_per_day=(50, 70),
        reserved=("tennyu_yoyaku",),
    ),
    CounterPlan(
        "国民健康保険・年金",
        "保険年金課",
        "B",
        {"kokuho_kanyu": 14, "kokuho_soushitsu": 10},
        desks=2,
        visitors_per_day=(36, 46),
        reserved=("kokuho_kanyu",),
    ),
    CounterPlan(
        "子育て・児童手当",
        "こども家庭課",
        "C",
        {"jidou_teate_nintei": 20, "hoiku_riyou": 25, "ninshin_todoke": 15},
        desks=1,
        visitors_per_day=(8, 12),
        reserved=("hoiku_riyou",),
    ),
)
# (working day from tomorrow, counter prefix, slot index, name, phone): sample people only.
RESERVATIONS = (
    (0, "A", 0, "見本 一郎", "09000000001"),
    (0, "A", 3, "見本 花子", "09000000002"),
    (0, "B", 1, "見本 次郎", "09000000003"),
    (1, "C", 2, "見本 三郎", "09000000004"),
    (1, "A", 7, "見本 桜", "09000000005"),
    (2, "B", 8, "見本 四郎", "09000000006"),
    (3, "C", 0, "見本 葵", "09000000007"),
    (4, "A", 10, "見本 五郎", "09000000008"),
)
MORNING, AFTERNOON = (time(9, 0), 6), (time(13, 0), 6)  # 30-minute slots


@dataclass
class Added:
    counters: int = 0
    slots: int = 0
    visits: int = 0
    reservations: int = 0


def _at(day: date, clock: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock))


def _working_days(first: date, count: int, step: int) -> list[date]:
    days, day = [], first
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=step)
    return days


def _counters(municipality: Municipality, admin: Actor, added: Added) -> dict[str, Counter]:
    found = {}
    for plan in PLANS:
        counter = Counter.objects.filter(office="main", name=plan.name).first()
        if counter is None:
            counter = services.create_counter(
                municipality=municipality,
                actor=admin,
                name=plan.name,
                department=plan.department,
                ticket_prefix=plan.prefix,
                procedure_ids=list(plan.procedures),
                opens_at=OPENS,
                closes_at=CLOSES,
            )
            added.counters += 1
        found[plan.prefix] = counter
    return found


def _arrivals(rng: random.Random, day: date, count: int) -> list[datetime]:
    start = _at(day, OPENS)
    hours = rng.choices(range(len(HOURLY_WEIGHTS)), HOURLY_WEIGHTS, k=count)
    return sorted(start + timedelta(hours=h, seconds=rng.randrange(3600)) for h in hours)


def _record(municipality, clerk, counter, procedure_id, desk, times) -> None:
    """One visit through the services: ticket, call, and start and end (or a no-show)."""
    arrived, called, started, ended = times
    services.issue_ticket(
        municipality=municipality,
        actor=clerk,
        counter=counter,
        procedure_id=procedure_id,
        now=arrived,
    )
    visit = services.call_next(
        municipality=municipality, actor=clerk, counter=counter, desk=f"{desk}番", now=called
    )
    if started is None:
        services.mark_no_show(actor=clerk, visit=visit)
        return
    visit = services.start(actor=clerk, visit=visit, now=started)
    services.complete(actor=clerk, visit=visit, now=ended)


def _day_of_visits(municipality, clerk, counter, plan: CounterPlan, day: date) -> int:
    """One simulated day at ``counter`` (FIFO over its desks); the visits recorded."""
    rng = random.Random(f"{municipality.code}-{plan.prefix}-{day.isoformat()}")
    free = [_at(day, OPENS)] * plan.desks
    procedures = list(plan.procedures)
    recorded = 0
    for index, arrived in enumerate(_arrivals(rng, day, rng.randint(*plan.visitors_per_day))):
        procedure_id = rng.choice(procedures)
        desk = min(range(plan.desks), key=lambda d: free[d])
        called = max(arrived, free[desk]) + timedelta(seconds=rng.randint(10, 90))
        if rng.random() < NO_SHOW_RATE:
            times = (arrived, called, None, None)
            free[desk] = called + timedelta(minutes=2)
        else:
            started = called + timedelta(seconds=rng.randint(30, 120))
            minutes = rng.lognormvariate(0, 0.45) * plan.procedures[procedure_id]
            ended = started + timedelta(seconds=max(120, round(minutes * 60)))
            times = (arrived, called, started, ended)
            free[desk] = ended + timedelta(seconds=round(rng.lognormvariate(0, 0.6) * 90))
        if index % SAMPLE == 0:
            _record(municipality, clerk, counter, procedure_id, desk + 1, times)
            recorded += 1
    return recorded


def _history(municipality, clerk, counters, today: date, added: Added) -> None:
    days = _working_days(today - timedelta(days=1), HISTORY_DAYS * 5 // 7, -1)
    for plan in PLANS:
        counter = counters[plan.prefix]
        done = set(
            Visit.objects.filter(counter=counter, service_date__in=days).values_list(
                "service_date", flat=True
            )
        )
        for day in sorted(set(days) - done):
            with transaction.atomic():  # a day is there whole or not at all
                added.visits += _day_of_visits(municipality, clerk, counter, plan, day)


def _slots(municipality, admin, counters, days: list[date], added: Added) -> None:
    now = timezone.now()
    for plan in PLANS:
        counter = counters[plan.prefix]
        for day in days:
            for procedure_id in plan.reserved:
                if Slot.objects.filter(
                    counter=counter, procedure_id=procedure_id, starts_at__date=day
                ).exists():
                    continue
                for start, count in (MORNING, AFTERNOON):
                    created = services.create_slots(
                        municipality=municipality,
                        actor=admin,
                        counter=counter,
                        procedure_id=procedure_id,
                        starts_at=_at(day, start),
                        duration_minutes=30,
                        capacity=2,
                        count=count,
                        now=now,
                    )
                    added.slots += len(created)


def _reservations(municipality, clerk, counters, days: list[date], added: Added) -> None:
    for day_index, prefix, slot_index, name, phone in RESERVATIONS:
        counter = counters[prefix]
        slots = list(
            Slot.objects.filter(counter=counter, starts_at__date=days[day_index]).order_by(
                "starts_at", "procedure_id"
            )
        )
        if slot_index >= len(slots):
            continue
        slot = slots[slot_index]
        if Reservation.objects.filter(slot=slot, name=name).exists():
            continue
        services.book(municipality=municipality, actor=clerk, slot=slot, name=name, contact=phone)
        added.reservations += 1


def front_yard(
    municipality: Municipality, *, admin: Actor, clerk: Actor, today: date | None = None
) -> Added:
    """Counters, slots, past visits and reservations of the demo (in the municipality's
    scope); what was added this time."""
    today = today or timezone.localdate()
    added = Added()
    counters = _counters(municipality, admin, added)
    _history(municipality, clerk, counters, today, added)
    coming = _working_days(today + timedelta(days=1), SLOT_DAYS, 1)
    _slots(municipality, admin, counters, coming, added)
    _reservations(municipality, clerk, counters, coming, added)
    return added
