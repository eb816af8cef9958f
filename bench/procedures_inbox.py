"""The staff inbox over 100,000 applications vs the same page in SQL on a flat table.

``GET /api/v1/municipalities/{code}/applications`` (``jichi.procedures.api.inbox`` →
``selectors.inbox``, cursor pages of 50, newest first) with a system token
holding ``procedures:review``, in process through Django's test client with
the production middleware stack, on PostgreSQL with row-level security
forced for the non-superuser role. Goal: **p95 ≤ 100 ms** for each kind of
inbox query.

The data is generated in SQL (:func:`generate_applications`): a register of
residents (:mod:`bench.population`), then applications spread over every
catalog procedure (weighted), states (open ones recent, so that some breach
their due date), departments (the procedure's), 40 assignees and the three
channels, 90 % of them about a resident, each with its history
(``Transition`` rows as the services write them: ``save_draft``, ``submit``,
``start_review`` …). The reference is each page as hand-written SQL over
``bench_inbox``, a flat table of the columns the answer shows (the resident's
number copied in), with only its primary key; requests and reference
queries alternate in small batches, so a burst of load weighs on both.
PostgreSQL only; ``--applications`` sets the size, ``--quick`` uses 5,000.
"""

from __future__ import annotations

import gc
import hashlib
import time
import uuid
from dataclasses import dataclass
from datetime import date

from bench import harness

NAME = "procedures_inbox"
DESCRIPTION = "staff inbox over 100,000 applications (goal p95 <= 100 ms) vs SQL on a flat table"
GOAL_MS = 100.0
CODE = "141003"  # 横浜市
STAFF = 40  # assignees
# share of the applications per procedure (others 1)
WEIGHTS = {
    "juminhyo_utsushi": 20,
    "sodai_gomi": 15,
    "shisetsu_yoyaku": 10,
    "jidou_teate_genkyo": 8,
    "tennyu_yoyaku": 6,
    "tenshutsu": 6,
    "hoiku_riyou": 5,
    "jidou_teate_nintei": 4,
    "suidou_kaishi": 4,
    "suidou_chushi": 4,
    "kokuho_kanyu": 3,
    "inu_touroku": 2,
}
# final state by share (per cent), and the steps of its history
STATES = [
    ("draft", 5, ["save_draft"]),
    ("submitted", 10, ["save_draft", "submit"]),
    ("in_review", 15, ["save_draft", "submit", "start_review"]),
    ("info_requested", 5, ["save_draft", "submit", "start_review", "request_information"]),
    ("approved", 10, ["save_draft", "submit", "start_review", "approve"]),
    ("rejected", 3, ["save_draft", "submit", "start_review", "reject"]),
    ("completed", 50, ["save_draft", "submit", "start_review", "approve", "complete"]),
    ("withdrawn", 2, ["save_draft", "submit", "withdraw"]),
]
OPEN = ("submitted", "in_review", "info_requested")
COLUMNS = (
    "id, procedure_id, procedure_version, applicant_kind, person_number, channel, state, "
    "assignee, department, fee, answers, prefilled, flags, created_at, submitted_at, due_on, "
    "decided_at, closed_at, question, decision_reason, effect_result"
)


def add_arguments(group) -> None:
    group.add_argument(
        "--applications",
        type=int,
        default=100_000,
        help="applications to generate for the inbox (default %(default)s)",
    )
    group.add_argument(
        "--inbox-residents",
        type=int,
        default=20_000,
        help="residents of the register the applications concern (default %(default)s)",
    )
    group.add_argument(
        "--inbox-requests",
        type=int,
        default=300,
        help="measured requests per inbox query (default %(default)s)",
    )
    group.add_argument(
        "--explain",
        action="store_true",
        help="print EXPLAIN ANALYZE of each inbox query's main statement",
    )


def staff_id(k: int) -> str:
    """The assignee id number ``k`` as the SQL writes it (md5 of a text, as a UUID)."""
    return str(uuid.UUID(hashlib.md5(f"bench staff {k}".encode()).hexdigest()))


# --- data -------------------------------------------------------------------------


