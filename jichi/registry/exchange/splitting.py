"""Cutting an import file into parts that can be checked apart, in parallel.

A part starts at a record (a CSV row; a quoted cell may hold line breaks) that starts a
person (the first row of a 宛名番号), so that every rule of pass 1 but those across the
whole file holds within one part. Record boundaries are found without parsing the CSV:
outside a quoted cell the number of ``"`` read since the start of the file is even, and
a record ends at a line break outside a cell. Neither ``"`` nor a line break is ever part
of a multi-byte character in UTF-8 or cp932, so this works on the bytes. The same scan
hashes the file (SHA-256, for the audit entry).
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

BLOCK = 1 << 20


@dataclass(frozen=True)
class Part:
    start: int  # byte offset of its first record
    end: int  # byte offset after its last record
    line: int  # the file's line number of its first record


def record_lines(handle) -> Iterator[list[bytes]]:
    """The raw lines of each record from the handle's position (balanced quotes)."""
    lines: list[bytes] = []
    quotes = 0
    for raw in handle:
        lines.append(raw)
        quotes += raw.count(b'"')
        if quotes % 2 == 0:
            yield lines
            lines, quotes = [], 0
    if lines:
        yield lines


def header_end(path: Path) -> tuple[int, int]:
    """(byte offset, line number) where the first record after the header starts."""
    with open(path, "rb") as handle:
        lines = next(record_lines(handle), [])
    return sum(map(len, lines)), len(lines) + 1


def plan(path: Path, start: int, line: int, parts: int, key_index: int, encoding: str):
    """The file's SHA-256 and up to ``parts`` parts of about equal size covering
    ``[start, end of file)``, each starting at a person's first record."""
    size = path.stat().st_size
    targets = [start + (size - start) * k // parts for k in range(1, parts)]
    digest, cuts = _scan(path, start, line, targets)
    bounds = [(start, line)]
    for offset, at in cuts:
        person = _next_person(path, offset, at, key_index, encoding)
        if person is not None and person[0] > bounds[-1][0]:
            bounds.append(person)
    ends = [b[0] for b in bounds[1:]] + [size]
    pieces = [Part(s, e, n) for (s, n), e in zip(bounds, ends, strict=True) if e > s]
    return digest, pieces


def _scan(path: Path, start: int, line: int, targets: list[int]):
    """Hash the file; for each target offset the first record start at or after it."""
    digest = hashlib.sha256()
    cuts: list[tuple[int, int]] = []
    pending = list(targets)
    quotes = breaks = 0  # in [start, base)
    base = 0
    with open(path, "rb", buffering=0) as handle:
        while block := handle.read(BLOCK):
            digest.update(block)
            first = max(start - base, 0)
            while pending and pending[0] < base + len(block):
                found = _record_start(block, base, first, max(pending[0], start), quotes)
                if found is None:
                    break  # in a later block
                cuts.append((base + found, line + breaks + block.count(b"\n", first, found)))
                pending.pop(0)
            if first < len(block):
                quotes += block.count(b'"', first)
                breaks += block.count(b"\n", first)
            base += len(block)
    return digest.hexdigest(), cuts


def _record_start(block: bytes, base: int, first: int, target: int, quotes: int) -> int | None:
    """The offset in ``block`` of the first record start at or after ``target``."""
    at = block.find(b"\n", max(target - base - 1, first))
    while at != -1:
        if (quotes + block.count(b'"', first, at)) % 2 == 0:
            return at + 1
        at = block.find(b"\n", at + 1)
    return None


def _next_person(path: Path, offset: int, line: int, key_index: int, encoding: str):
    """(offset, line) of the first record after ``offset`` whose 宛名番号 differs from the
    record at ``offset``; None at the end of the file. Undecodable bytes are replaced:
    the part that holds them reports them."""
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    first = None
    with open(path, "rb") as handle:
        handle.seek(offset)
        for lines in record_lines(handle):
            text = b"".join(lines).decode(codec, errors="replace")
            cells = next(csv.reader([text]), [])
            key = cells[key_index].strip() if key_index < len(cells) else ""
            if first is None:
                first = key
            elif key != first:
                return offset, line
            offset += sum(map(len, lines))
            line += len(lines)
    return None
