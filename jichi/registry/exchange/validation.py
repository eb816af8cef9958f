"""Pass 1 of an import: every row and every person checked, every problem reported,
nothing written; and what pass 2 needs to know of the file."""

from __future__ import annotations

import csv
import itertools
import json
from collections.abc import Iterable, Iterator

from jichi.registry.exchange.reading import ImportFile, PersonRows
from jichi.registry.models import Person, PersonVersion
from jichi.tenancy.context import tenant_scope

LINE_MASK = (1 << 32) - 1
_FINGERPRINT_MASK = (1 << 48) - 1


class Validation:
    """Pass 1 over ``file``; what it learns of the file is what pass 2 needs."""

    def __init__(self, file: ImportFile) -> None:
        self.file = file
        self.source_code: str | None = None
        self.stat: tuple[int, int] | None = None
        self.matched = 0  # persons of the file already in the register
        self.already: set[str] = set()  # their 宛名番号 (an earlier run imported them)
        self.present = 0  # persons in the register when the run started
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
        except (UnicodeDecodeError, csv.Error) as exc:
            self._stop(1, "file.encoding" if isinstance(exc, UnicodeError) else "file.csv", exc)
            return
        try:
            if reader is None:
                return
            with tenant_scope(self.file.code, "register import"):
                self.present = Person.objects.count()
            seen: set = set()
            pending: list[PersonRows] = []
            with self.file.progress_bar("検証 / validating") as bar:
                try:
                    for person in self.file.persons(source, reader, bar):
                        self._check_person(person, seen)
                        if self.present:
                            pending.append(person)
                            if len(pending) >= 2000:
                                self._check_existing(pending)
                                pending = []
                except UnicodeDecodeError as exc:
                    self._stop(source.physical, "file.encoding", exc)
                except csv.Error as exc:
                    self._stop(source.reader.line_num, "file.csv", exc)
                self._check_existing(pending)
            self.file.result.sha256 = source.raw.digest.hexdigest()
            self._check_rest()
        finally:
            source.close()

    def _stop(self, line: int, code: str, exc: Exception) -> None:
        """A problem that ends the reading: the file is refused from here on."""
        encoding = "utf-8" if self.file.encoding == "utf-8-sig" else self.file.encoding
        if code == "file.encoding":
            self.file.report.add(
                line,
                "",
                code,
                f"{line}行目が{encoding}として読めません。文字コードを確認してください"
                "（--encoding）。",
                f"Line {line} cannot be read as {encoding}; check the encoding (--encoding).",
            )
        else:
            self.file.report.add(
                line,
                "",
                code,
                f"{line}行目付近で CSV の形式が崩れています（{exc}）。",
                f"The CSV is malformed near line {line} ({exc}).",
            )

    def _check_person(self, person: PersonRows, seen: set) -> None:
        self.file.result.persons += 1
        key = int(person.number) if person.number.isdigit() else person.number
        if key in seen:
            self.file.report.add(
                person.line,
                "宛名番号",
                "person.not_grouped",
                "この宛名番号の行は、ほかの人の行をはさんで再び現れています"
                "（一人の行は続けて並べてください）。",
                "The rows of this 宛名番号 appear again after other persons' rows "
                "(a person's rows must be consecutive).",
            )
        seen.add(key)
        for row in person.rows:
            for problem in row.errors:
                self.file.report.add(row.line, *problem)
        if any(row.errors for row in person.rows):
            return
        for line, problem in _person_problems(person):
            self.file.report.add(line, *problem)
        for row in person.rows:
            v = row.values
            if self.source_code is None:
                self.source_code = v["municipality"]
            elif v["municipality"] != self.source_code:
                self.file.report.add(
                    row.line,
                    "全国地方公共団体コード",
                    "municipality_code.mixed",
                    "一つのファイルに複数の団体の行があります。",
                    "The file mixes rows of several municipalities.",
                )
            mark = (_movement_fingerprint(v) & _FINGERPRINT_MASK) << 32 | row.line
            first = self.movement_marks.setdefault(v["movement_id"].int, mark)
            if first >> 32 != mark >> 32:
                line = first & LINE_MASK
                self.file.report.add(
                    row.line,
                    "異動ID",
                    "movement.inconsistent",
                    f"同じ異動IDの{line}行目と、異動の項目（事由・日付・操作者・留意事項など）"
                    "が違います。",
                    f"The movement items (reason, dates, actor, note …) differ from line "
                    f"{line} with the same 異動ID.",
                )
            marks = self.household_marks
            for number in (v["household"], v["household_before"], v["household_after"]):
                if number:
                    marks[number] = (marks.get(number, (row.line,))[0], row.line)

    def _check_existing(self, persons: list[PersonRows]) -> None:
        """Persons already in the register must be this file's, with the same history
        (an earlier, interrupted run); anything else means the register is not the
        empty one this import is for."""
        numbers = [p.number for p in persons if not any(r.errors for r in p.rows)]
        if not numbers:
            return
        with tenant_scope(self.file.code, "register import"):
            existing = dict(
                in_chunks(Person.objects.values_list("number", "id"), "number", numbers)
            )
            if not existing:
                return
            stored: dict = {}
            rows = in_chunks(
                PersonVersion.objects.order_by("history_no").values_list(
                    "person_id",
                    "history_no",
                    "valid_from",
                    "valid_to",
                    "recorded_at",
                    "superseded_at",
                ),
                "person_id",
                list(existing.values()),
            )
            for person_id, *skeleton in rows:
                stored.setdefault(person_id, []).append(tuple(skeleton))
        for person in persons:
            if person.number not in existing:
                continue
            self.matched += 1
            self.already.add(person.number)
            mine = _skeleton(r.values for r in person.rows)
            theirs = sorted(stored.get(existing[person.number], []))
            if mine != theirs:
                self.file.report.add(
                    person.line,
                    "宛名番号",
                    "person.exists_different",
                    "この宛名番号の人は取込先に既にあり、履歴がファイルと違います。",
                    "A person with this 宛名番号 is already in the register with a different "
                    "history.",
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


def _movement_fingerprint(v: dict) -> int:
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


def _skeleton(rows: Iterable) -> list[tuple]:
    return [
        (v["history_no"], v["valid_from"], v["valid_to"], v["recorded_at"], v["superseded_at"])
        for v in rows
    ]


def in_chunks(queryset, field_name: str, values: Iterable, size: int = 5000) -> Iterator:
    """``queryset.filter(<field>__in=values)`` in slices (SQLite limits parameters)."""
    values = list(values)
    for start in range(0, len(values), size):
        yield from queryset.filter(**{f"{field_name}__in": values[start : start + size]})
