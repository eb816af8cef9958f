"""What one certificate says: plain dataclasses, filled by the issuing service.

The renderer prints what it is given and nothing else: an item left ``None`` (or empty)
is not printed, so the per-request options (本籍・筆頭者, 続柄, 世帯主, 前住所, 個人番号,
住民票コード) are applied by leaving the item out. Labels of codes (性別 「男」, 異動事由
「転入」, 在留資格 …) arrive as the words to print; dates arrive as dates and are
printed in 和暦 for Japanese residents, in 西暦 for foreign residents (a
:class:`~jichi.registry.dates.UncertainDate` prints its 不詳 text).
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from enum import StrEnum

from jichi.registry.dates import UncertainDate

DateLike = datetime.date | UncertainDate


class Kind(StrEnum):
    """The certificate kinds (values as in ``certificates.models.CertificateKind``)."""

    RESIDENT_COPY = "resident_copy"  # 住民票の写し (one person or 世帯連記)
    ENTRY_CERTIFICATE = "entry_certificate"  # 住民票記載事項証明書
    REMOVED_COPY = "removed_copy"  # 除票の写し
    MOVE_OUT = "move_out"  # 転出証明書


TITLES: dict[Kind, str] = {
    Kind.RESIDENT_COPY: "住民票の写し",
    Kind.ENTRY_CERTIFICATE: "住民票記載事項証明書",
    Kind.REMOVED_COPY: "除票の写し",
    Kind.MOVE_OUT: "転出証明書",
}


def default_statement(kind: Kind, *, whole_household: bool, as_of: str | None = None) -> str:
    """The certifying sentence (認証文) printed above the date and the mayor's name.

    ``as_of`` (already written in 和暦) makes a 記載事項証明書 certify a past day.
    """
    if kind is Kind.RESIDENT_COPY:
        whose = "世帯全員の住民票" if whole_household else "住民票"
        return f"この写しは、{whose}の原本と相違ないことを証明する。"
    if kind is Kind.ENTRY_CERTIFICATE:
        when = f"{as_of}現在、" if as_of else ""
        return f"上記の事項は、{when}住民票に記載されている事項と相違ないことを証明する。"
    if kind is Kind.REMOVED_COPY:
        return "この写しは、除票の原本と相違ないことを証明する。"
    return "上記の者は、転出の届出をしたことを証明する。"


@dataclass(frozen=True)
class Issuer:
    """The issuing municipality and its head (the 公印 is drawn from ``mayor_title``)."""

    code: str  # 全国地方公共団体コード (6 digits)
    name: str  # 横浜市
    prefecture: str  # 神奈川県
    mayor_title: str  # 横浜市長
    mayor_name: str  # 山田　太郎
    seal_text: str = ""  # the seal's words; empty: f"{mayor_title}之印"

    @property
    def seal_words(self) -> str:
        return self.seal_text or f"{self.mayor_title}之印"


@dataclass(frozen=True)
class Movement:
    """One 異動 printed in the 記事 column: 事由, 異動日, 届出日 and a note."""

    reason: str  # 転入, 転居, 出生 … (the label, not the code)
    effective_on: DateLike  # 異動日
    notified_on: datetime.date | None = None  # 届出日
    note: str = ""  # e.g. 「従前の住所 東京都千代田区…」


@dataclass(frozen=True)
class Removal:
    """What closed the record (除票, 転出): 事由, 異動日, 届出日, 転出先."""

    reason: str  # 転出, 死亡, 職権消除 …
    effective_on: DateLike  # 消除 / 転出 (予定) 日
    notified_on: datetime.date | None = None
    destination: str = ""  # 転出先 (転出, 国外転出)
    planned: bool = False  # 転出予定 (a 転出証明書 issued before the day)


@dataclass(frozen=True)
class ForeignItems:
    """The items of a foreign resident (法30条の45)."""

    nationality: str = ""  # 国籍・地域
    article_30_45: str = ""  # 法30条の45に規定する区分 (label)
    residence_status: str = ""  # 在留資格
    residence_period: str = ""  # 在留期間等
    residence_expiry: datetime.date | None = None  # 在留期間等の満了の日
    residence_card_no: str = ""  # 在留カード等の番号
    became_foreign_resident_on: DateLike | None = None  # 外国人住民となった年月日


@dataclass(frozen=True)
class PersonRow:
    """One person's block. ``None`` / empty items are not printed."""

    name: str  # 氏名 (foreign residents: the alphabet name, kanji in ``alias`` or here)
    kana: str = ""  # フリガナ
    birth_date: DateLike | None = None
    sex: str = ""  # 男 / 女
    relationship: str | None = None  # 続柄 (None: omitted)
    became_resident_on: DateLike | None = None  # 住民となった年月日
    address_since: DateLike | None = None  # 住所を定めた年月日
    address_notified_on: datetime.date | None = None  # その届出日
    previous_address: str | None = None  # 前住所
    domicile: str | None = None  # 本籍
    domicile_head: str | None = None  # 筆頭者
    my_number: str | None = None  # 個人番号 (only when requested and permitted)
    resident_code: str | None = None  # 住民票コード (likewise)
    former_surname: str = ""  # 旧氏
    alias: str = ""  # 通称
    foreign: ForeignItems | None = None  # set for a foreign resident
    movements: tuple[Movement, ...] = ()  # 記事: the 異動 to print
    removal: Removal | None = None  # 除票 / 転出: what closed the record
    notes: tuple[str, ...] = ()  # further 記事 lines, printed as given

    @property
    def is_foreign(self) -> bool:
        return self.foreign is not None


@dataclass(frozen=True)
class CertificateContent:
    """Everything one certificate prints."""

    kind: Kind
    issuer: Issuer
    persons: tuple[PersonRow, ...]
    address: str  # 住所 (the household's, or the person's last for 除票)
    issued_on: datetime.date  # 交付日 (the date under the statement)
    serial: str  # 交付番号
    certificate_id: uuid.UUID
    verify_url: str  # https://…/verify/<certificate_id>
    household_head: str | None = None  # 世帯主 (None: omitted)
    whole_household: bool = False  # 世帯全員 (世帯連記) rather than some persons
    as_of: datetime.date | None = None  # 記載事項証明 of a past day; None: issued_on
    statement: str = ""  # empty: :func:`default_statement`
    fee: int | None = None  # 手数料 in yen (None: not printed; 0: 無料)
    requester: str = ""  # 請求者の区分 (本人, 同一世帯の者, 代理人, 第三者 …)
    footnotes: tuple[str, ...] = field(default=())  # small print under the statement

    @property
    def title(self) -> str:
        return TITLES[self.kind]
