"""The movement forms of the staff pages, described as data.

Each input's ``name`` is the dotted path of the field in the movement's body
schema (``address.town``, ``persons.0.given_name_kana``), so a form becomes the
body by unflattening, and every error the schema or the service names lands
next to its input.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

from jichi.common.checkdigits import normalize_digits, validate_my_number, validate_resident_number
from jichi.common.errors import RuleViolation
from jichi.common.kana import validate_katakana_name
from jichi.registry.codes import ResidenceStatus
from jichi.registry.dates import parse_birth_date
from jichi.registry.relationships import validate_relationship
from jichi.registry.towns import find_town


@dataclass(frozen=True)
class Input:
    name: str
    label: str
    type: str = "text"  # text | date | select | numbers (宛名番号, space separated)
    #                     | pairs (one "宛名番号 続柄" per line) | note (several lines)
    required: bool = True
    choices: tuple = ()
    help: str = ""


SEX = (("1", "男"), ("2", "女"))
NOTICE = [
    Input("effective_on", _("Effective date (異動日)"), "date"),
    Input("notified_on", _("Notification date (届出日)"), "date", required=False),
]
ADDRESS = [
    Input("address.town", _("Town (町字)"), help=_("e.g. 中区元町")),
    Input("address.block", _("Block and number (番地)"), required=False),
    Input("address.building", _("Building and room (方書)"), required=False),
]


def _person(prefix: str) -> list[Input]:
    return [
        Input(f"{prefix}.family_name", _("Family name")),
        Input(f"{prefix}.given_name", _("Given name")),
        Input(f"{prefix}.family_name_kana", _("Family name (katakana)")),
        Input(f"{prefix}.given_name_kana", _("Given name (katakana)")),
        Input(
            f"{prefix}.birth_date", _("Date of birth"), help=_("e.g. 1980-04-01 or 昭和55年4月1日")
        ),
        Input(f"{prefix}.sex", _("Sex"), "select", choices=SEX),
        Input(
            f"{prefix}.relationship",
            _("Relationship to the head (続柄)"),
            help=_("e.g. 世帯主, 妻, 子"),
        ),
        Input(f"{prefix}.domicile", _("Registered domicile (本籍)")),
        Input(f"{prefix}.domicile_head", _("Head of the family register (筆頭者)"), required=False),
        Input(f"{prefix}.my_number", _("Individual number (個人番号)"), required=False),
    ]


ARTICLES = (
    ("1", "中長期在留者"),
    ("2", "特別永住者"),
    ("3", "一時庇護許可者"),
    ("4", "仮滞在許可者"),
    ("5", "出生による経過滞在者"),
    ("6", "国籍喪失による経過滞在者"),
)
KINDS = (("1", "日本人"), ("2", "外国人"))


def _residence(prefix: str, *, required: bool = False) -> list[Input]:
    """The 法30条の45 items (区分, 在留資格, 在留期間等, 満了日, 在留カード等番号)."""
    return [
        Input(
            f"{prefix}article_30_45",
            _("Category under article 30-45"),
            "select",
            required=required,
            choices=ARTICLES,
        ),
        Input(
            f"{prefix}residence_status",
            _("Status of residence (在留資格)"),
            "select",
            required=False,
            choices=tuple(ResidenceStatus.choices),
        ),
        Input(
            f"{prefix}residence_period",
            _("Period of stay (在留期間等)"),
            required=False,
            help=_("the landing period or provisional stay period for categories 3 and 4"),
        ),
        Input(f"{prefix}residence_expiry", _("Expiry date (満了日)"), "date", required=False),
        Input(f"{prefix}residence_card_no", _("Residence card number"), required=False),
    ]


def _foreign(prefix: str, *, foreign_only: bool = False) -> list[Input]:
    """住民種別 and the items of a foreign resident (optional unless `foreign_only`)."""
    kind = (
        Input(f"{prefix}.kind", _("Resident kind (住民種別)"), "select", choices=KINDS[1:])
        if foreign_only
        else Input(
            f"{prefix}.kind",
            _("Resident kind (住民種別)"),
            "select",
            required=False,
            choices=KINDS,
            help=_("empty for a Japanese resident"),
        )
    )
    return [
        kind,
        Input(f"{prefix}.name_alphabet", _("Name in the alphabet"), required=False),
        Input(f"{prefix}.nationality", _("Nationality or region (国籍・地域)"), required=False),
        *_residence(f"{prefix}.", required=foreign_only),
        Input(f"{prefix}.alias", _("Alias (通称)"), required=False),
        Input(f"{prefix}.alias_kana", _("Alias (katakana)"), required=False),
    ]


FORMS: dict[str, tuple[str, list[Input]]] = {
    "move-in": (
        _("Move-in (転入)"),
        [
            *NOTICE,
            *ADDRESS,
            Input("previous_address", _("Previous address (前住所)")),
            Input(
                "household",
                _("Household number to join (世帯番号)"),
                required=False,
                help=_("leave empty to found a new household"),
            ),
            *_person("persons.0"),
            *_foreign("persons.0"),
        ],
    ),
    "birth": (
        _("Birth (出生)"),
        [*NOTICE, Input("household", _("Household number (世帯番号)")), *_person("child")],
    ),
    "move-out": (
        _("Move-out (転出)"),
        [
            *NOTICE,
            Input("persons", _("Resident numbers (宛名番号)"), "numbers"),
            Input("destination_address", _("Destination (転出先)")),
        ],
    ),
    "death": (_("Death (死亡)"), [*NOTICE, Input("person", _("Resident number (宛名番号)"))]),
    "relocation": (
        _("Move within the municipality (転居)"),
        [
            *NOTICE,
            Input("persons", _("Resident numbers (宛名番号)"), "numbers"),
            *ADDRESS,
            Input("new_head", _("Head of the new household, if part moves"), required=False),
        ],
    ),
    "name-change": (
        _("Change of name (氏名変更)"),
        [
            *NOTICE,
            Input("person", _("Resident number (宛名番号)")),
            Input("family_name", _("Family name")),
            Input("given_name", _("Given name")),
            Input("family_name_kana", _("Family name (katakana)")),
            Input("given_name_kana", _("Given name (katakana)")),
        ],
    ),
    "relationship-change": (
        _("Change of relationship (続柄変更)"),
        [
            *NOTICE,
            Input("person", _("Resident number (宛名番号)")),
            Input("relationship", _("Relationship to the head (続柄)")),
        ],
    ),
}


NUMBERS = Input("persons", _("Resident numbers (宛名番号)"), "numbers")
PERSON = Input("person", _("Resident number (宛名番号)"))
RELATIONSHIPS = Input(
    "relationships",
    _("Relationships (one 宛名番号 and 続柄 per line)"),
    "pairs",
    required=False,
    help=_("e.g. 0000000019 妻"),
)
NOTE = Input("note", _("Note (留意事項)"), "note", required=False)

FORMS.update(
    {
        "move-in-from-abroad": (_("Move-in from abroad (国外転入)"), FORMS["move-in"][1]),
        "record-by-authority": (
            _("Recording by authority (職権記載)"),
            [*FORMS["move-in"][1], Input("note", _("Note (留意事項)"), "note")],
        ),
        "foreign-resident": (
            _("Foreign resident under articles 30-46 and 30-47 (法30条の46・47 記載)"),
            [
                *[i for i in FORMS["move-in"][1] if not i.name.startswith("persons.0.")],
                *[i for i in _person("persons.0") if not i.name.endswith(".domicile")],
                *_foreign("persons.0", foreign_only=True),
            ],
        ),
        "move-out-abroad": (_("Move-out abroad (国外転出)"), FORMS["move-out"][1]),
        "remove-by-authority": (
            _("Removal by authority (職権消除)"),
            [*NOTICE, NUMBERS, Input("note", _("Reason (留意事項)"), "note")],
        ),
        "household-split": (
            _("Household split (世帯分離)"),
            [
                *NOTICE,
                NUMBERS,
                Input("new_head", _("Head of the new household (宛名番号)")),
                RELATIONSHIPS,
            ],
        ),
        "household-merge": (
            _("Household merge (世帯合併)"),
            [
                *NOTICE,
                NUMBERS,
                Input("into", _("Household number to join (世帯番号)")),
                RELATIONSHIPS,
            ],
        ),
        "head-change": (
            _("Change of head (世帯主変更)"),
            [
                *NOTICE,
                Input("household", _("Household number (世帯番号)")),
                Input("new_head", _("New head (宛名番号)")),
                RELATIONSHIPS,
            ],
        ),
        "domicile-change": (
            _("Change of registered domicile (本籍変更)"),
            [
                *NOTICE,
                NUMBERS,
                Input("domicile", _("Registered domicile (本籍)")),
                Input("domicile_head", _("Head of the family register (筆頭者)"), required=False),
            ],
        ),
        "former-surname": (
            _("Former surname (旧氏の記載・削除)"),
            [
                *NOTICE,
                PERSON,
                Input("former_surname", _("Former surname (empty to delete)"), required=False),
                Input("former_surname_kana", _("Former surname (katakana)"), required=False),
            ],
        ),
        "alias": (
            _("Alias (通称の記載・削除)"),
            [
                *NOTICE,
                PERSON,
                Input("alias", _("Alias (empty to delete)"), required=False),
                Input("alias_kana", _("Alias (katakana)"), required=False),
            ],
        ),
        "residence-status-change": (
            _("Change of residence status (在留資格等変更)"),
            [
                *NOTICE,
                PERSON,
                *_residence("", required=True),
            ],
        ),
        "correction": (
            _("Clerical correction (誤記修正)"),
            [
                PERSON,
                Input("valid_from", _("Corrected from"), "date"),
                Input("valid_to", _("Corrected until (exclusive)"), "date", required=False),
                *[
                    Input(f"changes.{name}", label, required=False)
                    for name, label in (
                        ("family_name", _("Family name")),
                        ("given_name", _("Given name")),
                        ("family_name_kana", _("Family name (katakana)")),
                        ("given_name_kana", _("Given name (katakana)")),
                        ("birth_date", _("Date of birth")),
                        ("block", _("Block and number (番地)")),
                        ("building", _("Building and room (方書)")),
                        ("domicile", _("Registered domicile (本籍)")),
                    )
                ],
                Input("note", _("Why (kept in the history)"), "note"),
            ],
        ),
    }
)


def _pairs(raw: str) -> dict[str, str]:
    pairs = {}
    for line in raw.splitlines():
        key, _sep, value = line.strip().partition(" ")
        if key:
            pairs[key] = value.strip()
    return pairs


def unflatten(form: dict[str, str], inputs: list[Input]) -> dict:
    """Dotted input names → the nested body (``persons.0.x`` → ``{"persons": [{"x": …}]}``)."""
    body: dict = {}
    for spec in inputs:
        raw = (form.get(spec.name) or "").strip()
        if not raw and not spec.required:
            continue
        if spec.type == "numbers":
            value = raw.replace(",", " ").split()
        elif spec.type == "pairs":
            value = _pairs(raw)
        else:
            value = raw
        node = body
        parts = spec.name.split(".")
        for part, following in itertools.pairwise(parts):
            if following.isdigit():
                node = node.setdefault(part, [])
            elif part.isdigit():
                index = int(part)
                while len(node) <= index:
                    node.append({})
                node = node[index]
            else:
                node = node.setdefault(part, {})
        node[parts[-1]] = value
    return body


def _check_date(value: str, field: str):
    try:
        date.fromisoformat(value)
    except ValueError as exc:
        raise RuleViolation(
            f"{field}.invalid",
            "日付を YYYY-MM-DD で入力してください。",
            "Enter the date as YYYY-MM-DD.",
            field,
        ) from exc


def names_persons(spec: Input) -> bool:
    """Does this input hold 宛名番号 of persons (who may be under a 支援措置)?"""
    return spec.name.rsplit(".", 1)[-1] in {"person", "new_head"} or spec.type == "numbers"


def check_input(municipality_code: str, spec: Input, value: str) -> RuleViolation | None:
    """The rule an input breaks on its own, for validation as you type."""
    value = value.strip()
    last = spec.name.rsplit(".", 1)[-1]
    try:
        if not value:
            if spec.required:
                raise RuleViolation(
                    f"{last}.required", "入力してください。", "This field is required.", spec.name
                )
            return None
        if last.endswith("_kana"):
            validate_katakana_name(value, spec.name)
        elif last == "relationship":
            validate_relationship(value, spec.name)
        elif last == "birth_date":
            parse_birth_date(value, spec.name)
        elif last == "town" and find_town(municipality_code, value) is None:
            raise RuleViolation(
                "town.unknown",
                "この団体の町字一覧にありません。",
                "Not in this municipality's list of towns.",
                spec.name,
            )
        elif last == "my_number":
            validate_my_number(normalize_digits(value), spec.name)
        elif spec.type == "date":
            _check_date(value, spec.name)
        elif spec.type == "pairs":
            for number, relationship in _pairs(value).items():
                validate_resident_number(normalize_digits(number), spec.name)
                validate_relationship(relationship, spec.name)
        elif names_persons(spec):
            for number in value.replace(",", " ").split():
                validate_resident_number(normalize_digits(number), spec.name)
    except RuleViolation as exc:
        return exc
    return None
