"""Reads of the linkage app: the event feed, subscriptions, dead letters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Max

from jichi.common.errors import RuleViolation, not_found
from jichi.common.ids import parse_id
from jichi.common.pagination import check_limit
from jichi.linkage import catalog
from jichi.linkage.models import DeadLetter, OutboxEvent, Subscription, Transfer


@dataclass(frozen=True)
class FeedPage:
    events: list[OutboxEvent]
    next_after: int  # give it back as ``after`` to read on
    more: bool  # more events are ready now


def feed(*, after: int, limit: int, types: list[str], may: Callable[[str], bool]) -> FeedPage:
    """The municipality's events after sequence ``after``, in order, of the types the
    reader may receive (``types`` narrows them further; patterns as in subscriptions)."""
    if after < 0:
        raise RuleViolation(
            "after.range",
            "after は0以上の整数です。",
            "after is an integer of 0 or more.",
            "after",
        )
    limit = check_limit(limit)
    allowed = [t for t in catalog.expand(types) if may(catalog.BY_TYPE[t].permission)]
    if not allowed:
        return FeedPage([], after, False)
    head = OutboxEvent.objects.aggregate(head=Max("seq"))["head"] or 0
    events = OutboxEvent.objects.filter(seq__gt=after, seq__lte=head)
    if len(allowed) < len(catalog.TYPES):
        events = events.filter(type__in=allowed)
    page = list(events.order_by("seq")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    # With nothing (more) of the reader's types up to the head, the reader may skip to it.
    next_after = page[-1].seq if more else max(head, after)
    return FeedPage(page, next_after, more)


def subscriptions() -> list[Subscription]:
    return list(Subscription.objects.order_by("name"))


def subscription(subscription_id) -> Subscription:
    found = Subscription.objects.filter(id=parse_id(subscription_id, "subscription", "配信先"))
    return _one(found.first(), "subscription", "配信先")


def dead_letters(subscription: Subscription, *, include_redelivered: bool = False):
    letters = DeadLetter.objects.filter(subscription=subscription).select_related("event")
    if not include_redelivered:
        letters = letters.filter(redelivered_at__isnull=True)
    return letters.order_by("seq")


def dead_letter(subscription: Subscription, letter_id) -> DeadLetter:
    found = DeadLetter.objects.filter(
        subscription=subscription, id=parse_id(letter_id, "dead letter", "配信不能イベント")
    )
    return _one(found.first(), "dead letter", "配信不能イベント")


def transfer(transfer_id, direction: str | None = None) -> Transfer:
    """A hand-over of the municipality in scope (of ``direction`` if given)."""
    found = Transfer.objects.filter(transfer_id=parse_id(transfer_id, "hand-over", "引継ぎ"))
    if direction is not None:
        found = found.filter(direction=direction)
    return _one(found.order_by("direction").first(), "hand-over", "引継ぎ")


def _one(row, what_en: str, what_ja: str):
    if row is None:
        raise not_found(what_en, what_ja)
    return row
