"""Webhook delivery: events per second to a local receiver, and 宛名 change → receiver latency.

The receiver is the reference receiver (:mod:`jichi.linkage.receiver`: signature
checked, every event id applied once) in a child process on 127.0.0.1.

Throughput (goal ≥ 1,000 events/s). ``--webhook-events`` events (default 20,000)
wait in one municipality's outbox; a new subscription (``start=beginning``)
delivers them with :func:`jichi.linkage.delivery.deliver` until its cursor is at
the head:

* **batch 100**: arrays of 100 envelopes a request — lease, outbox reads,
  envelopes, signatures, posts and cursor moves, as the worker does them;
* **batch 1**: one event a request (``--webhook-single-events``, default 2,000),
  for information;
* **reference**: the same signed batch bodies, built beforehand, posted with
  the same HTTP client to the same receiver — no database at all. The ratio
  delivery/reference shows what the database side costs.

Latency (goal p95 ≤ 1 s). ``jichi worker`` runs as a child process (the
database task queue, as ``make run`` starts it). The bench records
``--name-changes`` 氏名変更 (default 200, one every 50 ms) through the
register's service; the receiver notes when each ``registry.person.changed``
arrives. Latency is arrival minus the commit of the change: the wake-up, the
task queue's polling, the delivery and the post.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from datetime import date

from bench import harness, server

NAME = "linkage_webhooks"
DESCRIPTION = "webhook delivery events/s (goal >= 1,000) and name change -> receiver p95 (<= 1 s)"
GOAL_PER_SECOND = 1000
GOAL_P95_SECONDS = 1.0
CODE, SINGLE_CODE = "141003", "141305"  # 横浜市, 川崎市


def add_arguments(group) -> None:
    group.add_argument("--webhook-events", type=int, default=20_000)
    group.add_argument("--webhook-single-events", type=int, default=2_000)
    group.add_argument("--name-changes", type=int, default=200)


# --- the receiver process --------------------------------------------------------------


def _serve(secret: str, port_out, applied, arrivals) -> None:
    from jichi.linkage.receiver import Receiver

    def answer(events):
        for event in events:
            if "movement" in event["data"]:
                arrivals.put((event["data"]["movement"], time.time()))
        with applied.get_lock():
            applied.value += len(events)
        return 200

    receiver = Receiver(secret, answer=answer)
    port_out.put(receiver.url)
    receiver.serve_forever()


class ReceiverProcess:
    def __init__(self, secret: str) -> None:
        context = multiprocessing.get_context("fork")
        self.applied = context.Value("q", 0)
        self.arrivals = context.Queue()
        urls = context.Queue()
        self.process = context.Process(
            target=_serve, args=(secret, urls, self.applied, self.arrivals), daemon=True
        )
        self.process.start()
        self.url = urls.get(timeout=30)

    def wait_for(self, count: int, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while self.applied.value < count:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the receiver got {self.applied.value} of {count} events")
            time.sleep(0.01)

    def stop(self) -> None:
        self.process.kill()
        self.process.join()


# --- set-up --------------------------------------------------------------------------


def _municipality(code: str):
    from jichi.tenancy.principals import Actor
    from jichi.tenancy.services import activate_municipality, add_local_government

    municipality = add_local_government(code)
    activate_municipality(municipality=municipality, actor=Actor.system("bench"))
    return municipality


def _fill_outbox(code: str, events: int) -> None:
    from django.db import transaction

    from jichi.linkage.outbox import publish_many
    from jichi.tenancy.context import tenant_scope

    with tenant_scope(code):
        for start in range(0, events, 500):
            with transaction.atomic():
                publish_many(
                    [
                        (
                            "counter.visit.completed",
                            {"visit": f"v{i}", "procedure_id": "juminhyo", "wait_seconds": i},
                            f"visit/{i % 100}",
                        )
                        for i in range(start, min(events, start + 500))
                    ]
                )


def _subscribe(municipality, url: str, *, batch_size: int, types=(), start="beginning"):
    from jichi.linkage import services
    from jichi.tenancy.context import tenant_scope
    from jichi.tenancy.principals import Actor

    with tenant_scope(municipality.code):
        return services.create_subscription(
            municipality=municipality,
            actor=Actor.system("bench"),
            name=f"bench {batch_size} {start}",
            url=url,
            types=list(types),
            batch_size=batch_size,
            start=start,
            may=lambda permission: True,
        )


# --- throughput ---------------------------------------------------------------------


def _deliver_all(subscription, receiver: ReceiverProcess, expected: int) -> dict:
    from jichi.linkage import delivery

    before = receiver.applied.value
    cpu, start = time.process_time(), time.perf_counter()
    while delivery.deliver(subscription.municipality_id, str(subscription.id), budget=1e9).more:
        pass
    receiver.wait_for(before + expected)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {
        "events": expected,
        "seconds": round(seconds, 2),
        "per_second": round(expected / seconds),
        "cpu_per_event_us": round(cpu / expected * 1e6, 1),
    }


def _reference(code: str, url: str, secret: str, receiver: ReceiverProcess) -> dict:
    import json

    import httpx

    from jichi.linkage import signing
    from jichi.linkage.models import OutboxEvent
    from jichi.linkage.outbox import envelope
    from jichi.tenancy.context import tenant_scope

    with tenant_scope(code):
        events = list(OutboxEvent.objects.order_by("seq"))
    bodies = []
    for start in range(0, len(events), 100):
        chunk = events[start : start + 100]
        body = json.dumps([envelope(e) for e in chunk], ensure_ascii=False).encode()
        headers = {"content-type": "application/cloudevents-batch+json"}
        headers.update(signing.headers([secret], f"ref_{start}", body))
        bodies.append((len(chunk), body, headers))
    before = receiver.applied.value
    with httpx.Client() as client:
        start = time.perf_counter()
        for _, body, headers in bodies:
            client.post(url, content=body, headers=headers).raise_for_status()
        receiver.wait_for(before + len(events))
        seconds = time.perf_counter() - start
    return {"events": len(events), "seconds": round(seconds, 2),
            "per_second": round(len(events) / seconds)}  # fmt: skip


# --- latency --------------------------------------------------------------------------


def _latency(workspace, database, municipality, receiver, n: int) -> dict:
    from jichi.registry import services as registry
    from jichi.registry.codes import ResidentStatus
    from jichi.registry.demo.writer import generate_population
    from jichi.registry.models import Person
    from jichi.registry.schemas import NameChangeIn
    from jichi.tenancy.context import tenant_scope
    from jichi.tenancy.principals import Actor

    with harness.Stopwatch(f"generate {n * 2:,} residents"):
        generate_population(municipality.code, n * 2, with_my_number=False)
    with tenant_scope(municipality.code):
        current = Person.objects.filter(
            versions__valid_to__isnull=True,
            versions__superseded_at__isnull=True,
            versions__status=ResidentStatus.RESIDENT,
        )
        numbers = list(current.order_by("number").values_list("number", flat=True)[:n])
    _subscribe(municipality, receiver.url, batch_size=100, types=["registry.person.changed"],
               start="now")  # fmt: skip
    committed: dict[str, float] = {}
    arrived: dict[str, float] = {}

    def collect(stop: threading.Event) -> None:
        while not stop.is_set() or len(arrived) < len(committed):
            try:
                movement, at = receiver.arrivals.get(timeout=0.2)
            except Exception:  # queue.Empty
                if stop.is_set() and time.monotonic() > give_up:
                    return
                continue
            arrived[movement] = at

    log = workspace.directory / "worker.log"
    actor = Actor.system("bench")
    with server.worker(workspace, database, log):
        time.sleep(3)  # the worker starts
        stop = threading.Event()
        give_up = time.monotonic() + 1e9
        collector = threading.Thread(target=collect, args=(stop,), daemon=True)
        collector.start()
        for i, number in enumerate(numbers):
            notice = NameChangeIn(
                person=number, effective_on=date.today(), family_name="改姓",
                given_name=f"名{i}", family_name_kana="カイセイ", given_name_kana="ナ",
            )  # fmt: skip
            with tenant_scope(municipality.code):
                movement = registry.record_name_change(
                    municipality=municipality, actor=actor, notice=notice
                )
            committed[str(movement.id)] = time.time()
            time.sleep(0.05)
        give_up = time.monotonic() + 60
        stop.set()
        collector.join(timeout=70)
    delays = sorted(arrived[m] - committed[m] for m in committed if m in arrived)
    if len(delays) < len(committed):
        raise RuntimeError(f"{len(committed) - len(delays)} name changes never arrived; see {log}")
    return {
        "changes": len(delays),
        "p50_s": round(harness.percentile(delays, 50), 3),
        "p95_s": round(harness.percentile(delays, 95), 3),
        "max_s": round(delays[-1], 3),
    }


def run(args) -> dict:
    from bench.registry_import import _data_key
    from jichi.linkage import signing

    events = 2_000 if args.quick else args.webhook_events
    singles = 300 if args.quick else args.webhook_single_events
    changes = 40 if args.quick else args.name_changes
    workspace = args.workspace
    database = workspace.fresh("webhooks")
    _data_key()
    secret = signing.new_secret()
    receiver = ReceiverProcess(None)
    try:
        yokohama, kawasaki = _municipality(CODE), _municipality(SINGLE_CODE)
        with harness.Stopwatch(f"publish {events:,} + {singles:,} events"):
            _fill_outbox(CODE, events)
            _fill_outbox(SINGLE_CODE, singles)
        workspace.analyze()
        reference = _reference(CODE, receiver.url, secret, receiver)
        batch, _ = _subscribe(yokohama, receiver.url, batch_size=100)
        batched = _deliver_all(batch, receiver, events)
        single, _ = _subscribe(kawasaki, receiver.url, batch_size=1)
        one_by_one = _deliver_all(single, receiver, singles)
        latency = _latency(workspace, database, yokohama, receiver, changes)
    finally:
        receiver.stop()
    return _report(workspace, reference, batched, one_by_one, latency)


def _report(workspace, reference, batched, one_by_one, latency) -> dict:
    rows = [
        {"what": "delivery, batches of 100", **batched},
        {"what": "delivery, one event a request", **one_by_one},
        {"what": "reference: the same batches posted, no database", **reference},
    ]
    harness.print_table(
        rows,
        [("what", "what"), ("events", "events"), ("seconds", "s"), ("per_second", "events/s"),
         ("cpu_per_event_us", "CPU µs/event")],
    )  # fmt: skip
    ratio = batched["per_second"] / reference["per_second"]
    rate_verdict = "meets" if batched["per_second"] >= GOAL_PER_SECOND else "MISSES"
    latency_verdict = "meets" if latency["p95_s"] <= GOAL_P95_SECONDS else "MISSES"
    print(
        f"\n{workspace.vendor}: {batched['per_second']:,} events/s {rate_verdict} the goal >= "
        f"{GOAL_PER_SECOND:,} (delivery/reference {ratio:.2f}); name change -> receiver "
        f"p50 {latency['p50_s']} s, p95 {latency['p95_s']} s {latency_verdict} the goal <= "
        f"{GOAL_P95_SECONDS} s (max {latency['max_s']} s, {latency['changes']} changes)"
    )
    figures = {
        "batched": batched,
        "single": one_by_one,
        "reference": reference,
        "ratio_to_reference": round(ratio, 3),
        "latency": latency,
    }
    return figures
