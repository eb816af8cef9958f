"""The counter dashboard over 1,000,000 visit timings vs the same aggregates on a flat table.

The visits (a year of one municipality: 4 counters, 8 procedures, every
ticket served) are generated in SQL. The dashboard is
``jichi.counter.dashboard.dashboard`` for the whole year: volumes per day and
procedure, visits per hour, waiting and processing percentiles (p50/p90/p95)
per procedure and overall, 5-minute histograms, service-level breaches and
the weekday × hour table, through the ORM, the tenant scope and row-level
security. The reference runs the same aggregates in hand-written SQL over a
flat table holding only the columns they need. Goal: the dashboard ≤ 2 s.
PostgreSQL only; ``--visits`` sets the size, ``--quick`` uses 20,000.
"""

from __future__ import annotations

import statistics
import time
from datetime import date
from datetime import time as clock

from bench import harness

NAME = "counter_dashboard"
DESCRIPTION = "counter dashboard over 1,000,000 visit timings (goal <= 2 s) vs a flat table"
GOAL_SECONDS = 2.0
CODE = "141003"  # 横浜市
FIRST_DAY = date(2025, 4, 1)
DAYS = 365
PROCEDURES = [
    "move_in",
    "move_out",
    "resident_copy_request",
    "child_allowance_application",
    "nursery_application",
    "dog_registration",
    "seal_registration",
    "tax_certificate",
]

GENERATE = """
INSERT INTO counter_visit (id, municipality_code, counter_id, procedure_id, service_date,
    ticket_prefix, number, status, desk, recalls, arrived_at, called_at, started_at, ended_at,
    wait_seconds, process_seconds)
SELECT gen_random_uuid(), %(code)s, c.id, c.procedure_ids->>(g.i %% 2), d.day, c.ticket_prefix,
    g.i, 'done', '1', 0, d.arrived, d.arrived + make_interval(secs => w.wait),
    d.arrived + make_interval(secs => w.wait),
    d.arrived + make_interval(secs => w.wait + w.process), w.wait, w.process
FROM generate_series(1, %(n)s) AS g(i)
CROSS JOIN LATERAL (SELECT %(first)s::date + (g.i %% %(days)s) AS day) AS dd
CROSS JOIN LATERAL (
    SELECT dd.day, (dd.day + time '08:30' + make_interval(mins => floor(random() * 480)::int))
        AT TIME ZONE 'Asia/Tokyo' AS arrived) AS d
CROSS JOIN LATERAL (
    SELECT floor(random() ^ 2 * 5400 + 0 * g.i)::int AS wait,
           (120 + floor(random() * 1500 + 0 * g.i))::int AS process) AS w
JOIN (SELECT id, ticket_prefix, procedure_ids, row_number() OVER (ORDER BY ticket_prefix) - 1
      AS k FROM counter_counter) AS c ON c.k = g.i %% 4
"""

FLAT = [
    "SELECT service_date, procedure_id, count(*), count(*) FILTER (WHERE status = 'done') "
    "FROM bench_flat GROUP BY 1, 2",
    "SELECT extract(hour FROM arrived_at AT TIME ZONE 'Asia/Tokyo') h, count(*) "
    "FROM bench_flat GROUP BY 1",
    "SELECT extract(isodow FROM arrived_at AT TIME ZONE 'Asia/Tokyo'), "
    "extract(hour FROM arrived_at AT TIME ZONE 'Asia/Tokyo'), count(*) FROM bench_flat "
    "GROUP BY 1, 2",
]
for _column in ("wait_seconds", "process_seconds"):
    FLAT += [
        f"SELECT procedure_id, count({_column}), avg({_column}), percentile_disc(ARRAY[0.5, 0.9, "
        f"0.95]) WITHIN GROUP (ORDER BY {_column}) FROM bench_flat GROUP BY 1",
        f"SELECT count({_column}), avg({_column}), percentile_disc(ARRAY[0.5, 0.9, 0.95]) "
        f"WITHIN GROUP (ORDER BY {_column}) FROM bench_flat",
        f"SELECT {_column} / 300, count(*) FROM bench_flat WHERE {_column} IS NOT NULL GROUP BY 1",
    ]
