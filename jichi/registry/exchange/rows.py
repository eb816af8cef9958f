"""One data row of an import file: its cells turned into the models' values, with every
problem of its cells and every broken rule between them."""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass

from jichi.common.errors import FieldError, RuleViolation
from jichi.common.kana import validate_katakana_name
from jichi.registry.codes import (
    STANDARD_CATEGORY,
    Reason,
    ResidentKind,
    ResidentStatus,
    validate_foreign_items,
)
from jichi.registry.dates import parse_birth_date
from jichi.registry.exchange.layout import (
    BLANK,
    BY_NAME,
    PARSERS,
    PERSONS,
    SHARED_CACHE,
    TRUSTED,
    UNCACHED,
    BadCell,
    Column,
    Layout,
    identity,
    value_key,
)
from jichi.registry.relationships import HEAD


@dataclass(slots=True)
class Row:
    line: int
    values: dict
    errors: list  # (column, code, message_ja, message_en)


class RowReader:
    """Turns the cells of a row of ``layout`` into the values of the models, collecting
    every problem; :meth:`check_row` (subclasses) adds the rules between the cells.

    ``trusted`` (the second pass, over a file the first pass found valid): no checks,
    only conversion; the validators that normalise (kana, 続柄) still run, cached.
    """

    layout: Layout = PERSONS

    def __init__(
        self, header: list[str], target_code: str, allow_other_code: bool, trusted: bool = False
    ) -> None:
        self.target_code = target_code
        self.allow_other_code = allow_other_code
        self.trusted = trusted
        self.header = header
        self.width = len(header)
        self.max_length = self.layout.max_length
        self.column_of_key = self.layout.column_of_key
        self.defaults = self.layout.defaults
        columns = self.layout.columns
        index = {name: i for i, name in enumerate(header)}
        present = [c for c in columns if c.name in index]
        self.absent = {value_key(c): BLANK.get(c.kind, "") for c in columns if c.name not in index}
        self.number_index = index.get("宛名番号")
        self.texts = [
            (index[c.name], value_key(c), self.max_length[c.name], c)
            for c in present
            if c.kind == "text"
        ]
        # The text cells are taken in one C call per row and checked only when needed.
        self.text_keys = [key for _, key, _, _ in self.texts]
        self.text_cells = operator.itemgetter(*[i for i, *_ in self.texts], 0)
        self.text_limits = [limit or 1 << 30 for _, _, limit, _ in self.texts]
        self.text_required = [
            (n, column) for n, (_, _, _, column) in enumerate(self.texts) if column.required
        ]
        self.typed = []
        caches: dict[str, dict] = {}
        for c in present:
            if c.kind == "text":
                continue
            parse = functools.partial(self._parse, c)
            cache = None if c.kind in UNCACHED else caches.setdefault(_cache_key(c), {})
            self.typed.append((index[c.name], value_key(c), c, parse, cache, BLANK.get(c.kind, "")))
        # The second pass: codes and numbers are taken as they are (stripped), the other
        # kinds converted, kana and 続柄 normalised through their (cached) validators.
        plain = [c for c in present if TRUSTED.get(c.kind) is identity]
        self.plain_keys = [value_key(c) for c in plain]
        self.plain_cells = operator.itemgetter(*[index[c.name] for c in plain], 0)
        self.converted = [
            (index[c.name], value_key(c), TRUSTED[c.kind], BLANK.get(c.kind, ""))
            for c in present
            if c.kind in TRUSTED and TRUSTED[c.kind] is not identity
        ]
        self.normalised = [
            (index[c.name], value_key(c), functools.partial(self._parse, c), {})
            for c in present
            if c.kind != "text" and c.kind not in TRUSTED
        ]
        if trusted:
            self.read = self._read_trusted

    def read(self, line: int, cells: list[str]) -> Row:
        errors: list = []
        values = dict(self.absent)
        if len(cells) != self.width:
            errors.append(
                (
                    "",
                    "row.columns",
                    f"この行の項目数は{len(cells)}です（見出しは{self.width}）。",
                    f"The row has {len(cells)} cells; the header has {self.width}.",
                )
            )
            number = cells[self.number_index] if self.number_index < len(cells) else ""
            values["number"] = number.strip()
            return Row(line, values, errors)
        checking = not self.trusted
        texts = self.text_cells(cells)[:-1]
        values.update(zip(self.text_keys, texts, strict=True))
        if checking:
            for n, column in self.text_required:
                if not texts[n].strip():
                    errors.append(required_problem(column))
            if "\x00" in "\x01".join(texts) or any(
                map(operator.gt, map(len, texts), self.text_limits)
            ):
                for text, limit, (_, _, _, column) in zip(
                    texts, self.text_limits, self.texts, strict=True
                ):
                    if len(text) > limit or "\x00" in text:
                        errors.append(text_problem(column, text, limit))
        for i, key, column, parse, cache, blank in self.typed:
            raw = cells[i].strip()
            if not raw:
                if column.required and checking:
                    errors.append(required_problem(column))
                values[key] = blank
                continue
            if cache is None:
                value = parse(raw)
            else:
                value = cache.get(raw)
                if value is None:
                    value = parse(raw)
                    if len(cache) > 50_000:
                        cache.clear()
                    if type(value) is not tuple:
                        cache[raw] = value
            if type(value) is tuple:
                errors.append(value)
                values[key] = blank
            else:
                values[key] = value
        for key, default in self.defaults:
            if not values[key]:
                values[key] = default
        if errors:
            if not values["number"] and self.number_index is not None:
                values["number"] = cells[self.number_index].strip()  # to group the rows
        elif checking:
            self.check_row(values, errors)
        return Row(line, values, errors)

    def check_row(self, values: dict, errors: list) -> None:
        """Rules between the items of one row (only when every item reads)."""

    def _read_trusted(self, line: int, cells: list[str]) -> Row:
        """:meth:`read` for a file pass 1 found valid: conversion only."""
        values = dict(self.absent)
        values.update(zip(self.text_keys, self.text_cells(cells)[:-1], strict=True))
        plain = map(str.strip, self.plain_cells(cells)[:-1])
        values.update(zip(self.plain_keys, plain, strict=False))
        for i, key, convert, blank in self.converted:
            raw = cells[i].strip()
            values[key] = convert(raw) if raw else blank
        for i, key, parse, cache in self.normalised:
            raw = cells[i].strip()
            if raw:
                value = cache.get(raw)
                if value is None:
                    if len(cache) > 50_000:
                        cache.clear()
                    value = cache[raw] = parse(raw)
                values[key] = value
            else:
                values[key] = ""
        for key, default in self.defaults:
            if not values[key]:
                values[key] = default
        return Row(line, values, [])

    def _parse(self, column: Column, raw: str):
        """The value, or a problem tuple (cached like values: the same cell, the same answer)."""
        try:
            if column.kind == "kana":
                value = validate_katakana_name(raw, column.attr)
                limit = self.max_length[column.name]
                if limit and len(value) > limit:
                    return text_problem(column, value, limit)
                return value
            return PARSERS[column.kind](raw, column)
        except BadCell as bad:
            return (
                column.name,
                f"{value_key(column)}.{bad.suffix}",
                bad.message_ja,
                bad.message_en,
            )
        except RuleViolation as exc:
            return (column.name, exc.code, exc.message_ja, exc.message_en)

    def check_target(self, v: dict, errors: list) -> None:
        """The row's 全国地方公共団体コード is the target's (unless re-keying is allowed)."""
        if v["municipality"] != self.target_code and not self.allow_other_code:
            errors.append(
                (
                    "全国地方公共団体コード",
                    "municipality_code.other",
                    f"この行は団体 {v['municipality']} のものです（取込先は {self.target_code}）。",
                    f"The row belongs to municipality {v['municipality']}, not to "
                    f"{self.target_code} (the import's target).",
                )
            )

    def problem(self, error: FieldError) -> tuple:
        column = self.column_of_key.get((error.field or "").rsplit(".", 1)[-1], "")
        return (column, error.code, error.message_ja, error.message_en)