def _tables(cursor) -> int:
    """The pools the generator draws from: procedures (repeated by weight), state
    paths, residents. Returns the total weight."""
    from jichi.procedures.loading import catalog

    cursor.execute(
        "CREATE TEMP TABLE bench_procs (k int PRIMARY KEY, id text, version int, "
        "department text, service_days int, fee int)"
    )
    rows, k = [], 0
    for procedure in sorted(catalog().values(), key=lambda p: p.id):
        for _ in range(WEIGHTS.get(procedure.id, 1)):
            rows.append(
                (k, procedure.id, procedure.version, procedure.department,
                 procedure.service_days, procedure.fee)
            )  # fmt: skip
            k += 1
    cursor.executemany("INSERT INTO bench_procs VALUES (%s, %s, %s, %s, %s, %s)", rows)
    cursor.execute(
        "CREATE TEMP TABLE bench_paths (state text, seq int, action text, from_state text, "
        "to_state text, PRIMARY KEY (state, seq))"
    )
    paths = []
    for state, _, steps in STATES:
        current = "draft"
        for seq, action in enumerate(steps, start=1):
            after = "draft" if action == "save_draft" else _state_after(action)
            paths.append((state, seq, action, current, after))
            current = after
    cursor.executemany("INSERT INTO bench_paths VALUES (%s, %s, %s, %s, %s)", paths)
    cursor.execute(
        "CREATE TEMP TABLE bench_people AS SELECT (row_number() OVER (ORDER BY id) - 1)::int "
        "AS k, id FROM registry_person"
    )
    cursor.execute("ALTER TABLE bench_people ADD PRIMARY KEY (k)")
    return k


def _state_after(action: str) -> str:
    from jichi.procedures.workflow import TRANSITIONS

    return str(TRANSITIONS[action][1])


def _state_case(r: str) -> str:
    whens, bound = [], 0
    for state, share, _ in STATES:
        bound += share
        whens.append(f"WHEN {r} < {bound} THEN '{state}'")
    return "CASE " + " ".join(whens) + " END"


APPLICATIONS = """
INSERT INTO procedures_application (id, municipality_code, procedure_id, procedure_version,
    applicant_kind, agent_name, agent_relation, business_member_id, entered_by_kind, entered_by,
    channel, answers, prefilled, flags, state, assignee, department, fee, created_at,
    submitted_at, due_on, paused_at, decided_at, closed_at, question, decision_reason,
    effect_result, idempotency_key, request_hash, person_id)
SELECT {uuid}, %(code)s, p.id, p.version, 'resident', '', '', NULL, ch.entered_kind, '',
    ch.channel,
    jsonb_build_object('name', '山田 太郎', 'phone', '045-000-0000', 'note', 'bench ' || g.i),
    '{{}}'::jsonb, '[]'::jsonb, s.state,
    CASE WHEN s.state = 'draft' OR (s.state = 'submitted' AND {h_assigned} < 70) THEN ''
         ELSE md5('bench staff ' || {h_staff})::uuid::text END,
    p.department, p.fee, t.at - interval '10 minutes',
    CASE WHEN s.state = 'draft' THEN NULL ELSE t.at END,
    CASE WHEN s.state = 'draft' THEN NULL
         ELSE (t.at AT TIME ZONE 'Asia/Tokyo')::date + p.service_days END,
    NULL,
    CASE WHEN s.state IN ('approved', 'rejected', 'completed')
         THEN t.at + make_interval(days => p.service_days / 2) END,
    CASE WHEN s.state IN ('rejected', 'completed', 'withdrawn')
         THEN t.at + make_interval(days => p.service_days / 2 + 1) END,
    '', '', '{{}}'::jsonb, NULL, '', pp.id
FROM generate_series(1, %(n)s) AS g(i)
JOIN bench_procs p ON p.k = {h_procedure}
CROSS JOIN LATERAL (SELECT {state} AS state) AS s
CROSS JOIN LATERAL (
    SELECT %(now)s::timestamptz - make_interval(
        days => CASE WHEN s.state IN ('submitted', 'in_review', 'info_requested')
                     THEN {h_recent} ELSE {h_year} END,
        secs => {h_second}) AS at) AS t
CROSS JOIN LATERAL (
    SELECT CASE WHEN {h_channel} < 6 THEN 'online' WHEN {h_channel} < 9 THEN 'counter'
                ELSE 'api' END AS channel,
           CASE WHEN {h_channel} < 6 THEN 'resident' WHEN {h_channel} < 9 THEN 'staff'
                ELSE 'token' END AS entered_kind) AS ch
LEFT JOIN bench_people pp ON pp.k = {h_person} AND {h_has_person} < 9
"""