FLAT.append(
    "SELECT procedure_id, count(*), count(*) FILTER (WHERE wait_seconds > 1800) FROM bench_flat "
    "WHERE wait_seconds IS NOT NULL GROUP BY 1"
)


def add_arguments(group) -> None:
    group.add_argument(
        "--visits",
        type=int,
        default=1_000_000,
        help="visit timings to generate (default %(default)s)",
    )
    group.add_argument(
        "--dashboard-repeat",
        type=int,
        default=5,
        help="timed runs of each side (default %(default)s)",
    )


def _setup(n: int) -> None:
    from django.db import connection

    from jichi.counter import services
    from jichi.tenancy.context import tenant_scope
    from jichi.tenancy.principals import Actor
    from jichi.tenancy.services import activate_municipality, add_local_government

    municipality = add_local_government(CODE)
    actor = Actor.system("bench")
    activate_municipality(municipality=municipality, actor=actor)
    with tenant_scope(CODE):
        for k, prefix in enumerate("ABCD"):
            services.create_counter(
                municipality=municipality,
                actor=actor,
                name=f"窓口{prefix}",
                department="市民課",
                ticket_prefix=prefix,
                procedure_ids=PROCEDURES[2 * k : 2 * k + 2],
                opens_at=clock(8, 30),
                closes_at=clock(17, 15),
            )
        with connection.cursor() as cursor:
            cursor.execute(GENERATE, {"code": CODE, "n": n, "first": FIRST_DAY, "days": DAYS})
            cursor.execute(
                "CREATE TABLE bench_flat AS SELECT procedure_id, service_date, status, arrived_at,"
                " wait_seconds, process_seconds FROM counter_visit WHERE status <> 'cancelled'"
            )


def _timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def run(args) -> dict:
    workspace = args.workspace
    if workspace.vendor != "postgresql":
        print("  skipped: this benchmark runs on PostgreSQL (python -m bench --postgres)")
        return {"skipped": "needs PostgreSQL"}
    from datetime import timedelta

    from django.db import connection

    from jichi.counter import dashboard as dash
    from jichi.tenancy.context import tenant_scope

    n = 20_000 if args.quick else args.visits
    workspace.fresh("counter")
    with harness.Stopwatch(f"generate {n:,} visits in SQL"):
        _setup(n)
    workspace.analyze()
    query = dash.Query(FIRST_DAY, FIRST_DAY + timedelta(days=DAYS - 1))

    def ours():
        with tenant_scope(CODE):
            return dash.dashboard(query)

    def flat():
        with connection.cursor() as cursor:
            for sql in FLAT:
                cursor.execute(sql)
                cursor.fetchall()

    ours(), flat()  # warm both
    mine, reference = [], []
    for _ in range(args.dashboard_repeat):  # interleaved: a burst of load hits both
        mine.append(_timed(ours))
        reference.append(_timed(flat))
    board = ours()
    counted = board.waiting[dash.ALL]["count"]
    median, ref = statistics.median(mine), statistics.median(reference)
    harness.print_table(
        [
            {
                "query": "dashboard (ORM, tenant scope, RLS)",
                "median_s": round(median, 3),
                "min_s": round(min(mine), 3),
            },
            {
                "query": "reference: same aggregates, flat table",
                "median_s": round(ref, 3),
                "min_s": round(min(reference), 3),
            },
        ],
        [("query", "query"), ("median_s", "median s"), ("min_s", "min s")],
    )
    verdict = "meets" if median <= GOAL_SECONDS else "MISSES"
    print(
        f"\nvisits counted {counted:,}; waiting p50/p90/p95 "
        f"{board.waiting[dash.ALL]['p50']}/{board.waiting[dash.ALL]['p90']}/"
        f"{board.waiting[dash.ALL]['p95']} s; ratio dashboard/flat {median / ref:.2f}; "
        f"{verdict} the goal <= {GOAL_SECONDS} s"
    )
    return {
        "visits": n,
        "counted": counted,
        "dashboard_median_s": median,
        "flat_median_s": ref,
        "ratio": median / ref,
        "goal_s": GOAL_SECONDS,
    }