class PersonRowReader(RowReader):
    """A row of the register file (:data:`~jichi.registry.exchange.layout.PERSONS`)."""

    layout = PERSONS

    def check_row(self, v: dict, errors: list) -> None:
        self.check_target(v, errors)
        if v["valid_to"] is not None and v["valid_to"] <= v["valid_from"]:
            errors.append(
                (
                    "有効終了日",
                    "valid_to.order",
                    "有効終了日は有効開始日より後の日付です。",
                    "有効終了日 (valid to) must be after 有効開始日 (valid from).",
                )
            )
        if v["superseded_at"] is not None and v["superseded_at"] < v["recorded_at"]:
            errors.append(
                (
                    "履歴終了日時",
                    "superseded_at.order",
                    "履歴終了日時は処理日時より前にできません。",
                    "履歴終了日時 (superseded at) cannot be before 処理日時 (recorded at).",
                )
            )
        if v["is_head"] != (v["relationship"] == HEAD):
            errors.append(
                (
                    "世帯主フラグ",
                    "is_head.mismatch",
                    "世帯主フラグは続柄が「世帯主」の行だけ 1 です。",
                    "世帯主フラグ is 1 exactly when 続柄 is 世帯主.",
                )
            )
        wording = v["reason_category"]
        if wording and wording != STANDARD_CATEGORY[Reason(v["reason"])]:
            errors.append(
                (
                    "異動事由分類",
                    "reason_category.mismatch",
                    f"異動事由コード {v['reason']} の分類は"
                    f"「{STANDARD_CATEGORY[Reason(v['reason'])]}」です。",
                    f"Reason {v['reason']} belongs to the category "
                    f"{STANDARD_CATEGORY[Reason(v['reason'])]!r}.",
                )
            )
        if v["birth_note"]:
            try:
                birth = parse_birth_date(v["birth_note"], "birth_note")
            except RuleViolation as exc:
                errors.append(("生年月日不詳表記", exc.code, exc.message_ja, exc.message_en))
            else:
                if (birth.value, birth.precision) != (v["birth_date"], v["birth_precision"]):
                    errors.append(
                        (
                            "生年月日不詳表記",
                            "birth_note.mismatch",
                            f"不詳表記「{v['birth_note']}」は生年月日 {birth.value.isoformat()}・"
                            f"不詳区分 {birth.precision} を表します。",
                            f"The note {v['birth_note']!r} stands for {birth.value.isoformat()} "
                            f"with precision {birth.precision}.",
                        )
                    )
        if v["kind"] == ResidentKind.JAPANESE:
            for key, column in (("family_name", "氏"), ("given_name", "名"), ("domicile", "本籍")):
                if not v[key].strip():
                    errors.append(required_problem(BY_NAME[column], japanese=True))
        else:
            self._foreign(v, errors)

    def _foreign(self, v: dict, errors: list) -> None:
        if not (v["name_alphabet"].strip() or v["family_name"].strip()):
            errors.append(
                (
                    "氏名ローマ字",
                    "name_alphabet.required",
                    "外国人住民の行には氏名ローマ字（または氏）が必要です。",
                    "A foreign resident's row needs 氏名ローマ字 (or 氏).",
                )
            )
        try:
            validate_foreign_items(
                v["article_30_45"],
                {
                    "residence_status": v["residence_status"],
                    "residence_period": v["residence_period"],
                    "residence_expiry": v["residence_expiry"],
                    "residence_card_no": v["residence_card_no"],
                },
            )
        except RuleViolation as exc:
            removed = v["status"] != ResidentStatus.RESIDENT
            for error in exc.errors:
                if removed and error.code == "residence_card_no.required":
                    continue  # 除票 need no card number (§1.7)
                errors.append(self.problem(error))


def _cache_key(column: Column) -> str:
    return column.kind if column.kind in SHARED_CACHE else column.name


def required_problem(column: Column, japanese: bool = False) -> tuple:
    who_ja = "日本人住民の行では" if japanese else ""
    who_en = " on a Japanese resident's row" if japanese else ""
    return (
        column.name,
        f"{value_key(column)}.required",
        f"{who_ja}{column.name}を空欄にできません。",
        f"{column.name} may not be blank{who_en}.",
    )


def text_problem(column: Column, raw: str, limit: int | None) -> tuple:
    if "\x00" in raw:
        return (
            column.name,
            f"{value_key(column)}.nul",
            f"{column.name}に NUL 文字があります。",
            f"{column.name} contains a NUL character.",
        )
    return (
        column.name,
        f"{value_key(column)}.too_long",
        f"{column.name}は{limit}文字以内です（{len(raw)}文字）。",
        f"{column.name} may hold at most {limit} characters (got {len(raw)}).",
    )
