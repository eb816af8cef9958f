"""Inputs of the register's business actions (the API's bodies and the services' arguments).

Shapes and types are checked here (pydantic); the rules of the register —
vocabulary, check digits, who may move, household heads — are checked by the
services, which raise :class:`~jichi.common.errors.RuleViolation` naming the field.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from jichi.common.api import StrictSchema
from jichi.registry.codes import Article30_45, ResidentKind, Sex


class AddressIn(StrictSchema):
    town: str = Field(
        description="町字: its 11-digit code or its name (with the ward in "
        "designated cities, e.g. 中区元町)",
        examples=["中区元町"],
    )
    block: str = Field("", max_length=60, description="番地・号", examples=["1丁目2番3号"])
    building: str = Field("", max_length=100, description="方書", examples=["元町ハイツ101"])


class PersonIn(StrictSchema):
    kind: ResidentKind = Field(ResidentKind.JAPANESE, description="住民種別: 1 日本人, 2 外国人")
    family_name: str = Field("", max_length=100, examples=["山田"])
    given_name: str = Field("", max_length=100, examples=["太郎"])
    family_name_kana: str = Field("", max_length=100, examples=["ヤマダ"])
    given_name_kana: str = Field("", max_length=100, examples=["タロウ"])
    name_alphabet: str = Field("", max_length=200, description="外国人住民の氏名（ローマ字）")
    former_surname: str = Field("", max_length=100, description="旧氏")
    former_surname_kana: str = Field("", max_length=100)
    alias: str = Field("", max_length=200, description="通称 (foreign residents)")
    alias_kana: str = Field("", max_length=200)
    birth_date: str = Field(
        description="ISO, 和暦 (令和7年4月1日, R7.4.1) or a 不詳 form (年月日不詳, 平成13年4月頃)",
        examples=["1980-04-01"],
    )
    sex: Sex = Field(description="1 男, 2 女")
    relationship: str = Field(
        description="続柄 to the head: 世帯主, 妻, 子, 子の妻, 同居人 …", examples=["世帯主"]
    )
    domicile: str = Field(
        "", max_length=200, description="本籍 (Japanese residents; 「なし」 or 「不明」 allowed)"
    )
    domicile_head: str = Field("", max_length=100, description="筆頭者")
    my_number: str | None = Field(None, description="個人番号 (12 digits; stored encrypted)")
    resident_code: str | None = Field(None, description="住民票コード (11 digits)")
    nationality: str = Field("", max_length=60, description="国籍・地域")
    article_30_45: Article30_45 | None = Field(None, description="法30条の45 区分")
    residence_status: str = Field("", description="在留資格 code (see codes.ResidenceStatus)")
    residence_period: str = Field("", max_length=40, description="在留期間, e.g. 3年")
    residence_expiry: date | None = Field(None, description="在留期間の満了の日")
    residence_card_no: str = Field("", description="在留カード等番号 (AB12345678CD)")


class _Notice(StrictSchema):
    effective_on: date = Field(description="異動日")
    notified_on: date | None = Field(None, description="届出日 (default: today)")
    note: str = Field("", max_length=1000, description="留意事項")


class ArrivalIn(_Notice):
    """転入, 国外転入, 職権記載, 法30条の46・47: persons who come to live here."""

    address: AddressIn
    previous_address: str = Field("", max_length=200, description="転入前住所")
    household: str | None = Field(
        None, description="世帯番号 of an existing household to join; omit to found a new household"
    )
    persons: list[PersonIn] = Field(min_length=1)


class BirthIn(_Notice):
    household: str = Field(description="世帯番号 the child joins")
    child: PersonIn


class DepartureIn(_Notice):
    """転出, 国外転出, 職権消除: persons who leave the register."""

    persons: list[str] = Field(min_length=1, description="宛名番号 of the persons leaving")
    destination_address: str = Field("", max_length=200, description="転出先（予定）")
    new_head: str | None = Field(
        None,
        description="宛名番号 of the new head when the head leaves and two or more members remain",
    )


class DeathIn(_Notice):
    person: str = Field(description="宛名番号")


class RelocationIn(_Notice):
    """転居: persons who move to another address in the municipality."""

    persons: list[str] = Field(min_length=1)
    address: AddressIn
    new_head: str | None = Field(
        None,
        description="when only part of a household moves: the head of the new household (宛名番号)",
    )
    relationships: dict[str, str] = Field(default_factory=dict, description="宛名番号 → new 続柄")


class HouseholdSplitIn(_Notice):
    persons: list[str] = Field(min_length=1)
    new_head: str
    relationships: dict[str, str] = Field(default_factory=dict)


class HouseholdMergeIn(_Notice):
    persons: list[str] = Field(min_length=1, description="宛名番号 of those who join")
    into: str = Field(description="世帯番号 of the household they join")
    relationships: dict[str, str] = Field(description="宛名番号 → 続柄 in the new household")


class HeadChangeIn(_Notice):
    household: str
    new_head: str
    relationships: dict[str, str] = Field(
        default_factory=dict, description="宛名番号 → 続柄 to the new head"
    )


class NameChangeIn(_Notice):
    person: str
    family_name: str = Field(max_length=100)
    given_name: str = Field(max_length=100)
    family_name_kana: str = Field(max_length=100)
    given_name_kana: str = Field(max_length=100)


class RelationshipChangeIn(_Notice):
    person: str
    relationship: str


class DomicileChangeIn(_Notice):
    persons: list[str] = Field(min_length=1)
    domicile: str = Field(max_length=200)
    domicile_head: str = Field("", max_length=100)


class FormerSurnameIn(_Notice):
    person: str
    former_surname: str = Field("", max_length=100, description="empty to delete")
    former_surname_kana: str = Field("", max_length=100)


class AliasIn(_Notice):
    person: str
    alias: str = Field("", max_length=200, description="empty to delete")
    alias_kana: str = Field("", max_length=200)


class ResidenceStatusChangeIn(_Notice):
    person: str
    article_30_45: Article30_45
    residence_status: str = ""
    residence_period: str = Field("", max_length=40)
    residence_expiry: date | None = None
    residence_card_no: str = ""


CorrectableField = Literal[
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "name_alphabet",
    "birth_date",
    "sex",
    "block",
    "building",
    "previous_address",
    "domicile",
    "domicile_head",
    "became_resident_on",
    "address_since",
    "nationality",
]


class CorrectionIn(StrictSchema):
    """誤記修正: what was recorded wrongly, for which period."""

    person: str
    valid_from: date = Field(description="first day the corrected value holds")
    valid_to: date | None = Field(
        None, description="first day it no longer holds (omit: up to now)"
    )
    changes: dict[CorrectableField, str] = Field(min_length=1)
    note: str = Field(max_length=1000, min_length=1, description="why (kept in the history)")


class OffenderIn(StrictSchema):
    name: str = Field(min_length=1, max_length=200, description="加害者の氏名")
    name_kana: str = Field("", max_length=200)
    birth_date: date | None = None
    person: str | None = Field(None, description="宛名番号 when the offender is recorded here")


class ProtectionIn(StrictSchema):
    """DV等支援措置: the person protected, the period and the listed offenders."""

    person: str
    starts_on: date
    ends_on: date | None = Field(
        None, description="default: one year (the day before the anniversary)"
    )
    provisional: bool = Field(False, description="仮支援措置 while the request is examined")
    offenders: list[OffenderIn] = Field(min_length=1)