TRANSITIONS = """
INSERT INTO procedures_transition (id, municipality_code, application_id, seq, action,
    from_state, to_state, actor_kind, actor_id, actor_label, at, reason, details)
SELECT {uuid}, a.municipality_code, a.id, p.seq, p.action, p.from_state, p.to_state,
    CASE WHEN p.seq <= 2 THEN 'resident' ELSE 'staff' END, '', '',
    a.created_at + make_interval(hours => p.seq - 1), '', '{{}}'::jsonb
FROM procedures_application a JOIN bench_paths p ON p.state = a.state
"""


def generate_applications(code: str, n: int, *, now, people: bool = True) -> dict:
    """Write ``n`` applications of ``code`` and their histories in SQL (in the tenant scope);
    the register must be there when ``people``. Returns counts."""
    from django.db import connection

    from bench.population.sql import _h, _uuid7
    from jichi.tenancy.context import tenant_scope

    with tenant_scope(code, "bench applications"), connection.cursor() as cursor:
        weight = _tables(cursor)
        cursor.execute("SELECT count(*) FROM bench_people")
        residents = cursor.fetchone()[0] if people else 0
        i = "g.i"
        sql = APPLICATIONS.format(
            uuid=_uuid7("(t.at - interval '10 minutes')", "g.i::text || 'application'"),
            h_procedure=_h(i, 1, weight),
            state=_state_case(_h(i, 2, 100)),
            h_recent=_h(i, 3, 1000) + " %% (p.service_days * 13 / 10 + 1)",
            h_year=_h(i, 3, 365),
            h_second=_h(i, 4, 86400),
            h_channel=_h(i, 5, 10),
            h_assigned=_h(i, 6, 100),
            h_staff=_h(i, 7, STAFF),
            h_person=_h(i, 8, max(residents, 1)),
            h_has_person=_h(i, 9, 10) if residents else "99",
        )
        cursor.execute(sql, {"code": code, "n": n, "now": now})
        cursor.execute(TRANSITIONS.format(uuid=_uuid7("a.created_at", "a.id::text || p.seq::text")))
        cursor.execute("SELECT count(*) FROM procedures_application")
        applications = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM procedures_transition")
        transitions = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_procs, bench_paths, bench_people")
    return {"applications": applications, "transitions": transitions, "residents": residents}


def _flat(cursor) -> None:
    """The reference's table: the answer's columns, the resident's number copied in."""
    cursor.execute(
        "CREATE TABLE bench_inbox AS SELECT a.id, a.procedure_id, a.procedure_version, "
        "a.applicant_kind, p.number AS person_number, a.channel, a.state, a.assignee, "
        "a.department, a.fee, a.answers, a.prefilled, a.flags, a.created_at, a.submitted_at, "
        "a.due_on, a.decided_at, a.closed_at, a.question, a.decision_reason, a.effect_result "
        "FROM procedures_application a LEFT JOIN registry_person p ON p.id = a.person_id"
    )
    cursor.execute("ALTER TABLE bench_inbox ADD PRIMARY KEY (id)")


# --- what is measured ---------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    query: str  # the API's query string
    where: str  # the reference's condition (after the drafts' exclusion)
    params: tuple = ()


