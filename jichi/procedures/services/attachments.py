"""Files given with an application: limited in size and type, kept in the database
with their SHA-256 (the type is checked against the file's first bytes too)."""

from __future__ import annotations

import hashlib

from jichi.common.errors import RuleViolation
from jichi.procedures.definitions import Procedure
from jichi.procedures.loading import FILE_TYPES
from jichi.procedures.models import Application, Attachment

DEFAULT_MAX_KB = 5 * 1024
SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}


def _refuse(code: str, ja: str, en: str, status: int = 400) -> RuleViolation:
    return RuleViolation(code, ja, en, "file", status=status)


def store_attachment(
    procedure: Procedure,
    application: Application,
    field: str,
    filename: str,
    content_type: str,
    data: bytes,
) -> Attachment:
    spec = procedure.field(field)
    if spec is None or spec.type != "file":
        raise RuleViolation(
            "attachment.field_not_file",
            f"「{field}」はファイルを添付する項目ではありません。",
            f"{field} is not a file question of this procedure.",
            "field",
        )
    allowed = spec.content_types or FILE_TYPES
    if content_type not in allowed:
        raise _refuse(
            "attachment.type_not_allowed",
            f"添付できるファイルの種類は {', '.join(allowed)} です。",
            f"Allowed file types: {', '.join(allowed)}.",
            415,
        )
    limit_kb = spec.max_size_kb or DEFAULT_MAX_KB
    if not data:
        raise _refuse("attachment.empty", "ファイルが空です。", "The file is empty.")
    if len(data) > limit_kb * 1024:
        raise _refuse(
            "attachment.too_large",
            f"ファイルは{limit_kb}KB以下にしてください。",
            f"The file must be at most {limit_kb} KB.",
            413,
        )
    if not data.startswith(SIGNATURES[content_type]):
        raise _refuse(
            "attachment.content_mismatch",
            "ファイルの中身が指定の種類と一致しません。",
            "The file's content does not match its type.",
            415,
        )
    name = (filename or "").strip().replace("/", "_").replace("\\", "_")[:200] or "file"
    return Attachment.objects.create(
        municipality_id=application.municipality_id,
        application=application,
        field=field,
        filename=name,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
    )
