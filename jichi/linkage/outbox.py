"""Publishing events: :func:`publish` inside the transaction of the change."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from jichi.common.sequences import locked_head
from jichi.linkage import catalog
from jichi.linkage.models import OutboxEvent
from jichi.linkage.tasks import wake_subscriptions
from jichi.tenancy.context import current_scope

TYPE_PREFIX = catalog.PREFIX
_LOCK_CLASS = 7_316_002  # per-municipality lock for the event sequence

# Sent with ``events=`` (the list stored together, in order) inside the publishing
# transaction: a receiver's writes commit or roll back with the change (and its error
# undoes both).
events_published = Signal()


def _last_seq(code: str) -> int:
    """The municipality's last event number, holding its lock until the transaction ends."""
    last = locked_head(
        "jichi_outbox_head",
        _LOCK_CLASS,
        code,
        "seq",
        lambda: (
            OutboxEvent.objects.filter(municipality_id=code)
            .order_by("-seq")
            .values_list("seq")
            .first()
        ),
    )
    return last[0] if last else 0


def publish(event_type: str, data: dict, *, subject: str = "") -> OutboxEvent:
    """Store one event of the municipality in scope; it leaves only if the change commits.

    ``data`` carries identifiers and codes, never more personal data than a
    subscriber of that event type is entitled to (documented per type).
    """
    return publish_many([(event_type, data, subject)])[0]


def publish_many(events: list[tuple[str, dict, str]]) -> list[OutboxEvent]:
    """Store several events ``(type, data, subject)`` of the change, in this order, with
    one lock and one insert (a movement of a household publishes one per person)."""
    for event_type, _data, _subject in events:
        catalog.known(event_type)
    code = current_scope().single_code
    # No savepoint inside the change's transaction: a failed event fails the change.
    with transaction.atomic(savepoint=False):
        last = _last_seq(code)
        now = timezone.now()
        stored = OutboxEvent.objects.bulk_create(
            [
                OutboxEvent(
                    municipality_id=code,
                    seq=last + i,
                    type=TYPE_PREFIX + event_type,
                    subject=subject,
                    time=now,
                    data=data,
                )
                for i, (event_type, data, subject) in enumerate(events, start=1)
            ]
        )
        events_published.send(sender=OutboxEvent, events=stored)
        # Once the change is committed, the municipality's webhooks are woken up.
        transaction.on_commit(lambda: wake_subscriptions(code))
    return stored


def envelope(event: OutboxEvent) -> dict:
    """The CloudEvents 1.0 JSON form of an event."""
    return {
        "specversion": "1.0",
        "id": str(event.id),
        "source": f"/municipalities/{event.municipality_id}",
        "type": event.type,
        "subject": event.subject,
        "time": event.time.isoformat(),
        "datacontenttype": "application/json",
        "data": event.data,
        "jichisequence": event.seq,
    }
