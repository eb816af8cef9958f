"""Pass 1 over one part of the register file: every row and every person of the part
checked, and what the whole-file checks and pass 2 need to know of it.

It runs in a worker process (or in the importing process for a small file): it reads
the file and nothing else, and returns a :class:`PartResult`.
"""

from __future__ import annotations

import csv
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path

from jichi.registry.exchange.reading import PersonRows, Source
from jichi.registry.exchange.rows import PersonRowReader

LINE_MASK = (1 << 32) - 1
FINGERPRINT_MASK = (1 << 48) - 1


@dataclass
class Job:
    """What every part needs: the file, its header, the target; ``existing``: the
    宛名番号 already in the register (an earlier run), whose rows are returned."""

    path: Path
    encoding: str
    header: list[str]
    code: str
    allow_other_code: bool
    existing: frozenset[str] = frozenset()


@dataclass
class PartResult:
    problems: list[tuple] = field(default_factory=list)  # (line, column, code, ja, en)
    rows: int = 0
    persons: int = 0
    first_lines: dict = field(default_factory=dict)  # person key → line of its first row
    # Per 異動ID its fingerprint and first line (packed in one int); per 世帯番号 its first
    # and last line; the first 団体コード of the part and its line.
    movement_marks: dict[int, int] = field(default_factory=dict)
    household_marks: dict[str, tuple[int, int]] = field(default_factory=dict)
    code: tuple[str, int] | None = None
    existing: list[tuple] = field(default_factory=list)  # (宛名番号, line, skeleton)
    position: int = 0  # bytes read


def person_key(number: str):
    """The 宛名番号 as a compact key (an int when it is digits)."""
    return int(number) if number.isdigit() else number


def check_part(job: Job, start: int, end: int | None, line: int) -> PartResult:
    """Check the records of ``[start, end)`` of the file, which begins at ``line``."""
    part = PartResult()
    source = Source(job.path, job.encoding, start, end, line)
    reader = PersonRowReader(job.header, job.code, job.allow_other_code)
    persons = _persons(source, reader, part)
    try:
        for person in persons:
            _check_person(job, person, part)
    except UnicodeDecodeError:
        part.problems.append(unreadable(source.physical, job.encoding))
    except csv.Error as exc:
        part.problems.append(malformed(source.physical, exc))
    finally:
        part.position = source.position
        source.close()
    return part


def _persons(source: Source, reader: PersonRowReader, part: PartResult):
    person: PersonRows | None = None
    for line, cells in source.records():
        row = reader.read(line, cells)
        part.rows += 1
        number = row.values["number"]
        if person is not None and number == person.number:
            person.rows.append(row)
            continue
        if person is not None:
            yield person
        person = PersonRows(number, [row])
    if person is not None:
        yield person


def _check_person(job: Job, person: PersonRows, part: PartResult) -> None:
    part.persons += 1
    key = person_key(person.number)
    if key in part.first_lines:
        part.problems.append((person.line, *not_grouped()))
    else:
        part.first_lines[key] = person.line
    for row in person.rows:
        for problem in row.errors:
            part.problems.append((row.line, *problem))
    if any(row.errors for row in person.rows):
        return
    part.problems.extend((line, *problem) for line, problem in _person_problems(person))
    if person.number in job.existing:
        part.existing.append((person.number, person.line, skeleton(person)))
    for row in person.rows:
        _check_links(row, part)


def _check_links(row, part: PartResult) -> None:
    """What ties the row to others: its 団体コード, its movement, its households."""
    v = row.values
    if part.code is None:
        part.code = (v["municipality"], row.line)
    elif v["municipality"] != part.code[0]:
        part.problems.append((row.line, *mixed_codes()))
    mark = (movement_fingerprint(v) & FINGERPRINT_MASK) << 32 | row.line
    first = part.movement_marks.setdefault(v["movement_id"].int, mark)
    if first >> 32 != mark >> 32:
        part.problems.append((row.line, *inconsistent_movement(first & LINE_MASK)))
    marks = part.household_marks
    for number in (v["household"], v["household_before"], v["household_after"]):
        if number:
            marks[number] = (marks.get(number, (row.line,))[0], row.line)


def not_grouped() -> tuple:
    return (
        "宛名番号",
        "person.not_grouped",
        "この宛名番号の行は、ほかの人の行をはさんで再び現れています"
        "（一人の行は続けて並べてください）。",
        "The rows of this 宛名番号 appear again after other persons' rows "
        "(a person's rows must be consecutive).",
    )


