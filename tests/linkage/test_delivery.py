"""Webhook delivery: signed, in order, at least once, with backoff, dead letters and leases."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from jichi.linkage import delivery, signing
from jichi.linkage.models import DeadLetter, Subscription, SubscriptionState
from jichi.linkage.receiver import Receiver
from jichi.registry import services as registry
from jichi.tenancy.context import tenant_scope
from tests.linkage.conftest import publish, refresh, subscribe
from tests.registry.people import family, record


def _deliver(subscription, **kwargs):
    return delivery.deliver(subscription.municipality_id, str(subscription.id), **kwargs)


def _due_now(subscription):
    """Let the next attempt happen now (as if its backoff had passed)."""
    with tenant_scope(subscription.municipality_id):
        Subscription.objects.filter(id=subscription.id).update(next_attempt_at=timezone.now())


def test_a_movement_reaches_the_receiver_signed_as_cloudevents(yokohama, receiver):
    subscription, secret = subscribe(yokohama, receiver.url, types=["registry.person.*"])
    receiver.secret = secret
    _, people = family(yokohama)

    outcome = _deliver(subscription)

    assert outcome.delivered == 3
    assert receiver.received.refused_signatures == 0
    events = receiver.received.applied
    assert [e["type"] for e in events] == ["jp.jichi.registry.person.registered"] * 3
    assert {e["data"]["resident_number"] for e in events} == {p.number for p in people}
    assert all(
        e["specversion"] == "1.0" and e["source"] == "/municipalities/141003" for e in events
    )
    # The household's event (not of the subscription's types) is passed over too.
    assert [e["jichisequence"] for e in events] == [1, 2, 3]
    assert refresh(subscription).cursor == 4


def test_types_outside_the_subscription_are_skipped_and_the_cursor_passes_them(yokohama, receiver):
    subscription, _ = subscribe(yokohama, receiver.url, types=["registry.household.changed"])
    family(yokohama)  # three persons registered, one household changed

    _deliver(subscription)

    assert [e["type"] for e in receiver.received.applied] == ["jp.jichi.registry.household.changed"]
    publish(yokohama, 5)  # visits only
    assert _deliver(subscription).delivered == 0
    assert refresh(subscription).cursor == 4 + 5  # moved past what it does not take


def test_a_batch_subscription_gets_arrays_a_batch_size_of_one_single_events(yokohama):
    bodies = []

    def answer(events):
        bodies.append(len(events))
        return 200

    with Receiver(answer=answer) as batches:
        subscription, _ = subscribe(yokohama, batches.url, batch_size=4)
        publish(yokohama, 10)
        _deliver(subscription)
    assert bodies == [4, 4, 2]

    seen = []
    client = httpx.Client(event_hooks={"request": [seen.append]})
    with Receiver() as singles:
        one, _ = subscribe(yokohama, singles.url, name="one", batch_size=1)
        _deliver(one, client=client)
        assert len(singles.received.applied) == 10
    assert {r.headers["content-type"] for r in seen} == {"application/cloudevents+json"}
    assert [r.headers["webhook-id"] for r in seen] == [e["id"] for e in singles.received.applied]


def test_a_receiver_that_is_down_gets_the_same_batch_again_after_a_backoff(yokohama):
    up = {"now": False}
    ids = []

    def answer(events):
        return 200 if up["now"] else 503

    client = httpx.Client(event_hooks={"request": [lambda r: ids.append(r.headers["webhook-id"])]})
    with Receiver(answer=answer) as down:
        subscription, _ = subscribe(yokohama, down.url)
        publish(yokohama, 3)
        first = _deliver(subscription, client=client)
        assert first.delivered == 0 and first.retry_at is not None
        failing = refresh(subscription)
        assert failing.failures == 1 and failing.last_status == 503 and failing.cursor == 0
        assert 0.9 <= (first.retry_at - timezone.now()).total_seconds() <= 1.1

        publish(yokohama, 2)  # more events while it is down
        assert not _deliver(subscription, client=client).claimed  # not before its time

        _due_now(subscription)
        up["now"] = True
        again = _deliver(subscription, client=client)
    assert ids[0] == ids[1]  # the same message (same events, same webhook-id) again
    assert again.delivered == 5
    assert [e["data"]["n"] for e in down.received.applied] == [0, 1, 2, 0, 1]
    done = refresh(subscription)
    assert done.failures == 0 and done.failing_since is None and done.retry_through == 0


def test_the_backoff_doubles_up_to_its_cap():
    delays = [delivery.backoff(n) for n in range(1, 14)]
    assert 0.9 <= delays[0] <= 1.1 and 1.8 <= delays[1] <= 2.2 and 3.6 <= delays[2] <= 4.4
    assert all(d <= delivery.BACKOFF_CAP * 1.1 for d in delays)
    assert delays[-1] >= delivery.BACKOFF_CAP * 0.9


def test_a_receiver_down_for_an_hour_gets_everything_afterwards_in_order(yokohama):
    state = {"up": False}
    with Receiver(answer=lambda events: 200 if state["up"] else 503) as receiver:
        subscription, _ = subscribe(yokohama, receiver.url, batch_size=7)
        start = timezone.now() - timedelta(hours=1)
        with tenant_scope(yokohama.code):
            Subscription.objects.filter(id=subscription.id).update(failing_since=start)
        for _ in range(12):  # an hour of attempts while events keep coming
            publish(yokohama, 5, subjects=4)
            _due_now(subscription)
            assert _deliver(subscription).delivered == 0
        state["up"] = True
        _due_now(subscription)
        while _deliver(subscription).more:
            pass
    applied = receiver.received.applied
    assert len(applied) == 60 and receiver.received.duplicates == 0
    assert [e["jichisequence"] for e in applied] == list(range(1, 61))
    assert refresh(subscription).state == SubscriptionState.ACTIVE


def test_after_the_retry_window_the_subscription_is_suspended_and_loses_nothing(yokohama):
    with Receiver(answer=lambda events: 503) as receiver:
        subscription, _ = subscribe(yokohama, receiver.url)
        publish(yokohama, 2)
        with tenant_scope(yokohama.code):
            Subscription.objects.filter(id=subscription.id).update(
                failing_since=timezone.now() - delivery.RETRY_WINDOW - timedelta(minutes=1)
            )
        outcome = _deliver(subscription)
    assert outcome.retry_at is None and not outcome.more
    suspended = refresh(subscription)
    assert suspended.state == SubscriptionState.SUSPENDED and suspended.cursor == 0
    assert not _deliver(subscription).claimed


def test_a_refused_event_is_found_set_aside_and_the_rest_goes_on(yokohama):
    def answer(events):
        return 422 if any(e["data"]["n"] == 3 for e in events) else 200

    with Receiver(answer=answer) as receiver:
        subscription, _ = subscribe(yokohama, receiver.url, batch_size=5)
        publish(yokohama, 8)
        outcome = _deliver(subscription)
        for _ in range(delivery.REFUSALS_BEFORE_DEAD_LETTER):
            if outcome.retry_at:
                _due_now(subscription)
            outcome = _deliver(subscription)
            if refresh(subscription).cursor == 8:
                break
    assert [e["data"]["n"] for e in receiver.received.applied] == [0, 1, 2, 4, 5, 6, 7]
    with tenant_scope(yokohama.code):
        letter = DeadLetter.objects.get()
    assert (letter.seq, letter.status, letter.attempts) == (4, 422, 3)
    assert refresh(subscription).dead_lettered == 1


def _while_in_flight(action):
    """A client that runs ``action`` once, while its first request is being sent."""
    done = []

    def hook(request):
        if not done:
            done.append(action())

    return httpx.Client(event_hooks={"request": [hook]}), done


def test_two_workers_never_deliver_one_subscription_at_once(yokohama, receiver):
    subscription, _ = subscribe(yokohama, receiver.url, batch_size=2)
    publish(yokohama, 4)
    client, second = _while_in_flight(lambda: _deliver(subscription))
    outcome = _deliver(subscription, client=client)
    assert second[0].claimed is False
    assert outcome.delivered == 4
    assert [e["jichisequence"] for e in receiver.received.applied] == [1, 2, 3, 4]


def test_a_lease_that_ran_out_is_taken_over_and_the_old_holder_stops(yokohama, receiver, settings):
    settings.JICHI_WEBHOOK_LEASE_SECONDS = 0  # the first holder's lease is over at once
    subscription, _ = subscribe(yokohama, receiver.url, batch_size=2)
    publish(yokohama, 4)
    client, other = _while_in_flight(lambda: _deliver(subscription))
    late = _deliver(subscription, client=client)
    assert other[0].delivered == 4
    assert late.delivered == 0  # its cursor move was refused: it had lost the lease
    applied = [e["jichisequence"] for e in receiver.received.applied]
    assert applied == [1, 2, 3, 4] and receiver.received.duplicates == 2
    assert refresh(subscription).cursor == 4


def test_a_wrong_secret_is_refused_by_the_receiver_and_retried(yokohama, receiver):
    subscription, _ = subscribe(yokohama, receiver.url)
    receiver.secret = signing.new_secret()
    publish(yokohama, 1)
    outcome = _deliver(subscription)
    assert outcome.delivered == 0
    assert receiver.received.refused_signatures == 1 and receiver.received.applied == []


def test_a_move_within_the_municipality_is_a_moved_event(yokohama, receiver):
    from jichi.registry.schemas import AddressIn, RelocationIn
    from tests.registry.people import days_ago

    subscription, _ = subscribe(yokohama, receiver.url, types=["registry.person.moved"])
    _, people = family(yokohama)
    notice = RelocationIn(
        persons=[p.number for p in people],
        effective_on=days_ago(3),
        notified_on=days_ago(1),
        address=AddressIn(town="中区山下町", block="5番地"),
    )
    record(yokohama, registry.record_relocation, notice)
    _deliver(subscription)
    moved = receiver.received.applied
    assert [e["data"]["reason"] for e in moved] == ["31"] * 3
    assert {e["type"] for e in moved} == {"jp.jichi.registry.person.moved"}
    assert {e["data"]["resident_number"] for e in moved} == {p.number for p in people}


def test_bodies_are_utf8_json(yokohama):
    raw = []
    client = httpx.Client(event_hooks={"request": [lambda r: raw.append(r.read())]})
    with Receiver() as receiver:
        subscription, _ = subscribe(yokohama, receiver.url)
        with tenant_scope(yokohama.code):
            from jichi.linkage import outbox

            outbox.publish("certificate.issued", {"kind": "住民票の写し"}, subject="x")
        _deliver(subscription, client=client)
    assert "住民票の写し".encode() in raw[0]
    assert json.loads(raw[0])[0]["data"]["kind"] == "住民票の写し"


@pytest.mark.parametrize("status", [408, 429, 500, 502])
def test_transient_answers_are_retried_not_set_aside(yokohama, status):
    with Receiver(answer=lambda events: status) as receiver:
        subscription, _ = subscribe(yokohama, receiver.url)
        publish(yokohama, 1)
        for _ in range(5):
            _due_now(subscription)
            assert _deliver(subscription).retry_at is not None
    with tenant_scope(yokohama.code):
        assert not DeadLetter.objects.exists()
    assert refresh(subscription).failures == 5
