"""Reading an import file, the same way in both passes: its encoding, its lines decoded
one by one and hashed, its header checked, its rows read and grouped by person."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jichi.registry.exchange.layout import BY_NAME, COLUMNS, bad_encoding
from jichi.registry.exchange.results import ImportResult, Report
from jichi.registry.exchange.rows import Row, RowReader


def detect_encoding(path: str | os.PathLike) -> str:
    """``utf-8-sig`` with a BOM; ``utf-8`` if the first 64 KiB decode strictly; else cp932."""
    with open(path, "rb") as handle:
        head = handle.read(65536)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(head, final=False)
    except UnicodeDecodeError:
        return "cp932"
    return "utf-8"


def reading_encoding(path: Path, encoding: str) -> str:
    if encoding == "auto":
        return detect_encoding(path)
    if encoding in ("utf-8", "utf8", "utf-8-sig"):
        return "utf-8-sig"  # a BOM is skipped if present
    if encoding in ("cp932", "shift_jis", "sjis", "ms932"):
        return "cp932"
    raise bad_encoding(encoding)


class _HashingReader(io.RawIOBase):
    """A raw file that hashes what is read and says how far it got (for progress)."""

    def __init__(self, path: Path) -> None:
        self.raw = open(path, "rb", buffering=0)
        self.digest = hashlib.sha256()
        self.position = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.raw.readinto(buffer)
        if n:
            self.digest.update(memoryview(buffer)[:n])
            self.position += n
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()


@dataclass
class Source:
    """One pass over the file: (line, cells) records, with the header read first.

    Lines are split in bytes and decoded one by one (a line break is never part of a
    multi-byte character in UTF-8 or cp932), so a byte that does not decode is
    reported on its own line.
    """

    path: Path
    encoding: str
    raw: _HashingReader = field(init=False)
    buffered: io.BufferedReader = field(init=False)
    reader: Any = field(init=False)
    physical: int = 0  # lines read so far

    def __post_init__(self) -> None:
        self.raw = _HashingReader(self.path)
        self.buffered = io.BufferedReader(self.raw, buffer_size=1 << 20)
        self.reader = csv.reader(self._lines(), strict=True)

    def _lines(self) -> Iterator[str]:
        encoding = "utf-8" if self.encoding == "utf-8-sig" else self.encoding
        first = True
        for line in self.buffered:
            self.physical += 1
            if first:
                first = False
                yield line.decode(self.encoding)
            else:
                yield line.decode(encoding)

    def records(self) -> Iterator[tuple[int, list[str]]]:
        reader = self.reader
        while True:
            start = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            if cells:  # a blank line is no record
                yield start, cells

    def close(self) -> None:
        self.buffered.close()


@dataclass(slots=True)
class PersonRows:
    number: str
    rows: list[Row]

    @property
    def line(self) -> int:
        return self.rows[0].line


class ImportFile:
    """The state of one run that both passes share: the target, the file, the report,
    the counts."""

    def __init__(
        self,
        code: str,
        path: Path,
        encoding: str,
        report: Report,
        result: ImportResult,
        allow_other_code: bool,
        progress: bool,
    ) -> None:
        self.code = code
        self.path = path
        self.encoding = encoding
        self.report = report
        self.result = result
        self.allow_other_code = allow_other_code
        self.progress = progress

    def open(self, trusted: bool = False) -> tuple[Source, RowReader | None]:
        source = Source(self.path, self.encoding)
        try:
            header = next(source.reader)
        except StopIteration:
            self.report.add(
                1, "", "file.empty", "ファイルが空です。", "The file is empty (no header)."
            )
            return source, None
        except BaseException:
            source.close()
            raise
        header = [name.strip().lstrip("\ufeff") for name in header]
        if not self._header_ok(header):
            return source, None
        return source, RowReader(header, self.code, self.allow_other_code, trusted)

    def _header_ok(self, header: list[str]) -> bool:
        ok = True
        seen: set[str] = set()
        for name in header:
            if name in seen:
                self.report.add(
                    1,
                    name,
                    "header.duplicate",
                    f"見出し「{name}」が二度あります。",
                    f"The header names {name!r} twice.",
                )
                ok = False
            seen.add(name)
            if name not in BY_NAME:
                self.report.add(
                    1,
                    name,
                    "header.unknown",
                    f"見出し「{name}」はこの様式の項目ではありません。",
                    f"{name!r} is not a column of this layout.",
                )
                ok = False
        for column in COLUMNS:
            if column.needed and column.name not in seen:
                self.report.add(
                    1,
                    column.name,
                    "header.missing",
                    f"必須の列「{column.name}」がありません。",
                    f"The required column {column.name!r} is missing.",
                )
                ok = False
        return ok

    def persons(self, source: Source, reader: RowReader, bar) -> Iterator[PersonRows]:
        """The rows grouped by person (consecutive rows with one 宛名番号)."""
        person: PersonRows | None = None
        for line, cells in source.records():
            row = reader.read(line, cells)
            self.result.rows += 1
            if bar is not None and self.result.rows % 1000 == 0:
                bar(source.raw.position)
            number = row.values["number"]
            if person is not None and number == person.number:
                person.rows.append(row)
                continue
            if person is not None:
                yield person
            person = PersonRows(number, [row])
        if person is not None:
            yield person

    def progress_bar(self, label: str):
        return _ProgressBar(label, self.path.stat().st_size if self.progress else None)


class _ProgressBar:
    """A rich progress bar over the bytes of the file (nothing when ``total`` is None)."""

    def __init__(self, label: str, total: int | None) -> None:
        self.label = label
        self.total = total
        self.progress = None

    def __enter__(self):
        if self.total is None:
            return None
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            transient=False,
        )
        self.progress.start()
        task = self.progress.add_task(self.label, total=self.total)
        return lambda position: self.progress.update(task, completed=position)

    def __exit__(self, *exc) -> None:
        if self.progress is not None:
            self.progress.update(self.progress.task_ids[0], completed=self.total)
            self.progress.stop()
