"""Linkage in the JSON API: the event feed, webhook subscriptions and their dead letters."""

from __future__ import annotations

from datetime import datetime

from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from jichi.common.api import ERRORS, StrictSchema
from jichi.linkage import catalog, selectors, services
from jichi.linkage.models import DeadLetter, Subscription
from jichi.linkage.outbox import envelope
from jichi.tenancy.access import require

router = Router(tags=["linkage"])
BASE = "/municipalities/{code}"
SUBSCRIPTIONS = BASE + "/subscriptions"
ONE = SUBSCRIPTIONS + "/{subscription_id}"


def _may(request):
    code = request.tenant.code
    return lambda permission: request.principal.has_perm(code, permission)


# --- the pull feed -----------------------------------------------------------------


class FeedParams(Schema):
    after: int = Field(0, description="the last `jichisequence` read (0: from the start)")
    limit: int = Field(100, description="at most this many events (1–500)")
    type: list[str] = Field(
        default_factory=list, description="event types or patterns (`registry.person.*`)"
    )


class FeedOut(Schema):
    items: list[dict] = Field(description="CloudEvents 1.0 envelopes, in sequence order")
    next_after: int = Field(description="pass as `after` for the next read")
    more: bool = Field(description="more events are ready now; otherwise poll later")


@router.get(BASE + "/events", response={200: FeedOut, **ERRORS})
def events(request, code: str, params: Query[FeedParams]):
    """The municipality's events after `after`, ordered; resumable from any point.

    Only the types the token may receive are included (see docs/events.md).
    """
    require(request, "events:read")
    page = selectors.feed(
        after=params.after, limit=params.limit, types=params.type, may=_may(request)
    )
    return {
        "items": [envelope(e) for e in page.events],
        "next_after": page.next_after,
        "more": page.more,
    }


class EventTypeOut(Schema):
    type: str
    ja: str
    en: str
    subject: str
    data: dict[str, str]
    permission: str


@router.get("/event-types", response={200: list[EventTypeOut], **ERRORS}, auth=None)
def event_types(request):
    """The catalog of event types (public: it holds no data)."""
    return [
        {
            "type": t.type,
            "ja": t.ja,
            "en": t.en,
            "subject": t.subject,
            "data": t.data,
            "permission": t.permission,
        }
        for t in catalog.TYPES
    ]


# --- subscriptions -----------------------------------------------------------------


class SubscriptionIn(StrictSchema):
    name: str = Field(max_length=100, examples=["児童手当システム"])
    url: str = Field(max_length=500, examples=["https://jidou-teate.example.lg.jp/hooks/jichi"])
    types: list[str] = Field(default_factory=list, examples=[["registry.person.*"]])
    batch_size: int = Field(100, description="1: one event a request; more: JSON arrays")


class NewSubscriptionIn(SubscriptionIn):
    start: str = Field("now", description="`now` or `beginning` (everything in the outbox)")


class SubscriptionOut(Schema):
    id: str
    name: str
    url: str
    types: list[str]
    batch_size: int
    state: str
    cursor: int
    delivered: int
    dead_lettered: int
    failures: int
    failing_since: datetime | None
    next_attempt_at: datetime | None
    last_success_at: datetime | None
    last_status: int | None
    last_error: str
    created_at: datetime


class SecretOut(Schema):
    subscription: SubscriptionOut
    secret: str = Field(description="the signing secret (whsec_…): shown this once only")


def subscription_out(subscription: Subscription) -> dict:
    return {
        **{f: getattr(subscription, f) for f in SubscriptionOut.model_fields if f != "id"},
        "id": str(subscription.id),
    }


@router.get(SUBSCRIPTIONS, response={200: list[SubscriptionOut], **ERRORS})
def subscriptions(request, code: str):
    require(request, "webhooks:manage")
    return [subscription_out(s) for s in selectors.subscriptions()]


@router.post(SUBSCRIPTIONS, response={201: SecretOut, **ERRORS})
def create(request, code: str, payload: NewSubscriptionIn):
    """Subscribe a system: the answer holds the signing secret, shown only here."""
    municipality = require(request, "webhooks:manage")
    subscription, secret = services.create_subscription(
        municipality=municipality,
        actor=request.principal.actor,
        may=_may(request),
        **payload.model_dump(),
    )
    return Status(201, {"subscription": subscription_out(subscription), "secret": secret})


