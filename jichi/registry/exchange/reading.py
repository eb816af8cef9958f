"""Reading an import file, the same way in both passes: its encoding, its lines decoded
one by one, its header checked, its rows read and grouped by person."""

from __future__ import annotations

import codecs
import csv
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from jichi.registry.exchange.layout import bad_encoding
from jichi.registry.exchange.results import ImportResult, Report
from jichi.registry.exchange.rows import PersonRowReader, Row, RowReader


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


class Source:
    """One pass over the file, or over the part ``[start, end)`` of it that begins at the
    file's line ``line``: (line, cells) records.

    Lines are split in bytes and decoded one by one (a line break is never part of a
    multi-byte character in UTF-8 or cp932), so a byte that does not decode is
    reported on its own line. A part starts and ends at record boundaries.
    """

    def __init__(
        self, path: Path, encoding: str, start: int = 0, end: int | None = None, line: int = 1
    ) -> None:
        self.handle = open(path, "rb", buffering=1 << 20)  # closed by close()
        self.handle.seek(start)
        self.encoding = encoding
        self.start = start
        self.end = end
        self.line = line
        self.position = start  # bytes read so far (progress)
        self.physical = line - 1  # the file's number of the last line read
        self.reader = csv.reader(self._lines(), strict=True)

    def _lines(self) -> Iterator[str]:
        encoding = "utf-8" if self.encoding == "utf-8-sig" else self.encoding
        first = self.encoding if self.start == 0 else encoding  # the BOM, if any
        left = -1 if self.end is None else self.end - self.start
        for raw in self.handle:
            self.physical += 1
            self.position += len(raw)
            yield raw.decode(first)
            first = encoding
            left -= len(raw)
            if left == 0:
                return

    def records(self) -> Iterator[tuple[int, list[str]]]:
        reader = self.reader
        first = self.line
        while True:
            start = first + reader.line_num
            try:
                cells = next(reader)
            except StopIteration:
                return
            if cells:  # a blank line is no record
                yield start, cells

    def close(self) -> None:
        self.handle.close()


@dataclass(slots=True)
class PersonRows:
    number: str
    rows: list[Row]

    @property
    def line(self) -> int:
        return self.rows[0].line


class ImportFile:
    """The state of one run that both passes share: the target, the file, the report,
    the counts. ``reader`` is the kind of row of the file (the register's by default)."""

    def __init__(
        self,
        code: str,
        path: Path,
        encoding: str,
        report: Report,
        result: ImportResult,
        allow_other_code: bool,
        progress: bool,
        reader: type[RowReader] = PersonRowReader,
    ) -> None:
        self.code = code
        self.path = path
        self.encoding = encoding
        self.report = report
        self.result = result
        self.allow_other_code = allow_other_code
        self.progress = progress
        self.reader = reader

    def open(self, trusted: bool = False) -> tuple[Source, RowReader | None]:
        """A source over the whole file with its header read (None: no usable header)."""
        source = Source(self.path, self.encoding)
        try:
            header = next(source.reader)
        except StopIteration:
            self.problem(
                1, "", "file.empty", "ファイルが空です。", "The file is empty (no header)."
            )
            return source, None
        except BaseException:
            source.close()
            raise
        header = [name.strip().lstrip("\ufeff") for name in header]
        if not self._header_ok(header):
            return source, None
        return source, self.row_reader(header, trusted)

    def problem(self, line: int, column: str, code: str, message_ja: str, message_en: str):
        self.report.add(line, column, code, message_ja, message_en, file=self.path.name)

    def row_reader(self, header: list[str], trusted: bool = False) -> RowReader:
        return self.reader(header, self.code, self.allow_other_code, trusted)

    def _header_ok(self, header: list[str]) -> bool:
        ok = True
        seen: set[str] = set()
        columns = self.reader.layout.columns
        known = {c.name for c in columns}
        for name in header:
            if name in seen:
                self.problem(
                    1,
                    name,
                    "header.duplicate",
                    f"見出し「{name}」が二度あります。",
                    f"The header names {name!r} twice.",
                )
                ok = False
            seen.add(name)
            if name not in known:
                self.problem(
                    1,
                    name,
                    "header.unknown",
                    f"見出し「{name}」はこの様式の項目ではありません。",
                    f"{name!r} is not a column of this layout.",
                )
                ok = False
        for column in columns:
            if column.needed and column.name not in seen:
                self.problem(
                    1,
                    column.name,
                    "header.missing",
                    f"必須の列「{column.name}」がありません。",
                    f"The required column {column.name!r} is missing.",
                )
                ok = False
        return ok

    def persons(self, source: Source, reader: RowReader, bar=None) -> Iterator[PersonRows]:
        """The rows grouped by person (consecutive rows with one 宛名番号)."""
        person: PersonRows | None = None
        for line, cells in source.records():
            row = reader.read(line, cells)
            self.result.rows += 1
            if bar is not None and self.result.rows % 1000 == 0:
                bar(source.position)
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
