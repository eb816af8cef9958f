"""Import a million residents from the register's CSV file, vs PostgreSQL ``COPY``.

The measured call is :func:`jichi.registry.exchange.import_register` (both passes:
validation of every row, then the inserts in batches of whole persons, through the
tenant scope, row-level security, constraints and foreign keys) into a fresh, empty
database. The reference is ``COPY … FROM STDIN (FORMAT csv, HEADER true)`` of the
same file into a plain table with one ``text`` column per CSV column, in the same
run: what the server itself takes to parse and store those rows. Goals: import
rows/s ≥ 0.25 × ``COPY`` rows/s, and a Yokohama-size register (3,800,000 persons)
in ≤ 10 minutes (extrapolated linearly from the measured rate unless
``--import-residents`` ≥ 3,800,000 was run). PostgreSQL only.

The file is made without the database: a small real register (2,000 residents of
the demo generator, seed 1) is exported once, then its rows are written again and
again with fresh numbers until N persons (``--import-residents``, default
1,000,000): per copy new 宛名番号/世帯番号 (from new serials), new 異動ID (the UUIDv7
time half kept, the rest numbered per copy), new valid and unique 個人番号 and
住民票コード where the source has one. Names, dates and addresses repeat; the import
has no rule against two persons of the same name, birth date and sex.
"""

from __future__ import annotations

import base64
import csv
import io
import os
import resource
import statistics
import time
import uuid
from pathlib import Path

from bench import harness

NAME = "registry_import"
DESCRIPTION = "import 1,000,000 residents from the CSV file vs COPY of it into a plain table"
GOAL_RATIO = 0.25
YOKOHAMA = 3_800_000
GOAL_YOKOHAMA_S = 600.0
CODE = "141003"  # 横浜市
SOURCE_RESIDENTS = 2000
BOM = b"\xef\xbb\xbf"
# Affine permutations of the person serial (factors prime to 10): unique numbers.
_MY_NUMBER_FACTOR, _MY_NUMBER_OFFSET = 7_919_111_117, 12_345_678_901
_RESIDENT_CODE_FACTOR, _RESIDENT_CODE_OFFSET = 1_000_003, 2_468_013_579


def add_arguments(group) -> None:
    group.add_argument(
        "--import-residents",
        type=int,
        default=1_000_000,
        help="persons in the imported file (default %(default)s; --quick: 20,000)",
    )
    group.add_argument(
        "--copy-repeat",
        type=int,
        default=3,
        help="timed COPY runs, split before and after the import (default %(default)s)",
    )


# --- the file ---------------------------------------------------------------------


def _data_key() -> None:
    """A throw-away data key (the 個人番号 are sealed with it) in the run's temporary
    directory: the production settings refuse to make one on the fly."""
    from django.conf import settings

    from jichi.common import secrets

    if settings.JICHI_DATA_KEY_B64 is not None:
        return
    path = Path(settings.JICHI_DATA_KEY)
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_bytes(base64.b64encode(os.urandom(32)) + b"\n")
    secrets.reset()


def _source_rows(workspace) -> tuple[list[str], list[list[str]]]:
    """A small real register, exported: the header and the rows."""
    from jichi.registry.demo import generate_population
    from jichi.registry.exchange import export_register

    workspace.fresh("import_source")
    _municipality()
    generate_population(CODE, SOURCE_RESIDENTS, seed=1)
    buffer = io.BytesIO()
    export_register(CODE, buffer)
    reader = csv.reader(io.StringIO(buffer.getvalue().decode("utf-8-sig"), newline=""))
    header = next(reader)
    return header, list(reader)


def _municipality():
    from jichi.tenancy.principals import Actor
    from jichi.tenancy.services import activate_municipality, add_local_government

    municipality = add_local_government(CODE)
    activate_municipality(municipality=municipality, actor=Actor.system("bench"))
    return municipality


def _serial(number: str) -> int:
    return int(number[:9])


