"""Checking the answers of an application against its procedure's fields.

Every broken rule is reported at once, each naming ``answers.<field>`` with a
stable code (``field.required``, ``field.max_length`` …) and a message in
Japanese and English. The cleaned answers keep JSON types: text, ISO dates,
integers, booleans, lists of 宛名番号 (persons), attachment ids (files).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from jichi.common.errors import ErrorCollector, RuleViolation
from jichi.common.wareki import parse_wareki
from jichi.procedures.definitions import FieldSpec, Procedure

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^0[0-9]{1,4}-?[0-9]{1,4}-?[0-9]{3,4}$")
TEXT_MAX = 2000  # when a text field sets no max_length


class _Bad(Exception):
    def __init__(self, code: str, ja: str, en: str) -> None:
        self.code, self.ja, self.en = code, ja, en


def is_empty(value) -> bool:
    return value is None or value == "" or value == []


def validate(
    procedure: Procedure,
    answers: dict,
    *,
    today: date,
    register_lists: dict[str, list[str]] | None = None,
    attachment_ids: set[str] = frozenset(),
    partial: bool = False,
) -> dict:
    """The cleaned answers, or a :class:`RuleViolation` listing every broken rule.

    ``partial`` (a draft) checks what is given but not what is missing.
    ``register_lists`` holds, for persons fields, the 宛名番号 the register offers.
    """
    errors = ErrorCollector()
    for name in sorted(set(answers) - {f.name for f in procedure.fields}):
        errors.add(
            "field.unknown",
            f"「{name}」はこの手続の項目ではありません。",
            f"{name} is not a question of this procedure.",
            f"answers.{name}",
        )
    cleaned: dict = {}
    for spec in procedure.fields:
        value = answers.get(spec.name)
        if is_empty(value):
            if spec.required and not partial:
                errors.add(*_required(spec), f"answers.{spec.name}")
            continue
        try:
            cleaned[spec.name] = _clean(spec, value, today, register_lists or {}, attachment_ids)
        except _Bad as bad:
            errors.add(
                bad.code,
                f"{spec.label.ja}: {bad.ja}",
                f"{spec.label.en}: {bad.en}",
                f"answers.{spec.name}",
            )
    errors.raise_if_any()
    return cleaned


def _required(spec: FieldSpec) -> tuple[str, str, str]:
    return (
        "field.required",
        f"{spec.label.ja}を入力してください。",
        f"{spec.label.en} is required.",
    )


def _clean(spec: FieldSpec, value, today: date, lists: dict, attachment_ids: set[str]):
    if spec.type in ("text", "email", "phone"):
        return _text(spec, value)
    if spec.type == "integer":
        return _integer(spec, value)
    if spec.type == "date":
        return _date(spec, value, today).isoformat()
    if spec.type == "boolean":
        if not isinstance(value, bool):
            raise _Bad("field.type", "はい・いいえで答えてください。", "answer true or false.")
        return value
    if spec.type == "choice":
        if value not in spec.choice_values():
            allowed = ", ".join(spec.choice_values())
            raise _Bad(
                "field.choice",
                f"選択肢（{allowed}）から選んでください。",
                f"choose one of {allowed}.",
            )
        return value
    if spec.type == "persons":
        return _persons(spec, value, lists.get(spec.name, []))
    return _file(value, attachment_ids)


def _text(spec: FieldSpec, value) -> str:
    if not isinstance(value, str):
        raise _Bad("field.type", "文字で入力してください。", "must be text.")
    text = value.strip()
    limit = spec.max_length or TEXT_MAX
    if len(text) > limit:
        raise _Bad(
            "field.max_length",
            f"{limit}文字以内で入力してください。",
            f"at most {limit} characters.",
        )
    if spec.type == "email" and not EMAIL.match(text):
        raise _Bad("field.email", "メールアドレスの形式ではありません。", "not an e-mail address.")
    if spec.type == "phone" and not PHONE.match(text.replace(" ", "")):
        raise _Bad(
            "field.phone",
            "電話番号の形式ではありません（例: 045-123-4567）。",
            "not a phone number (e.g. 045-123-4567).",
        )
    if spec.pattern and not re.fullmatch(spec.pattern, text):
        help_ja = spec.help.ja if spec.help else "指定の形式"
        help_en = spec.help.en if spec.help else "the expected format"
        raise _Bad("field.pattern", f"{help_ja}で入力してください。", f"use {help_en}.")
    return text


def _integer(spec: FieldSpec, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _Bad("field.type", "整数で入力してください。", "must be a whole number.")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise _Bad("field.type", "整数で入力してください。", "must be a whole number.") from None
    if spec.min is not None and number < spec.min:
        raise _Bad("field.min", f"{spec.min}以上にしてください。", f"at least {spec.min}.")
    if spec.max is not None and number > spec.max:
        raise _Bad("field.max", f"{spec.max}以下にしてください。", f"at most {spec.max}.")
    return number


def _date(spec: FieldSpec, value, today: date) -> date:
    if not isinstance(value, str):
        raise _Bad("field.type", "日付で入力してください。", "must be a date.")
    try:
        parsed = date.fromisoformat(value.strip())
    except ValueError:
        try:
            parsed = parse_wareki(value)
        except RuleViolation:
            raise _Bad(
                "field.date",
                "日付の形式ではありません（例: 2026-04-01、令和8年4月1日）。",
                "not a date (e.g. 2026-04-01).",
            ) from None
    if spec.min_days is not None and parsed < today + timedelta(days=spec.min_days):
        earliest = today + timedelta(days=spec.min_days)
        raise _Bad(
            "field.date_too_early",
            f"{earliest.isoformat()}以降の日付にしてください。",
            f"on or after {earliest.isoformat()}.",
        )
    if spec.max_days is not None and parsed > today + timedelta(days=spec.max_days):
        latest = today + timedelta(days=spec.max_days)
        raise _Bad(
            "field.date_too_late",
            f"{latest.isoformat()}以前の日付にしてください。",
            f"on or before {latest.isoformat()}.",
        )
    return parsed


def _persons(spec: FieldSpec, value, offered: list[str]) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Bad("field.type", "宛名番号の一覧で指定してください。", "must be a list of numbers.")
    if len(set(value)) != len(value):
        raise _Bad("field.duplicate", "同じ人が二度指定されています。", "a person is listed twice.")
    unknown = [v for v in value if v not in offered]
    if unknown:
        raise _Bad(
            "field.not_in_register",
            "住民記録の世帯に該当しない人が含まれています。",
            "lists a person the register does not offer here.",
        )
    return list(value)


def _file(value, attachment_ids: set[str]) -> str:
    if not isinstance(value, str) or value not in attachment_ids:
        raise _Bad(
            "field.file_missing",
            "添付ファイルがありません。先にアップロードしてください。",
            "no such attachment on this application: upload it first.",
        )
    return value
