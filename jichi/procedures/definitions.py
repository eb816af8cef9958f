"""The shape of a procedure once loaded from its TOML file (immutable, in memory)."""

from __future__ import annotations

from dataclasses import dataclass, field

APPLICANT_KINDS = ("resident", "agent", "business")
IDENTITY_LEVELS = ("none", "login", "card_signature")
FIELD_TYPES = ("text", "integer", "date", "choice", "boolean", "email", "phone", "file", "persons")
PREFILL_SOURCES = (
    "register:name",
    "register:name_kana",
    "register:birth_date",
    "register:sex",
    "register:address",
    "register:postal_code",
    "register:household_head",
    "register:household_members",
    "register:children_under_18",
    "register:resident_number",
)
LOOKUPS = (
    "lookup:resident_certificate",  # 住民票の写し
    "lookup:household_certificate",  # 世帯全員の住民票
    "lookup:tax_certificate",  # 課税・所得証明書
    "lookup:koseki",  # 戸籍謄本 (via 戸籍情報連携)
    "lookup:insurance_status",  # 国保・介護の資格
)
PREFILL_CHANGES = ("refuse", "flag")
EFFECTS = ("none", "registry.move_out", "certificates.issue")
NOTIFIED_STATES = (
    "submitted",
    "in_review",
    "info_requested",
    "approved",
    "rejected",
    "completed",
    "withdrawn",
)


@dataclass(frozen=True)
class Text:
    ja: str
    en: str

    def as_dict(self) -> dict[str, str]:
        return {"ja": self.ja, "en": self.en}


@dataclass(frozen=True)
class Choice:
    value: str
    label: Text


@dataclass(frozen=True)
class FieldSpec:
    """One question of a form and its rules."""

    name: str
    type: str
    label: Text
    required: bool = False
    max_length: int | None = None
    pattern: str | None = None
    min: int | None = None  # integer: smallest value
    max: int | None = None
    min_days: int | None = None  # date: earliest, in days from today (negative: past)
    max_days: int | None = None
    choices: tuple[Choice, ...] = ()
    prefill: str | None = None
    content_types: tuple[str, ...] = ()  # file
    max_size_kb: int | None = None  # file
    help: Text | None = None

    def choice_values(self) -> list[str]:
        return [c.value for c in self.choices]


@dataclass(frozen=True)
class Workflow:
    review: bool = True  # False: a decision may be taken straight from "submitted"
    auto_approve: bool = False  # approved (and its effect run) at submission


@dataclass(frozen=True)
class Procedure:
    id: str
    version: int
    name: Text
    legal_basis: str
    applicants: tuple[str, ...]
    identity: str
    department: str
    service_days: int
    fee: int
    effect: str
    workflow: Workflow
    fields: tuple[FieldSpec, ...]
    lookups: tuple[str, ...] = ()
    prefill_changes: str = "refuse"
    notifications: dict[str, Text] = field(default_factory=dict)
    description: Text | None = None
    keywords: tuple[str, ...] = ()
    content_hash: str = ""  # sha256 of the file's bytes

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"
