"""Inputs of the register's business actions (the API's bodies and the services' arguments).

Shapes and types are checked here (pydantic); the rules of the register —
vocabulary, check digits, who may move, household heads — are checked by the
services, which raise :class:`~jichi.common.errors.RuleViolation` naming the field.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import ConfigDict, Field

from jichi.common.api import StrictSchema
from jichi.registry.codes import Article30_45, ResidentKind, Sex


def example(**body) -> ConfigDict:
    """A whole request body shown in the OpenAPI document (and its docs page)."""
    return ConfigDict(json_schema_extra={"examples": [body]})


# Numbers of the examples: valid 宛名番号 and 世帯番号 (check digits included).
P1, P2, P3, H1 = "0000000019", "0000000027", "0000000035", "0000000019"
_DATES = {"effective_on": "2026-04-01", "notified_on": "2026-04-03"}


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

    model_config = example(
        **_DATES,
        address={"town": "中区元町", "block": "1丁目2番3号", "building": "元町ハイツ101"},
        previous_address="東京都千代田区千代田1番1号",
        persons=[
            {
                "family_name": "山田",
                "given_name": "太郎",
                "family_name_kana": "ヤマダ",
                "given_name_kana": "タロウ",
                "birth_date": "昭和55年4月1日",
                "sex": "1",
                "relationship": "世帯主",
                "domicile": "東京都千代田区千代田1番",
                "domicile_head": "山田太郎",
            },
            {
                "family_name": "山田",
                "given_name": "花子",
                "family_name_kana": "ヤマダ",
                "given_name_kana": "ハナコ",
                "birth_date": "1982-06-15",
                "sex": "2",
                "relationship": "妻",
                "domicile": "東京都千代田区千代田1番",
                "domicile_head": "山田太郎",
            },
        ],
    )

    address: AddressIn
    previous_address: str = Field("", max_length=200, description="転入前住所")
    household: str | None = Field(
        None, description="世帯番号 of an existing household to join; omit to found a new household"
    )
    persons: list[PersonIn] = Field(min_length=1)


class BirthIn(_Notice):
    model_config = example(
        effective_on="2026-04-01",
        household=H1,
        child={
            "family_name": "山田",
            "given_name": "一郎",
            "family_name_kana": "ヤマダ",
            "given_name_kana": "イチロウ",
            "birth_date": "2026-04-01",
            "sex": "1",
            "relationship": "子",
            "domicile": "東京都千代田区千代田1番",
            "domicile_head": "山田太郎",
        },
    )

    household: str = Field(description="世帯番号 the child joins")
    child: PersonIn


class DepartureIn(_Notice):
    """転出, 国外転出, 職権消除: persons who leave the register."""

    model_config = example(
        effective_on="2026-04-10",
        persons=[P1, P2],
        destination_address="東京都千代田区千代田1番1号",
    )

    persons: list[str] = Field(min_length=1, description="宛名番号 of the persons leaving")
    destination_address: str = Field("", max_length=200, description="転出先（予定）")
    new_head: str | None = Field(
        None,
        description="宛名番号 of the new head when the head leaves and two or more members remain",
    )


class DeathIn(_Notice):
    model_config = example(**_DATES, person=P1)

    person: str = Field(description="宛名番号")


class RelocationIn(_Notice):
    """転居: persons who move to another address in the municipality."""

    model_config = example(
        **_DATES, persons=[P1, P2], address={"town": "中区山下町", "block": "10番地"}
    )

    persons: list[str] = Field(min_length=1)
    address: AddressIn
    new_head: str | None = Field(
        None,
        description="when only part of a household moves: the head of the new household (宛名番号)",
    )
    relationships: dict[str, str] = Field(default_factory=dict, description="宛名番号 → new 続柄")


class HouseholdSplitIn(_Notice):
    model_config = example(**_DATES, persons=[P3], new_head=P3, relationships={P3: "世帯主"})

    persons: list[str] = Field(min_length=1)
    new_head: str
    relationships: dict[str, str] = Field(default_factory=dict)


class HouseholdMergeIn(_Notice):
    model_config = example(**_DATES, persons=[P3], into=H1, relationships={P3: "子"})

    persons: list[str] = Field(min_length=1, description="宛名番号 of those who join")
    into: str = Field(description="世帯番号 of the household they join")
    relationships: dict[str, str] = Field(description="宛名番号 → 続柄 in the new household")


class HeadChangeIn(_Notice):
    model_config = example(
        **_DATES, household=H1, new_head=P2, relationships={P2: "世帯主", P1: "夫"}
    )

    household: str
    new_head: str
    relationships: dict[str, str] = Field(
        default_factory=dict, description="宛名番号 → 続柄 to the new head"
    )


class NameChangeIn(_Notice):
    model_config = example(
        **_DATES,
        person=P2,
        family_name="鈴木",
        given_name="花子",
        family_name_kana="スズキ",
        given_name_kana="ハナコ",
    )

    person: str
    family_name: str = Field(max_length=100)
    given_name: str = Field(max_length=100)
    family_name_kana: str = Field(max_length=100)
    given_name_kana: str = Field(max_length=100)


class RelationshipChangeIn(_Notice):
    model_config = example(**_DATES, person=P3, relationship="妻の子")

    person: str
    relationship: str


class DomicileChangeIn(_Notice):
    model_config = example(
        **_DATES,
        persons=[P1, P2],
        domicile="神奈川県横浜市中区日本大通1番地",
        domicile_head="山田太郎",
    )

    persons: list[str] = Field(min_length=1)
    domicile: str = Field(max_length=200)
    domicile_head: str = Field("", max_length=100)


class FormerSurnameIn(_Notice):
    model_config = example(**_DATES, person=P2, former_surname="佐藤", former_surname_kana="サトウ")

    person: str
    former_surname: str = Field("", max_length=100, description="empty to delete")
    former_surname_kana: str = Field("", max_length=100)


class AliasIn(_Notice):
    model_config = example(**_DATES, person=P1, alias="山田太郎", alias_kana="ヤマダタロウ")

    person: str
    alias: str = Field("", max_length=200, description="empty to delete")
    alias_kana: str = Field("", max_length=200)


class ResidenceStatusChangeIn(_Notice):
    model_config = example(
        **_DATES,
        person=P1,
        article_30_45="1",
        residence_status="permanent",
        residence_card_no="AB12345678CD",
    )

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

    model_config = example(
        person=P1,
        valid_from="2026-04-01",
        changes={"given_name": "太朗"},
        note="転入届の記載誤り（届書と照合済み）",
    )

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

    model_config = example(
        person=P2,
        starts_on="2026-04-01",
        offenders=[{"name": "佐藤 次郎", "name_kana": "サトウ ジロウ", "birth_date": "1978-02-02"}],
    )

    person: str
    starts_on: date
    ends_on: date | None = Field(
        None, description="default: one year (the day before the anniversary)"
    )
    provisional: bool = Field(False, description="仮支援措置 while the request is examined")
    offenders: list[OffenderIn] = Field(min_length=1)
