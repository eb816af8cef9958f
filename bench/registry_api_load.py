"""The register's API under load: 32 counter clerks against 1,000,000 residents.

Goal (issue 4, benchmark 3): **p95 of reads ≤ 30 ms, p95 of movements ≤ 60 ms,
no errors**, on PostgreSQL, over the loopback, with locust.

The run:

1. a throw-away database (``<dbname>_load``, by default ``jichi_bench_load``)
   with a register of ``--load-residents`` residents generated in SQL
   (:mod:`bench.population`) and checked against the services;
   ``VACUUM ANALYZE`` afterwards, as autovacuum would have done by then;
2. an API token with the counter's scopes (``create_token``);
3. the production server, ``jichi serve`` (gunicorn, ``DEBUG`` off), started
   on a free port of 127.0.0.1 and always stopped at the end;
4. locust in a child process (:mod:`bench.locust_registry`): ``--load-users``
   clerks, each waiting 1–2 s between actions, a warm-up, then the measured
   segment; then one clerk without waiting — the same mix with no concurrency,
   the reference for what the load costs. A trivial endpoint
   (``GET /api/v1/municipalities/{code}``) inside the mix is the second
   reference: the cost of the framework, the token and the tenant alone.

Every request's time is kept (not locust's rounded histogram); percentiles are
nearest-rank. Afterwards each kind of request is timed alone, in process, with
its number of SQL statements (:mod:`bench.registry_load_cost`); ``--profile`` adds
cProfile of each and the plans of the searches (EXPLAIN ANALYZE).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

from bench import harness, registry_load_cost
from bench.registry_load_data import CODE, MIX, SCOPES, counter_pools
from bench.server import gunicorn

NAME = "registry_api_load"
DESCRIPTION = "API under load (locust, 32 clerks, 1,000,000 residents): p95 reads and movements"
GOAL_READ_MS = 30.0
GOAL_WRITE_MS = 60.0
KIND = {name: kind for name, _, kind in MIX}


def add_arguments(group) -> None:
    group.add_argument(
        "--load-residents",
        type=int,
        default=1_000_000,
        help="residents in the register (default %(default)s; --quick: 20,000)",
    )
    group.add_argument("--load-users", type=int, default=32, help="clerks (default %(default)s)")
    group.add_argument(
        "--load-seconds", type=int, default=180, help="measured seconds (default %(default)s)"
    )
    group.add_argument(
        "--load-warmup", type=int, default=30, help="warm-up seconds (default %(default)s)"
    )
    group.add_argument(
        "--load-single-seconds",
        type=int,
        default=60,
        help="seconds of the one-clerk reference (default %(default)s)",
    )
    group.add_argument(
        "--load-workers",
        type=int,
        default=4,
        help="gunicorn worker processes (default %(default)s, see docs/benchmarks.md)",
    )


def _settings(args) -> dict:
    if args.quick:
        return {"residents": 20_000, "warmup": 15, "seconds": 20, "single": 10}
    return {
        "residents": args.load_residents,
        "warmup": args.load_warmup,
        "seconds": args.load_seconds,
        "single": args.load_single_seconds,
    }


def run(args) -> dict:
    workspace = args.workspace
    if skipped := harness.postgres_only(workspace):
        return skipped
    if importlib.util.find_spec("locust") is None:
        print('  skipped: locust is not installed (pip install -e ".[bench]")')
        return {"skipped": "needs locust"}
    settings = _settings(args)
    database, counts, token = _prepare(workspace, settings["residents"])
    runs = [
        {
            "users": args.load_users,
            "spawn_rate": max(args.load_users / 4, 1),
            "wait": [1, 2],
            "segments": [["warmup", settings["warmup"]], ["load", settings["seconds"]]],
        },
        {"users": 1, "spawn_rate": 1, "wait": [0, 0], "segments": [["single", settings["single"]]]},
    ]
    plan = {
        "code": CODE,
        "token": token,
        "mix": [[name, weight] for name, weight, _ in MIX],
        "runs": runs,
        "pools": _pools(runs),
    }
    reserve = plan["pools"].pop("reserve")
    from django.db import connections

    connections.close_all()  # the server has the database to itself
    log = workspace.directory / "server.log"
    with gunicorn(workspace, database, args.load_workers, log) as host:
        load_before = [round(x, 2) for x in os.getloadavg()]
        print(f"  server: jichi serve, {args.load_workers} workers, {host}; load {load_before}")
        result = _locust({**plan, "host": host}, workspace.directory, runs)
    figures = _figures(result, settings, counts, args.load_users, args.load_workers)
    figures["load_average_before"] = load_before
    _report(figures)
    figures["in_process"] = registry_load_cost.cost(
        token, plan["pools"]["persons"], reserve, profile=args.profile
    )
    registry_load_cost.report(figures["in_process"])
    return figures


def _prepare(workspace, residents: int):
    """The database, the register, its check, the statistics, the token."""
    from bench import population
    from jichi.tenancy.principals import Actor
    from jichi.tenancy.services import activate_municipality, add_local_government, create_token

    database = workspace.fresh("load")
    municipality = add_local_government(CODE)
    activate_municipality(municipality=municipality, actor=Actor.system("bench"))
    counts = population.generate(CODE, residents)
    with harness.Stopwatch("check the data against the services"):
        counts["checked"] = population.check(CODE)
    with harness.Stopwatch("VACUUM ANALYZE"):
        _vacuum()
    _, token = create_token(
        actor=Actor.system("bench"), municipality=municipality, name="counter", scopes=SCOPES
    )
    print(
        f"  {counts['residents']:,} residents in {counts['resident_households']:,} households"
        f" (+{counts['persons'] - counts['residents']:,} 除票), "
        f"{counts['moved_households']:,} households moved once"
    )
    return database, counts, token


def _vacuum() -> None:
    """What autovacuum would have done by then: visibility map (index-only scans) and
    the planner's statistics of the register's tables."""
    from django.db import connection

    from bench.population.sql import LOADED

    with connection.cursor() as cursor:
        for table in LOADED:
            cursor.execute(f"VACUUM ANALYZE {table}")


def _pools(runs: list[dict]) -> dict:
    """Targets for every request the runs can make, with a margin (two per second and
    clerk under load; a hundred per second for the clerk who does not wait)."""
    total = 0.0
    for run in runs:
        seconds = sum(s for _, s in run["segments"])
        rate = run["users"] / run["wait"][0] if run["wait"][0] else 100.0
        total += rate * seconds
    weights = {name: weight for name, weight, _ in MIX}
    share = sum(weights.values())
    needed = {name: int(total * weights[name] / share * 1.5) + 20 for name in weights}
    with harness.Stopwatch("draw the clerks' targets"):
        return counter_pools(needed)


def _locust(plan: dict, directory: Path, runs: list[dict]) -> dict:
    plan_path, out_path = directory / "locust-plan.json", directory / "locust-out.json"
    plan_path.write_text(json.dumps(plan, ensure_ascii=False, default=str), encoding="utf-8")
    seconds = sum(s for run in runs for _, s in run["segments"])
    print(f"  locust: {seconds} s of load ...", flush=True)
    subprocess.run(
        [sys.executable, "-m", "bench.locust_registry", str(plan_path), str(out_path)],
        cwd=harness.ROOT,
        check=True,
        timeout=seconds + 60 + 300 * len(runs),  # each run may wait for the queue to drain
    )
    return json.loads(out_path.read_text(encoding="utf-8"))


# --- figures ------------------------------------------------------------------------


def _summary(values_ms: list[float], seconds: float) -> dict:
    ordered = sorted(values_ms)
    return {
        "n": len(ordered),
        "rps": round(len(ordered) / seconds, 2),
        "p50_ms": round(harness.percentile(ordered, 50), 2),
        "p95_ms": round(harness.percentile(ordered, 95), 2),
        "p99_ms": round(harness.percentile(ordered, 99), 2),
        "max_ms": round(ordered[-1], 2),
    }


def _segment(result: dict, segment: str) -> dict:
    """Per request name and per kind (read, write, reference) in one segment."""
    seconds = result["segments"][segment]["seconds"]
    samples = [s for s in result["samples"] if s[0] == segment]
    groups: dict[str, list[float]] = {}
    for _, name, ms, _ok, _status, _code in samples:
        groups.setdefault(name, []).append(ms)
        groups.setdefault(KIND[name], []).append(ms)
    return {key: _summary(values, seconds) for key, values in groups.items()}


def _figures(result: dict, settings: dict, counts: dict, users: int, workers: int) -> dict:
    errors = [s for s in result["samples"] if not s[3]]
    load, single = _segment(result, "load"), _segment(result, "single")
    ratio = {
        kind: round(load[kind]["p95_ms"] / single[kind]["p95_ms"], 2)
        for kind in ("read", "write", "reference")
        if kind in load and kind in single
    }
    return {
        "residents": counts["residents"],
        "data": {k: v for k, v in counts.items() if k != "residents"},
        "users": users,
        "workers": workers,
        "settings": settings,
        "load": load,
        "single": single,
        "ratio_p95_load_to_single": ratio,
        "ratio_p95_read_to_reference": round(
            load["read"]["p95_ms"] / load["reference"]["p95_ms"], 2
        ),
        "errors": len(errors),
        "error_kinds": sorted({f"{s[1]} {s[4]} {s[5]}" for s in errors}),
        "exhausted": result["exhausted"],
        "machine_busy_load": round(result["segments"]["load"]["machine_busy"], 3),
        "locust_cpu_share_load": round(
            result["segments"]["load"]["locust_cpu_s"] / result["segments"]["load"]["seconds"], 3
        ),
        "goal_read_met": load["read"]["p95_ms"] <= GOAL_READ_MS,
        "goal_write_met": load["write"]["p95_ms"] <= GOAL_WRITE_MS,
    }


def _report(figures: dict) -> None:
    columns = [
        ("request", "request"),
        ("kind", "kind"),
        ("n", "n"),
        ("rps", "req/s"),
        ("p50_ms", "p50 ms"),
        ("p95_ms", "p95 ms"),
        ("p99_ms", "p99 ms"),
        ("max_ms", "max ms"),
    ]
    for segment in ("load", "single"):
        rows = figures[segment]
        names = [n for n, _, _ in MIX if n in rows] + [k for k in ("read", "write", "reference")]
        print(f"\n  {segment}:")
        harness.print_table(
            [{"request": n, "kind": KIND.get(n, "all"), **rows[n]} for n in names if n in rows],
            columns,
        )
    load = figures["load"]
    print(
        f"\n  p95 read {load['read']['p95_ms']:.1f} ms (goal <= {GOAL_READ_MS:.0f}: "
        f"{'met' if figures['goal_read_met'] else 'MISSED'}), p95 movement "
        f"{load['write']['p95_ms']:.1f} ms (goal <= {GOAL_WRITE_MS:.0f}: "
        f"{'met' if figures['goal_write_met'] else 'MISSED'}), errors {figures['errors']}"
        f"{' ' + str(figures['error_kinds']) if figures['errors'] else ''}"
    )
    print(
        f"  p95 under load / one clerk: {figures['ratio_p95_load_to_single']}; "
        f"p95 read / p95 trivial endpoint under load: {figures['ratio_p95_read_to_reference']}; "
        f"machine busy {figures['machine_busy_load']:.0%} (locust "
        f"{figures['locust_cpu_share_load']:.0%} of a core)"
    )
    if any(figures["exhausted"].values()):
        print(f"  WARNING: targets ran out: {figures['exhausted']}")