def _pages(today: date, deep_id: str, depth: int) -> list[Page]:
    from jichi.common.pagination import encode_cursor

    assignee = staff_id(7)
    return [
        Page("default", "default listing (newest first)", "", "TRUE"),
        Page("state", "state=in_review", "state=in_review", "state = %s", ("in_review",)),
        Page(
            "procedure",
            "procedure=jidou_teate_nintei",
            "procedure=jidou_teate_nintei",
            "procedure_id = %s",
            ("jidou_teate_nintei",),
        ),
        Page(
            "rare_procedure",
            "procedure=inu_shibou (0.9 %)",
            "procedure=inu_shibou",
            "procedure_id = %s",
            ("inu_shibou",),
        ),
        Page(
            "department",
            "department=kodomo (queue)",
            "department=kodomo",
            "department = %s",
            ("kodomo",),
        ),
        Page(
            "department_state",
            "department=kodomo&state=submitted",
            "department=kodomo&state=submitted",
            "department = %s AND state = %s",
            ("kodomo", "submitted"),
        ),
        Page(
            "assignee", "assignee=<one of 40>", f"assignee={assignee}", "assignee = %s", (assignee,)
        ),
        Page("unassigned", "assignee=- (unassigned)", "assignee=-", "assignee = ''"),
        Page(
            "breached",
            "breached=true",
            "breached=true",
            "state IN ('submitted', 'in_review') AND due_on < %s",
            (today,),
        ),
        Page(
            "deep",
            f"deep page (cursor after {depth:,})",
            f"cursor={encode_cursor(deep_id)}",
            "id < %s",
            (deep_id,),
        ),
    ]


def _reference_sql(page: Page) -> str:
    return (
        f"SELECT {COLUMNS} FROM bench_inbox WHERE NOT (state = 'draft') AND ({page.where}) "
        "ORDER BY id DESC LIMIT 51"
    )


def _deep_id(depth: int) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM bench_inbox WHERE state <> 'draft' ORDER BY id DESC OFFSET %s LIMIT 1",
            [depth],
        )
        row = cursor.fetchone()
    return str(row[0])


def _timed_reference(sql: str, params: tuple, n: int) -> list[int]:
    from django.db import connection

    samples = []
    with connection.cursor() as cursor:
        for _ in range(n):
            start = time.perf_counter_ns()
            cursor.execute(sql, params)
            cursor.fetchall()
            samples.append(time.perf_counter_ns() - start)
    return samples