@router.get(ONE, response={200: SubscriptionOut, **ERRORS})
def detail(request, code: str, subscription_id: str):
    require(request, "webhooks:manage")
    return subscription_out(selectors.subscription(subscription_id))


@router.put(ONE, response={200: SubscriptionOut, **ERRORS})
def update(request, code: str, subscription_id: str, payload: SubscriptionIn):
    require(request, "webhooks:manage")
    subscription = services.update_subscription(
        actor=request.principal.actor,
        subscription=selectors.subscription(subscription_id),
        may=_may(request),
        **payload.model_dump(),
    )
    return subscription_out(subscription)


@router.delete(ONE, response={204: None, **ERRORS})
def delete(request, code: str, subscription_id: str):
    require(request, "webhooks:manage")
    services.delete_subscription(
        actor=request.principal.actor, subscription=selectors.subscription(subscription_id)
    )
    return Status(204, None)


@router.post(ONE + "/pause", response={200: SubscriptionOut, **ERRORS})
def pause(request, code: str, subscription_id: str):
    require(request, "webhooks:manage")
    subscription = services.pause_subscription(
        actor=request.principal.actor, subscription=selectors.subscription(subscription_id)
    )
    return subscription_out(subscription)


@router.post(ONE + "/resume", response={200: SubscriptionOut, **ERRORS})
def resume(request, code: str, subscription_id: str):
    """Deliver again from the cursor (also after a suspension)."""
    require(request, "webhooks:manage")
    subscription = services.resume_subscription(
        actor=request.principal.actor, subscription=selectors.subscription(subscription_id)
    )
    return subscription_out(subscription)


@router.post(ONE + "/rotate-secret", response={200: SecretOut, **ERRORS})
def rotate_secret(request, code: str, subscription_id: str):
    """A new secret; the old one keeps signing too for 24 hours."""
    require(request, "webhooks:manage")
    subscription, secret = services.rotate_secret(
        actor=request.principal.actor, subscription=selectors.subscription(subscription_id)
    )
    return {"subscription": subscription_out(subscription), "secret": secret}


class ReplayIn(StrictSchema):
    after: int = Field(description="deliver again every event after this sequence number")


@router.post(ONE + "/replay", response={200: SubscriptionOut, **ERRORS})
def replay(request, code: str, subscription_id: str, payload: ReplayIn):
    require(request, "webhooks:manage")
    subscription = services.replay(
        actor=request.principal.actor,
        subscription=selectors.subscription(subscription_id),
        after=payload.after,
    )
    return subscription_out(subscription)


class DeadLetterOut(Schema):
    id: str
    seq: int
    type: str
    status: int | None
    error: str
    attempts: int
    created_at: datetime
    redelivered_at: datetime | None
    event: dict


def dead_letter_out(letter: DeadLetter) -> dict:
    return {
        "id": str(letter.id),
        "seq": letter.seq,
        "type": letter.event.type,
        "status": letter.status,
        "error": letter.error,
        "attempts": letter.attempts,
        "created_at": letter.created_at,
        "redelivered_at": letter.redelivered_at,
        "event": envelope(letter.event),
    }


@router.get(ONE + "/dead-letters", response={200: list[DeadLetterOut], **ERRORS})
def dead_letters(request, code: str, subscription_id: str, include_redelivered: bool = False):
    require(request, "webhooks:manage")
    letters = selectors.dead_letters(
        selectors.subscription(subscription_id), include_redelivered=include_redelivered
    )
    return [dead_letter_out(letter) for letter in letters]


@router.post(ONE + "/dead-letters/{letter_id}/redeliver", response={200: DeadLetterOut, **ERRORS})
def redeliver(request, code: str, subscription_id: str, letter_id: str):
    """Post a set-aside event once more (409 if the receiver refuses it again)."""
    require(request, "webhooks:manage")
    subscription = selectors.subscription(subscription_id)
    letter = services.redeliver_dead_letter(
        actor=request.principal.actor, letter=selectors.dead_letter(subscription, letter_id)
    )
    return dead_letter_out(letter)
