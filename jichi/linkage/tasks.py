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
    from jichi.linkage import catalog, delivery
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
        types = catalog.expand(subscription.types) if subscription.types else None
        with tenant_scope(code, "webhook sweep"):
            waiting = delivery.has_backlog(subscription, types)
        if waiting:
            deliver_events.enqueue(code, str(subscription.id))
            queued += 1
    return queued
