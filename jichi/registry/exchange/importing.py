"""The import: a register file checked whole (pass 1), then loaded (pass 2), under a
lock, with one audit entry for the run."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.db import connection, transaction

from jichi.audit.models import Outcome
from jichi.audit.services import record as audit
from jichi.common import bulk
from jichi.common.checkdigits import validate_local_government_code
from jichi.common.errors import RuleViolation
from jichi.registry.exchange.layout import DEFAULT_ACTOR, unknown_municipality
from jichi.registry.exchange.loading import Loading
from jichi.registry.exchange.protection_import import ProtectionImport, protections_file
from jichi.registry.exchange.reading import ImportFile, reading_encoding
from jichi.registry.exchange.results import ImportResult, Report
from jichi.registry.exchange.validation import Validation
from jichi.tenancy.context import tenant_scope
from jichi.tenancy.models import Municipality
from jichi.tenancy.principals import Actor

_PG_LOCK_CLASS = 7_316_003  # pg_try_advisory_lock(class, municipality): one import at a time


def import_register(
    municipality_code: str,
    path: str | os.PathLike,
    *,
    protections_path: str | os.PathLike | None = None,
    encoding: str = "auto",
    report_path: str | os.PathLike | None = None,
    batch_rows: int = 5000,
    progress: bool = True,
    allow_other_code: bool = False,
    actor: Actor | None = None,
    stop_after_batches: int | None = None,
    workers: int | None = None,
    writers: int | None = None,
) -> ImportResult:
    """Import a file written by :func:`export_register` (or another system, same layout),
    and with it the protections file (``protections_path``) if there is one.

    ``encoding``: ``auto`` (BOM → UTF-8; else UTF-8 if the first 64 KiB decode strictly;
    else cp932), ``utf-8`` or ``cp932``. The file's 全国地方公共団体コード must be the
    target's unless ``allow_other_code`` (then the rows are re-keyed to the target, and
    each 異動ID and 支援措置ID is replaced by a deterministic new one, since the old one
    is taken).

    Pass 1 checks every row of both files and writes each problem to the report
    (``report_path``, default ``<file>.report.csv``, only written when there are problems
    unless a path is given). If there is any problem nothing is imported and the result
    says so (``result.ok`` is false). Pass 2 inserts batches of whole persons of about
    ``batch_rows`` rows, one transaction each, each protection in the batch of the last
    person it names; persons and protections already present are skipped, so an
    interrupted run is completed by running it again. Afterwards the 宛名番号/世帯番号
    sequences are raised to the highest serial present, and one audit entry records the
    run's counts. ``stop_after_batches`` stops the run with :class:`ImportInterrupted`
    after that many committed batches (crash tests).

    ``workers``: processes that check parts of the file in pass 1 (default: one per
    core, for a file of 8 MiB or more). ``writers``: threads that write pass 2's batches
    on PostgreSQL, each with its own connection (default 2; 0: the calling thread).
    """
    started = time.monotonic()
    code = validate_local_government_code(municipality_code)
    if not Municipality.objects.filter(code=code).exists():
        raise unknown_municipality(code)
    path = _existing(path)
    if batch_rows < 1:
        raise ValueError("batch_rows must be at least 1")
    chosen = reading_encoding(path, encoding)
    result = ImportResult(code, str(path), encoding="utf-8" if chosen == "utf-8-sig" else chosen)
    report = Report(
        Path(report_path) if report_path else path.with_name(path.name + ".report.csv"),
        always=report_path is not None,
        file=path.name,
    )
    file = ImportFile(code, path, chosen, report, result, allow_other_code, progress)
    checked = Validation(file, workers)
    protections = None
    if protections_path is not None:
        extra = _existing(protections_path)
        extra_file = protections_file(file, extra, reading_encoding(extra, encoding))
        protections = ProtectionImport(extra_file, checked)
    loading = Loading(file, checked, batch_rows, writers, protections)
    with _import_lock(code), bulk.collector_paused():
        _validate(checked, protections, report, result)
        result.validation_seconds = time.monotonic() - started
        if not result.ok:
            result.seconds = time.monotonic() - started
            _audit_import(actor, result, Outcome.DENIED)
            return result
        loading.load(stop_after_batches)
        loading.finish()
    result.seconds = time.monotonic() - started
    _audit_import(actor, result, Outcome.OK)
    return result


def _existing(path: str | os.PathLike) -> Path:
    path = Path(path)
    if not path.is_file():
        raise RuleViolation(
            "file.not_found",
            f"ファイル {path} がありません。",
            f"There is no file {path}.",
            "path",
        )
    return path


def _validate(checked: Validation, protections, report: Report, result: ImportResult) -> None:
    """Pass 1 of both files; the report closed, or removed if there was nothing to say."""
    try:
        checked.validate()
        if protections is not None:
            protections.validate()
    finally:
        report.close()
    result.problems = report.problems
    result.refused_rows = len(report.lines)
    if report.writer is not None:
        result.report_path = str(report.path)
    else:
        report.path.unlink(missing_ok=True)  # a stale report of an earlier run


class _import_lock:
    """One import per municipality at a time (PostgreSQL: a session advisory lock)."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.held = False

    def __enter__(self) -> None:
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_PG_LOCK_CLASS, int(self.code)])
            self.held = bool(cursor.fetchone()[0])
        if not self.held:
            raise RuleViolation(
                "import.running",
                "この団体への取込が別に実行中です。",
                "Another import into this municipality is running.",
                "municipality_code",
                status=409,
            )

    def __exit__(self, *exc) -> None:
        if self.held:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_unlock(%s, %s)", [_PG_LOCK_CLASS, int(self.code)]
                )


def _audit_import(actor: Actor | None, result: ImportResult, outcome: str) -> None:
    with tenant_scope(result.municipality_code, "register import"), transaction.atomic():
        audit(
            actor or DEFAULT_ACTOR,
            "registry.import",
            object_type="register",
            object_id=result.municipality_code,
            purpose="移行用ファイルの取込 (import for migration)",
            outcome=outcome,
            details=result.counts(),
        )
