"""Counters (窓口) and their reservation slots: set up by municipal administrators."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from jichi.audit.services import record as audit
from jichi.common.errors import ErrorCollector, RuleViolation
from jichi.counter import rules
from jichi.counter.models import Counter, Slot
from jichi.tenancy.models import Municipality
from jichi.tenancy.principals import Actor


def _check_counter(
    name: str, department: str, ticket_prefix: str, procedure_ids: list, opens_at, closes_at
) -> None:
    errors = ErrorCollector()
    rules.check_required(errors, name, "name", "窓口名", "counter's name")
    rules.check_required(errors, department, "department", "担当課", "department")
    if not rules.TICKET_PREFIX.match(ticket_prefix or ""):
        errors.add(
            "ticket_prefix.invalid",
            "番号札の記号は英大文字1〜2文字です。",
            "The ticket prefix is one or two capital letters.",
            "ticket_prefix",
        )
    if not procedure_ids:
        errors.add(
            "procedure_ids.required",
            "取り扱う手続を1つ以上指定してください。",
            "Name at least one procedure the counter serves.",
            "procedure_ids",
        )
    for index, procedure_id in enumerate(procedure_ids):
        rules.check_procedure_id(errors, procedure_id, f"procedure_ids.{index}")
    if not (isinstance(opens_at, time) and isinstance(closes_at, time) and opens_at < closes_at):
        errors.add(
            "hours.invalid",
            "開庁時刻は閉庁時刻より前にしてください。",
            "The opening time must be before the closing time.",
            "closes_at",
        )
    errors.raise_if_any()


@transaction.atomic
def create_counter(
    *,
    municipality: Municipality,
    actor: Actor,
    name: str,
    department: str,
    ticket_prefix: str,
    procedure_ids: list[str],
    opens_at: time,
    closes_at: time,
    office: str = "main",
) -> Counter:
    """A new counter serving ``procedure_ids`` between ``opens_at`` and ``closes_at``."""
    _check_counter(name, department, ticket_prefix, procedure_ids, opens_at, closes_at)
    name = name.strip()
    if Counter.objects.filter(municipality=municipality, office=office, name=name).exists():
        raise rules.conflict(
            "name.duplicate",
            "同じ庁舎に同じ名前の窓口があります。",
            "The office has a counter of that name already.",
            "name",
        )
    counter = Counter.objects.create(
        municipality=municipality,
        name=name,
        department=department.strip(),
        office=office,
        ticket_prefix=ticket_prefix,
        procedure_ids=list(dict.fromkeys(procedure_ids)),
        opens_at=opens_at,
        closes_at=closes_at,
    )
    audit(actor, "counter.counter.created", object_type="counter", object_id=str(counter.id))
    return counter


def _check_slots(counter, procedure_id, starts_at, duration, capacity, count, now) -> None:
    errors = ErrorCollector()
    rules.check_procedure_id(errors, procedure_id)
    if not errors.errors and not counter.serves(procedure_id):
        errors.add(
            "procedure_id.not_served",
            "この窓口はこの手続を取り扱っていません。",
            "This counter does not serve this procedure.",
            "procedure_id",
        )
    rules.check_range(errors, duration, 5, 240, "duration_minutes", "枠の長さ（分）", "duration")
    rules.check_range(errors, capacity, 1, 100, "capacity", "定員", "capacity")
    rules.check_range(errors, count, 1, 48, "count", "枠の数", "number of slots")
    errors.raise_if_any()
    start = timezone.localtime(starts_at)
    end = start + timedelta(minutes=duration * count)
    if starts_at <= now:
        raise RuleViolation(
            "starts_at.past",
            "予約枠は未来の日時に作成してください。",
            "A slot must start in the future.",
            "starts_at",
        )
    if (
        start.time() < counter.opens_at
        or end.date() != start.date()
        or (end.time() > counter.closes_at)
    ):
        raise RuleViolation(
            "starts_at.outside_hours",
            "予約枠が窓口の開庁時間外にかかっています。",
            "The slots fall outside the counter's opening hours.",
            "starts_at",
        )


@transaction.atomic
def create_slots(
    *,
    municipality: Municipality,
    actor: Actor,
    counter: Counter,
    procedure_id: str,
    starts_at: datetime,
    duration_minutes: int,
    capacity: int,
    count: int = 1,
    now: datetime | None = None,
) -> list[Slot]:
    """``count`` consecutive slots of ``duration_minutes`` each, from ``starts_at``."""
    _check_slots(
        counter, procedure_id, starts_at, duration_minutes, capacity, count, now or timezone.now()
    )
    step = timedelta(minutes=duration_minutes)
    slots = [
        Slot.objects.create(
            municipality=municipality,
            counter=counter,
            procedure_id=procedure_id,
            starts_at=starts_at + step * index,
            duration_minutes=duration_minutes,
            capacity=capacity,
        )
        for index in range(count)
    ]
    audit(
        actor,
        "counter.slots.created",
        object_type="counter",
        object_id=str(counter.id),
        details={"procedure_id": procedure_id, "slots": count, "capacity": capacity},
    )
    return slots
