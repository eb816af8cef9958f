"""Loading the procedure catalog: one TOML file per procedure, checked and kept in memory.

Every problem names the file, the key and the rule broken
(``CatalogError: jidou_teate_nintei.toml: fields[2].type: must be one of ...``),
so a mistake in a catalog file stops the start-up with a precise message.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from functools import cache
from pathlib import Path

from jichi.procedures import definitions as d

CATALOG_DIR = Path(__file__).resolve().parent / "catalog"
ID_RULE = re.compile(r"^[a-z][a-z0-9_]{2,59}$")
_TOP_KEYS = {
    "id",
    "version",
    "name",
    "legal_basis",
    "applicants",
    "identity",
    "department",
    "service_days",
    "fee",
    "effect",
    "workflow",
    "fields",
    "lookups",
    "prefill_changes",
    "notifications",
    "description",
    "keywords",
}
_FIELD_KEYS = {
    "name",
    "type",
    "label",
    "required",
    "max_length",
    "pattern",
    "min",
    "max",
    "min_days",
    "max_days",
    "choices",
    "prefill",
    "content_types",
    "max_size_kb",
    "help",
}
FILE_TYPES = ("application/pdf", "image/jpeg", "image/png")


class CatalogError(ValueError):
    """A catalog file breaks a rule of the format."""

    def __init__(self, file: str, key: str, rule: str) -> None:
        self.file, self.key, self.rule = file, key, rule
        super().__init__(f"{file}: {key}: {rule}")


class _Reader:
    """Typed access to one TOML table, raising :class:`CatalogError` on the first misfit."""

    def __init__(self, file: str, data: dict, prefix: str = "") -> None:
        self.file, self.data, self.prefix = file, data, prefix

    def fail(self, key: str, rule: str) -> CatalogError:
        return CatalogError(self.file, f"{self.prefix}{key}", rule)

    def unknown(self, allowed: set[str]) -> None:
        for key in sorted(set(self.data) - allowed):
            raise self.fail(key, "unknown key")

    def get(self, key: str, kind: type | tuple, default=..., *, check=None, rule: str = ""):
        if key not in self.data:
            if default is ...:
                raise self.fail(key, "required")
            return default
        value = self.data[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
            raise self.fail(key, f"must be of type {_type_name(kind)}")
        if check is not None and not check(value):
            raise self.fail(key, rule)
        return value

    def one_of(self, key: str, allowed: tuple[str, ...], default=...) -> str:
        return self.get(key, str, default, check=allowed.__contains__, rule=_one_of(allowed))

    def text(self, key: str, default=...) -> d.Text | None:
        table = self.get(key, dict, default)
        if table is None:
            return None
        inner = _Reader(self.file, table, f"{self.prefix}{key}.")
        inner.unknown({"ja", "en"})
        nonempty = {"check": lambda s: bool(s.strip()), "rule": "must not be empty"}
        return d.Text(inner.get("ja", str, **nonempty), inner.get("en", str, **nonempty))

    def table(self, key: str) -> _Reader:
        return _Reader(self.file, self.get(key, dict, {}), f"{self.prefix}{key}.")


def _type_name(kind) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {str: "string", int: "integer", bool: "boolean", list: "array", dict: "table"}
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _one_of(allowed) -> str:
    return "must be one of " + ", ".join(allowed)


def parse(file: str, raw: bytes) -> d.Procedure:
    """One procedure from the bytes of its file (``file`` names it in errors)."""
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CatalogError(file, "(file)", f"not valid UTF-8 TOML: {exc}") from None
    top = _Reader(file, data)
    top.unknown(_TOP_KEYS)
    procedure_id = top.get("id", str, check=ID_RULE.match, rule="must match " + ID_RULE.pattern)
    if file.endswith(".toml") and Path(file).stem != procedure_id:
        raise top.fail("id", f"must equal the file name ({Path(file).stem})")
    fields = tuple(_fields(top))
    procedure = d.Procedure(
        id=procedure_id,
        version=top.get("version", int, check=lambda v: v >= 1, rule="must be 1 or more"),
        name=top.text("name"),
        legal_basis=top.get("legal_basis", str, check=str.strip, rule="must not be empty"),
        applicants=tuple(_list_of(top, "applicants", d.APPLICANT_KINDS, minimum=1)),
        identity=top.one_of("identity", d.IDENTITY_LEVELS),
        department=top.get("department", str, check=ID_RULE.match, rule="must be an identifier"),
        service_days=top.get("service_days", int, check=lambda v: 0 <= v <= 365, rule="0 to 365"),
        fee=top.get("fee", int, 0, check=lambda v: 0 <= v <= 1_000_000, rule="0 to 1000000"),
        effect=top.one_of("effect", d.EFFECTS, "none"),
        workflow=_workflow(top),
        fields=fields,
        lookups=tuple(_list_of(top, "lookups", d.LOOKUPS)),
        prefill_changes=top.one_of("prefill_changes", d.PREFILL_CHANGES, "refuse"),
        notifications=_notifications(top),
        description=top.text("description", None),
        keywords=tuple(_list_of(top, "keywords", None)),
        content_hash=hashlib.sha256(raw).hexdigest(),
    )
    return procedure


def _list_of(reader: _Reader, key: str, allowed, minimum: int = 0) -> list[str]:
    values = reader.get(key, list, [])
    if len(values) < minimum:
        raise reader.fail(key, f"needs at least {minimum} item(s)")
    for i, value in enumerate(values):
        if not isinstance(value, str) or (allowed is not None and value not in allowed):
            raise reader.fail(f"{key}[{i}]", _one_of(allowed) if allowed else "must be a string")
    if len(set(values)) != len(values):
        raise reader.fail(key, "must not repeat an item")
    return values


def _workflow(top: _Reader) -> d.Workflow:
    table = top.table("workflow")
    table.unknown({"review", "auto_approve"})
    workflow = d.Workflow(table.get("review", bool, True), table.get("auto_approve", bool, False))
    if workflow.auto_approve and workflow.review:
        raise table.fail("auto_approve", "needs review = false")
    return workflow


def _notifications(top: _Reader) -> dict[str, d.Text]:
    table = top.table("notifications")
    table.unknown(set(d.NOTIFIED_STATES))
    return {state: table.text(state) for state in d.NOTIFIED_STATES if state in table.data}


def _fields(top: _Reader):
    seen: set[str] = set()
    for i, raw in enumerate(top.get("fields", list, check=bool, rule="needs at least one field")):
        if not isinstance(raw, dict):
            raise top.fail(f"fields[{i}]", "must be a table")
        spec = _field(_Reader(top.file, raw, f"fields[{i}]."))
        if spec.name in seen:
            raise top.fail(f"fields[{i}].name", f"repeats the field {spec.name}")
        seen.add(spec.name)
        yield spec


def _field(r: _Reader) -> d.FieldSpec:
    r.unknown(_FIELD_KEYS)
    kind = r.one_of("type", d.FIELD_TYPES)
    pattern = r.get("pattern", str, None, check=_compiles, rule="must be a regular expression")
    spec = d.FieldSpec(
        name=r.get("name", str, check=ID_RULE.match, rule="must match " + ID_RULE.pattern),
        type=kind,
        label=r.text("label"),
        required=r.get("required", bool, False),
        max_length=r.get("max_length", int, None, check=lambda v: v > 0, rule="must be positive"),
        pattern=pattern,
        min=r.get("min", int, None),
        max=r.get("max", int, None),
        min_days=r.get("min_days", int, None),
        max_days=r.get("max_days", int, None),
        choices=tuple(_choices(r)),
        prefill=r.one_of("prefill", d.PREFILL_SOURCES, None),
        content_types=tuple(_list_of(r, "content_types", FILE_TYPES)),
        max_size_kb=r.get("max_size_kb", int, None, check=lambda v: 0 < v <= 20480, rule="1-20480"),
        help=r.text("help", None),
    )
    _check_field_consistency(r, spec)
    return spec


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


def _choices(r: _Reader):
    for i, raw in enumerate(r.get("choices", list, [])):
        if not isinstance(raw, dict):
            raise r.fail(f"choices[{i}]", "must be a table")
        item = _Reader(r.file, raw, f"{r.prefix}choices[{i}].")
        item.unknown({"value", "ja", "en"})
        value = item.get("value", str, check=str.strip, rule="must not be empty")
        yield d.Choice(value, d.Text(item.get("ja", str), item.get("en", str)))


_ONLY_FOR = {
    "choices": ("choice",),
    "min": ("integer",),
    "max": ("integer",),
    "min_days": ("date",),
    "max_days": ("date",),
    "max_length": ("text", "email", "phone"),
    "pattern": ("text", "phone"),
    "content_types": ("file",),
    "max_size_kb": ("file",),
}


def _check_field_consistency(r: _Reader, spec: d.FieldSpec) -> None:
    for key, types in _ONLY_FOR.items():
        if key in r.data and spec.type not in types:
            raise r.fail(key, f"only for fields of type {', '.join(types)}")
    if spec.type == "choice" and not spec.choices:
        raise r.fail("choices", "a choice field needs choices")
    if spec.type == "file" and spec.prefill:
        raise r.fail("prefill", "a file cannot be prefilled")
    lists = ("register:household_members", "register:children_under_18")
    if (spec.type == "persons") != (spec.prefill in lists):
        raise r.fail("prefill", "a persons field takes exactly a list source: " + ", ".join(lists))
    if spec.min is not None and spec.max is not None and spec.min > spec.max:
        raise r.fail("min", "must not exceed max")


def load_directory(directory: Path = CATALOG_DIR) -> dict[str, d.Procedure]:
    """Every ``*.toml`` of ``directory``, by procedure id (errors name the file)."""
    procedures: dict[str, d.Procedure] = {}
    for path in sorted(directory.glob("*.toml")):
        procedure = parse(path.name, path.read_bytes())
        procedures[procedure.id] = procedure
    return procedures


@cache
def catalog() -> dict[str, d.Procedure]:
    """The shipped catalog, loaded once per process."""
    return load_directory()
