"""Pass 1 of an import: every row and every person checked, every problem reported,
nothing written; and what pass 2 needs to know of the file.

The file is cut into parts at persons' first rows (:mod:`.splitting`); the parts are
checked in worker processes when the file is large (:mod:`.checking`), one per core, and
their results merged here in file order with the checks that span parts: a 宛名番号 in
two parts, a movement told two ways, a 団体コード that changes. Then the persons already
in the register (an interrupted earlier run) are compared with the file.
"""

from __future__ import annotations

import csv
import multiprocessing
import os
from collections.abc import Iterable, Iterator

from jichi.registry.exchange import checking, splitting
from jichi.registry.exchange.checking import Job, PartResult, person_key
from jichi.registry.exchange.reading import ImportFile
from jichi.registry.models import Person, PersonVersion
from jichi.tenancy.context import tenant_scope

LINE_MASK = checking.LINE_MASK
PARALLEL_BYTES = 8 << 20  # smaller files are checked in the importing process
PARTS_PER_WORKER = 8  # parts are dealt to workers as they finish: loads even out

_JOB: Job | None = None  # the job of the worker processes (inherited by fork)


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1


class Validation:
    """Pass 1 over ``file``; what it learns of the file is what pass 2 needs."""

    def __init__(self, file: ImportFile, workers: int | None = None) -> None:
        self.file = file
        # None: one worker per core, for a file of PARALLEL_BYTES or more; a number asks
        # for that many whatever the size (1: no worker process).
        self.workers = workers
        self.source_code: str | None = None
        self.stat: tuple[int, int] | None = None
        self.matched = 0  # persons of the file already in the register
        self.already: set[str] = set()  # their 宛名番号 (an earlier run imported them)
        self.present = 0  # persons in the register when the run started
        self.first_lines: dict = {}  # person key → line of the person's first row
        # So that pass 2 needs no lookups: per 異動ID its fingerprint and first line
        # (packed in one int); per 世帯番号 its first and last line.
        self.movement_marks: dict[int, int] = {}
        self.household_marks: dict[str, tuple[int, int]] = {}

    def validate(self) -> None:
        """Check everything; report every problem; touch nothing."""
        stat = self.file.path.stat()
        self.stat = (stat.st_size, stat.st_mtime_ns)
        try:
            source, reader = self.file.open()
        except UnicodeDecodeError:
            self.file.report.add(*checking.unreadable(1, self.file.encoding))
            return
        except csv.Error as exc:
            self.file.report.add(*checking.malformed(1, exc))
            return
        source.close()
        if reader is None:
            return
        with tenant_scope(self.file.code, "register import"):
            self.present = Person.objects.count()
            existing = Person.objects.values_list("number", flat=True) if self.present else []
            job = Job(
                self.file.path,
                self.file.encoding,
                reader.header,
                self.file.code,
                self.file.allow_other_code,
                frozenset(existing),
            )
        start, line = splitting.header_end(self.file.path)
        parts = self._parts(stat.st_size - start)
        key_index = reader.header.index("宛名番号")
        digest, pieces = splitting.plan(
            self.file.path, start, line, parts, key_index, self.file.encoding
        )
        self.file.result.sha256 = digest
        stored: list[tuple] = []
        for part in self._run(job, pieces):
            self._merge(part)
            stored += part.existing
        self._check_existing(stored)
        self._check_rest()

    def _parts(self, size: int) -> int:
        if self.workers is None and size < PARALLEL_BYTES:
            return 1
        return max(self._workers(), 2) * PARTS_PER_WORKER

    def _workers(self) -> int:
        if not _can_fork():
            return 1
        return default_workers() if self.workers is None else self.workers

    def _run(self, job: Job, pieces: list[splitting.Part]) -> Iterator[PartResult]:
        """The parts' results in file order, checked by worker processes if several (forked
        before the progress bar starts its thread)."""
        tasks = [(p.start, p.end, p.line) for p in pieces]
        if len(tasks) <= 1 or self._workers() < 2:
            with self.file.progress_bar("検証 / validating") as bar:
                for task in tasks:
                    part = checking.check_part(job, *task)
                    if bar is not None:
                        bar(part.position)
                    yield part
            return
        global _JOB
        _JOB = job
        try:
            context = multiprocessing.get_context("fork")
            with (
                context.Pool(min(self._workers(), len(tasks))) as pool,
                self.file.progress_bar("検証 / validating") as bar,
            ):
                for part in pool.imap(_check, tasks):
                    if bar is not None:
                        bar(part.position)
                    yield part
        finally:
            _JOB = None

    def _merge(self, part: PartResult) -> None:
        """Add a part's results, checking what spans parts."""
        report = self.file.report
        self.file.result.rows += part.rows
        self.file.result.persons += part.persons
        for problem in part.problems:
            report.add(*problem)
        for key in part.first_lines.keys() & self.first_lines.keys():
            report.add(part.first_lines[key], *checking.not_grouped())
        self.first_lines.update(part.first_lines)
        if part.code is not None:
            if self.source_code is None:
                self.source_code = part.code[0]
            elif part.code[0] != self.source_code:
                report.add(part.code[1], *checking.mixed_codes())
        marks = self.movement_marks
        for movement, mark in part.movement_marks.items():
            first = marks.setdefault(movement, mark)
            if first >> 32 != mark >> 32:
                report.add(mark & LINE_MASK, *checking.inconsistent_movement(first & LINE_MASK))
        households = self.household_marks
        for number, (first, last) in part.household_marks.items():
            households[number] = (households.get(number, (first,))[0], last)

    def line_of(self, number: str) -> int | None:
        """The line of the first row of the person ``number`` in the file."""
        return self.first_lines.get(person_key(number))

    def _check_existing(self, rows: list[tuple]) -> None:
        """Persons already in the register must be this file's, with the same history
        (an earlier, interrupted run); anything else means the register is not the
        empty one this import is for."""
        for start in range(0, len(rows), 2000):
            chunk = rows[start : start + 2000]
            stored = _stored_skeletons(self.file.code, [number for number, *_ in chunk])
            for number, line, mine in chunk:
                self.matched += 1
                self.already.add(number)
                if mine != stored.get(number, []):
                    self.file.report.add(
                        line,
                        "宛名番号",
                        "person.exists_different",
                        "この宛名番号の人は取込先に既にあり、履歴がファイルと違います。",
                        "A person with this 宛名番号 is already in the register with a "
                        "different history.",
                    )

    def _check_rest(self) -> None:
        if self.file.report.problems:
            return
        present = self.present
        if present != self.matched:
            self.file.report.add(
                0,
                "",
                "register.not_empty",
                f"取込先の住民記録に、このファイルにない人が{present - self.matched}人います。"
                "取込は空の団体（または同じファイルの中断した取込の続き）にだけ行えます。",
                f"The register holds {present - self.matched} persons who are not in this "
                "file; an import goes into an empty municipality only (or completes an "
                "interrupted import of the same file).",
            )


def _check(task: tuple) -> PartResult:
    return checking.check_part(_JOB, *task)


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _stored_skeletons(code: str, numbers: list[str]) -> dict[str, list[tuple]]:
    """宛名番号 → the bitemporal keys of the person's versions in the register."""
    with tenant_scope(code, "register import"):
        ids = dict(in_chunks(Person.objects.values_list("id", "number"), "number", numbers))
        stored: dict[str, list[tuple]] = {}
        rows = in_chunks(
            PersonVersion.objects.order_by("history_no").values_list(
                "person_id", "history_no", "valid_from", "valid_to", "recorded_at", "superseded_at"
            ),
            "person_id",
            list(ids),
        )
        for person_id, *keys in rows:
            stored.setdefault(ids[person_id], []).append(tuple(keys))
    return stored


def in_chunks(queryset, field_name: str, values: Iterable, size: int = 5000) -> Iterator:
    """``queryset.filter(<field>__in=values)`` in slices (SQLite limits parameters)."""
    values = list(values)
    for start in range(0, len(values), size):
        yield from queryset.filter(**{f"{field_name}__in": values[start : start + size]})
