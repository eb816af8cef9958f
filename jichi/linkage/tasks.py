"""Background delivery through Django's task framework (the ``django-tasks`` backport).

The backend is chosen by ``JICHI_TASKS``: the database (``django-tasks-db``,
run ``jichi worker``) or Redis through RQ (``django-tasks-rq``). Either way a
queued task only says "look at this subscription": what to send is read from
the outbox and the subscription's cursor, so a task lost with a Redis restart,
or run twice, changes nothing. :func:`sweep` (run every minute by
``jichi worker``) queues a delivery for every subscription with events waiting
that no task is working on, which is what makes a lost task harmless.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.db import connection
from django.utils import timezone
from django_tasks import task

from jichi.tenancy.context import platform_scope, tenant_scope

QUEUE = "webhooks"


@task(queue_name=QUEUE)
def deliver_events(code: str, subscription_id: str) -> dict:
    """Deliver one subscription's waiting events; queue the next run it needs."""
    from jichi.linkage import delivery

    outcome = delivery.deliver(code, subscription_id)
    if outcome.retry_at is not None:
        deliver_events.using(run_after=outcome.retry_at).enqueue(code, subscription_id)
    elif outcome.more:
        deliver_events.enqueue(code, subscription_id)
    return {
        "delivered": outcome.delivered,
        "dead_lettered": outcome.dead_lettered,
        "claimed": outcome.claimed,
    }


def _woken(code: str) -> list[str]:
    """Mark the municipality's idle active subscriptions as queued; their ids."""
    from jichi.linkage.models import Subscription

    table = connection.ops.quote_name(Subscription._meta.db_table)
    with tenant_scope(code, "webhook wake-up"), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET wake = TRUE "
            "WHERE municipality_code = %s AND state = 'active' AND wake = FALSE RETURNING id",
            [code],
        )
        return [str(uuid.UUID(str(row[0]))) for row in cursor.fetchall()]


def wake_subscriptions(code: str) -> int:
    """Queue a delivery for each subscription of ``code`` that has none queued.

    Called after a commit that published events. A subscription already
    queued or being delivered is left alone: its run reads the new events too.
    """
    ids = _woken(code)
    for subscription_id in ids:
        deliver_events.enqueue(code, subscription_id)
    return len(ids)


def sweep() -> int:
    """Queue deliveries for subscriptions with waiting events and no live run; how many."""
    from jichi.linkage import delivery
    from jichi.linkage.models import Subscription, SubscriptionState

    now = timezone.now()
    queued = 0
    with platform_scope("webhook sweep"):
        candidates = list(
            Subscription.objects.filter(state=SubscriptionState.ACTIVE)
            .exclude(leased_until__gt=now)
            .exclude(next_attempt_at__gt=now)
            .only("id", "municipality_id", "cursor", "types")
        )
    for subscription in candidates:
        code = subscription.municipality_id
        with tenant_scope(code, "webhook sweep"):
            waiting = delivery.has_backlog(subscription, delivery.selected_types(subscription))
        if waiting:
            deliver_events.enqueue(code, str(subscription.id))
            queued += 1
    return queued + _sweep_transfers(now)


def _sweep_transfers(now) -> int:
    """Queue again the hand-overs and arrival notices whose task is due or was lost."""
    from django.db.models import Q

    from jichi.linkage.models import Transfer, TransferStatus

    settled_a_while = now - timedelta(minutes=1)
    due = Q(next_attempt_at__lte=now) | Q(
        next_attempt_at__isnull=True, created_at__lt=settled_a_while
    )
    with platform_scope("hand-over sweep"):
        outgoing = list(
            Transfer.objects.filter(due, status=TransferStatus.PENDING).values_list(
                "municipality_id", "id"
            )
        )
        arrivals = list(
            Transfer.objects.filter(due, status=TransferStatus.ACCEPTED, sent_at__isnull=True)
            .exclude(next_attempt_at__isnull=True, settled_at__gt=settled_a_while)
            .values_list("municipality_id", "id")
        )
    for code, pk in outgoing:
        send_transfer.enqueue(code, str(pk))
    for code, pk in arrivals:
        send_arrival.enqueue(code, str(pk))
    return len(outgoing) + len(arrivals)


