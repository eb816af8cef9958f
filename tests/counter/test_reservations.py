"""Visit reservations: capacity (also under concurrency), cancellation, reminders, check-in."""

from __future__ import annotations

import contextlib
import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from jichi.audit.models import AuditEntry
from jichi.common.errors import RuleViolation
from jichi.counter import selectors, services
from jichi.counter.models import Reservation, ReservationStatus, Slot, VisitStatus
from jichi.tenancy.context import tenant_scope
from tests.counter.conftest import SYSTEM, at, make_counter, make_slot

pytestmark = pytest.mark.django_db


def _book(municipality, slot, **fields):
    fields.setdefault("name", "山田 花子")
    fields.setdefault("contact", "045-123-4567")
    return services.book(municipality=municipality, actor=SYSTEM, slot=slot, now=at(8), **fields)


def test_a_booking_takes_a_place_and_gives_a_reference(scope, counter):
    slot = make_slot(scope, counter)
    reservation = _book(scope, slot, application_id="app-123")
    slot.refresh_from_db()
    assert slot.booked == 1 and len(reservation.reference) == 10
    assert reservation.contact == "0451234567" and reservation.application_id == "app-123"
    assert reservation.procedure_id == "tennyu_yoyaku"


def test_the_audit_entry_holds_no_personal_data(scope, counter):
    _book(scope, make_slot(scope, counter))
    entry = AuditEntry.objects.filter(action="counter.reservation.booked").get()
    assert "山田" not in str(entry.details) and "0451234567" not in str(entry.details)


def test_a_full_slot_refuses_the_next_booking(scope, counter):
    slot = make_slot(scope, counter, capacity=1)
    _book(scope, slot)
    slot.refresh_from_db()
    with pytest.raises(RuleViolation) as caught:
        _book(scope, slot)
    assert caught.value.code == "slot.full" and caught.value.status == 409
    assert Reservation.objects.count() == 1


def test_a_slot_that_has_started_takes_no_booking(scope, counter):
    slot = make_slot(scope, counter)
    with pytest.raises(RuleViolation) as caught:
        services.book(
            municipality=scope,
            actor=SYSTEM,
            slot=slot,
            name="山田",
            contact="0451234567",
            now=at(10, 5),
        )
    assert caught.value.code == "slot.closed"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"name": ""}, "name.required"),
        ({"contact": "12345"}, "contact.invalid"),
        ({"contact": "yamada@"}, "contact.invalid"),
    ],
)
def test_a_booking_without_name_or_contact_is_refused(scope, counter, fields, code):
    slot = make_slot(scope, counter)
    with pytest.raises(RuleViolation) as caught:
        _book(scope, slot, **fields)
    assert code in {e.code for e in caught.value.errors}
    slot.refresh_from_db()
    assert slot.booked == 0


def test_a_resident_logged_in_books_without_name_or_contact(scope, counter):
    reservation = _book(scope, make_slot(scope, counter), name="", contact="", person_id="p-1")
    assert reservation.person_id == "p-1"


@pytest.mark.django_db(transaction=True)
def test_two_bookings_for_the_last_place_give_it_to_one(yokohama):
    """Both read the slot with one place left before either books. On PostgreSQL they then
    book at the same time; SQLite's in-memory test database answers a second writer with
    "table is locked" instead of waiting, so there the two writes take turns (still each
    with its stale read of the slot, which is what an overbooking would come from)."""
    with tenant_scope(yokohama.code):
        counter = make_counter(yokohama)
        slot = make_slot(yokohama, counter, capacity=2)
        _book(yokohama, slot)  # one place left
    barrier, outcomes = threading.Barrier(2), []
    turns = threading.Lock() if connection.vendor == "sqlite" else contextlib.nullcontext()

    def attempt():
        try:
            with tenant_scope(yokohama.code):
                stale = Slot.objects.get(pk=slot.pk)
                assert stale.places_left == 1
                barrier.wait()
                with turns:
                    _book(yokohama, stale)
                outcomes.append("booked")
        except RuleViolation as exc:
            outcomes.append(exc.code)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked", "slot.full"]
    with tenant_scope(yokohama.code):
        assert Slot.objects.get(pk=slot.pk).booked == 2
        assert Reservation.objects.count() == 2


def test_cancelling_gives_the_place_back(scope, counter):
    slot = make_slot(scope, counter, capacity=1)
    reservation = _book(scope, slot)
    services.cancel_reservation(
        municipality=scope, actor=SYSTEM, reference=reservation.reference.lower()
    )
    slot.refresh_from_db()
    reservation.refresh_from_db()
    assert slot.booked == 0 and reservation.status == ReservationStatus.CANCELLED
    _book(scope, slot)  # the place is free again


