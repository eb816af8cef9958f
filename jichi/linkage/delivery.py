"""Delivering a subscription's events to its receiver: lease, batch, post, advance.

One worker at a time holds a subscription's lease, reads the events after its
cursor in sequence order, posts them and moves the cursor only after the
receiver answered 2xx. Delivery is therefore at least once and in order: a
worker killed between the post and the cursor's move leaves the cursor where
it was, and the next holder sends the same events again, with the same
``webhook-id`` and the same event ids, which the receiver uses to ignore what
it has already applied.

No database transaction stays open while a request is in flight: the lease
is a column (``lease_owner`` until ``leased_until``), taken and given back by
single conditional updates, so a lost worker's lease simply runs out.

Failures
    A connection error, a timeout, a 5xx, 408, 425 or 429 is the receiver
    being unwell: the same batch is tried again after an exponential backoff
    (1 s doubling to at most :data:`BACKOFF_CAP`), for as long as
    :data:`RETRY_WINDOW`; after that the subscription is *suspended* and the
    events stay in the outbox until an administrator resumes it. A receiver
    down for an hour therefore gets everything, in order, within minutes of
    coming back.

    Any other 4xx is the receiver refusing the content. A refused batch is
    sent again one event per request, to find the refused event; an event
    refused :data:`REFUSALS_BEFORE_DEAD_LETTER` times is set aside as a dead
    letter (to look at and redeliver later) and the rest goes on.
"""

from __future__ import annotations

import json
import logging
import random
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import httpx
from django.conf import settings
from django.db.models import F, Max, Q
from django.utils import timezone

from jichi.common import secrets
from jichi.linkage import catalog, signing
from jichi.linkage.models import DeadLetter, OutboxEvent, Subscription, SubscriptionState
from jichi.linkage.outbox import envelope
from jichi.tenancy.context import tenant_scope

logger = logging.getLogger("jichi.linkage.delivery")

BACKOFF_FIRST = 1.0
BACKOFF_CAP = 300.0
RETRY_WINDOW = timedelta(hours=72)
REFUSALS_BEFORE_DEAD_LETTER = 3
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
TRANSIENT_4XX = {408, 425, 429}
SINGLE_READ = 100
BATCH_TYPE = "application/cloudevents-batch+json"
SINGLE_TYPE = "application/cloudevents+json"


def lease_length() -> timedelta:
    return timedelta(seconds=settings.JICHI_WEBHOOK_LEASE_SECONDS)


def secret_context(code: str) -> str:
    return f"webhook-secret:{code}"


@dataclass
class Outcome:
    """What one delivery run did and what should happen next."""

    delivered: int = 0
    dead_lettered: int = 0
    retry_at: datetime | None = None  # the next attempt after a failure
    more: bool = False  # stopped with events left (time budget): run again now
    claimed: bool = True


@dataclass(frozen=True)
class _Answer:
    ok: bool
    status: int | None
    error: str

    @property
    def refused(self) -> bool:
        """The receiver refuses the content (retrying the same content will not help)."""
        return (
            self.status is not None
            and 400 <= self.status < 500
            and (self.status not in TRANSIENT_4XX)
        )


@cache
def _client() -> httpx.Client:
    # One pool per process, keep-alive: most of a delivery's cost is connecting.
    return httpx.Client(timeout=TIMEOUT, follow_redirects=False, headers={"user-agent": "Jichi"})


def deliver(
    code: str,
    subscription_id: str,
    *,
    budget: float = 20.0,
    client: httpx.Client | None = None,
) -> Outcome:
    """Deliver what is pending for one subscription, for at most ``budget`` seconds."""
    owner = uuid.uuid4().hex
    subscription = _claim(code, subscription_id, owner)
    if subscription is None:
        return Outcome(claimed=False)
    outcome = Outcome()
    types = selected_types(subscription)
    deadline = time.monotonic() + budget
    try:
        keys = _secrets(subscription)
        while True:
            batch = _next_batch(code, subscription, types, owner)
            if not batch:
                break
            sent, failed, answer = _send(client or _client(), subscription, batch, keys)
            if sent:
                if not _advance(code, subscription, sent, owner):
                    break  # the lease ran out and another worker has it now
                outcome.delivered += len(sent)
            if failed:
                stop, outcome.retry_at, set_aside = _failed(
                    code, subscription, failed, answer, owner
                )
                outcome.dead_lettered += set_aside
                if stop:
                    break
            if time.monotonic() > deadline:
                outcome.more = True
                break
    finally:
        pending = _release(code, subscription, types, owner)
    stopped = outcome.retry_at is not None or subscription.state != SubscriptionState.ACTIVE
    outcome.more = outcome.more or (pending and not stopped)
    return outcome


