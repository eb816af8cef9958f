"""Counter staff against the register's API: the locust side of ``registry_api_load``.

Run by the benchmark as a child process (``python -m bench.locust_registry PLAN OUT``):
locust patches the standard library for gevent as soon as it is imported, which
must not happen inside the process that holds Django and the database. The plan
(JSON) names the server, the token, the runs and the data to draw from; the
answer (JSON) holds every request's time, its result, and the CPU use of the
machine and of this process during each recorded segment.

Each simulated clerk waits 1–2 s between actions (``wait`` in the plan) and
picks one by the weights of the plan: searches (name in kana or kanji, name and birth date in
和暦, birth date, surname, 宛名番号), reads of a person, a household, a
timeline or a person's movements, and movements — 転居 and 転出 of whole
households, 転入 of new households, 氏名変更 — each on persons no other
request touches. ``GET /api/v1/municipalities/{code}`` (token, tenant, JSON and
nothing of the register) is mixed in as the reference.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from collections import Counter

import gevent
from locust import HttpUser, between, constant, events
from locust.env import Environment

PURPOSE = "窓口での本人確認"
PLAN: dict = {}
STATE = {"segment": None, "samples": [], "exhausted": Counter()}


@events.request.add_listener
def _record(name, response_time, exception, response=None, **kwargs) -> None:
    if STATE["segment"] is None:
        return
    status = getattr(response, "status_code", 0) or 0
    code = ""
    if exception is not None and response is not None:
        try:
            code = response.json()["error"]["code"]
        except (ValueError, KeyError, TypeError):
            code = type(exception).__name__
    STATE["samples"].append(
        (STATE["segment"], name, response_time, exception is None, status, code)
    )


class CounterStaff(HttpUser):
    """One clerk at the 住民記録 counter."""

    abstract = True

    def on_start(self) -> None:
        self.client.headers.update(
            {"Authorization": f"Bearer {PLAN['token']}", "Accept": "application/json"}
        )
        self.base = f"/api/v1/municipalities/{PLAN['code']}"
        self.people = PLAN["pools"]["persons"]

    def _someone(self) -> dict:
        return random.choice(self.people)

    def _search(self, label: str, **criteria) -> None:
        self.client.get(f"{self.base}/persons", params={"purpose": PURPOSE, **criteria}, name=label)

    def _read(self, name: str, path: str) -> None:
        self.client.get(f"{self.base}/{path}", params={"purpose": PURPOSE}, name=name)

    def _write(self, name: str, path: str) -> None:
        pool = PLAN["pools"][name]
        if not pool:
            STATE["exhausted"][name] += 1
            return
        body = pool.pop()
        with self.client.post(
            f"{self.base}/movements/{path}", json=body, name=name, catch_response=True
        ) as response:
            if response.status_code != 201:
                response.failure(f"status {response.status_code}")

    def search_kana(self) -> None:
        self._search("search_kana", name=self._someone()["kana"])

    def search_kanji(self) -> None:
        self._search("search_kanji", name=self._someone()["kanji"])

    def search_name_birth(self) -> None:
        who = self._someone()
        self._search("search_name_birth", name=who["kana"], birth_date=who["birth_wareki"])

    def search_birth(self) -> None:
        self._search("search_birth", birth_date=self._someone()["birth"])

    def search_surname(self) -> None:
        self._search("search_surname", name=self._someone()["surname_kana"])

    def search_number(self) -> None:
        self._search("search_number", number=self._someone()["number"])

    def person(self) -> None:
        self._read("person", f"persons/{self._someone()['number']}")

    def household(self) -> None:
        self._read("household", f"households/{self._someone()['household']}")

    def timeline(self) -> None:
        self._read("timeline", f"persons/{self._someone()['number']}/timeline")

    def person_movements(self) -> None:
        self._read("person_movements", f"persons/{self._someone()['number']}/movements")

    def relocation(self) -> None:
        self._write("relocation", "relocation")

    def move_in(self) -> None:
        self._write("move_in", "move-in")

    def move_out(self) -> None:
        self._write("move_out", "move-out")

    def name_change(self) -> None:
        self._write("name_change", "name-change")

    def municipality(self) -> None:
        self.client.get(self.base, name="municipality")


def _cpu() -> tuple[float, float, float]:
    """(machine busy jiffies, machine total jiffies, this process's CPU seconds)."""
    with open("/proc/stat") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    own = os.times()
    return sum(values) - idle, sum(values), own.user + own.system


def _run(run: dict) -> dict:
    """One runner: ``users`` clerks, then each segment in turn for its seconds."""
    low, high = run["wait"]
    wait = between(low, high) if high > 0 else constant(0)
    tasks = {getattr(CounterStaff, name): weight for name, weight in PLAN["mix"]}
    user = type("Clerk", (CounterStaff,), {"wait_time": wait, "tasks": tasks, "abstract": False})
    env = Environment(user_classes=[user], host=PLAN["host"], events=events)
    runner = env.create_local_runner()
    runner.start(run["users"], spawn_rate=run["spawn_rate"])
    segments = {}
    for name, seconds in run["segments"]:
        STATE["segment"] = name if run.get("record", True) else None
        before, started = _cpu(), time.perf_counter()
        gevent.sleep(seconds)
        after = _cpu()
        segments[name] = {
            "seconds": time.perf_counter() - started,
            "machine_busy": (after[0] - before[0]) / max(after[1] - before[1], 1),
            "locust_cpu_s": after[2] - before[2],
        }
    STATE["segment"] = None
    runner.quit()
    _drain()
    return segments


def _drain(limit: float = 300.0) -> None:
    """Wait until the server has answered what the stopped clerks left in its queue (the
    next run must not start behind it): until a liveness check answers in 0.2 s."""
    import requests

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            requests.get(f"{PLAN['host']}/healthz", timeout=limit)
        except requests.RequestException:
            pass
        if time.perf_counter() - started < 0.2:
            return
        gevent.sleep(1)


def main(argv: list[str]) -> int:
    plan_path, out_path = argv
    with open(plan_path, encoding="utf-8") as handle:
        PLAN.update(json.load(handle))
    segments = {}
    for run in PLAN["runs"]:
        segments.update(_run(run))
    with open(out_path, "w", encoding="utf-8") as handle:
        json.dump(
            {
                "segments": segments,
                "samples": STATE["samples"],
                "exhausted": dict(STATE["exhausted"]),
            },
            handle,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
