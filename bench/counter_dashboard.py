"""The counter dashboard over 1,000,000 visit timings vs the same aggregates on a flat table.

The visits (a year of one municipality: 4 counters, 8 catalog procedures,
every ticket served) and 100,000 applications (online, at the counter, by
API; :func:`bench.procedures_inbox.generate_applications`) are generated in
SQL; the dashboards' roll-up is then built from the visits by
``services.rebuild_rollup`` (timed apart). The dashboard is
``jichi.counter.dashboard.dashboard`` for the whole year, from the roll-up:
volumes per day and procedure with the online and counter applications,
visits per hour, waiting and processing percentiles (p50/p90/p95) per
procedure and overall, 5-minute histograms, service-level breaches and the
weekday × hour table, through the ORM, the tenant scope and row-level
security; and the same through the API (``GET …/counter/dashboard``, JSON).
The reference runs the same aggregates in hand-written SQL over flat tables
holding only the columns they need, the visits and the applications. The
figures are checked against the reference's (counts exact, percentiles within
the roll-up's bin bound). Goal: the dashboard ≤ 2 s. PostgreSQL only;
``--visits`` sets the size, ``--quick`` uses 20,000.
"""

from __future__ import annotations

import statistics
import time
from datetime import date, datetime, timedelta
from datetime import time as clock

from bench import harness

NAME = "counter_dashboard"
DESCRIPTION = "counter dashboard over 1,000,000 visit timings (goal <= 2 s) vs a flat table"
GOAL_SECONDS = 2.0
CODE = "141003"  # 横浜市
FIRST_DAY = date(2025, 4, 1)
DAYS = 365
PROCEDURES = [  # catalog ids (jichi/procedures/catalog), two per counter
    "tennyu_yoyaku",
    "tenshutsu",
    "juminhyo_utsushi",
    "jidou_teate_nintei",
    "hoiku_riyou",
    "inu_touroku",
    "kokuho_kanyu",
    "youkaigo_nintei",
]

