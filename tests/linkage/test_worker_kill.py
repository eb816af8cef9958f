"""A delivery worker killed with SIGKILL mid-batch: nothing lost, nothing applied twice."""

from __future__ import annotations

import signal
import subprocess
import threading
import time

from jichi.linkage.receiver import Receiver
from tests.cli import cli_env, jichi, jichi_process, needs_script, scratch_database

EVENTS, BATCH = 100, 10

SETUP = """
from jichi.linkage import outbox, services
from jichi.tenancy.context import tenant_scope
from jichi.tenancy.principals import Actor
from jichi.tenancy.services import activate_municipality, add_local_government

actor = Actor.system("test")
m = add_local_government("141003")
activate_municipality(municipality=m, actor=actor)
with tenant_scope("141003"):
    services.create_subscription(
        municipality=m, actor=actor, name="receiver", url="{url}", types=[],
        batch_size={batch}, start="beginning", may=lambda permission: True,
    )
for i in range({events}):
    with tenant_scope("141003"):
        outbox.publish("counter.visit.completed", {{"n": i}}, subject=f"visit/{{i % 7}}")
"""


@needs_script
def test_a_worker_killed_mid_batch_loses_and_duplicates_nothing(tmp_path):
    with scratch_database(tmp_path, "worker") as url:
        _kill_mid_batch(cli_env(tmp_path, JICHI_DATABASE_URL=url, JICHI_WEBHOOK_LEASE_SECONDS="2"))


def _kill_mid_batch(env: dict) -> None:
    assert jichi("migrate", "--noinput", env=env).returncode == 0
    in_flight, release = threading.Event(), threading.Event()
    requests = []

    def answer(events):
        requests.append(len(events))
        if len(requests) == 3:  # hold the third batch while its worker is killed
            in_flight.set()
            release.wait(30)
        return 200

    with Receiver(answer=answer) as receiver:
        script = SETUP.format(url=receiver.url, batch=BATCH, events=EVENTS)
        done = jichi("shell", "-c", script, env=env)
        assert done.returncode == 0, done.stderr
        worker = jichi_process(
            "worker", env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            assert in_flight.wait(60), "the worker never sent its third batch"
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
        release.set()  # the receiver applies the batch whose worker never hears the answer
        time.sleep(2.5)  # the dead worker's lease runs out
        again = jichi("worker", "--batch", env=env)
        assert again.returncode == 0, again.stderr

    received = receiver.received
    assert worker.returncode == -signal.SIGKILL
    assert [e["jichisequence"] for e in received.applied] == list(range(1, EVENTS + 1))
    assert received.duplicates == BATCH  # the batch in flight came again and was ignored
    assert all(seqs == sorted(seqs) for seqs in received.by_subject().values())


@needs_script
def test_the_receiver_command_prints_what_it_applies(tmp_path):
    import json
    import socket

    import httpx

    from jichi.linkage import signing

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    secret = signing.new_secret()
    process = jichi_process("webhook-receiver", "--port", str(port), "--secret", secret,
                            env=cli_env(tmp_path), stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert "receiving at" in process.stdout.readline()
        event = {"id": "e1", "type": "jp.jichi.registry.person.moved", "subject": "person/1",
                 "jichisequence": 7, "data": {}}  # fmt: skip
        body = json.dumps([event]).encode()
        forged = httpx.post(
            f"http://127.0.0.1:{port}/hooks",
            content=body,
            headers=signing.headers([signing.new_secret()], "m1", body),
        )
        assert forged.status_code == 401
        signed = httpx.post(
            f"http://127.0.0.1:{port}/hooks",
            content=body,
            headers=signing.headers([secret], "m1", body),
        )
        assert signed.status_code == 200
        assert process.stdout.readline().split() == ["7", "jp.jichi.registry.person.moved",
                                                     "person/1"]  # fmt: skip
    finally:
        process.kill()
        process.wait(timeout=10)
