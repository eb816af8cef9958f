"""A synthetic register of N residents, generated in SQL on PostgreSQL (benchmarks only).

The demo generator (``jichi demo``) writes a population row by row through the
ORM: right for a demo, too slow for the million residents a benchmark needs.
This module writes the same kind of register with a few ``INSERT … SELECT``
statements, in the shape the services would have left it:

* households of 1–6 persons (Japan's census mix, 2.2 on average), each with
  exactly one head (世帯主), a spouse (妻/夫) or a child (子) and children; 2.5 %
  of the households foreign (国籍, 在留資格, 在留期間 and its end, 在留カード番号);
* real names with their readings (the demo's surname and given-name tables,
  plus a long tail of two-kanji surnames), so searches by name or kana find
  plausible numbers of people; birth dates after the demo's age tables;
* addresses in the municipality's real 町字 (番地・号, 方書 for 40 %);
* 宛名番号, 世帯番号, 住民票コード and 個人番号 made by the project's own
  functions (check digits), the 個人番号 sealed with the data key;
* a history as the services write it: a 転入 (国外転入 for foreign households)
  for every household; for 30 % a later 転居 of the whole household, which
  supersedes the first version and restates it up to the day of moving
  (three versions per person); and, beyond the N residents, 3 % more
  households that have moved out (転出, 除票). Movements carry their subjects.

Everything is deterministic (hashes of the row numbers, ``random.Random(seed)``
for the tables). The secondary indexes of the big tables are dropped during
the load and rebuilt from their own definitions afterwards. :func:`check`
compares the result with what the services write.
"""

from __future__ import annotations

import time
from datetime import date

from bench.harness import Stopwatch
from bench.population import sql
from bench.population.check import check
from bench.population.pools import Pools

__all__ = ["check", "generate"]


def generate(code: str, residents: int, *, seed: int = 1, today: date | None = None) -> dict:
    """Write a register of ``residents`` residents (plus 除票) for ``code``; returns counts
    (and the seconds it took). Prints its steps.

    The municipality must exist and its register be empty. One transaction.
    """
    from django.db import connection
    from django.utils import timezone

    from bench.registry_import import _data_key
    from jichi.tenancy.context import tenant_scope

    _data_key()  # the 個人番号 are sealed: a throw-away key in the run's directory
    print(f"  generate {residents:,} residents in SQL:", flush=True)
    started = time.perf_counter()
    today = today or timezone.localdate()
    params = Pools(code, today, seed).build()
    params.update(code=code, n=residents, today=today, hmax=int(residents / 2.2 * 1.25) + 50)
    with tenant_scope(code, "bench population"), connection.cursor() as cursor:
        with Stopwatch("    households and persons"):
            sql.pool_tables(cursor, params)
            sql.households(cursor, params)
            sql.persons(cursor, params)
            sql.dates(cursor, params)
            counts = sql.counts_of(cursor)
        with Stopwatch("    numbers and sealed 個人番号"):
            sql.numbers(cursor, code, counts)
        with sql.bare_tables(cursor, sql.LOADED):
            with Stopwatch("    households, persons, movements, subjects"):
                sql.rows(cursor, params)
            with Stopwatch("    versions"):
                sql.versions(cursor, params)
        sql.finish(cursor, code, counts)
    counts["generate_s"] = round(time.perf_counter() - started, 1)
    print(f"  generated in {counts['generate_s']} s", flush=True)
    return counts
