"""DV等支援措置: protecting a person's whereabouts from listed offenders."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from jichi.audit.services import record as audit
from jichi.common.errors import RuleViolation
from jichi.common.kana import search_key
from jichi.registry.models import Protection, ProtectionOffender
from jichi.registry.schemas import ProtectionIn
from jichi.registry.services._common import person_by_number, today
from jichi.tenancy.models import Municipality
from jichi.tenancy.principals import Actor

EXTENSION_WINDOW = timedelta(days=31)  # may be extended from a month before the end


def one_year_from(start: date) -> date:
    """The last day of a one-year period: 2020-04-01 → 2021-03-31."""
    try:
        anniversary = start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        anniversary = start.replace(year=start.year + 1, day=28) + timedelta(days=1)
    return anniversary - timedelta(days=1)


@transaction.atomic
def start_protection(
    *, municipality: Municipality, actor: Actor, request: ProtectionIn
) -> Protection:
    person = person_by_number(request.person)
    ends_on = request.ends_on or one_year_from(request.starts_on)
    if ends_on < request.starts_on:
        raise RuleViolation(
            "ends_on.order",
            "終了日は開始日より後の日付です。",
            "The end is after the start.",
            "ends_on",
        )
    protection = Protection.objects.create(
        municipality=municipality,
        person=person,
        starts_on=request.starts_on,
        ends_on=ends_on,
        provisional=request.provisional,
    )
    for i, offender in enumerate(request.offenders):
        listed = (
            person_by_number(offender.person, f"offenders.{i}.person") if offender.person else None
        )
        ProtectionOffender.objects.create(
            municipality=municipality,
            protection=protection,
            name=offender.name.strip(),
            name_key=search_key(offender.name),
            kana_key=search_key(offender.name_kana),
            birth_date=offender.birth_date,
            person=listed,
        )
    audit(
        actor,
        "registry.protection.started",
        object_type="person",
        object_id=str(person.id),
        details={
            "protection": str(protection.id),
            "offenders": len(request.offenders),
            "provisional": request.provisional,
        },
    )
    return protection


@transaction.atomic
def extend_protection(*, actor: Actor, protection: Protection) -> Protection:
    """One more year from the day after the current end (from a month before it)."""
    now = today()
    if protection.ended_at is not None:
        raise RuleViolation(
            "protection.ended",
            "この支援措置は終了しています。",
            "This protection has ended.",
            "protection",
            status=409,
        )
    if now < protection.ends_on - EXTENSION_WINDOW:
        raise RuleViolation(
            "protection.too_early",
            "延長は終了日の1か月前から受け付けます。",
            "An extension is accepted from one month before the end.",
            "protection",
            status=409,
        )
    protection.ends_on = one_year_from(protection.ends_on + timedelta(days=1))
    protection.save(update_fields=["ends_on"])
    audit(
        actor,
        "registry.protection.extended",
        object_type="person",
        object_id=str(protection.person_id),
        details={"ends_on": protection.ends_on.isoformat()},
    )
    return protection


@transaction.atomic
def end_protection(*, actor: Actor, protection: Protection, note: str) -> Protection:
    if not note.strip():
        raise RuleViolation(
            "note.required",
            "終了の理由を記入してください。",
            "State why the protection ends.",
            "note",
        )
    protection.ended_at = timezone.now()
    protection.save(update_fields=["ended_at"])
    audit(
        actor,
        "registry.protection.ended",
        object_type="person",
        object_id=str(protection.person_id),
        purpose=note.strip()[:200],
    )
    return protection
