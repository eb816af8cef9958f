"""Webhook subscriptions: what administrators do with them (each action audited)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jichi.audit.services import record as audit
from jichi.common import secrets
from jichi.common.errors import ErrorCollector, RuleViolation
from jichi.linkage import catalog, delivery, signing
from jichi.linkage.models import DeadLetter, OutboxEvent, Subscription, SubscriptionState
from jichi.linkage.tasks import deliver_events
from jichi.tenancy.models import Municipality
from jichi.tenancy.principals import Actor

ROTATION_OVERLAP = timedelta(hours=24)
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
MAX_BATCH = 500


def _check_url(errors: ErrorCollector, url: str) -> None:
    parts = urlsplit(url or "")
    plain_allowed = settings.DEBUG or settings.TESTING or parts.hostname in LOOPBACK
    if parts.scheme not in ("https", "http") or not parts.hostname:
        errors.add(
            "url.invalid",
            "配信先は http(s):// で始まるURLで指定してください。",
            "The receiver must be an http(s):// URL.",
            "url",
        )
    elif parts.scheme == "http" and not plain_allowed:
        errors.add(
            "url.https_required",
            "配信先には https を使ってください（暗号化されない配信はできません）。",
            "The receiver must use https: events are not sent unencrypted.",
            "url",
        )
    elif parts.username or parts.password:
        errors.add(
            "url.credentials",
            "URLに利用者名やパスワードを含めないでください（署名で認証します）。",
            "Put no user name or password in the URL: requests are authenticated by signature.",
            "url",
        )


def _check(errors: ErrorCollector, *, name: str, url: str, batch_size: int) -> None:
    if not (name or "").strip() or len(name) > 100:
        errors.add(
            "name.required",
            "名前を1〜100文字で入力してください。",
            "Give a name of 1 to 100 characters.",
            "name",
        )
    _check_url(errors, url)
    if not 1 <= batch_size <= MAX_BATCH:
        errors.add(
            "batch_size.range",
            f"一度に送る件数は1〜{MAX_BATCH}件です。",
            f"The batch size is 1 to {MAX_BATCH} events.",
            "batch_size",
        )


def _check_types(types: list[str], may: Callable[[str], bool]) -> list[str]:
    """The patterns, checked: each matches the catalog, and ``may`` holds each permission."""
    for full in catalog.expand(types):
        permission = catalog.BY_TYPE[full].permission
        if not may(permission):
            raise RuleViolation(
                "types.permission",
                f"イベント「{full}」を受け取るには権限 {permission} が必要です。",
                f"Receiving {full} needs the permission {permission}.",
                "types",
                status=403,
            )
    return list(types)


def _name_taken(name: str, exclude=None) -> None:
    taken = Subscription.objects.filter(name=name.strip())
    if exclude is not None:
        taken = taken.exclude(id=exclude.id)
    if taken.exists():
        raise RuleViolation(
            "name.taken",
            "同じ名前の配信先があります。",
            "A subscription with this name exists already.",
            "name",
            status=409,
        )


@transaction.atomic
def create_subscription(
    *,
    municipality: Municipality,
    actor: Actor,
    name: str,
    url: str,
    types: list[str],
    batch_size: int = 100,
    start: str = "now",
    may: Callable[[str], bool],
) -> tuple[Subscription, str]:
    """A new webhook and its signing secret (shown once). ``start``: ``now`` delivers
    events from now on, ``beginning`` everything the outbox holds."""
    errors = ErrorCollector()
    _check(errors, name=name, url=url, batch_size=batch_size)
    if start not in ("now", "beginning"):
        errors.add(
            "start.choice",
            "開始位置は now か beginning です。",
            "start is now or beginning.",
            "start",
        )
    errors.raise_if_any()
    types = _check_types(types, may)
    _name_taken(name)
    secret = signing.new_secret()
    cursor = 0
    if start == "now":
        cursor = OutboxEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    subscription = Subscription.objects.create(
        municipality=municipality,
        name=name.strip(),
        url=url,
        secret_sealed=secrets.encrypt(secret, context=delivery.secret_context(municipality.code)),
        types=types,
        batch_size=batch_size,
        cursor=cursor,
        created_by=actor.label[:150],
    )
    _audit(actor, "created", subscription, {"types": types, "cursor": cursor})
    return subscription, secret


@transaction.atomic
def update_subscription(
    *,
    actor: Actor,
    subscription: Subscription,
    name: str,
    url: str,
    types: list[str],
    batch_size: int,
    may: Callable[[str], bool],
) -> Subscription:
    errors = ErrorCollector()
    _check(errors, name=name, url=url, batch_size=batch_size)
    errors.raise_if_any()
    types = _check_types(types, may)
    _name_taken(name, exclude=subscription)
    subscription.name, subscription.url = name.strip(), url
    subscription.types, subscription.batch_size = types, batch_size
    subscription.save(update_fields=["name", "url", "types", "batch_size"])
    _audit(actor, "updated", subscription, {"types": types})
    return subscription


def _set_state(actor: Actor, subscription: Subscription, state: str, action: str) -> Subscription:
    with transaction.atomic():
        subscription.state = state
        fields = ["state"]
        if state == SubscriptionState.ACTIVE:
            # Resuming starts over the backoff: the administrator says the receiver is back.
            subscription.failures, subscription.failing_since = 0, None
            subscription.next_attempt_at = None
            fields += ["failures", "failing_since", "next_attempt_at"]
        subscription.save(update_fields=fields)
        _audit(actor, action, subscription)
    if state == SubscriptionState.ACTIVE:
        _queue(subscription)
    return subscription


def pause_subscription(*, actor: Actor, subscription: Subscription) -> Subscription:
    """Stop delivering (events keep accumulating after the cursor)."""
    return _set_state(actor, subscription, SubscriptionState.PAUSED, "paused")


def resume_subscription(*, actor: Actor, subscription: Subscription) -> Subscription:
    """Deliver again, from the cursor: nothing published meanwhile is lost."""
    return _set_state(actor, subscription, SubscriptionState.ACTIVE, "resumed")


@transaction.atomic
def delete_subscription(*, actor: Actor, subscription: Subscription) -> None:
    _audit(actor, "deleted", subscription)
    subscription.delete()


@transaction.atomic
def rotate_secret(*, actor: Actor, subscription: Subscription) -> tuple[Subscription, str]:
    """A new signing secret; the old one also signs for 24 hours so the receiver can switch."""
    secret = signing.new_secret()
    context = delivery.secret_context(subscription.municipality_id)
    subscription.previous_secret_sealed = subscription.secret_sealed
    subscription.previous_secret_until = timezone.now() + ROTATION_OVERLAP
    subscription.secret_sealed = secrets.encrypt(secret, context=context)
    subscription.save(
        update_fields=["secret_sealed", "previous_secret_sealed", "previous_secret_until"]
    )
    _audit(actor, "secret_rotated", subscription)
    return subscription, secret


def replay(*, actor: Actor, subscription: Subscription, after: int) -> Subscription:
    """Deliver again every event after sequence ``after`` (the receiver dedupes by id)."""
    head = OutboxEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    if not 0 <= after <= head:
        raise RuleViolation(
            "after.range",
            f"再送の開始位置は0〜{head}で指定してください。",
            f"after must be between 0 and {head}, the last sequence number.",
            "after",
        )
    with transaction.atomic():
        locked = Subscription.objects.select_for_update().get(id=subscription.id)
        locked.cursor, locked.retry_through, locked.isolate_through = after, 0, 0
        locked.save(update_fields=["cursor", "retry_through", "isolate_through"])
        _audit(actor, "replayed", locked, {"after": after, "before": subscription.cursor})
    _queue(locked)
    return locked


def redeliver_dead_letter(*, actor: Actor, letter: DeadLetter) -> DeadLetter:
    """Post a set-aside event once more; kept as redelivered only if the receiver took it."""
    answer = delivery.redeliver(letter.municipality_id, letter)
    if not answer.ok:
        raise RuleViolation(
            "dead_letter.refused",
            f"配信先が再び受け取りませんでした（{answer.error}）。",
            f"The receiver refused it again ({answer.error}).",
            status=409,
        )
    with transaction.atomic():
        letter.redelivered_at = timezone.now()
        letter.save(update_fields=["redelivered_at"])
        audit(
            actor,
            "linkage.dead_letter.redelivered",
            object_type="subscription",
            object_id=str(letter.subscription_id),
            details={"seq": letter.seq},
        )
    return letter


def _queue(subscription: Subscription) -> None:
    code, subscription_id = subscription.municipality_id, str(subscription.id)
    transaction.on_commit(lambda: deliver_events.enqueue(code, subscription_id))


def _audit(actor: Actor, action: str, subscription: Subscription, details=None) -> None:
    audit(
        actor,
        f"linkage.subscription.{action}",
        object_type="subscription",
        object_id=str(subscription.id),
        details={"name": subscription.name, **(details or {})},
    )
