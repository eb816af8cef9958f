"""The linkage API: the pull feed, subscriptions, replay and dead letters."""

from __future__ import annotations

import pytest

from jichi.audit.models import AuditEntry
from jichi.common import secrets
from jichi.linkage import catalog, delivery
from jichi.linkage.models import DeadLetter, Subscription
from jichi.linkage.receiver import Receiver
from jichi.tenancy.context import tenant_scope
from tests import factories
from tests.factories import bearer
from tests.linkage.conftest import publish, refresh, subscribe
from tests.registry.people import family

EVENTS = "/api/v1/municipalities/141003/events"
SUBSCRIPTIONS = "/api/v1/municipalities/141003/subscriptions"


@pytest.fixture
def system(yokohama):
    """A token with every scope."""
    return bearer(factories.token(yokohama)[1])


def _feed(client, headers, **params):
    response = client.get(EVENTS, params, **headers)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_feed_reads_in_order_and_resumes_from_any_point(client, yokohama, system):
    publish(yokohama, 7)
    first = _feed(client, system, limit=3)
    assert [e["jichisequence"] for e in first["items"]] == [1, 2, 3] and first["more"]
    rest = _feed(client, system, after=first["next_after"], limit=10)
    assert [e["jichisequence"] for e in rest["items"]] == [4, 5, 6, 7]
    assert not rest["more"] and rest["next_after"] == 7
    assert _feed(client, system, after=7)["items"] == []
    assert _feed(client, system, after=2, limit=1)["items"][0]["data"] == {"n": 2}


def test_the_feed_filters_by_type_patterns(client, yokohama, system):
    family(yokohama)
    publish(yokohama, 2)
    people = _feed(client, system, type="registry.person.*")
    assert {e["type"] for e in people["items"]} == {"jp.jichi.registry.person.registered"}
    assert people["next_after"] == 6  # the head: nothing more of these types up to it
    both = client.get(
        EVENTS + "?type=registry.household.changed&type=counter.visit.completed", **system
    ).json()
    assert [e["type"].rsplit(".", 2)[-2] for e in both["items"]] == ["household", "visit", "visit"]


def test_a_reader_gets_only_the_types_its_scopes_allow(client, yokohama):
    family(yokohama)
    publish(yokohama, 2)
    _, counter_only = factories.token(yokohama, ["events:read", "counter:dashboard"])
    page = _feed(client, bearer(counter_only))
    assert {e["type"] for e in page["items"]} == {"jp.jichi.counter.visit.completed"}
    _, registry_only = factories.token(yokohama, ["events:read", "registry:read"])
    assert len(_feed(client, bearer(registry_only))["items"]) == 4


def test_the_feed_needs_its_scope(client, yokohama):
    _, secret = factories.token(yokohama, ["registry:read"])
    response = client.get(EVENTS, **bearer(secret))
    assert response.status_code == 403
    assert "events:read" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "params, code",
    [
        ({"after": -1}, "after.range"),
        ({"limit": 0}, "limit.range"),
        ({"type": "nope"}, "types.unknown"),
    ],
)
def test_bad_feed_parameters_are_named(client, yokohama, system, params, code):
    response = client.get(EVENTS, params, **system)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code and error["message_ja"] and error["message"]


def test_the_catalog_is_public_and_lists_every_type(client):
    response = client.get("/api/v1/event-types")
    assert response.status_code == 200
    assert [t["type"] for t in response.json()] == [t.type for t in catalog.TYPES]


def test_publishing_a_type_outside_the_catalog_is_refused(yokohama):
    from jichi.linkage import outbox

    with tenant_scope(yokohama.code), pytest.raises(ValueError, match="not in"):
        outbox.publish("registry.person.teleported", {})


def test_the_events_document_describes_every_type():
    from tests.cli import ROOT

    text = (ROOT / "docs" / "events.md").read_text(encoding="utf-8")
    for event_type in catalog.TYPES:
        assert f"`{event_type.type}`" in text, event_type.type
        for field in event_type.data:
            assert f"`{field}`" in text, (event_type.type, field)


# --- subscriptions -------------------------------------------------------------------


def _create(client, headers, **body):
    values = {"name": "就学システム", "url": "https://gakurei.example.lg.jp/hooks"}
    values.update(body)
    return client.post(SUBSCRIPTIONS, values, content_type="application/json", **headers)


def test_a_subscription_is_created_with_a_secret_shown_once_and_sealed(client, yokohama, system):
    publish(yokohama, 3)
    response = _create(client, system, types=["registry.person.*"])
    assert response.status_code == 201, response.content
    body = response.json()
    secret = body["secret"]
    assert secret.startswith("whsec_")
    assert body["subscription"]["cursor"] == 3  # from now on by default
    with tenant_scope(yokohama.code):
        stored = Subscription.objects.get(id=body["subscription"]["id"])
        audited = AuditEntry.objects.filter(action="linkage.subscription.created").count()
    assert secret.encode() not in bytes(stored.secret_sealed)
    assert secrets.decrypt(stored.secret_sealed, context=delivery.secret_context("141003")) == (
        secret
    )
    assert audited == 1
    listed = client.get(SUBSCRIPTIONS, **system).json()
    assert [s["name"] for s in listed] == ["就学システム"] and "secret" not in listed[0]


