"""選挙人名簿 over a million residents: one registration vs the bare SQL of the same rule.

A generated register of ``--residents`` (default 1,000,000; PostgreSQL, as
:mod:`bench.registry_statistics`) gets 20 voting districts over its 町字. Then:

* **first registration**: :func:`jichi.benefits.elections.services.register` as of
  today (選挙時登録) — the register's rows streamed through ``resident_rows``
  (tenant scope, row-level security, history), the age, nationality and 3-month
  rules in Python, every new elector written;
* **next registration**, a day later with the roll in place — what each periodic or
  election-time registration costs afterwards;
* **reference**: ``INSERT … SELECT`` of the same electors (the rules written in SQL)
  into a bare table with the entry's columns (in the tenant scope, as row-level
  security wants) — the floor.

Goal: the first registration ≤ 30 s.
"""

from __future__ import annotations

import time
from datetime import date, timedelta

from bench import harness

NAME = "elections_roll"
DESCRIPTION = "選挙人名簿 registration over 1,000,000 residents (goal <= 30 s) vs bare SQL"
GOAL_SECONDS = 30.0
CODE = "141003"  # 横浜市


def add_arguments(group) -> None:
    group.add_argument(
        "--roll-residents", type=int, default=1_000_000, help="residents (default %(default)s)"
    )


def _districts(municipality) -> int:
    from jichi.benefits.elections import services
    from jichi.registry.towns import towns_of
    from jichi.tenancy.context import tenant_scope
    from jichi.tenancy.principals import Actor

    towns = [t.code for t in towns_of(CODE)]
    per = len(towns) // 20 + 1
    districts = [
        {
            "code": f"{i + 1:02d}",
            "name": f"第{i + 1}投票区",
            "towns": towns[i * per : (i + 1) * per],
        }
        for i in range(20)
    ]
    with tenant_scope(CODE):
        services.set_districts(
            municipality=municipality, actor=Actor.system("bench"), districts=districts
        )
    return len(districts)


def _reference(on: date) -> tuple[float, int]:
    from django.db import connection

    from jichi.benefits.elections.rules import add_months
    from jichi.common.ages import born_by_for_age
    from jichi.tenancy.context import tenant_scope

    with tenant_scope(CODE), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_roll (id uuid, person_id uuid, number varchar(10), "
            "sex varchar(1), district varchar(4), registered_on date)"
        )
        start = time.perf_counter()
        cursor.execute(
            "INSERT INTO bench_roll SELECT gen_random_uuid(), v.person_id, p.number, v.sex, "
            "'', %s FROM registry_personversion v JOIN registry_person p ON p.id = v.person_id "
            "WHERE v.superseded_at IS NULL AND v.valid_from <= %s "
            "AND (v.valid_to IS NULL OR v.valid_to > %s) AND v.status = '1' AND v.kind = '1' "
            "AND v.birth_date <= %s AND v.became_resident_on <= %s",
            [on, on, on, born_by_for_age(on, 18), add_months(on, -3)],
        )
        rows = cursor.rowcount
        seconds = time.perf_counter() - start
    return seconds, rows


def run(args) -> dict:
    workspace = args.workspace
    if skipped := harness.postgres_only(workspace):
        return skipped
    from bench import population
    from jichi.benefits.elections import services
    from jichi.tenancy.context import tenant_scope
    from jichi.tenancy.principals import Actor
    from jichi.tenancy.services import activate_municipality, add_local_government

    n = 20_000 if args.quick else args.roll_residents
    workspace.fresh("roll")
    municipality = add_local_government(CODE)
    actor = Actor.system("bench")
    activate_municipality(municipality=municipality, actor=actor)
    with harness.Stopwatch(f"generate {n:,} residents"):
        population.generate(CODE, n)
    _districts(municipality)
    workspace.analyze()
    today = date.today()

    def register(on):
        start = time.perf_counter()
        with tenant_scope(CODE):
            registration = services.register(
                municipality=municipality, actor=actor, reference_date=on, kind="election"
            )
        return time.perf_counter() - start, registration

    first_s, first = register(today - timedelta(days=1))
    next_s, following = register(today)
    reference_s, reference_rows = _reference(today - timedelta(days=1))
    rows = [
        {"what": "first registration (register())", "electors": first.added,
         "seconds": round(first_s, 2)},
        {"what": "next registration, a day later", "electors": following.added,
         "seconds": round(next_s, 2)},
        {"what": "reference: INSERT ... SELECT of the rule", "electors": reference_rows,
         "seconds": round(reference_s, 2)},
    ]  # fmt: skip
    harness.print_table(rows, [("what", "what"), ("electors", "electors"), ("seconds", "s")])
    verdict = "meets" if first_s <= GOAL_SECONDS else "MISSES"
    print(
        f"\n{n:,} residents, {first.total:,} electors: first registration {first_s:.1f} s "
        f"{verdict} the goal <= {GOAL_SECONDS:.0f} s (ratio to the bare SQL "
        f"{first_s / reference_s:.1f}); the next one {next_s:.1f} s"
    )
    if first.added != reference_rows:
        raise RuntimeError(f"register() added {first.added}, the SQL rule {reference_rows}")
    return {
        "residents": n,
        "electors": first.total,
        "first_seconds": round(first_s, 2),
        "next_seconds": round(next_s, 2),
        "reference_seconds": round(reference_s, 3),
        "ratio": round(first_s / reference_s, 2),
    }
