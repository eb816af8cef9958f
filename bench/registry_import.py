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
has no rule against two persons of the same name, birth date and sex. Beside it, the
protections file gives every 1,000th person a 支援措置 with two listed offenders (one
outside the register, one the person before in the file).

Besides the wall time the run reports where the CPU time went: this process (the
reading of the file and the building of rows in pass 2, and the writer threads), its
worker processes (pass 1) and the server's backends of the target database (sampled
from ``/proc``). ``--profile`` imports once more, into another fresh database, under
cProfile in one thread (``workers=1, writers=0``) and prints the top functions.
"""

from __future__ import annotations

import base64
import cProfile
import csv
import io
import os
import pstats
import resource
import statistics
import sys
import threading
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


def _write_protections(path: Path, register: Path, every: int = 1000) -> int:
    """A protections file for the register file: every ``every``-th person protected
    from an outsider and from the person before it in the file."""
    from jichi.registry.exchange import PROTECTION_HEADER

    with register.open(encoding="utf-8-sig", newline="") as source:
        reader = csv.reader(source)
        i_person = next(reader).index("宛名番号")
        numbers = list(dict.fromkeys(row[i_person] for row in reader))
    protections = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(PROTECTION_HEADER)
        for n in range(every, len(numbers), every):
            pk = str(uuid.UUID(int=0x019B_7A00_0000 << 80 | 0x7 << 76 | 2 << 62 | n))
            head = [CODE, pk, numbers[n], "2026-01-01", "2026-12-31", "0"]
            head += ["2026-01-01T09:00:00+09:00", ""]
            writer.writerow([*head, f"加害 者{n}", "カガイ シャ", "1980-01-01", ""])
            writer.writerow([*head, "前 の人", "", "", numbers[n - 1]])
            protections += 1
    return protections


# --- where the CPU time goes ---------------------------------------------------------


class _CpuMeter:
    """CPU seconds of this process, of its finished children (pass 1's workers) and of
    the server's backends connected to ``database`` (read from /proc every 0.2 s; a
    backend's last fraction of a second before it ends may be missed)."""

    def __init__(self, workspace, database: str) -> None:
        self.workspace = workspace
        self.database = database
        self.backends: dict[int, float] = {}
        self.stop = threading.Event()
        self.tick = os.sysconf("SC_CLK_TCK")

    def __enter__(self):
        self.self0 = resource.getrusage(resource.RUSAGE_SELF)
        self.children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()
        me = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.client_s = _cpu(me) - _cpu(self.self0)
        self.workers_s = _cpu(children) - _cpu(self.children0)
        self.server_s = sum(self.backends.values())

    def _sample(self) -> None:
        with self.workspace._admin() as admin:
            while True:
                pids = admin.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.database]
                ).fetchall()
                for (pid,) in pids:
                    seconds = self._cpu_of(pid)
                    if seconds is not None:
                        self.backends[pid] = max(seconds, self.backends.get(pid, 0.0))
                if self.stop.wait(0.2):
                    return

    def _cpu_of(self, pid: int) -> float | None:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return None
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / self.tick  # utime, stime