def mixed_codes() -> tuple:
    return (
        "全国地方公共団体コード",
        "municipality_code.mixed",
        "一つのファイルに複数の団体の行があります。",
        "The file mixes rows of several municipalities.",
    )


def inconsistent_movement(line: int) -> tuple:
    return (
        "異動ID",
        "movement.inconsistent",
        f"同じ異動IDの{line}行目と、異動の項目（事由・日付・操作者・留意事項など）が違います。",
        f"The movement items (reason, dates, actor, note …) differ from line {line} "
        "with the same 異動ID.",
    )


def unreadable(line: int, encoding: str) -> tuple:
    encoding = "utf-8" if encoding == "utf-8-sig" else encoding
    return (
        line,
        "",
        "file.encoding",
        f"{line}行目が{encoding}として読めません。文字コードを確認してください（--encoding）。",
        f"Line {line} cannot be read as {encoding}; check the encoding (--encoding).",
    )


def malformed(line: int, exc: Exception) -> tuple:
    return (
        line,
        "",
        "file.csv",
        f"{line}行目付近で CSV の形式が崩れています（{exc}）。",
        f"The CSV is malformed near line {line} ({exc}).",
    )


def _person_problems(person: PersonRows) -> list[tuple[int, tuple]]:
    """Rules between the rows of one person: 履歴番号 1, 2, 3 …; the current versions a
    timeline without gap or overlap that ends open; one pair of households per movement."""
    problems: list[tuple[int, tuple]] = []
    for expected, row in enumerate(person.rows, 1):
        got = row.values["history_no"]
        if got != expected:
            problems.append(
                (
                    row.line,
                    (
                        "履歴番号",
                        "history_no.sequence",
                        f"この人の{expected}行目の履歴番号は {expected} のはずです（{got}）。",
                        f"Row {expected} of this person must have 履歴番号 {expected} (got {got}).",
                    ),
                )
            )
            break
    problems += _timeline_problems(person)
    pairs: dict = {}
    for row in person.rows:
        v = row.values
        pair = (v["household_before"], v["household_after"])
        if pairs.setdefault(v["movement_id"], pair) != pair:
            problems.append(
                (
                    row.line,
                    (
                        "異動前世帯番号",
                        "movement_subject.inconsistent",
                        "同じ異動IDの行で異動前・異動後世帯番号が違います。",
                        "Rows of the same 異動ID give different households before/after.",
                    ),
                )
            )
    return problems


def _timeline_problems(person: PersonRows) -> list[tuple[int, tuple]]:
    problems: list[tuple[int, tuple]] = []
    current = sorted(
        (r for r in person.rows if r.values["superseded_at"] is None),
        key=lambda r: r.values["valid_from"],
    )
    if not current:
        problems.append(
            (
                person.line,
                (
                    "履歴終了日時",
                    "timeline.none_current",
                    "この人には現在の行（履歴終了日時が空欄の行）がありません。",
                    "This person has no current row (one with 履歴終了日時 blank).",
                ),
            )
        )
    for a, b in itertools.pairwise(current):
        end, start = a.values["valid_to"], b.values["valid_from"]
        if end != start:
            gap = end is not None and end < start
            problems.append(
                (
                    b.line if end is not None else a.line,
                    (
                        "有効開始日" if end is not None else "有効終了日",
                        "timeline.gap" if gap else "timeline.overlap",
                        "現在の行の有効期間に" + ("すき間" if gap else "重なり") + "があります"
                        "（前の行の有効終了日 = 次の行の有効開始日）。",
                        "The current rows' periods have a "
                        + ("gap" if gap else "overlap")
                        + " (each 有効終了日 must equal the next 有効開始日).",
                    ),
                )
            )
    if current and current[-1].values["valid_to"] is not None:
        problems.append(
            (
                current[-1].line,
                (
                    "有効終了日",
                    "timeline.closed",
                    "この人の最後の現在の行は有効終了日が空欄です。",
                    "The last current row of a person has 有効終了日 blank.",
                ),
            )
        )
    return problems


def movement_fingerprint(v: dict) -> int:
    return hash(
        (
            v["reason"],
            v["effective_on"],
            v["notified_on"],
            v["movement_recorded_at"],
            v["actor_kind"],
            v["actor_id"],
            v["actor_label"],
            v["late"],
            v["note"],
            json.dumps(v["details"], sort_keys=True) if v["details"] else "",
        )
    )


def skeleton(person: PersonRows) -> list[tuple]:
    """The bitemporal keys of the person's versions, to compare with the register."""
    return [
        (v["history_no"], v["valid_from"], v["valid_to"], v["recorded_at"], v["superseded_at"])
        for v in (r.values for r in person.rows)
    ]