def _write_file(path: Path, header: list[str], rows: list[list[str]], persons: int) -> dict:
    """Write ``persons`` persons by replicating ``rows`` with fresh numbers; streamed."""
    from jichi.common.checkdigits import (
        make_household_number,
        make_resident_number,
        my_number_check_digit,
        resident_record_code_check_digit,
    )

    col = {name: i for i, name in enumerate(header)}
    i_person, i_movement = col["宛名番号"], col["異動ID"]
    i_households = [col[n] for n in ("世帯番号", "異動前世帯番号", "異動後世帯番号") if n in col]
    i_my_number, i_resident_code = col.get("個人番号"), col.get("住民票コード")
    groups: list[tuple[int, list[list[str]]]] = []  # (person serial, rows), in file order
    for row in rows:
        serial = _serial(row[i_person])
        if groups and groups[-1][0] == serial:
            groups[-1][1].append(row)
        else:
            groups.append((serial, [row]))
    person_stride = max(serial for serial, _ in groups)
    household_stride = max(_serial(row[i]) for row in rows for i in i_households if row[i])
    movement_index = {m: n for n, m in enumerate(dict.fromkeys(row[i_movement] for row in rows))}
    movement_high = {m: uuid.UUID(m).int >> 64 for m in movement_index}
    written = {"persons": 0, "rows": 0, "copies": 0}
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        copy = 0
        while written["persons"] < persons:
            households: dict[str, str] = {}

            def household(number: str, copy=copy, households=households) -> str:
                new = households.get(number)
                if new is None:
                    new = make_household_number(copy * household_stride + _serial(number))
                    households[number] = new
                return new

            movements = {
                m: str(uuid.UUID(int=movement_high[m] << 64 | 2 << 62 | copy << 32 | n))
                for m, n in movement_index.items()
            }
            for source_serial, group in groups:
                if written["persons"] == persons:
                    break
                serial = copy * person_stride + source_serial
                number = make_resident_number(serial)
                base = f"{(serial * _MY_NUMBER_FACTOR + _MY_NUMBER_OFFSET) % 10**11:011d}"
                my_number = base + my_number_check_digit(base)
                base = f"{(serial * _RESIDENT_CODE_FACTOR + _RESIDENT_CODE_OFFSET) % 10**10:010d}"
                resident_code = base + resident_record_code_check_digit(base)
                for source in group:
                    row = source.copy()
                    row[i_person] = number
                    for i in i_households:
                        if row[i]:
                            row[i] = household(row[i])
                    row[i_movement] = movements[row[i_movement]]
                    if i_my_number is not None and row[i_my_number]:
                        row[i_my_number] = my_number
                    if i_resident_code is not None and row[i_resident_code]:
                        row[i_resident_code] = resident_code
                    writer.writerow(row)
                written["rows"] += len(group)
                written["persons"] += 1
            copy += 1
        written["copies"] = copy
    written["bytes"] = path.stat().st_size
    return written


# --- the reference: COPY into a plain table -------------------------------------------