GENERATE = """
INSERT INTO counter_visit (id, municipality_code, counter_id, procedure_id, service_date,
    ticket_prefix, number, status, desk, recalls, arrived_at, called_at, started_at, ended_at,
    wait_seconds, process_seconds)
SELECT gen_random_uuid(), %(code)s, c.id, c.procedure_ids->>((g.i / 4) %% 2), d.day,
    c.ticket_prefix, g.i, 'done', '1', 0, d.arrived, d.arrived + make_interval(secs => w.wait),
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
FLAT_APPLICATIONS = (
    "SELECT (submitted_at AT TIME ZONE 'Asia/Tokyo')::date, procedure_id, "
    "count(*) FILTER (WHERE channel = 'online'), count(*) FILTER (WHERE channel = 'counter'), "
    "count(*) FILTER (WHERE channel = 'api') FROM bench_flat_applications "
    "WHERE submitted_at >= %(start)s AND submitted_at < %(end)s GROUP BY 1, 2"
)


def add_arguments(group) -> None:
    group.add_argument(
        "--visits",
        type=int,
        default=1_000_000,
        help="visit timings to generate (default %(default)s)",
    )
    group.add_argument(
        "--dashboard-applications",
        type=int,
        default=100_000,
        help="applications (online and counter volumes) to generate (default %(default)s)",
    )
    group.add_argument(
        "--dashboard-repeat",
        type=int,
        default=5,
        help="timed runs of each side (default %(default)s)",
    )


def _setup(n: int, applications: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from bench.procedures_inbox import generate_applications
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
    last = timezone.make_aware(datetime.combine(FIRST_DAY + timedelta(days=DAYS), clock(0)))
    generate_applications(CODE, applications, now=last, people=False)
    with tenant_scope(CODE), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_flat_applications AS SELECT procedure_id, channel, submitted_at "
            "FROM procedures_application WHERE submitted_at IS NOT NULL"
        )


def _timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def run(args) -> dict:
    workspace = args.workspace
    if skipped := harness.postgres_only(workspace):
        return skipped
    from django.db import connection
    from django.utils import timezone

    from jichi.counter import dashboard as dash
    from jichi.tenancy.context import tenant_scope

    n = 20_000 if args.quick else args.visits
    applications = 5_000 if args.quick else args.dashboard_applications
    workspace.fresh("counter")
    with harness.Stopwatch(f"generate {n:,} visits and {applications:,} applications in SQL") as g:
        _setup(n, applications)
    workspace.analyze()
    with harness.Stopwatch("build the roll-up from the visits (services.rebuild_rollup)") as r:
        built = _rebuild()
    workspace.analyze()
    query = dash.Query(FIRST_DAY, FIRST_DAY + timedelta(days=DAYS - 1))
    client = _client()
    url = (
        f"/api/v1/municipalities/{CODE}/counter/dashboard"
        f"?date_from={query.date_from}&date_to={query.date_to}"
    )
    window = {
        "start": timezone.make_aware(datetime.combine(query.date_from, clock(0))),
        "end": timezone.make_aware(datetime.combine(query.date_to + timedelta(days=1), clock(0))),
    }

    def ours():
        with tenant_scope(CODE):
            return dash.dashboard(query)

    def api():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url}: {response.status_code} {response.content[:300]!r}")

    def flat():
        with connection.cursor() as cursor:
            for sql in FLAT:
                cursor.execute(sql)
                cursor.fetchall()
            cursor.execute(FLAT_APPLICATIONS, window)
            cursor.fetchall()

    ours(), api(), flat()  # warm all three
    samples = {"ours": [], "api": [], "flat": []}
    sides = {"ours": ours, "api": api, "flat": flat}
    for i in range(args.dashboard_repeat):  # interleaved: a burst of load hits every side
        for side in list(sides) if i % 2 == 0 else reversed(list(sides)):
            samples[side].append(_timed(sides[side]))
    board = ours()
    check = _compare(board, window)
    medians = {side: statistics.median(values) for side, values in samples.items()}
    labels = {
        "ours": "dashboard from the roll-up (ORM, tenant scope, RLS)",
        "api": "GET …/counter/dashboard (API, JSON)",
        "flat": "reference: same aggregates, flat tables",
    }
    harness.print_table(
        [
            {
                "query": labels[side],
                "median_s": round(medians[side], 3),
                "min_s": round(min(samples[side]), 3),
                "ratio": round(medians[side] / medians["flat"], 3),
            }
            for side in samples
        ],
        [("query", "query"), ("median_s", "median s"), ("min_s", "min s"), ("ratio", "÷ ref")],
    )
    median = medians["ours"]
    verdict = "meets" if median <= GOAL_SECONDS else "MISSES"
    print(
        f"\nroll-up: {built['rows']:,} rows for {built['visits']:,} visits, built in "
        f"{r.seconds:.1f} s; waiting p50/p90/p95 {board.waiting[dash.ALL]['p50']}/"
        f"{board.waiting[dash.ALL]['p90']}/{board.waiting[dash.ALL]['p95']} s "
        f"(exact {check['exact_waiting']}); largest percentile error {check['max_error_s']} s "
        f"(within the bins' bound: {check['within_bound']}); counts equal: {check['counts_equal']}"
        f"\nratio dashboard/flat {median / medians['flat']:.3f}; "
        f"{verdict} the goal <= {GOAL_SECONDS} s"
    )
    return {
        "visits": n,
        "applications": applications,
        "generate_s": round(g.seconds, 1),
        "rollup_build_s": round(r.seconds, 1),
        "rollup_rows": built["rows"],
        "counted": board.waiting[dash.ALL]["count"],
        "dashboard_median_s": median,
        "api_median_s": medians["api"],
        "flat_median_s": medians["flat"],
        "ratio": median / medians["flat"],
        "check": check,
        "goal_s": GOAL_SECONDS,
    }


def _rebuild() -> dict:
    from jichi.counter import services
    from jichi.tenancy.context import tenant_scope
    from jichi.tenancy.models import Municipality
    from jichi.tenancy.principals import Actor

    with tenant_scope(CODE):
        return services.rebuild_rollup(
            municipality=Municipality.objects.get(code=CODE), actor=Actor.system("bench")
        )


def _client():
    from django.test import Client

    from jichi.tenancy.models import Municipality
    from jichi.tenancy.principals import Actor
    from jichi.tenancy.services import create_token

    _, secret = create_token(
        actor=Actor.system("bench"),
        municipality=Municipality.objects.get(code=CODE),
        name="bench dashboard",
        scopes=["counter:dashboard"],
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", SERVER_NAME=harness.HOST)


def _compare(board, window: dict) -> dict:
    """The dashboard's figures against the reference's: counts, means, histograms and the
    applications exactly; percentiles within the roll-up's bin bound."""
    from django.db import connection

    from jichi.counter import dashboard as dash
    from jichi.counter import rollup

    errors, within, equal, exact_waiting = [], True, True, None
    with connection.cursor() as cursor:
        for name, column in (("waiting", "wait_seconds"), ("processing", "process_seconds")):
            cursor.execute(
                f"SELECT coalesce(procedure_id, ''), count({column}), round(avg({column}), 1), "
                f"percentile_disc(ARRAY[0.5, 0.9, 0.95]) WITHIN GROUP (ORDER BY {column}) "
                "FROM bench_flat GROUP BY ROLLUP (procedure_id)"
            )
            for procedure_id, count, mean, exact in cursor.fetchall():
                key = dash.ALL if procedure_id == "" else procedure_id
                shown = getattr(board, name)[key]
                equal &= shown["count"] == count and shown["mean"] == float(mean)
                for p, value in zip(("p50", "p90", "p95"), exact, strict=True):
                    error = shown[p] - value
                    errors.append(error)
                    within &= 0 <= error <= rollup.width(rollup.bin_of(value)) - 1
                if name == "waiting" and key == dash.ALL:
                    exact_waiting = "/".join(str(v) for v in exact)
        cursor.execute(FLAT_APPLICATIONS, window)
        online = sum(row[2] for row in cursor.fetchall())
    equal &= online == sum(r["online"] for r in board.volumes)
    return {
        "max_error_s": max(errors),
        "within_bound": within,
        "counts_equal": equal,
        "exact_waiting": exact_waiting,
    }
