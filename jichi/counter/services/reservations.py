"""Visit reservations (来庁予約): book, cancel, reminders, check-in at the kiosk.

Capacity holds under concurrent bookings: a place is taken by one
conditional ``UPDATE … SET booked = booked + 1 WHERE booked < capacity``, so
the database, not a read in Python, decides who gets the last place (and a
check constraint forbids ``booked > capacity`` whatever happens).
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from jichi.audit.services import record as audit
from jichi.common.errors import ErrorCollector, RuleViolation
from jichi.counter import rules, selectors
from jichi.counter.models import Reservation, ReservationStatus, Slot, Visit
from jichi.counter.services.queue import new_visit
from jichi.linkage import outbox
from jichi.tenancy.models import Municipality
from jichi.tenancy.principals import Actor

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
REFERENCE_LENGTH = 10
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")  # a contact that can be mailed


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def _check_booker(name: str, contact: str, person_id: str) -> None:
    if person_id:
        return  # a resident logged in with the card is known already
    errors = ErrorCollector()
    rules.check_required(errors, name, "name", "お名前", "name")
    rules.check_contact(errors, contact)
    errors.raise_if_any()


def _take_place(slot: Slot, now: datetime) -> None:
    if slot.starts_at <= now:
        raise rules.conflict(
            "slot.closed",
            "この予約枠の受付は終了しました。",
            "This slot has started or passed and takes no more bookings.",
            "slot",
        )
    taken = Slot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(booked=F("booked") + 1)
    if not taken:
        raise rules.conflict(
            "slot.full",
            "この予約枠は満員です。別の枠を選んでください。",
            "This slot is full: choose another one.",
            "slot",
        )


@transaction.atomic
def book(
    *,
    municipality: Municipality,
    actor: Actor,
    slot: Slot,
    name: str = "",
    contact: str = "",
    person_id: str = "",
    application_id: str = "",
    now: datetime | None = None,
) -> Reservation:
    """Reserve a place in ``slot`` for its procedure; the answer carries the reference code.

    A resident logged in with the card gives ``person_id``; anyone else a name
    and a phone number or e-mail address.
    """
    contact = rules.normalized_contact(contact)
    _check_booker(name, contact, person_id)
    _take_place(slot, now or timezone.now())
    reservation = Reservation.objects.create(
        municipality=municipality,
        reference=new_reference(),
        slot=slot,
        procedure_id=slot.procedure_id,
        name=name.strip(),
        contact=contact,
        person_id=person_id,
        application_id=application_id.strip()[:64],
    )
    audit(actor, "counter.reservation.booked", object_type="reservation", object_id=reservation.id)
    outbox.publish(
        "counter.reservation.booked",
        {
            "reservation": str(reservation.id),
            "procedure_id": slot.procedure_id,
            "starts_at": slot.starts_at.isoformat(),
            "application_id": reservation.application_id,
        },
        subject=str(reservation.id),
    )
    return reservation


def _by_reference(reference: str) -> Reservation:
    found = (
        Reservation.objects.select_for_update()
        .select_related("slot")
        .filter(reference=(reference or "").strip().upper())
        .first()
    )
    if found is None:
        raise RuleViolation(
            "reference.unknown",
            "この予約番号の予約はありません。",
            "There is no reservation with this reference.",
            "reference",
            status=404,
        )
    return found


def _still_booked(reservation: Reservation) -> None:
    if reservation.status == ReservationStatus.CANCELLED:
        raise rules.conflict(
            "reservation.cancelled",
            "この予約は取り消されています。",
            "This reservation was cancelled.",
            "reference",
        )
    if reservation.status == ReservationStatus.ARRIVED:
        raise rules.conflict(
            "reservation.arrived",
            "この予約は受付済みです。",
            "This reservation was checked in already.",
            "reference",
        )


@transaction.atomic
def cancel_reservation(*, municipality: Municipality, actor: Actor, reference: str) -> Reservation:
    """Cancel by the reference code; the place goes back to the slot."""
    reservation = _by_reference(reference)
    _still_booked(reservation)
    reservation.status = ReservationStatus.CANCELLED
    reservation.cancelled_at = timezone.now()
    reservation.save(update_fields=["status", "cancelled_at"])
    Slot.objects.filter(pk=reservation.slot_id).update(booked=F("booked") - 1)
    audit(
        actor, "counter.reservation.cancelled", object_type="reservation", object_id=reservation.id
    )
    outbox.publish(
        "counter.reservation.cancelled",
        {"reservation": str(reservation.id), "procedure_id": reservation.procedure_id},
        subject=str(reservation.id),
    )
    return reservation


@transaction.atomic
def mark_reminded(*, actor: Actor, reservations: list[Reservation]) -> int:
    """Note that the reminders of ``reservations`` were sent (sending is not done here)."""
    ids = [r.id for r in reservations]
    count = Reservation.objects.filter(
        id__in=ids, status=ReservationStatus.BOOKED, reminded_at__isnull=True
    ).update(reminded_at=timezone.now())
    audit(
        actor, "counter.reservation.reminded", object_type="reservation", details={"count": count}
    )
    return count


def send_reminders(*, municipality: Municipality, actor: Actor) -> dict[str, int]:
    """Mail tomorrow's reminders to the reservations booked with an e-mail address, each
    marked as reminded once its mail is sent (a crash between the two sends it again the
    next run: at least once). Reservations with a phone number stay on the list for the
    counter to call; the count of each is returned."""
    sent = to_call = 0
    for reservation in list(selectors.reminders_due()):
        if not EMAIL.match(reservation.contact or ""):
            to_call += 1
            continue
        send_mail(
            subject=f"【{municipality.display_name}】来庁予約のお知らせ / Your visit tomorrow",
            message=_reminder_text(municipality, reservation),
            from_email=None,
            recipient_list=[reservation.contact],
        )
        sent += mark_reminded(actor=actor, reservations=[reservation])
    return {"sent": sent, "to_call": to_call}


def _reminder_text(municipality: Municipality, reservation: Reservation) -> str:
    slot = reservation.slot
    when = timezone.localtime(slot.starts_at).strftime("%Y-%m-%d %H:%M")
    return (
        f"{municipality.display_name}への来庁予約は明日です。\n"
        f"日時: {when}\n窓口: {slot.counter.department} {slot.counter.name}\n"
        f"予約番号: {reservation.reference}（受付機で入力してください）\n\n"
        f"Your visit to {municipality.display_name} is tomorrow, {when}, at "
        f"{slot.counter.name}. Reference: {reservation.reference} (enter it at the kiosk).\n"
    )


@transaction.atomic
def check_in(
    *, municipality: Municipality, actor: Actor, reference: str, now: datetime | None = None
) -> Visit:
    """A reservation arrives: it becomes a queue ticket with priority from its slot's time."""
    now = now or timezone.now()
    reservation = _by_reference(reference)
    _still_booked(reservation)
    slot = reservation.slot
    if timezone.localdate(slot.starts_at) != timezone.localdate(now):
        raise rules.conflict(
            "reservation.not_today",
            "この予約は本日の予約ではありません。",
            "This reservation is not for today.",
            "reference",
        )
    visit = new_visit(
        counter=slot.counter,
        procedure_id=reservation.procedure_id,
        now=now,
        reservation=reservation,
        priority_from=slot.starts_at,
    )
    reservation.status = ReservationStatus.ARRIVED
    reservation.save(update_fields=["status"])
    audit(actor, "counter.reservation.arrived", object_type="visit", object_id=visit.id)
    return visit