@pytest.mark.parametrize(
    "body, field, code",
    [
        ({"url": "ftp://example.jp/x"}, "url", "url.invalid"),
        ({"url": "https://user:pw@example.jp/x"}, "url", "url.credentials"),
        ({"batch_size": 0}, "batch_size", "batch_size.range"),
        ({"batch_size": 501}, "batch_size", "batch_size.range"),
        ({"name": " "}, "name", "name.required"),
        ({"types": ["registry.persons.*"]}, "types", "types.unknown"),
        ({"start": "yesterday"}, "start", "start.choice"),
    ],
)
def test_bad_subscriptions_are_refused_naming_the_field(
    client, yokohama, system, body, field, code
):
    response = _create(client, system, **body)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == code and field in error["fields"]
    with tenant_scope(yokohama.code):
        assert not Subscription.objects.exists()


def test_plain_http_is_refused_outside_development_except_to_this_machine(
    client, yokohama, system, settings
):
    settings.DEBUG = settings.TESTING = False
    refused = _create(client, system, url="http://gakurei.example.lg.jp/hooks")
    assert refused.json()["error"]["code"] == "url.https_required"
    assert _create(client, system, url="http://127.0.0.1:9000/hooks").status_code == 201


def test_a_system_cannot_subscribe_to_events_its_scopes_do_not_cover(client, yokohama):
    _, secret = factories.token(yokohama, ["webhooks:manage", "counter:dashboard"])
    refused = _create(client, bearer(secret), types=["registry.person.registered"])
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "types.permission"
    every = _create(client, bearer(secret), types=[])  # all types: registry ones need more
    assert every.status_code == 403
    allowed = _create(client, bearer(secret), types=["counter.visit.*"])
    assert allowed.status_code == 201


def test_names_are_unique_in_a_municipality(client, yokohama, system):
    assert _create(client, system).status_code == 201
    again = _create(client, system)
    assert again.status_code == 409 and again.json()["error"]["code"] == "name.taken"


def test_pause_resume_update_and_delete(client, yokohama, system):
    created = _create(client, system).json()["subscription"]
    one = f"{SUBSCRIPTIONS}/{created['id']}"
    assert client.post(one + "/pause", **system).json()["state"] == "paused"
    assert client.post(one + "/resume", **system).json()["state"] == "active"
    updated = client.put(
        one,
        {"name": "就学", "url": "https://x.example.jp/h", "types": [], "batch_size": 1},
        content_type="application/json",
        **system,
    ).json()
    assert (updated["name"], updated["batch_size"]) == ("就学", 1)
    assert client.delete(one, **system).status_code == 204
    assert client.get(one, **system).status_code == 404
    with tenant_scope(yokohama.code):
        actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {f"linkage.subscription.{a}" for a in ("paused", "resumed", "updated", "deleted")} <= (
        actions
    )


def test_replay_sends_again_from_a_cursor_and_the_receiver_ignores_what_it_has(
    client, yokohama, system
):
    with Receiver() as receiver:
        subscription, _ = subscribe(yokohama, receiver.url)
        publish(yokohama, 5)
        delivery.deliver(yokohama.code, str(subscription.id))
        response = client.post(
            f"{SUBSCRIPTIONS}/{subscription.id}/replay",
            {"after": 2},
            content_type="application/json",
            **system,
        )
        assert response.status_code == 200 and response.json()["cursor"] == 2
        delivery.deliver(yokohama.code, str(subscription.id))
    assert receiver.received.duplicates == 3 and len(receiver.received.applied) == 5
    too_far = client.post(
        f"{SUBSCRIPTIONS}/{subscription.id}/replay",
        {"after": 6},
        content_type="application/json",
        **system,
    )
    assert too_far.status_code == 400 and too_far.json()["error"]["code"] == "after.range"


def test_a_rotated_secret_signs_beside_the_old_one_for_a_day(client, yokohama, system):
    from jichi.linkage import signing

    with Receiver() as receiver:
        subscription, old = subscribe(yokohama, receiver.url)
        rotated = client.post(f"{SUBSCRIPTIONS}/{subscription.id}/rotate-secret", **system)
        new = rotated.json()["secret"]
        assert new != old
        for secret in (old, new):  # a receiver with either secret accepts
            receiver.secret = secret
            publish(yokohama, 1)
            delivery.deliver(yokohama.code, str(subscription.id))
        assert receiver.received.refused_signatures == 0
        assert len(receiver.received.applied) == 2
        receiver.secret = signing.new_secret()
        publish(yokohama, 1)
        delivery.deliver(yokohama.code, str(subscription.id))
        assert receiver.received.refused_signatures == 1


def test_dead_letters_are_listed_and_redelivered(client, yokohama, system):
    refuse = {"on": True}

    def answer(events):
        return 422 if refuse["on"] and events[0]["data"]["n"] == 1 else 200

    with Receiver(answer=answer) as receiver:
        subscription, _ = subscribe(yokohama, receiver.url, batch_size=1)
        publish(yokohama, 3)
        for _ in range(6):
            with tenant_scope(yokohama.code):
                Subscription.objects.filter(id=subscription.id).update(next_attempt_at=None)
            delivery.deliver(yokohama.code, str(subscription.id))
        one = f"{SUBSCRIPTIONS}/{subscription.id}/dead-letters"
        letters = client.get(one, **system).json()
        assert [(d["seq"], d["status"]) for d in letters] == [(2, 422)]
        again = client.post(f"{one}/{letters[0]['id']}/redeliver", **system)
        assert again.status_code == 409  # still refused
        refuse["on"] = False
        again = client.post(f"{one}/{letters[0]['id']}/redeliver", **system)
        assert again.status_code == 200 and again.json()["redelivered_at"]
    assert [e["data"]["n"] for e in receiver.received.applied] == [0, 2, 1]
    assert client.get(one, **system).json() == []
    with tenant_scope(yokohama.code):
        assert DeadLetter.objects.get().redelivered_at is not None
    assert refresh(subscription).dead_lettered == 1
