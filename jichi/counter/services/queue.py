"""Queue tickets (番号札): issue at the kiosk, call, recall, start, complete, no-show.

States: issued → called → serving → done, plus no_show (called, nobody came)
and cancelled (withdrawn before the call). Each step stamps its time on the
visit; the call stores the waiting time (call − arrival) and the completion
the processing time (end − start), in seconds. Closing a visit (complete,
no-show) counts it into the dashboards' roll-up in the same transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from jichi.audit.services import record as audit
from jichi.common.errors import ErrorCollector
from jichi.counter import rules
from jichi.counter.models import Counter, Reservation, TicketSequence, Visit, VisitStatus
from jichi.counter.services.rollup import count_closed
from jichi.linkage import outbox
from jichi.tenancy.models import Municipality
from jichi.tenancy.principals import Actor

# A reserved visitor is called first from this long before the reservation's time.
PRIORITY_EARLY = timedelta(minutes=10)


def _next_number(counter: Counter, day) -> int:
    sequence, _ = TicketSequence.objects.get_or_create(
        municipality_id=counter.municipality_id,
        service_date=day,
        ticket_prefix=counter.ticket_prefix,
    )
    TicketSequence.objects.filter(pk=sequence.pk).update(last=F("last") + 1)
    return TicketSequence.objects.values_list("last", flat=True).get(pk=sequence.pk)


def new_visit(
    *,
    counter: Counter,
    procedure_id: str,
    now: datetime,
    reservation: Reservation | None = None,
    priority_from: datetime | None = None,
) -> Visit:
    """A waiting visit with the day's next number of the counter's group (no audit: callers do)."""
    day = timezone.localdate(now)
    return Visit.objects.create(
        municipality_id=counter.municipality_id,
        counter=counter,
        procedure_id=procedure_id,
        service_date=day,
        ticket_prefix=counter.ticket_prefix,
        number=_next_number(counter, day),
        reservation=reservation,
        priority_from=priority_from,
        arrived_at=now,
    )


def _check_open(counter: Counter, procedure_id: str, now: datetime) -> None:
    local = timezone.localtime(now).time()
    if not counter.is_active or not counter.opens_at <= local < counter.closes_at:
        raise rules.conflict(
            "counter.closed",
            "この窓口は現在受付時間外です。",
            "This counter is closed now.",
            "counter",
        )
    if procedure_id and not counter.serves(procedure_id):
        raise rules.conflict(
            "procedure_id.not_served",
            "この窓口はこの手続を取り扱っていません。",
            "This counter does not serve this procedure.",
            "procedure_id",
        )


@transaction.atomic
def issue_ticket(
    *,
    municipality: Municipality,
    actor: Actor,
    counter: Counter,
    procedure_id: str = "",
    now: datetime | None = None,
) -> Visit:
    """A ticket from the kiosk: the visitor joins the counter's queue."""
    now = now or timezone.now()
    _check_open(counter, procedure_id, now)
    visit = new_visit(counter=counter, procedure_id=procedure_id, now=now)
    audit(actor, "counter.ticket.issued", object_type="visit", object_id=visit.id)
    return visit


def _candidates(counter: Counter, now: datetime):
    waiting = Visit.objects.filter(counter=counter, status=VisitStatus.ISSUED)
    due = waiting.filter(priority_from__lte=now + PRIORITY_EARLY)
    yield from due.order_by("priority_from", "arrived_at", "number").values_list("id", flat=True)[
        :5
    ]
    yield from waiting.order_by("arrived_at", "number").values_list("id", flat=True)[:20]


