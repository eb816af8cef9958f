"""Does a tenant's API request slow down as the platform fills with tenants?

Two databases are built in one run:

* ``one``: the measured municipality (and its prefecture's row), active, with
  its staff, role grants, API tokens and audit entries;
* ``all``: a copy of ``one`` to which the whole national list is added
  (1,959 local governments), every municipality active (the 47 prefectures
  cannot be) with the same staff, grants, tokens and audit entries each.

The same requests with the same tokens are then timed against both, in
alternating small batches (one/all, then all/one, ...), in process through
Django's test client with the production middleware stack. The figure of
merit is p95(all) / p95(one) for ``GET /api/v1/municipalities/{code}``; the
goal is at most 1.2. The audit-trail read (which also appends an entry, so
it is a write) and the same read with a staff member's token (which also
reads that person's role grants) are measured alongside.
"""

from __future__ import annotations

import gc
import secrets
from dataclasses import dataclass
from datetime import timedelta

from bench import harness

NAME = "api_tenant_request"
DESCRIPTION = "p95 of authenticated tenant API requests: 1 municipality vs all 1,959 loaded"

GOAL_RATIO = 1.2
DEFAULT_CODE = "202029"  # 松本市, an ordinary city
PASSWORD = "bench password: correct horse 2026"
SYSTEM_SCOPES = ["audit:read", "municipality:read"]


def add_arguments(group) -> None:
    group.add_argument(
        "--code", default=DEFAULT_CODE, help="the measured municipality (default %(default)s)"
    )
    group.add_argument(
        "--requests",
        type=int,
        default=2000,
        help="measured requests per endpoint and data set (default %(default)s)",
    )
    group.add_argument(
        "--batch",
        type=int,
        default=20,
        help="requests per batch; batches alternate one/all (default %(default)s)",
    )
    group.add_argument(
        "--staff",
        type=int,
        default=25,
        help="staff users (one role each) per municipality (default %(default)s)",
    )
    group.add_argument(
        "--tokens", type=int, default=4, help="API tokens per municipality (default %(default)s)"
    )
    group.add_argument(
        "--audit-entries",
        type=int,
        default=10,
        help="audit entries written per municipality besides its activation (default %(default)s)",
    )


@dataclass(frozen=True)
class Scale:
    staff: int
    tokens: int
    audit_entries: int
    requests: int
    batch: int
    warmup: int  # unmeasured requests per endpoint and database before measuring


@dataclass(frozen=True)
class Endpoint:
    key: str
    label: str
    token: str  # which secret: "system" | "staff"
    path: str


def _scale(args) -> Scale:
    if args.quick:
        return Scale(staff=2, tokens=2, audit_entries=1, requests=200, batch=20, warmup=20)
    return Scale(
        staff=max(args.staff, 1),
        tokens=max(args.tokens, 2),
        audit_entries=args.audit_entries,
        requests=args.requests,
        batch=max(args.batch, 1),
        warmup=200,
    )


def _endpoints(code: str) -> list[Endpoint]:
    base = f"/api/v1/municipalities/{code}"
    return [
        Endpoint("municipality", f"GET {base}", "system", base),
        Endpoint("audit", f"GET {base}/audit?limit=20", "system", f"{base}/audit?limit=20"),
        Endpoint("municipality_staff_token", f"GET {base} (staff token)", "staff", base),
    ]


# --- data -------------------------------------------------------------------------


def _actor():
    from jichi.tenancy.principals import Actor

    return Actor.system("bench")


def seed_measured(code: str, scale: Scale) -> dict[str, str]:
    """The measured municipality, its two measured tokens (through the services) and
    the rest of its load. Returns the secrets by kind."""
    from jichi.tenancy.roles import Role
    from jichi.tenancy.services import (
        activate_municipality,
        add_local_government,
        create_staff,
        create_token,
    )

    actor = _actor()
    municipality = add_local_government(code)  # with its prefecture's row
    activate_municipality(municipality=municipality, actor=actor)
    auditor = create_staff(
        actor=actor,
        username=f"{code}-auditor",
        password=PASSWORD,
        organization=municipality,
        display_name="bench auditor",
        roles=[Role.AUDITOR],
    )
    _, system_secret = create_token(
        actor=actor,
        municipality=municipality,
        name="bench system token",
        scopes=SYSTEM_SCOPES,
        days=30,
    )
    _, staff_secret = create_token(
        actor=actor,
        municipality=municipality,
        name="bench staff token",
        scopes=SYSTEM_SCOPES,
        days=30,
        user=auditor,
    )
    fill([municipality], scale, staff_done=1, tokens_done=2)
    return {"system": system_secret, "staff": staff_secret}


