"""Delivery as background tasks: the database queue and RQ on Redis, lost tasks, retries."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from jichi.linkage import tasks
from jichi.linkage.models import Subscription
from jichi.linkage.receiver import Receiver
from jichi.tenancy.context import tenant_scope
from tests.linkage.conftest import publish, refresh, subscribe


def _queued() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(status="READY", queue_name=tasks.QUEUE))


# The worker closes its database connections when it stops, as a worker process should:
# the tests that run it do without the test's wrapping transaction.
worker_runs = pytest.mark.django_db(transaction=True)


@worker_runs
def test_a_committed_change_queues_one_delivery_and_the_worker_delivers_it(
    yokohama, receiver, django_capture_on_commit_callbacks
):
    subscription, _ = subscribe(yokohama, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        publish(yokohama, 3)  # three commits; one task: the first wakes it, the rest find it awake
    queued = _queued()
    assert len(queued) == 1
    assert queued[0].args_kwargs["args"] == [yokohama.code, str(subscription.id)]

    call_command("worker", "--batch")

    assert [e["data"]["n"] for e in receiver.received.applied] == [0, 1, 2]
    assert not refresh(subscription).wake and _queued() == []


def test_a_change_that_rolls_back_queues_nothing(
    yokohama, receiver, django_capture_on_commit_callbacks
):
    subscribe(yokohama, receiver.url)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                publish(yokohama, 1)
                raise RuntimeError("the change fails")
        except RuntimeError:
            pass
    assert callbacks == [] and _queued() == []


def test_a_paused_subscription_is_not_woken(yokohama, receiver, django_capture_on_commit_callbacks):
    subscription, _ = subscribe(yokohama, receiver.url)
    with tenant_scope(yokohama.code):
        Subscription.objects.filter(id=subscription.id).update(state="paused")
    with django_capture_on_commit_callbacks(execute=True):
        publish(yokohama, 1)
    assert _queued() == []


@worker_runs
def test_a_lost_task_is_queued_again_by_the_sweep(yokohama, receiver):
    subscription, _ = subscribe(yokohama, receiver.url)
    publish(yokohama, 2)  # committed, and its delivery queued ...
    DBTaskResult.objects.all().delete()  # ... then lost
    assert refresh(subscription).wake and _queued() == []

    assert tasks.sweep() == 1
    call_command("worker", "--batch")

    assert len(receiver.received.applied) == 2
    assert tasks.sweep() == 0  # nothing waits any more


def test_a_failed_delivery_queues_its_retry_for_later(yokohama):
    with Receiver(answer=lambda events: 503) as down:
        subscription, _ = subscribe(yokohama, down.url)
        publish(yokohama, 1)
        tasks.deliver_events.call(yokohama.code, str(subscription.id))
    retry = _queued()
    assert len(retry) == 1 and retry[0].run_after is not None
    assert retry[0].run_after == refresh(subscription).next_attempt_at


# --- RQ on Redis ---------------------------------------------------------------------


@pytest.fixture
def rq(settings):
    """The RQ backend on the test Redis database, emptied before and after."""
    import django_rq
    import redis

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": settings.TASK_QUEUES}
    }
    try:
        django_rq.get_connection(tasks.QUEUE).ping()
    except redis.exceptions.ConnectionError:
        pytest.fail(f"Redis is not running at {settings.JICHI_REDIS_URL}")
    queue = django_rq.get_queue(tasks.QUEUE)

    def empty():
        queue.empty()
        for registry in (queue.scheduled_job_registry, queue.finished_job_registry):
            for job_id in registry.get_job_ids():
                registry.remove(job_id, delete_job=True)

    empty()
    yield queue
    empty()


def _work(queue) -> None:
    """Run the queued jobs in this process (so they see the test's database)."""
    from django_tasks_rq import Job
    from rq import SimpleWorker

    SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)


def test_rq_delivers_what_a_commit_queued(
    yokohama, receiver, rq, django_capture_on_commit_callbacks
):
    subscription, secret = subscribe(yokohama, receiver.url)
    receiver.secret = secret
    with django_capture_on_commit_callbacks(execute=True):
        publish(yokohama, 4)
    assert rq.count == 1

    _work(rq)

    assert [e["data"]["n"] for e in receiver.received.applied] == [0, 1, 2, 3]
    assert receiver.received.refused_signatures == 0
    assert refresh(subscription).cursor == 4


def test_rq_schedules_the_retry_of_a_failed_delivery(yokohama, rq):
    with Receiver(answer=lambda events: 503) as down:
        subscription, _ = subscribe(yokohama, down.url)
        publish(yokohama, 1)
        tasks.wake_subscriptions(yokohama.code)
        _work(rq)
    scheduled = rq.scheduled_job_registry.get_job_ids()
    assert len(scheduled) == 1
    assert refresh(subscription).failures == 1


def test_with_rq_a_lost_job_is_queued_again_by_the_sweep(yokohama, receiver, rq):
    subscribe(yokohama, receiver.url)
    publish(yokohama, 2)
    tasks.wake_subscriptions(yokohama.code)
    rq.empty()  # Redis lost the job

    assert tasks.sweep() == 1
    _work(rq)

    assert len(receiver.received.applied) == 2
