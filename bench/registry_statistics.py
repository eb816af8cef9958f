"""住基人口 over a million residents: the register's query vs a bare GROUP BY.

The register answers "population on date D" from its bitemporal history
(current knowledge, valid on D, status 住民) through the tenant scope and
row-level security. The reference is the same grouping (町字 × 5-year band ×
sex, households per 町字, Japanese/foreign) over a flat table holding just the
resident rows of that day — what a batch-built statistics table would be. Goal:
the register's time ≤ 3 × the flat GROUP BY's. PostgreSQL only (the data is
generated in SQL by :mod:`bench.population`); ``--residents`` sets the size (default
1,000,000).
"""

from __future__ import annotations

import statistics
import time
from datetime import date

from bench import harness

NAME = "registry_statistics"
DESCRIPTION = "population by 町字 × age band × sex over 1,000,000 residents vs a flat GROUP BY"
GOAL_RATIO = 3.0
CODE = "141003"  # 横浜市


def add_arguments(group) -> None:
    group.add_argument(
        "--residents",
        type=int,
        default=1_000_000,
        help="residents to generate (default %(default)s)",
    )
    group.add_argument("--repeat", type=int, default=5, help="timed runs of each query")


def _flat_queries(on: date) -> list[str]:
    from jichi.registry.selectors import BAND_YEARS, TOP_BAND, years_before

    whens = [f"WHEN birth_date <= '{years_before(on, TOP_BAND)}' THEN '{TOP_BAND}+'"]
    for low in range(TOP_BAND - BAND_YEARS, -1, -BAND_YEARS):
        whens.append(
            f"WHEN birth_date <= '{years_before(on, low)}' THEN '{low}-{low + BAND_YEARS - 1}'"
        )
    band = "CASE " + " ".join(whens) + " ELSE 'unborn' END"
    return [
        f"SELECT town_code, town_name, {band}, sex, count(*) FROM bench_flat GROUP BY 1, 2, 3, 4",
        "SELECT town_code, count(DISTINCT household_id) FROM bench_flat GROUP BY 1",
        "SELECT kind, count(*) FROM bench_flat GROUP BY 1",
    ]


def _times(call, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return samples


def run(args) -> dict:
    workspace = args.workspace
    if skipped := harness.postgres_only(workspace):
        return skipped
    from django.db import connection

    from bench import population
    from jichi.registry import selectors
    from jichi.tenancy.context import tenant_scope
    from jichi.tenancy.principals import Actor
    from jichi.tenancy.services import activate_municipality, add_local_government

    n = 20_000 if args.quick else args.residents
    workspace.fresh("stats")
    municipality = add_local_government(CODE)
    activate_municipality(municipality=municipality, actor=Actor.system("bench"))
    population.generate(CODE, n)
    on = date.today()
    with tenant_scope(CODE), connection.cursor() as c:
        c.execute(
            "CREATE TEMP TABLE bench_flat AS SELECT town_code, town_name, birth_date, "
            "sex, kind, household_id FROM registry_personversion WHERE superseded_at IS "
            "NULL AND valid_from <= %s AND (valid_to IS NULL OR valid_to > %s) "
            "AND status = '1'",
            [on, on],
        )
        c.execute("ANALYZE bench_flat")
    flat_sql = _flat_queries(on)

    def register():
        with tenant_scope(CODE):
            return selectors.population(on)

    def flat():
        with connection.cursor() as c:
            for sql in flat_sql:
                c.execute(sql)
                c.fetchall()

    register()
    flat()  # warm both
    ours, reference = [], []
    for _ in range(args.repeat):  # interleaved, so load from elsewhere hits both
        ours += _times(register, 1)
        reference += _times(flat, 1)
    result = register()
    total = sum(result["cells"].values())
    ratio = statistics.median(ours) / statistics.median(reference)
    harness.print_table(
        [
            {
                "query": "register: selectors.population (RLS, history)",
                "median_s": round(statistics.median(ours), 3),
                "min_s": round(min(ours), 3),
            },
            {
                "query": "reference: GROUP BY over a flat table",
                "median_s": round(statistics.median(reference), 3),
                "min_s": round(min(reference), 3),
            },
        ],
        [("query", "query"), ("median_s", "median s"), ("min_s", "min s")],
    )
    verdict = "meets" if ratio <= GOAL_RATIO else "MISSES"
    print(
        f"\nresidents counted {total:,}; ratio register/flat {ratio:.2f}  "
        f"{verdict} the goal <= {GOAL_RATIO}"
    )
    return {
        "residents": n,
        "counted": total,
        "register_median_s": statistics.median(ours),
        "flat_median_s": statistics.median(reference),
        "ratio": ratio,
    }