@transaction.atomic
def call_next(
    *,
    municipality: Municipality,
    actor: Actor,
    counter: Counter,
    desk: str,
    now: datetime | None = None,
) -> Visit:
    """Call the next visitor to ``desk``: reservations whose time has come first, then FIFO.

    Two clerks calling at once never get the same ticket: the call is a
    conditional update that only one of them wins.
    """
    errors = ErrorCollector()
    rules.check_required(errors, desk, "desk", "窓口番号", "desk")
    errors.raise_if_any()
    now = now or timezone.now()
    for visit_id in _candidates(counter, now):
        visit = Visit.objects.get(pk=visit_id)
        claimed = Visit.objects.filter(pk=visit_id, status=VisitStatus.ISSUED).update(
            status=VisitStatus.CALLED,
            desk=desk.strip()[:20],
            called_at=now,
            wait_seconds=max(0, int((now - visit.arrived_at).total_seconds())),
        )
        if claimed:
            visit.refresh_from_db()
            audit(actor, "counter.ticket.called", object_type="visit", object_id=visit.id)
            return visit
    raise rules.conflict(
        "queue.empty",
        "お待ちの方はいません。",
        "Nobody is waiting at this counter.",
        "counter",
    )


def _require(visit: Visit, states: tuple, code: str, ja: str, en: str) -> None:
    if visit.status not in states:
        raise rules.conflict(code, ja, en, "visit")


def _not_called(visit: Visit) -> None:
    _require(
        visit,
        (VisitStatus.CALLED,),
        "visit.not_called",
        "この番号札は呼出中ではありません。",
        "This ticket is not being called.",
    )


def _lock(visit: Visit) -> None:
    """Lock the visit's row and read its state again: of two clerks closing the same
    ticket at once, the second sees it closed (and the roll-up counts it once)."""
    visit.status = (
        Visit.objects.select_for_update().values_list("status", flat=True).get(pk=visit.pk)
    )


def _save(actor: Actor, visit: Visit, action: str, fields: list[str]) -> Visit:
    visit.save(update_fields=["status", *fields])
    audit(actor, f"counter.ticket.{action}", object_type="visit", object_id=visit.id)
    return visit


@transaction.atomic
def recall(*, actor: Actor, visit: Visit) -> Visit:
    """Call the same number again (the waiting time stays that of the first call)."""
    _not_called(visit)
    visit.recalls += 1
    return _save(actor, visit, "recalled", ["recalls"])


@transaction.atomic
def start(*, actor: Actor, visit: Visit, now: datetime | None = None) -> Visit:
    """The visitor sits down at the desk: processing starts."""
    _not_called(visit)
    visit.status, visit.started_at = VisitStatus.SERVING, now or timezone.now()
    return _save(actor, visit, "started", ["started_at"])


@transaction.atomic
def complete(*, actor: Actor, visit: Visit, now: datetime | None = None) -> Visit:
    """The visit is done: its processing time is stored and the visit counted."""
    _lock(visit)
    _require(
        visit,
        (VisitStatus.SERVING,),
        "visit.not_started",
        "対応を開始していない番号札は完了にできません。",
        "A ticket can only be completed once its service has started.",
    )
    visit.status, visit.ended_at = VisitStatus.DONE, now or timezone.now()
    visit.process_seconds = max(0, int((visit.ended_at - visit.started_at).total_seconds()))
    _save(actor, visit, "completed", ["ended_at", "process_seconds"])
    count_closed(visit)
    outbox.publish(
        "counter.visit.completed",
        {
            "visit": str(visit.id),
            "procedure_id": visit.procedure_id,
            "wait_seconds": visit.wait_seconds,
            "process_seconds": visit.process_seconds,
            "reservation": str(visit.reservation_id) if visit.reservation_id else None,
        },
        subject=str(visit.id),
    )
    return visit


@transaction.atomic
def mark_no_show(*, actor: Actor, visit: Visit) -> Visit:
    """Called and nobody came: counted as a visit, not as served."""
    _lock(visit)
    _not_called(visit)
    visit.status = VisitStatus.NO_SHOW
    _save(actor, visit, "no_show", [])
    count_closed(visit)
    return visit


@transaction.atomic
def cancel_ticket(*, actor: Actor, visit: Visit) -> Visit:
    """Withdraw a ticket that was not called yet."""
    _require(
        visit,
        (VisitStatus.ISSUED,),
        "visit.not_waiting",
        "この番号札は待ち状態ではありません。",
        "This ticket is not waiting.",
    )
    visit.status = VisitStatus.CANCELLED
    return _save(actor, visit, "cancelled", [])