def _copy(path: Path, columns: int) -> tuple[float, int]:
    """Seconds to COPY the file into a fresh plain table (committed), and its rows."""
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection  # psycopg, autocommit: the COPY commits on its own
    definition = ", ".join(f"c{i:02d} text" for i in range(columns))
    raw.execute("DROP TABLE IF EXISTS bench_copy")
    raw.execute(f"CREATE TABLE bench_copy ({definition})")
    start = time.perf_counter()
    with path.open("rb") as handle, raw.cursor() as cursor:
        if handle.read(len(BOM)) != BOM:
            handle.seek(0)
        with cursor.copy("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
    seconds = time.perf_counter() - start
    rows = raw.execute("SELECT count(*) FROM bench_copy").fetchone()[0]
    raw.execute("DROP TABLE bench_copy")
    return seconds, rows


# --- the run ----------------------------------------------------------------------


def run(args) -> dict:
    workspace = args.workspace
    if workspace.vendor != "postgresql":
        print("  skipped: this benchmark runs on PostgreSQL (python -m bench --postgres)")
        return {"skipped": "needs PostgreSQL"}
    from jichi.registry.exchange import import_register
    from jichi.registry.models import Person, PersonVersion
    from jichi.tenancy.context import tenant_scope

    n = 20_000 if args.quick else args.import_residents
    repeat = max(args.copy_repeat, 1)
    path = workspace.directory / "register.csv"
    _data_key()
    with harness.Stopwatch(f"source register: {SOURCE_RESIDENTS:,} demo residents, exported"):
        header, rows = _source_rows(workspace)
    with harness.Stopwatch(f"write {n:,} persons to the file (not measured)") as writing:
        written = _write_file(path, header, rows, n)
    print(
        f"  file: {written['persons']:,} persons, {written['rows']:,} rows, "
        f"{written['bytes'] / 1e6:,.0f} MB, {len(header)} columns "
        f"({written['copies']} copies of {len(rows):,} source rows; "
        f"{written['rows'] / writing.seconds:,.0f} rows/s written)"
    )
    with harness.Stopwatch("migrate the target database"):
        workspace.fresh("import_target")
        _municipality()

    copies = []

    def copy_once() -> None:
        with harness.Stopwatch("COPY into a plain table"):
            seconds, copied = _copy(path, len(header))
        if copied != written["rows"]:
            raise RuntimeError(f"COPY loaded {copied:,} rows, the file has {written['rows']:,}")
        copies.append(seconds)

    for _ in range((repeat + 1) // 2):
        copy_once()
    with harness.Stopwatch("import_register (measured)"):
        start = time.perf_counter()
        result = import_register(CODE, path, progress=False)
        import_s = time.perf_counter() - start
    if not result.ok:
        raise RuntimeError(
            f"the import refused the file: {result.problems} problems, see {result.report_path}"
        )
    with tenant_scope(CODE):
        persons_in, versions_in = Person.objects.count(), PersonVersion.objects.count()
    if (persons_in, versions_in) != (written["persons"], written["rows"]):
        raise RuntimeError(
            f"the register holds {persons_in:,} persons and {versions_in:,} versions, "
            f"the file {written['persons']:,} and {written['rows']:,}"
        )
    for _ in range(repeat // 2):
        copy_once()

    copy_s = statistics.median(copies)
    copy_rps = written["rows"] / copy_s
    import_rps = written["rows"] / import_s
    persons_ps = written["persons"] / import_s
    ratio = import_rps / copy_rps
    measured_yokohama = written["persons"] >= YOKOHAMA
    yokohama_s = import_s if measured_yokohama else YOKOHAMA / persons_ps
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print()
    harness.print_table(
        [
            {
                "what": f"COPY into a plain table (median of {len(copies)})",
                "rows": written["rows"],
                "seconds": round(copy_s, 2),
                "rows_s": round(copy_rps),
                "persons_s": round(written["persons"] / copy_s),
            },
            {
                "what": "import_register (both passes)",
                "rows": written["rows"],
                "seconds": round(import_s, 2),
                "rows_s": round(import_rps),
                "persons_s": round(persons_ps),
            },
        ],
        [
            ("what", "what"),
            ("rows", "rows"),
            ("seconds", "s"),
            ("rows_s", "rows/s"),
            ("persons_s", "persons/s"),
        ],
    )
    print(
        f"\nCOPY runs: {', '.join(f'{s:.2f}' for s in copies)} s; import: {result.batches} "
        f"batches, {result.movements:,} movements, {result.households:,} households, "
        f"{result.subjects:,} subjects; peak RSS {peak_rss_mb:,.0f} MB"
    )
    verdict = "meets" if ratio >= GOAL_RATIO else "MISSES"
    print(f"ratio import/COPY (rows/s) {ratio:.3f}  {verdict} the goal >= {GOAL_RATIO}")
    verdict = "meets" if yokohama_s <= GOAL_YOKOHAMA_S else "MISSES"
    label = "measured" if measured_yokohama else "ESTIMATE, linear from the measured persons/s"
    print(
        f"{YOKOHAMA:,} persons (Yokohama): {yokohama_s / 60:.1f} min ({label})  "
        f"{verdict} the goal <= {GOAL_YOKOHAMA_S / 60:.0f} min"
    )
    return {
        "persons": written["persons"],
        "rows": written["rows"],
        "file_bytes": written["bytes"],
        "columns": len(header),
        "write_file_s": writing.seconds,
        "copy_s": copies,
        "copy_median_s": copy_s,
        "copy_rows_per_s": copy_rps,
        "import_s": import_s,
        "import_result_s": result.seconds,
        "import_rows_per_s": import_rps,
        "import_persons_per_s": persons_ps,
        "ratio": ratio,
        "goal_ratio": GOAL_RATIO,
        "meets_goal": ratio >= GOAL_RATIO,
        "yokohama_persons": YOKOHAMA,
        "yokohama_s": yokohama_s,
        "yokohama_estimated": not measured_yokohama,
        "goal_yokohama_s": GOAL_YOKOHAMA_S,
        "meets_yokohama_goal": yokohama_s <= GOAL_YOKOHAMA_S,
        "batches": result.batches,
        "peak_rss_mb": peak_rss_mb,
    }
