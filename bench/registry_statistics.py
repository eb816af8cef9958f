"""住基人口 over a million residents: the register's query vs a bare GROUP BY.

The register answers "population on date D" from its bitemporal history
(current knowledge, valid on D, status 住民) through the tenant scope and
row-level security. The reference is the same grouping (町字 × 5-year band ×
sex, households per 町字, Japanese/foreign) over a flat table holding just the
resident rows of that day — what a batch-built statistics table would be. Goal:
the register's time ≤ 3 × the flat GROUP BY's. PostgreSQL only (the data is
generated in SQL); ``--residents`` sets the size (default 1,000,000).
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


def _generate(code: str, n: int, towns: list) -> None:
    """Persons, households and versions in SQL: 1 current version each, 30 % with a
    superseded earlier one, 3 % moved out, 2.5 % foreign."""
    from django.db import connection

    town_codes = [t.code for t in towns]
    town_names = [f"{t.ward_name}{t.name}" for t in towns]
    with connection.cursor() as c:
        c.execute(
            "INSERT INTO registry_movement (id, municipality_code, reason, category, "
            "effective_on, recorded_at, actor_kind, actor_id, actor_label, late, note, "
            "details) VALUES (gen_random_uuid(), %s, '11', 'record', '2000-01-01', now(), "
            "'system', 'bench', 'bench', false, '', '{}') RETURNING id",
            [code],
        )
        movement = c.fetchone()[0]
        c.execute(
            "CREATE TEMP TABLE bench_hh AS SELECT i, gen_random_uuid() AS id "
            "FROM generate_series(0, %s) i",
            [n // 2],
        )
        c.execute(
            "INSERT INTO registry_household (id, municipality_code, number, created_at) "
            "SELECT id, %s, lpad(i::text, 10, '0'), now() FROM bench_hh",
            [code],
        )
        c.execute(
            "CREATE TEMP TABLE bench_p AS SELECT i, gen_random_uuid() AS id "
            "FROM generate_series(1, %s) i",
            [n],
        )
        c.execute(
            "INSERT INTO registry_person (id, municipality_code, number, created_at) "
            "SELECT id, %s, lpad(i::text, 10, '0'), now() FROM bench_p",
            [code],
        )
        columns = """id, municipality_code, person_id, history_no, valid_from, valid_to,
            recorded_at, superseded_at, movement_id, reason, status, kind, family_name,
            given_name, family_name_kana, given_name_kana, name_alphabet, former_surname,
            former_surname_kana, alias, alias_kana, name_key, kanji_key, birth_date,
            birth_precision, birth_note, sex, town_code, town_name, block, building,
            postal_code, household_id, relationship, is_head, became_resident_on,
            address_since, previous_address, domicile, domicile_head, resident_code,
            my_number_index, nationality, article_30_45, residence_status, residence_period,
            residence_card_no, destination_address"""
        values = """gen_random_uuid(), %(code)s, p.id, {history}, date '2000-01-01' +
            (p.i %% 8000), {valid_to}, now(), {superseded}, %(movement)s, '11',
            CASE WHEN p.i %% 33 = 0 THEN '2' ELSE '1' END,
            CASE WHEN p.i %% 40 = 0 THEN '2' ELSE '1' END, '山田', '太郎', 'ヤマダ', 'タロウ',
            '', '', '', '', '', 'ヤマダタロウ' || p.i, '山田太郎' || p.i,
            date '1925-01-01' + ((p.i::bigint * 7919) %% 36500)::int, 'day', '',
            CASE WHEN p.i %% 2 = 0 THEN '1' ELSE '2' END,
            (%(codes)s::text[])[1 + p.i %% %(towns)s], (%(names)s::text[])[1 + p.i %% %(towns)s],
            '1番地', '', '', h.id, CASE WHEN p.i %% 2 = 0 THEN '世帯主' ELSE '妻' END,
            p.i %% 2 = 0, date '2000-01-01', date '2000-01-01', '', 'なし', '', '', '', '', '',
            '', '', '', ''"""
        params = {
            "code": code,
            "movement": movement,
            "codes": town_codes,
            "names": town_names,
            "towns": len(town_codes),
        }
        join = "FROM bench_p p JOIN bench_hh h ON h.i = p.i / 2"
        c.execute(
            f"INSERT INTO registry_personversion ({columns}) SELECT "
            + values.format(history="2", valid_to="NULL", superseded="NULL")
            + " "
            + join,
            params,
        )
        c.execute(
            f"INSERT INTO registry_personversion ({columns}) SELECT "
            + values.format(history="1", valid_to="NULL", superseded="now()")
            + " "
            + join
            + " WHERE p.i %% 10 < 3",
            params,
        )
        c.execute("ANALYZE registry_personversion")


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
    if workspace.vendor != "postgresql":
        print("  skipped: this benchmark runs on PostgreSQL (python -m bench --postgres)")
        return {"skipped": "needs PostgreSQL"}
    from django.db import connection

    from jichi.registry import selectors
    from jichi.registry.towns import towns_of
    from jichi.tenancy.context import tenant_scope
    from jichi.tenancy.principals import Actor
    from jichi.tenancy.services import activate_municipality, add_local_government

    n = 20_000 if args.quick else args.residents
    workspace.fresh("stats")
    municipality = add_local_government(CODE)
    activate_municipality(municipality=municipality, actor=Actor.system("bench"))
    with harness.Stopwatch(f"generate {n:,} residents"), tenant_scope(CODE):
        _generate(CODE, n, towns_of(CODE))
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
