"""The import's parallel parts: pass 1 in worker processes over parts of the file, pass 2
in writer threads on PostgreSQL. Both must give what one process and one connection give."""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import signal
import subprocess
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db import IntegrityError

from jichi.common.checkdigits import make_household_number, make_resident_number
from jichi.registry.exchange import HEADER, ImportInterrupted, import_register
from jichi.registry.exchange.splitting import header_end, plan
from jichi.registry.models import Household, Movement, Person, PersonVersion
from jichi.tenancy.context import tenant_scope
from tests.cli import JICHI, ROOT, cli_env, database_url, jichi, needs_script
from tests.registry.test_exchange import (
    build_register,
    counts,
    export_file,
    generated_file,
    read_rows,
    report_rows,
    snapshot,
    write_rows,
)

NOTE = '届出は代理人（"委任状"あり）\r\n二行目の留意事項'
col = HEADER.index


def noted_file(path: Path, persons: int) -> Path:
    """A valid generated file whose notes hold quotes and line breaks."""
    generated_file(path, persons)
    rows = read_rows(path)
    for row in rows[1:]:
        row[col("留意事項")] = NOTE
    return write_rows(path, rows)


def load(municipality, path: Path, **options):
    options.setdefault("progress", False)
    return import_register(municipality.code, path, **options)


def test_parts_start_at_a_persons_first_record(tmp_path):
    path = noted_file(tmp_path / "f.csv", 200)
    rows = read_rows(path)
    doubled = [rows[0]] + [row for row in rows[1:] for _ in range(2)]  # two rows a person
    write_rows(path, doubled)
    data = path.read_bytes()
    start, line = header_end(path)
    assert data[:start].decode("utf-8-sig").rstrip("\r\n").split(",") == list(HEADER)
    digest, parts = plan(path, start, line, 8, col("宛名番号"), "utf-8-sig")
    assert digest == hashlib.sha256(data).hexdigest()
    assert len(parts) == 8 and parts[0].start == start and parts[-1].end == len(data)
    previous = None
    for part in parts:
        assert part.line == data[: part.start].count(b"\n") + 1
        text = data[part.start : part.end].decode("utf-8")
        records = list(csv.reader(io.StringIO(text, newline="")))
        assert all(len(r) == len(HEADER) and r[col("留意事項")] == NOTE for r in records)
        assert records[0][col("宛名番号")] != previous
        previous = records[-1][col("宛名番号")]
    assert all(a.end == b.start for a, b in itertools.pairwise(parts))


def _broken_file(path: Path) -> Path:
    """Problems in many places of a long file, some of them across parts."""
    noted_file(path, 400)
    rows = read_rows(path)
    rows[20][col("宛名番号")] = rows[20][col("宛名番号")][:-1] + "0"  # a wrong check digit
    rows[350][col("異動ID")] = rows[10][col("異動ID")]  # one movement, told two ways
    rows[350][col("留意事項")] = "別の内容"
    rows[390][col("全国地方公共団体コード")] = "141305"  # another municipality
    rows.insert(5, list(rows[200]))  # a person's rows apart
    return write_rows(path, rows)


def test_worker_processes_report_what_one_process_reports(yokohama, tmp_path):
    path = _broken_file(tmp_path / "f.csv")
    reports = {}
    for workers in (1, 2):
        result = load(yokohama, path, workers=workers, allow_other_code=True)
        assert not result.ok and counts(yokohama)["Person"] == 0
        reports[workers] = [(p["line"], p["column"], p["code"]) for p in report_rows(result)]
    assert sorted(reports[2]) == sorted(reports[1])
    codes = {code for _, _, code in reports[2]}
    assert codes >= {
        "resident_number.check_digit",
        "movement.inconsistent",
        "municipality_code.mixed",
        "person.not_grouped",
    }


def test_worker_processes_check_a_file_that_then_imports(yokohama, tmp_path, capsys):
    path = noted_file(tmp_path / "f.csv", 300)
    result = load(yokohama, path, workers=2, batch_rows=50, progress=True)
    assert result.ok and result.imported_persons == 300
    assert "validating" in capsys.readouterr().out
    assert result.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    with tenant_scope(yokohama.code):
        assert set(Movement.objects.values_list("note", flat=True)) == {NOTE}
        assert PersonVersion.objects.count() == 300