def test_cancelling_twice_is_refused(scope, counter):
    reservation = _book(scope, make_slot(scope, counter))
    services.cancel_reservation(municipality=scope, actor=SYSTEM, reference=reservation.reference)
    with pytest.raises(RuleViolation) as caught:
        services.cancel_reservation(
            municipality=scope, actor=SYSTEM, reference=reservation.reference
        )
    assert caught.value.code == "reservation.cancelled" and caught.value.status == 409


def test_a_wrong_reference_is_refused(scope, counter):
    _book(scope, make_slot(scope, counter))
    with pytest.raises(RuleViolation) as caught:
        services.cancel_reservation(municipality=scope, actor=SYSTEM, reference="ZZZZZZZZZZ")
    assert caught.value.code == "reference.unknown" and caught.value.status == 404


def test_another_municipalitys_reference_is_unknown(scope, counter, chiyoda):
    reservation = _book(scope, make_slot(scope, counter))
    with tenant_scope(chiyoda.code), pytest.raises(RuleViolation) as caught:
        services.cancel_reservation(
            municipality=chiyoda, actor=SYSTEM, reference=reservation.reference
        )
    assert caught.value.code == "reference.unknown"


def test_reminders_list_tomorrows_bookings_until_marked(scope, counter):
    today = timezone.localdate()
    tomorrow_slot = make_slot(scope, counter, start=at(10, day=today + timedelta(days=1)))
    later_slot = make_slot(scope, counter, start=at(10, day=today + timedelta(days=2)))
    due = services.book(
        municipality=scope, actor=SYSTEM, slot=tomorrow_slot, name="山田", contact="0451234567"
    )
    services.book(
        municipality=scope, actor=SYSTEM, slot=later_slot, name="鈴木", contact="suzuki@example.jp"
    )
    cancelled = services.book(
        municipality=scope, actor=SYSTEM, slot=tomorrow_slot, name="佐藤", contact="0451234568"
    )
    services.cancel_reservation(municipality=scope, actor=SYSTEM, reference=cancelled.reference)
    assert list(selectors.reminders_due()) == [due]
    marked = services.mark_reminded(actor=SYSTEM, reservations=list(selectors.reminders_due()))
    assert marked == 1 and not selectors.reminders_due().exists()


def test_a_reservation_arriving_becomes_a_priority_ticket(scope, counter):
    reservation = _book(scope, make_slot(scope, counter, start=at(10)))
    visit = services.check_in(
        municipality=scope, actor=SYSTEM, reference=reservation.reference, now=at(9, 55)
    )
    reservation.refresh_from_db()
    assert visit.status == VisitStatus.ISSUED and visit.priority_from == at(10)
    assert visit.reservation == reservation and reservation.status == ReservationStatus.ARRIVED
    with pytest.raises(RuleViolation) as caught:
        services.check_in(
            municipality=scope, actor=SYSTEM, reference=reservation.reference, now=at(9, 56)
        )
    assert caught.value.code == "reservation.arrived"


def test_checking_in_on_another_day_is_refused(scope, counter):
    reservation = _book(scope, make_slot(scope, counter, start=at(10)))
    with pytest.raises(RuleViolation) as caught:
        services.check_in(
            municipality=scope,
            actor=SYSTEM,
            reference=reservation.reference,
            now=at(9, 55) - timedelta(days=1),
        )
    assert caught.value.code == "reservation.not_today"


def test_reminders_are_mailed_to_email_contacts_and_phones_stay_to_call(scope, counter, mailoutbox):
    today = timezone.localdate()
    slot = make_slot(scope, counter, start=at(10, day=today + timedelta(days=1)))
    mailed = services.book(
        municipality=scope, actor=SYSTEM, slot=slot, name="鈴木", contact="suzuki@example.jp"
    )
    phoned = services.book(
        municipality=scope, actor=SYSTEM, slot=slot, name="山田", contact="045-123-4567"
    )
    result = services.send_reminders(municipality=scope, actor=SYSTEM)
    assert result == {"sent": 1, "to_call": 1}
    [mail] = mailoutbox
    assert mail.to == ["suzuki@example.jp"] and mailed.reference in mail.body
    assert "横浜市" in mail.subject and "10:00" in mail.body
    assert list(selectors.reminders_due()) == [phoned]  # left for a call
    again = services.send_reminders(municipality=scope, actor=SYSTEM)
    assert again == {"sent": 0, "to_call": 1} and len(mailoutbox) == 1  # never mailed twice


def test_the_send_reminders_command_mails_every_municipality(scope, counter, mailoutbox):
    from io import StringIO

    from django.core.management import call_command

    slot = make_slot(scope, counter, start=at(10, day=timezone.localdate() + timedelta(days=1)))
    services.book(municipality=scope, actor=SYSTEM, slot=slot, name="鈴木", contact="a@example.jp")
    out = StringIO()
    call_command("send-reminders", stdout=out)
    assert "141003: 1 reminders mailed, 0 to call" in out.getvalue() and len(mailoutbox) == 1