def _check(client, base: str, pages: list[Page]) -> dict:
    """Every page answers 200 with the reference's ids, in its order; statements per request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for page in pages:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"{base}?{page.query}")
        if response.status_code != 200:
            raise RuntimeError(f"{page.label}: {response.status_code} {response.content[:300]!r}")
        ids = [item["id"] for item in response.json()["items"]]
        with connection.cursor() as cursor:
            cursor.execute(_reference_sql(page), page.params)
            expected = [str(row[0]) for row in cursor.fetchall()][:50]
        if ids != expected:
            raise RuntimeError(f"{page.label}: the inbox and the reference differ")
        counts[page.key] = {"queries": len(captured), "items": len(ids), "sql": captured}
    return counts


def _explain(captured, code: str) -> None:
    from django.db import connection

    from jichi.tenancy.context import tenant_scope

    main = next(q["sql"] for q in captured if 'FROM "procedures_application"' in q["sql"])
    with tenant_scope(code, "bench explain"), connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + main)
        print("\n".join("    " + row[0] for row in cursor.fetchall()))


def _measure(client, base: str, pages: list[Page], n: int, batch: int) -> dict:
    samples = {(p.key, side): [] for p in pages for side in ("inbox", "reference")}
    for page in pages:  # warm-up
        harness.time_requests(client, f"{base}?{page.query}", 20)
        _timed_reference(_reference_sql(page), page.params, 20)
    gc.collect()
    batches = -(-n // batch)
    for b in range(batches):
        size = min(batch, n - b * batch)
        for page in pages if b % 2 == 0 else reversed(pages):
            sides = ("inbox", "reference") if b % 2 == 0 else ("reference", "inbox")
            for side in sides:
                if side == "inbox":
                    got = harness.time_requests(client, f"{base}?{page.query}", size)
                else:
                    got = _timed_reference(_reference_sql(page), page.params, size)
                samples[page.key, side] += got
        if (b + 1) % max(1, batches // 4) == 0 or b + 1 == batches:
            print(f"  {(b + 1) * 100 // batches}%", end="", flush=True)
    print()
    return samples


def run(args) -> dict:
    workspace = args.workspace
    if skipped := harness.postgres_only(workspace):
        return skipped
    from django.test import Client
    from django.utils import timezone

    from bench import population
    from jichi.tenancy.principals import Actor
    from jichi.tenancy.services import activate_municipality, add_local_government, create_token

    n = 5_000 if args.quick else args.applications
    residents = 2_000 if args.quick else args.inbox_residents
    requests = 40 if args.quick else args.inbox_requests
    workspace.fresh("inbox")
    actor = Actor.system("bench")
    municipality = add_local_government(CODE)
    activate_municipality(municipality=municipality, actor=actor)
    population.generate(CODE, residents)
    now = timezone.now()
    with harness.Stopwatch(f"generate {n:,} applications and their histories in SQL") as watch:
        sizes = generate_applications(CODE, n, now=now)
    sizes["generate_s"] = round(watch.seconds, 1)
    from django.db import connection

    from jichi.tenancy.context import tenant_scope

    with tenant_scope(CODE, "bench flat table"), connection.cursor() as cursor:
        _flat(cursor)
    workspace.analyze()
    _, secret = create_token(
        actor=actor, municipality=municipality, name="bench inbox", scopes=["procedures:review"]
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}", SERVER_NAME=harness.HOST)
    base = f"/api/v1/municipalities/{CODE}/applications"
    depth = min(50_000, n // 2)
    pages = _pages(timezone.localdate(), _deep_id(depth), depth)
    checked = _check(client, base, pages)
    if args.explain:
        for page in pages:
            print(f"\n--- EXPLAIN ANALYZE: {page.label} ---")
            _explain(checked[page.key]["sql"], CODE)
    print(f"measuring {requests} requests per query, alternating with the reference:", end="")
    samples = _measure(client, base, pages, requests, 10)
    if args.profile:
        print("\n--- cProfile: default listing (200 requests) ---")
        harness.profile(lambda: client.get(base), 200, top=25)
    return _report(pages, samples, checked, sizes)


def _report(pages, samples, checked, sizes) -> dict:
    rows, figures = [], {}
    for page in pages:
        inbox = harness.summarize(samples[page.key, "inbox"])
        reference = harness.summarize(samples[page.key, "reference"])
        ratio = round(inbox["p95_ms"] / reference["p95_ms"], 1)
        figures[page.key] = {
            "label": page.label,
            "inbox": {**inbox, "queries": checked[page.key]["queries"]},
            "reference": reference,
            "ratio_p95": ratio,
            "items": checked[page.key]["items"],
        }
        rows.append(
            {
                "query": page.label,
                "p50": inbox["p50_ms"],
                "p95": inbox["p95_ms"],
                "p99": inbox["p99_ms"],
                "queries": checked[page.key]["queries"],
                "ref_p50": reference["p50_ms"],
                "ref_p95": reference["p95_ms"],
                "ratio": ratio,
            }
        )
    print(
        f"\n{sizes['applications']:,} applications ({sizes['transitions']:,} transitions, "
        f"{sizes['residents']:,} persons in the register)\n"
    )
    harness.print_table(
        rows,
        [
            ("query", "inbox query"),
            ("p50", "p50 ms"),
            ("p95", "p95 ms"),
            ("p99", "p99 ms"),
            ("queries", "SQL/req"),
            ("ref_p50", "ref p50 ms"),
            ("ref_p95", "ref p95 ms"),
            ("ratio", "p95 ratio"),
        ],
    )
    worst = max(f["inbox"]["p95_ms"] for f in figures.values())
    verdict = "meets" if worst <= GOAL_MS else "MISSES"
    print(f"\nworst p95 {worst:.1f} ms: {verdict} the goal <= {GOAL_MS:.0f} ms")
    return {"sizes": sizes, "pages": figures, "worst_p95_ms": worst, "goal_ms": GOAL_MS}
