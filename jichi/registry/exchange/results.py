"""What an import run leaves: its result (the counts) and its report (the problems)."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

REPORT_HEADER = ("file", "line", "column", "code", "message_ja", "message_en")


@dataclass
class ImportResult:
    municipality_code: str
    path: str
    encoding: str = ""
    rows: int = 0  # data rows read
    persons: int = 0  # persons (宛名番号) in the file
    refused_rows: int = 0  # rows with at least one problem
    problems: int = 0  # lines of the report
    report_path: str | None = None
    imported_persons: int = 0
    skipped_persons: int = 0  # already imported by an earlier run of the same file
    versions: int = 0
    movements: int = 0
    households: int = 0
    subjects: int = 0
    protections: int = 0  # 支援措置 imported
    offenders: int = 0  # their listed offenders
    skipped_protections: int = 0  # already imported by an earlier run
    batches: int = 0
    sha256: str = ""
    seconds: float = 0.0
    validation_seconds: float = 0.0  # pass 1

    @property
    def ok(self) -> bool:
        return self.problems == 0

    def counts(self) -> dict:
        """What the audit entry keeps (no personal data)."""
        return {
            "rows": self.rows,
            "persons": self.persons,
            "refused_rows": self.refused_rows,
            "problems": self.problems,
            "imported_persons": self.imported_persons,
            "skipped_persons": self.skipped_persons,
            "versions": self.versions,
            "movements": self.movements,
            "households": self.households,
            "subjects": self.subjects,
            "protections": self.protections,
            "offenders": self.offenders,
            "skipped_protections": self.skipped_protections,
            "batches": self.batches,
            "encoding": self.encoding,
            "sha256": self.sha256,
        }


class Report:
    """The report CSV, written as problems are found (opened at the first one). Each
    problem names its file (``file``: the register file unless said otherwise)."""

    def __init__(self, path: Path, always: bool, file: str = "") -> None:
        self.path = path
        self.file = file
        self.handle = None
        self.writer = None
        self.problems = 0
        self.lines: set[tuple[str, int]] = set()  # the refused rows
        if always:
            self._open()

    def _open(self) -> None:
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self.handle = open(fd, "w", encoding="utf-8-sig", newline="")
        self.writer = csv.writer(self.handle, lineterminator="\r\n")
        self.writer.writerow(REPORT_HEADER)

    def add(
        self,
        line: int,
        column: str,
        code: str,
        message_ja: str,
        message_en: str,
        *,
        file: str | None = None,
    ) -> None:
        if self.writer is None:
            self._open()
        file = self.file if file is None else file
        self.writer.writerow([file, line, column, code, message_ja, message_en])
        self.problems += 1
        if line > 1:  # a data row (1 is the header, 0 the file as a whole)
            self.lines.add((file, line))

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
