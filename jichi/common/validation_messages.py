"""Japanese and English messages for the input errors pydantic reports.

The API answers every malformed field with the rule it broke in both
languages; pydantic's own text is English only, so the common rules are
translated here by their error type.
"""

from __future__ import annotations

from jichi.common.errors import FieldError

_JA = {
    "missing": "必須項目です。",
    "extra_forbidden": "この項目は受け付けていません（不明な項目）。",
    "string_type": "文字列で指定してください。",
    "int_type": "整数で指定してください。",
    "int_parsing": "整数で指定してください。",
    "float_type": "数値で指定してください。",
    "float_parsing": "数値で指定してください。",
    "bool_type": "true または false で指定してください。",
    "bool_parsing": "true または false で指定してください。",
    "list_type": "配列で指定してください。",
    "dict_type": "オブジェクトで指定してください。",
    "model_attributes_type": "オブジェクトで指定してください。",
    "date_from_datetime_parsing": "日付を YYYY-MM-DD 形式で指定してください。",
    "date_parsing": "日付を YYYY-MM-DD 形式で指定してください。",
    "datetime_parsing": "日時を ISO 8601 形式で指定してください。",
    "uuid_parsing": "UUID の形式で指定してください。",
    "string_too_short": "文字数が足りません。",
    "string_too_long": "文字数が多すぎます。",
    "string_pattern_mismatch": "形式が正しくありません。",
    "greater_than_equal": "値が小さすぎます。",
    "less_than_equal": "値が大きすぎます。",
    "enum": "選択肢にない値です。",
    "literal_error": "選択肢にない値です。",
    "json_invalid": "JSON として解析できません。",
}

# Where ninja puts what (body, query, path, header...) before the field name.
_LOCATIONS = {"body", "query", "path", "header", "cookie", "form", "file"}


def field_errors(errors: list[dict]) -> list[FieldError]:
    """ninja/pydantic error dicts → our field errors, field paths dotted."""
    result = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        if loc and loc[0] in _LOCATIONS:
            loc = loc[1:]
            if len(loc) > 1 and loc[0] in {"payload", "data", "body", "filters"}:
                loc = loc[1:]
        kind = error.get("type", "value_error")
        message_en = error.get("msg", "Invalid value.")
        message_ja = _JA.get(kind, f"値が正しくありません（{message_en}）。")
        result.append(FieldError(f"invalid.{kind}", message_ja, message_en, ".".join(loc)))
    return result