def _claim(code: str, subscription_id: str, owner: str) -> Subscription | None:
    now = timezone.now()
    with tenant_scope(code, "webhook delivery"):
        taken = (
            Subscription.objects.filter(id=subscription_id, state=SubscriptionState.ACTIVE)
            .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .update(lease_owner=owner, leased_until=now + lease_length(), wake=False)
        )
        if not taken:
            # Held by a live worker: it looks for new events after giving the lease back,
            # and commits after that queue a task of their own (so the flag is cleared).
            Subscription.objects.filter(id=subscription_id, leased_until__gte=now).update(
                wake=False
            )
            return None
        return Subscription.objects.get(id=subscription_id)


def _secrets(subscription: Subscription) -> list[str]:
    context = secret_context(subscription.municipality_id)
    keys = [secrets.decrypt(subscription.secret_sealed, context=context)]
    until = subscription.previous_secret_until
    if subscription.previous_secret_sealed and until and until > timezone.now():
        keys.append(secrets.decrypt(subscription.previous_secret_sealed, context=context))
    return keys


def _next_batch(
    code: str, subscription: Subscription, types: list[str] | None, owner: str
) -> list[OutboxEvent]:
    """The next events to post: the failed batch again, or the next ones after the cursor."""
    cursor = subscription.cursor
    if subscription.isolate_through > cursor:
        size = 1
    else:  # a subscriber of single events gets them one a request, read 100 at a time
        size = SINGLE_READ if subscription.batch_size == 1 else subscription.batch_size
    with tenant_scope(code, "webhook delivery"):
        head = OutboxEvent.objects.aggregate(head=Max("seq"))["head"] or 0
        if subscription.retry_through > cursor:
            head = min(head, subscription.retry_through)
        events = OutboxEvent.objects.filter(seq__gt=cursor, seq__lte=head)
        if types is not None:
            events = events.filter(type__in=types)
        batch = list(events.order_by("seq")[:size])
        if not batch and head > cursor:
            # Nothing of the subscriber's types up to the head: skip past it for good.
            _move_cursor(subscription, head, owner, delivered=0)
    return batch


def _body(subscription: Subscription, batch: list[OutboxEvent], single: bool):
    if single:
        event = batch[0]
        return str(event.id), json.dumps(envelope(event), ensure_ascii=False).encode(), SINGLE_TYPE
    message_id = f"msg_{subscription.id.hex}_{batch[0].seq}_{batch[-1].seq}"
    body = json.dumps([envelope(e) for e in batch], ensure_ascii=False).encode()
    return message_id, body, BATCH_TYPE