def seed_nation(code: str, scale: Scale) -> int:
    """Load the national list, activate every municipality but ``code`` and give
    each its load. Returns how many were activated."""
    from django.db import transaction

    from jichi.tenancy.models import Municipality, MunicipalityKind
    from jichi.tenancy.services import activate_municipality, load_national_list

    load_national_list()
    others = list(
        Municipality.objects.exclude(kind=MunicipalityKind.PREFECTURE)
        .exclude(code=code)
        .filter(is_active=False)
        .order_by("code")
    )
    actor = _actor()
    with transaction.atomic():
        for municipality in others:
            activate_municipality(municipality=municipality, actor=actor)
    fill(others, scale)
    return len(others)


def fill(municipalities, scale: Scale, *, staff_done: int = 0, tokens_done: int = 0) -> None:
    """Staff (one role each), tokens and audit entries per municipality, in bulk.

    One precomputed password hash serves every account; token rows carry the
    SHA-256 of a fresh secret as :func:`create_token` would store it; audit
    entries go through :func:`jichi.audit.services.record` (valid chains).
    """
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from jichi.audit.services import record
    from jichi.tenancy.context import tenant_scope
    from jichi.tenancy.models import ApiToken, RoleGrant, StaffUser
    from jichi.tenancy.roles import Role
    from jichi.tenancy.services import TOKEN_PREFIX, hash_token

    password = make_password(PASSWORD)
    roles = [r for r in Role.values if r != Role.PREFECTURE_STAFF]
    expires = timezone.now() + timedelta(days=365)
    users, grants, tokens = [], [], []
    for municipality in municipalities:
        staff = [
            StaffUser(
                username=f"{municipality.code}-staff-{i:04d}",
                password=password,
                organization=municipality,
                display_name=f"staff {i}",
            )
            for i in range(staff_done, scale.staff)
        ]
        users += staff
        grants += [
            RoleGrant(user=user, municipality=municipality, role=roles[i % len(roles)])
            for i, user in enumerate(staff)
        ]
        for i in range(tokens_done, scale.tokens):
            secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
            owner = staff[i % len(staff)] if staff and i % 2 else None
            tokens.append(
                ApiToken(
                    municipality=municipality,
                    name=f"bench token {i}",
                    prefix=secret[len(TOKEN_PREFIX) :][:8],
                    secret_hash=hash_token(secret),
                    scopes=["municipality:read"] if owner else SYSTEM_SCOPES,
                    user=owner,
                    expires_at=expires,
                )
            )
    actor = _actor()
    with transaction.atomic():
        StaffUser.objects.bulk_create(users, batch_size=1000)
        RoleGrant.objects.bulk_create(grants, batch_size=1000)
        ApiToken.objects.bulk_create(tokens, batch_size=1000)
        for municipality in municipalities:
            with tenant_scope(municipality.code, "bench seed"):
                for i in range(scale.audit_entries):
                    record(actor, "bench.seeded", object_type="bench", object_id=str(i))


def data_sizes() -> dict[str, int]:
    from jichi.audit.models import AuditEntry
    from jichi.tenancy.context import platform_scope
    from jichi.tenancy.models import ApiToken, Municipality, RoleGrant, StaffUser

    with platform_scope("bench: data sizes"):
        return {
            "municipalities": Municipality.objects.count(),
            "active": Municipality.objects.filter(is_active=True).count(),
            "staff": StaffUser.objects.count(),
            "grants": RoleGrant.objects.count(),
            "tokens": ApiToken.objects.count(),
            "audit_entries": AuditEntry.objects.count(),
        }


# --- measuring --------------------------------------------------------------------