# --- hand-overs between municipalities ---------------------------------------------------

TRANSFERS_PATH = "/api/v1/transfers"
ARRIVALS_PATH = "/api/v1/transfers/arrivals"


@task(queue_name=QUEUE)
def send_transfer(code: str, transfer_pk: str) -> str:
    """Hand an outgoing hand-over to its destination, here or at a peer."""
    from jichi.linkage import handover
    from jichi.linkage.models import Transfer, TransferStatus

    with tenant_scope(code, "hand-over"):
        transfer = Transfer.objects.get(pk=transfer_pk)
        if transfer.status not in (TransferStatus.PENDING, TransferStatus.UNROUTABLE):
            return transfer.status
        envelope = handover.envelope_of(transfer)
    answer = _dispatch(transfer.counterpart, envelope, handover.receive_transfer, TRANSFERS_PATH)
    statuses = {
        "taken": TransferStatus.SENT,
        "unroutable": TransferStatus.UNROUTABLE,
        "refused": TransferStatus.REFUSED,
        "retry": TransferStatus.PENDING,
    }
    return _after_attempt(send_transfer, code, transfer_pk, answer, statuses)


@task(queue_name=QUEUE)
def send_arrival(code: str, transfer_pk: str) -> str:
    """Tell the municipality left that the persons of an accepted hand-over arrived."""
    from jichi.linkage import handover
    from jichi.linkage.models import Transfer, TransferStatus

    with tenant_scope(code, "arrival notice"):
        transfer = Transfer.objects.get(pk=transfer_pk)
        if transfer.status != TransferStatus.ACCEPTED or transfer.sent_at is not None:
            return "done"
        envelope = handover.arrival_envelope(transfer)
    answer = _dispatch(transfer.counterpart, envelope, handover.receive_arrival, ARRIVALS_PATH)
    _after_attempt(send_arrival, code, transfer_pk, answer, None)
    return TransferStatus.ACCEPTED


def _dispatch(target: str, envelope: dict, receive, path: str):
    """Give ``envelope`` to ``target``: ``receive`` it here, or post it to its peer."""
    from jichi.common.errors import RuleViolation
    from jichi.linkage import peers

    where = peers.route(target)
    if where is None:
        return peers.Answer(False, None, "unroutable")
    if where == peers.LOCAL:
        try:
            receive(envelope)
        except RuleViolation as exc:
            return peers.Answer(False, exc.status, exc.code)
        return peers.Answer(True, 201, "")
    return peers.post(where, path, envelope)


def _attempt_result(answer) -> str:
    """taken (or had already), unroutable, refused for good, or to retry later."""
    if answer.ok or answer.error == "transfer.duplicate":
        return "taken"
    if answer.error == "unroutable":
        return "unroutable"
    return "refused" if answer.final else "retry"


def _after_attempt(task_, code: str, transfer_pk: str, answer, statuses: dict | None) -> str:
    """Record an attempt (the transfer's new status from ``statuses``, if given); schedule
    the next one while the other side is unreachable. The attempt's result."""
    from jichi.linkage.delivery import backoff
    from jichi.linkage.models import Transfer

    now, result = timezone.now(), _attempt_result(answer)
    fields = {"last_error": answer.error[:200]}
    if statuses is not None:
        fields["status"] = statuses[result]
    retry_at = None
    if result == "taken":
        fields.update(sent_at=now, next_attempt_at=None)
    elif result == "retry":
        with tenant_scope(code, "hand-over"):
            attempts = Transfer.objects.get(pk=transfer_pk).attempts + 1
        retry_at = now + timedelta(seconds=backoff(attempts))
        fields.update(attempts=attempts, next_attempt_at=retry_at)
    with tenant_scope(code, "hand-over"):
        Transfer.objects.filter(pk=transfer_pk).update(**fields)
    if retry_at is not None:
        task_.using(run_after=retry_at).enqueue(code, transfer_pk)
    return fields.get("status", result)