def _cpu(usage) -> float:
    return usage.ru_utime + usage.ru_stime


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
    if skipped := harness.postgres_only(workspace):
        return skipped
    n = 20_000 if args.quick else args.import_residents
    path = workspace.directory / "register.csv"
    protections_path = workspace.directory / "register.protections.csv"
    _data_key()
    with harness.Stopwatch(f"source register: {SOURCE_RESIDENTS:,} demo residents, exported"):
        header, rows = _source_rows(workspace)
    with harness.Stopwatch(f"write {n:,} persons to the file (not measured)") as writing:
        written = _write_file(path, header, rows, n)
        written["protections"] = _write_protections(protections_path, path)
    print(
        f"  file: {written['persons']:,} persons, {written['rows']:,} rows, "
        f"{written['bytes'] / 1e6:,.0f} MB, {len(header)} columns "
        f"({written['copies']} copies of {len(rows):,} source rows; "
        f"{written['rows'] / writing.seconds:,.0f} rows/s written); "
        f"{written['protections']:,} protections"
    )
    with harness.Stopwatch("migrate the target database"):
        target = workspace.fresh("import_target")
        _municipality()
    copies: list[float] = []
    for _ in range((max(args.copy_repeat, 1) + 1) // 2):
        copies.append(_copy_once(path, header, written))
    print(f"  load average before the import: {_load()}")
    with harness.Stopwatch("import_register (measured)"), _CpuMeter(workspace, target.name) as cpu:
        start = time.perf_counter()
        result = _import(path, protections_path, written)
        import_s = time.perf_counter() - start
    print(f"  load average after the import: {_load()}")
    for _ in range(max(args.copy_repeat, 1) // 2):
        copies.append(_copy_once(path, header, written))
    figures = _report(written, copies, import_s, result, cpu)
    figures.update(columns=len(header), write_file_s=writing.seconds)
    if args.profile:
        _profile(workspace, path, protections_path)
    return figures


def _copy_once(path: Path, header: list[str], written: dict) -> float:
    with harness.Stopwatch("COPY into a plain table"):
        seconds, copied = _copy(path, len(header))
    if copied != written["rows"]:
        raise RuntimeError(f"COPY loaded {copied:,} rows, the file has {written['rows']:,}")
    return seconds


def _import(path: Path, protections_path: Path, written: dict, **options):
    """The measured call, and a check that the register holds what the file has."""
    from jichi.registry.exchange import import_register
    from jichi.registry.models import Person, PersonVersion, Protection
    from jichi.tenancy.context import tenant_scope

    result = import_register(
        CODE, path, protections_path=protections_path, progress=False, **options
    )
    if not result.ok:
        raise RuntimeError(
            f"the import refused the file: {result.problems} problems, see {result.report_path}"
        )
    with tenant_scope(CODE):
        held = (Person.objects.count(), PersonVersion.objects.count(), Protection.objects.count())
    if held != (written["persons"], written["rows"], written["protections"]):
        raise RuntimeError(f"the register holds {held}, the file {written}")
    return result


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _report(written: dict, copies: list[float], import_s: float, result, cpu) -> dict:
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
    per_person = 1e6 / written["persons"]
    pass1_s = result.validation_seconds
    print(
        f"\nCOPY runs: {', '.join(f'{s:.2f}' for s in copies)} s; import: {result.batches} "
        f"batches, {result.movements:,} movements, {result.households:,} households, "
        f"{result.subjects:,} subjects, {result.protections:,} protections; "
        f"peak RSS {peak_rss_mb:,.0f} MB"
    )
    print(
        f"wall: pass 1 {pass1_s:.1f} s ({pass1_s * per_person:.0f} us/person), pass 2 "
        f"{import_s - pass1_s:.1f} s ({(import_s - pass1_s) * per_person:.0f} us/person)\n"
        f"CPU: importing process {cpu.client_s:.1f} s ({cpu.client_s * per_person:.0f} us/person)"
        f", pass-1 workers {cpu.workers_s:.1f} s ({cpu.workers_s * per_person:.0f} us/person)"
        f", server backends {cpu.server_s:.1f} s ({cpu.server_s * per_person:.0f} us/person)"
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
        "protections": written["protections"],
        "file_bytes": written["bytes"],
        "copy_s": copies,
        "copy_median_s": copy_s,
        "copy_rows_per_s": copy_rps,
        "import_s": import_s,
        "import_result_s": result.seconds,
        "pass1_s": pass1_s,
        "cpu_client_s": cpu.client_s,
        "cpu_workers_s": cpu.workers_s,
        "cpu_server_s": cpu.server_s,
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


def _profile(workspace, path: Path, protections_path: Path) -> None:
    """The import once more, in one thread under cProfile (not a measured figure)."""
    with harness.Stopwatch("migrate a database for the profile"):
        workspace.fresh("import_profile")
        _municipality()
    profiler = cProfile.Profile()
    profiler.enable()
    from jichi.registry.exchange import import_register

    import_register(
        CODE, path, protections_path=protections_path, progress=False, workers=1, writers=0
    )
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout).strip_dirs()
    stats.sort_stats("tottime").print_stats(30)
