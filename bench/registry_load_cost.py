"""What one request of ``registry_api_load`` costs on its own: in process, through
Django's test client (the whole middleware stack, no HTTP, no concurrency), its
wall time and its SQL statements. With ``--profile``, also cProfile of each kind of
request and EXPLAIN ANALYZE of the searches' page query."""

from __future__ import annotations

import json
import random
import time

from bench import harness
from bench.registry_load_data import CODE, MIX, PURPOSE

RUNS = 20  # measured requests of each kind (movements: as many as targets are left)
PATHS = {
    "relocation": "relocation",
    "move_in": "move-in",
    "move_out": "move-out",
    "name_change": "name-change",
}


def _calls(token: str, persons: list[dict], reserve: dict) -> dict:
    """One callable per request name of the mix, each checking its answer."""
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", SERVER_NAME=harness.HOST)
    base = f"/api/v1/municipalities/{CODE}"
    rng = random.Random(3)

    def get(path: str, **params):
        response = client.get(f"{base}{path}", {"purpose": PURPOSE, **params})
        assert response.status_code == 200, response.content[:300]

    def post(name: str):
        body = json.dumps(reserve[name].pop())
        response = client.post(f"{base}/movements/{PATHS[name]}", body, "application/json")
        assert response.status_code == 201, response.content[:300]

    def who() -> dict:
        return rng.choice(persons)

    calls = {
        "search_kana": lambda: get("/persons", name=who()["kana"]),
        "search_kanji": lambda: get("/persons", name=who()["kanji"]),
        "search_name_birth": lambda: get(
            "/persons", name=(w := who())["kana"], birth_date=w["birth_wareki"]
        ),
        "search_birth": lambda: get("/persons", birth_date=who()["birth"]),
        "search_surname": lambda: get("/persons", name=who()["surname_kana"]),
        "search_number": lambda: get("/persons", number=who()["number"]),
        "person": lambda: get(f"/persons/{who()['number']}"),
        "household": lambda: get(f"/households/{who()['household']}"),
        "timeline": lambda: get(f"/persons/{who()['number']}/timeline"),
        "person_movements": lambda: get(f"/persons/{who()['number']}/movements"),
        "municipality": lambda: get(""),
    }
    calls.update({name: (lambda name=name: post(name)) for name in PATHS})
    return calls


def cost(token: str, persons: list[dict], reserve: dict, *, profile: bool = False) -> dict:
    """Per request name: n, p50 and mean milliseconds, SQL statements per request."""
    from django.db import connection

    statements = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    rows = {}
    for name, call in _calls(token, persons, reserve).items():
        call()  # warm: caches, the connection, the first plan
        times = []
        runs = min(RUNS, len(reserve[name])) if name in PATHS else RUNS
        with connection.execute_wrapper(count):
            statements.clear()
            for _ in range(runs):
                start = time.perf_counter_ns()
                call()
                times.append(time.perf_counter_ns() - start)
        summary = harness.summarize(times)
        rows[name] = {
            "n": runs,
            "p50_ms": summary["p50_ms"],
            "mean_ms": summary["mean_ms"],
            "queries": round(len(statements) / runs, 1),
        }
        left = min(10, len(reserve[name])) if name in PATHS else 10
        if profile and left:
            _statements(call, name)
            left = min(10, len(reserve[name])) if name in PATHS else 10
        if profile and left:
            print(f"\n== cProfile: {name}, {left} requests in process")
            harness.profile(call, left, top=15)
    if profile:
        _explain(persons)
    return rows


def _statements(call, name: str) -> None:
    """The SQL statements of one request, shortened, in the order they ran."""
    from django.db import connection

    ran: list[tuple[float, str]] = []

    def keep(execute, sql, params, many, context):
        start = time.perf_counter_ns()
        try:
            return execute(sql, params, many, context)
        finally:
            ran.append(((time.perf_counter_ns() - start) / 1e6, " ".join(sql.split())))

    start = time.perf_counter_ns()
    with connection.execute_wrapper(keep):
        call()
    total = (time.perf_counter_ns() - start) / 1e6
    in_sql = sum(ms for ms, _ in ran)
    print(f"\n== SQL: {name}, {len(ran)} statements, {in_sql:.2f} of {total:.2f} ms")
    for number, (ms, sql) in enumerate(ran, 1):
        print(f"  {number:3} {ms:6.2f} {sql[:200]}")


def report(rows: dict) -> None:
    names = [n for n, _, _ in MIX if n in rows]
    print("\n  one request at a time, in process (no HTTP):")
    harness.print_table(
        [{"request": n, **rows[n]} for n in names],
        [
            ("request", "request"),
            ("n", "n"),
            ("p50_ms", "p50 ms"),
            ("mean_ms", "mean ms"),
            ("queries", "queries/req"),
        ],
    )


def _explain(persons: list[dict]) -> None:
    """EXPLAIN ANALYZE of the page query the search endpoint runs."""
    from jichi.registry import selectors
    from jichi.tenancy.context import tenant_scope

    who = random.Random(5).choice(persons)
    cases = {
        "surname (kana)": selectors.SearchQuery(name=who["surname_kana"]),
        "full name (kana)": selectors.SearchQuery(name=who["kana"]),
        "birth date": selectors.SearchQuery(birth_date=who["birth"]),
        "宛名番号": selectors.SearchQuery(number=who["number"]),
    }
    with tenant_scope(CODE, "bench explain"):
        for label, query in cases.items():
            page = selectors.search(query, municipality_code=CODE).order_by("id")[:51]
            print(f"\n== EXPLAIN ANALYZE: search by {label}")
            print(page.explain(analyze=True, buffers=True))