def measure(
    workspace, databases: dict, endpoints: list[Endpoint], clients: dict, scale: Scale
) -> dict[tuple[str, str], list[int]]:
    """Time every endpoint on every database in small alternating batches.

    Each database keeps its own open connection, so switching costs nothing;
    the order alternates (one, all, all, one, ...) so that neither side
    always runs first. A warm-up on each database comes before.
    """
    labels = list(databases)
    samples = {(e.key, label): [] for e in endpoints for label in labels}
    for label in labels:
        workspace.use(databases[label])
        for e in endpoints:
            harness.time_requests(clients[e.token], e.path, scale.warmup)
    gc.collect()
    batches = -(-scale.requests // scale.batch)
    for b in range(batches):
        n = min(scale.batch, scale.requests - b * scale.batch)
        for label in labels if b % 2 == 0 else reversed(labels):
            workspace.use(databases[label])
            for e in endpoints:
                samples[e.key, label] += harness.time_requests(clients[e.token], e.path, n)
        if (b + 1) % max(1, batches // 4) == 0 or b + 1 == batches:
            print(f"  {(b + 1) * 100 // batches}%", end="", flush=True)
    print()
    return samples


def queries_per_request(workspace, databases: dict, endpoints, clients) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for label, db in databases.items():
        workspace.use(db)
        for e in endpoints:
            with CaptureQueriesContext(connection) as captured:
                clients[e.token].get(e.path)
            counts[e.key, label] = len(captured)
    return counts


def run(args) -> dict:
    from django.test import Client

    workspace = args.workspace
    scale = _scale(args)
    code = args.code
    print(
        f"set-up ({workspace.vendor}; {scale.staff} staff, {scale.tokens} tokens, "
        f"{scale.audit_entries} + 1 audit entries per municipality):"
    )
    with harness.Stopwatch("migrate"):
        one = workspace.fresh("one")
    with harness.Stopwatch(f"one: municipality {code}"):
        token_secrets = seed_measured(code, scale)
        workspace.analyze()
    sizes = {"one": data_sizes()}
    with harness.Stopwatch("all: copy of one"):
        everything = workspace.copy(one, "all")
    with harness.Stopwatch("all: national list, every municipality active and loaded"):
        seed_nation(code, scale)
        workspace.analyze()
    sizes["all"] = data_sizes()
    databases = {"one": one, "all": everything}
    for label, db in databases.items():  # each connection holds its own data set
        workspace.use(db)
        if data_sizes() != sizes[label]:
            raise RuntimeError(f"the connection of '{label}' does not see its data set")
    endpoints = _endpoints(code)
    clients = {
        kind: Client(HTTP_AUTHORIZATION=f"Bearer {secret}", SERVER_NAME=harness.HOST)
        for kind, secret in token_secrets.items()
    }

    print(
        f"measuring {scale.requests} requests per endpoint and database "
        f"in alternating batches of {scale.batch}:",
        end="",
    )
    samples = measure(workspace, databases, endpoints, clients, scale)
    queries = queries_per_request(workspace, databases, endpoints, clients)
    if args.profile:
        for label, db in databases.items():
            workspace.use(db)
            e = endpoints[0]
            print(f"\n--- cProfile: {e.label} on '{label}' (500 requests) ---")
            harness.profile(lambda e=e: clients[e.token].get(e.path), 500, top=25)

    figures = _figures(code, scale, sizes, endpoints, samples, queries)
    _report(figures, endpoints)
    return figures


# --- output -----------------------------------------------------------------------


def _figures(code, scale, sizes, endpoints, samples, queries) -> dict:
    results = {}
    for e in endpoints:
        one = harness.summarize(samples[e.key, "one"])
        everything = harness.summarize(samples[e.key, "all"])
        results[e.key] = {
            "label": e.label,
            "one": {**one, "queries": queries[e.key, "one"]},
            "all": {**everything, "queries": queries[e.key, "all"]},
            "ratio_p95": round(everything["p95_ms"] / one["p95_ms"], 3),
            "ratio_p50": round(everything["p50_ms"] / one["p50_ms"], 3),
        }
    headline = results[endpoints[0].key]
    return {
        "code": code,
        "scale": scale.__dict__,
        "sizes": sizes,
        "endpoints": results,
        "goal_ratio_p95": GOAL_RATIO,
        "ratio_p95": headline["ratio_p95"],
        "meets_goal": headline["ratio_p95"] <= GOAL_RATIO,
    }


def _report(figures: dict, endpoints: list[Endpoint]) -> None:
    sizes = figures["sizes"]
    print("\ndata sets:")
    harness.print_table(
        [{"set": label, **counts} for label, counts in sizes.items()],
        [
            ("set", "set"),
            ("municipalities", "municipalities"),
            ("active", "active"),
            ("staff", "staff"),
            ("grants", "grants"),
            ("tokens", "tokens"),
            ("audit_entries", "audit entries"),
        ],
    )
    print()
    rows = []
    for e in endpoints:
        result = figures["endpoints"][e.key]
        for label in ("one", "all"):
            rows.append(
                {"endpoint": e.label if label == "one" else "", "set": label, **result[label]}
            )
    harness.print_table(
        rows,
        [
            ("endpoint", "endpoint"),
            ("set", "set"),
            ("n", "n"),
            ("p50_ms", "p50 ms"),
            ("p95_ms", "p95 ms"),
            ("p99_ms", "p99 ms"),
            ("mean_ms", "mean ms"),
            ("rps", "req/s"),
            ("queries", "queries/req"),
        ],
    )
    print()
    for e in endpoints:
        result = figures["endpoints"][e.key]
        verdict = "meets" if result["ratio_p95"] <= GOAL_RATIO else "MISSES"
        print(
            f"p95(all)/p95(one) {result['ratio_p95']:.2f}  (p50 ratio "
            f"{result['ratio_p50']:.2f})  {verdict} the goal <= {GOAL_RATIO}  {e.label}"
        )