def test_a_file_with_only_its_header_imports_nothing(yokohama, tmp_path):
    path = write_rows(tmp_path / "f.csv", [list(HEADER)])
    result = load(yokohama, path, workers=2)
    assert result.ok and (result.rows, result.imported_persons) == (0, 0)


# --- PostgreSQL: writer threads ---------------------------------------------------------


@pytest.mark.postgres
def test_writer_threads_rebuild_the_register(transactional_db, yokohama, kawasaki, tmp_path):
    build_register(yokohama)
    path = export_file(yokohama, tmp_path / "f.csv")
    # One person a batch: movements and households are shared by batches committed in turn.
    result = load(kawasaki, path, allow_other_code=True, batch_rows=1, writers=2)
    assert result.ok and result.batches == 5
    assert snapshot(kawasaki) == snapshot(yokohama)


@pytest.mark.postgres
def test_writer_threads_commit_the_first_batches(transactional_db, yokohama, tmp_path):
    path = generated_file(tmp_path / "f.csv", 200)
    with pytest.raises(ImportInterrupted):
        load(yokohama, path, batch_rows=10, writers=2, stop_after_batches=5)
    with tenant_scope(yokohama.code):
        numbers = set(Person.objects.values_list("number", flat=True))
    assert numbers == {make_resident_number(i) for i in range(1, 51)}
    result = load(yokohama, path, batch_rows=10, writers=2)
    assert (result.imported_persons, result.skipped_persons) == (150, 50)
    assert counts(yokohama)["Person"] == 200


@pytest.mark.postgres
def test_a_failing_batch_stops_the_writers_after_the_batches_before_it(
    transactional_db, yokohama, tmp_path
):
    path = generated_file(tmp_path / "f.csv", 200)
    with tenant_scope(yokohama.code):
        Household.objects.create(municipality=yokohama, number=make_household_number(150))
    with pytest.raises(IntegrityError):
        load(yokohama, path, batch_rows=10, writers=2)
    with tenant_scope(yokohama.code):
        numbers = set(Person.objects.values_list("number", flat=True))
    assert numbers == {make_resident_number(i) for i in range(1, len(numbers) + 1)}
    assert len(numbers) < 150


@pytest.mark.postgres
def test_row_level_security_stays_on_for_the_writers(transactional_db, yokohama, tmp_path):
    """A writer thread's rows are checked by the policies: a row of another municipality
    than the import's scope is refused by PostgreSQL itself."""
    from django.db import connection

    from jichi.registry.exchange import inserting
    from jichi.registry.exchange.writing import Batch, Writers

    with connection.cursor() as cursor:
        cursor.execute("SELECT rolbypassrls OR rolsuper FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone()[0] is False
    row = (uuid.uuid4(), "141305", make_resident_number(1), datetime.now(UTC))
    batch = Batch(0, [(inserting.PERSONS, [row])])
    with pytest.raises(Exception, match="row-level security"), Writers(yokohama.code, 1) as w:
        w.submit(batch)


@pytest.mark.postgres
@needs_script
def test_a_killed_import_on_postgresql_finishes_on_the_next_run(
    transactional_db, yokohama, tmp_path
):
    """``kill -9`` while the writer threads commit: the register holds the first batches
    (whole persons, nothing else); the same command then completes it exactly."""
    from django.db import connection

    env = cli_env(tmp_path)
    env["JICHI_DATABASE_URL"] = database_url(connection.settings_dict)
    persons, batch = 3000, 20
    path = generated_file(tmp_path / "big.csv", persons)
    command = [str(JICHI), "import-residents", str(path)]
    command += ["--municipality", yokohama.code, "--batch-rows", str(batch), "--no-progress"]
    command += ["--without-protections"]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if counts(yokohama)["Person"] >= 200:
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.01)
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    with tenant_scope(yokohama.code):
        numbers = set(Person.objects.values_list("number", flat=True))
    assert 0 < len(numbers) < persons and len(numbers) % batch == 0
    assert numbers == {make_resident_number(i) for i in range(1, len(numbers) + 1)}
    done = jichi(*command[1:], env=env)
    assert done.returncode == 0, done.stderr
    assert f"{len(numbers)} already present" in done.stdout
    assert counts(yokohama) == dict.fromkeys(counts(yokohama), persons)