def _post(
    client: httpx.Client,
    subscription: Subscription,
    batch: list[OutboxEvent],
    keys: list[str],
    *,
    single: bool | None = None,
) -> _Answer:
    """One signed request; a subscription of batch size 1 gets single events, others arrays."""
    single = subscription.batch_size == 1 if single is None else single
    message_id, body, content_type = _body(subscription, batch, single)
    headers = {"content-type": content_type, **signing.headers(keys, message_id, body)}
    try:
        response = client.post(subscription.url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return _Answer(False, None, type(exc).__name__)
    if 200 <= response.status_code < 300:
        return _Answer(True, response.status_code, "")
    return _Answer(False, response.status_code, f"HTTP {response.status_code}")


def _send(
    client: httpx.Client, subscription: Subscription, batch: list[OutboxEvent], keys: list[str]
) -> tuple[list[OutboxEvent], list[OutboxEvent], _Answer | None]:
    """Post ``batch``: (the events taken, the events of the failed request, its answer).

    A batch subscriber gets one request; a single-event subscriber one request per
    event, in order, until one fails (the cursor then moves once for those taken).
    """
    if subscription.batch_size != 1:
        answer = _post(client, subscription, batch, keys)
        return (batch, [], None) if answer.ok else ([], batch, answer)
    for i, event in enumerate(batch):
        answer = _post(client, subscription, [event], keys, single=True)
        if not answer.ok:
            return batch[:i], [event], answer
    return batch, [], None


def _move_cursor(subscription: Subscription, seq: int, owner: str, *, delivered: int) -> bool:
    now = timezone.now()
    moved = Subscription.objects.filter(id=subscription.id, lease_owner=owner).update(
        cursor=seq,
        retry_through=0,
        failures=0,
        failing_since=None,
        next_attempt_at=None,
        delivered=F("delivered") + delivered,
        leased_until=now + lease_length(),
        **(
            {"last_success_at": now, "last_attempt_at": now, "last_status": 200}
            if delivered
            else {}
        ),
    )
    if moved:
        subscription.cursor, subscription.retry_through = seq, 0
        subscription.failures, subscription.failing_since = 0, None
    return bool(moved)


def _advance(code: str, subscription: Subscription, batch: list[OutboxEvent], owner: str) -> bool:
    with tenant_scope(code, "webhook delivery"):
        return _move_cursor(subscription, batch[-1].seq, owner, delivered=len(batch))


def backoff(failures: int) -> float:
    """Seconds before attempt ``failures + 1``: doubling, capped, with ±10 % jitter."""
    delay = min(BACKOFF_CAP, BACKOFF_FIRST * 2 ** max(0, failures - 1))
    return delay * random.uniform(0.9, 1.1)


def _failed(
    code: str, subscription: Subscription, batch: list[OutboxEvent], answer: _Answer, owner: str
) -> tuple[bool, datetime | None, int]:
    """Record a failed post: (stop now?, when to try again, events set aside)."""
    now = timezone.now()
    failures = subscription.failures + 1
    since = subscription.failing_since or now
    logger.warning(
        "webhook delivery failed",
        extra={
            "subscription": str(subscription.id),
            "status": answer.status,
            "error": answer.error,
        },
    )
    stop, retry_at = True, None
    with tenant_scope(code, "webhook delivery"):
        if answer.refused and len(batch) > 1:
            # Find the refused event: the same events again, one a request, at once.
            stop, failures = False, 0
            fields = {"isolate_through": batch[-1].seq, "retry_through": 0}
        elif answer.refused and failures >= REFUSALS_BEFORE_DEAD_LETTER:
            _set_aside(subscription, batch[0], answer, failures, owner)
            return False, None, 1
        elif now - since > RETRY_WINDOW:
            fields = {"state": SubscriptionState.SUSPENDED, "retry_through": batch[-1].seq}
            logger.error("webhook suspended", extra={"subscription": str(subscription.id)})
        else:
            retry_at = now + timedelta(seconds=backoff(failures))
            fields = {"retry_through": batch[-1].seq, "next_attempt_at": retry_at}
        fields.update(failures=failures, failing_since=since)
        Subscription.objects.filter(id=subscription.id, lease_owner=owner).update(
            last_attempt_at=now, last_status=answer.status, last_error=answer.error[:200], **fields
        )
    for name, value in fields.items():
        setattr(subscription, name, value)
    return stop, retry_at, 0


def _set_aside(
    subscription: Subscription, event: OutboxEvent, answer: _Answer, attempts: int, owner: str
) -> None:
    DeadLetter.objects.get_or_create(
        municipality_id=subscription.municipality_id,
        subscription=subscription,
        seq=event.seq,
        defaults={
            "event": event,
            "status": answer.status,
            "error": answer.error[:200],
            "attempts": attempts,
        },
    )
    Subscription.objects.filter(id=subscription.id, lease_owner=owner).update(
        dead_lettered=F("dead_lettered") + 1
    )
    _move_cursor(subscription, event.seq, owner, delivered=0)


def _release(code: str, subscription: Subscription, types: list[str] | None, owner: str) -> bool:
    """Give the lease back; True when events are waiting (a new run should start)."""
    with tenant_scope(code, "webhook delivery"):
        Subscription.objects.filter(id=subscription.id, lease_owner=owner).update(
            lease_owner="", leased_until=None
        )
        return has_backlog(subscription, types)


def selected_types(subscription: Subscription) -> list[str] | None:
    """The full type names a subscription takes (None: every type, no filter needed)."""
    return catalog.expand(subscription.types) if subscription.types else None


def has_backlog(subscription: Subscription, types: list[str] | None) -> bool:
    """Events of the subscriber's types wait after its cursor (in scope of its municipality)."""
    events = OutboxEvent.objects.filter(seq__gt=subscription.cursor)
    if types is not None:
        events = events.filter(type__in=types)
    return events.exists()


def redeliver(code: str, letter: DeadLetter, *, client: httpx.Client | None = None) -> _Answer:
    """Post one set-aside event again, alone (its ``webhook-id`` is the event's id)."""
    with tenant_scope(code, "webhook redelivery"):
        subscription = Subscription.objects.get(id=letter.subscription_id)
        event = OutboxEvent.objects.get(id=letter.event_id)
    return _post(client or _client(), subscription, [event], _secrets(subscription), single=True)
