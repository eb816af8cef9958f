"""Code lists of the resident register (住民記録) and the rules of the foreign-resident items.

The values are what Jichi stores and exports; the labels are the standard's Japanese terms.
The official numeric code tables (異動事由, 続柄, 性別, 住民種別, 住民状態, 在留資格 …) live
in the 中間標準レイアウト / 既存住基システム改造仕様書 and were **not available**
(``registry-standard.md`` §5). So:

- :class:`Sex`, :class:`ResidentKind` and :class:`ResidentStatus` use the codes seen in
  芽室町's MADO export (third party, not checked against the standard, §2.3). Vendors differ
  (one uses 2 住登外, 3 転出者, 4 死亡者 for 住民状態): map at the export edge.
- :class:`Article30_45` numbers the 区分 in the order of 法30条の45 (the project's own codes).
- :class:`Reason` (異動事由) and :class:`ResidenceStatus` (在留資格) are the **project's own**
  codes. The standard lists only the categories of 異動事由 and requires a two-way mapping
  to them (§2.1): :data:`STANDARD_CATEGORY` and :func:`reason_from_standard`.
- :class:`ReasonCategory` uses words (``record``, ``remove``, ``amend``), not codes.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Mapping

from django.db.models import TextChoices

from jichi.common.errors import ErrorCollector, RuleViolation


class Sex(TextChoices):
    """性別 (MADO codes, unverified)."""

    MALE = "1", "男"
    FEMALE = "2", "女"


class ResidentKind(TextChoices):
    """住民種別 (MADO codes, unverified)."""

    JAPANESE = "1", "日本人住民"
    FOREIGN = "2", "外国人住民"


class ResidentStatus(TextChoices):
    """住民状態 (MADO codes, unverified). 9 covers 職権消除, 国籍喪失, 帰化 and the like."""

    RESIDENT = "1", "住民"
    MOVED_OUT = "2", "転出者"
    DECEASED = "3", "死亡者"
    REMOVED = "9", "消除者"


class ReasonCategory(TextChoices):
    """The three kinds of 異動 of the standard (§2.1)."""

    RECORD = "record", "記載"
    REMOVE = "remove", "消除"
    AMEND = "amend", "修正"


class Reason(TextChoices):
    """異動事由, the project's codes: the first digit is the category.

    1x 記載 (a record appears), 2x 消除 (a record is closed), 3x and 4x 修正.
    ``18`` is not in the first list of codes: it is the foreign record opened when a
    Japanese national loses the nationality, the mirror of ``26``, so that the standard's
    「職権記載（国籍喪失）」 has a code of its own.
    """

    MOVE_IN = "11", "転入"
    MOVE_IN_FROM_ABROAD = "12", "国外転入"
    BIRTH = "13", "出生"
    RECORD_EX_OFFICIO = "14", "職権記載"
    NATURALISATION = "15", "帰化"
    NATIONALITY_ACQUIRED = "16", "国籍取得"
    FOREIGN_RESIDENT_RECORDED = "17", "法30条の46・47記載"
    RECORDED_ON_NATIONALITY_LOSS = "18", "国籍喪失による記載"
    MOVE_OUT = "21", "転出"
    MOVE_OUT_ABROAD = "22", "国外転出"
    DEATH = "23", "死亡"
    REMOVE_EX_OFFICIO = "24", "職権消除"  # also 失踪宣告 (S1:j830)
    NATIONALITY_LOST = "25", "国籍喪失"
    REMOVED_ON_NATURALISATION = "26", "帰化等による消除"
    MOVE_WITHIN = "31", "転居"
    HOUSEHOLD_SPLIT = "32", "世帯分離"
    HOUSEHOLD_MERGE = "33", "世帯合併"
    HOUSEHOLD_CHANGE = "34", "世帯変更"
    HEAD_CHANGE = "35", "世帯主変更"
    NAME_CHANGE = "36", "氏名変更"
    RELATIONSHIP_CHANGE = "37", "続柄変更"
    DOMICILE_CHANGE = "38", "本籍変更"
    FORMER_SURNAME_RECORDED = "39", "旧氏の記載"
    FORMER_SURNAME_DELETED = "40", "旧氏の削除"
    ALIAS_RECORDED = "41", "通称の記載"
    ALIAS_DELETED = "42", "通称の削除"
    RESIDENCE_STATUS_CHANGE = "43", "在留資格等変更"
    CLERICAL_CORRECTION = "44", "誤記修正"
    AMEND_EX_OFFICIO = "45", "職権修正"


_CATEGORY_BY_DIGIT = {
    "1": ReasonCategory.RECORD,
    "2": ReasonCategory.REMOVE,
    "3": ReasonCategory.AMEND,
    "4": ReasonCategory.AMEND,
}


def category_of(reason: Reason | str) -> ReasonCategory:
    """The category of a 異動事由 (``Reason.BIRTH`` → 記載), from its first digit."""
    return _CATEGORY_BY_DIGIT[parse_reason(reason)[0]]


def parse_reason(value: Reason | str, field: str = "reason") -> Reason:
    """The :class:`Reason` for a code such as ``"11"``; unknown codes are refused."""
    try:
        return Reason(value)
    except ValueError:
        raise RuleViolation(
            f"{field}.unknown",
            f"異動事由コード「{value}」はありません。",
            f"There is no reason code {value!r}.",
            field,
        ) from None


# The standard's categories of 異動事由 (§2.1, S1:j210), word for word. 改製 and 再製 appear
# under both 記載 and 消除. 「転居取消」 must not exist.
STANDARD_CATEGORIES: Mapping[ReasonCategory, tuple[str, ...]] = {
    ReasonCategory.RECORD: (
        "国内転入",
        "国外転入等",
        "出生",
        "職権記載（帰化等）",
        "職権記載（国籍喪失）",
        "職権記載",
        "改製",
        "再製",
        "異動の取消し（増）",
    ),
    ReasonCategory.REMOVE: (
        "国内転出",
        "国外転出",
        "死亡",
        "職権消除（帰化等）",
        "職権消除（国籍喪失）",
        "職権消除",
        "改製",
        "再製",
        "異動の取消し（減）",
    ),
    ReasonCategory.AMEND: (
        "転居",
        "軽微な修正",
        "職権修正",
        "誤記修正",
        "個人番号の変更請求",
        "個人番号の職権修正",
        "個人番号の職権記載",
        "住民票コードの変更請求",
        "住民票コードの職権記載",
        "世帯分離",
        "世帯合併",
        "世帯変更",
        "世帯主変更",
        "旧氏の記載",
        "旧氏の変更",
        "旧氏の削除",
        "通称の記載",
        "通称の削除",
        "異動の取消し（修正）",
    ),
}

# Project code → the standard's category. 氏名変更, 続柄変更, 本籍変更 and 在留資格等変更
# follow a 戸籍 or 入管 notice and are 職権修正 in the standard. 法30条の46・47 is recorded
# like a 国外転入 (§4.5).
STANDARD_CATEGORY: Mapping[Reason, str] = {
    Reason.MOVE_IN: "国内転入",
    Reason.MOVE_IN_FROM_ABROAD: "国外転入等",
    Reason.BIRTH: "出生",
    Reason.RECORD_EX_OFFICIO: "職権記載",
    Reason.NATURALISATION: "職権記載（帰化等）",
    Reason.NATIONALITY_ACQUIRED: "職権記載（帰化等）",
    Reason.FOREIGN_RESIDENT_RECORDED: "国外転入等",
    Reason.RECORDED_ON_NATIONALITY_LOSS: "職権記載（国籍喪失）",
    Reason.MOVE_OUT: "国内転出",
    Reason.MOVE_OUT_ABROAD: "国外転出",
    Reason.DEATH: "死亡",
    Reason.REMOVE_EX_OFFICIO: "職権消除",
    Reason.NATIONALITY_LOST: "職権消除（国籍喪失）",
    Reason.REMOVED_ON_NATURALISATION: "職権消除（帰化等）",
    Reason.MOVE_WITHIN: "転居",
    Reason.HOUSEHOLD_SPLIT: "世帯分離",
    Reason.HOUSEHOLD_MERGE: "世帯合併",
    Reason.HOUSEHOLD_CHANGE: "世帯変更",
    Reason.HEAD_CHANGE: "世帯主変更",
    Reason.NAME_CHANGE: "職権修正",
    Reason.RELATIONSHIP_CHANGE: "職権修正",
    Reason.DOMICILE_CHANGE: "職権修正",
    Reason.FORMER_SURNAME_RECORDED: "旧氏の記載",
    Reason.FORMER_SURNAME_DELETED: "旧氏の削除",
    Reason.ALIAS_RECORDED: "通称の記載",
    Reason.ALIAS_DELETED: "通称の削除",
    Reason.RESIDENCE_STATUS_CHANGE: "職権修正",
    Reason.CLERICAL_CORRECTION: "誤記修正",
    Reason.AMEND_EX_OFFICIO: "職権修正",
}

# The way back, where several project codes share a category: the general one.
_DEFAULT_REASON_FOR_CATEGORY: Mapping[str, Reason] = {
    "国外転入等": Reason.MOVE_IN_FROM_ABROAD,
    "職権記載（帰化等）": Reason.NATURALISATION,
    "職権修正": Reason.AMEND_EX_OFFICIO,
}
REASON_FOR_STANDARD_CATEGORY: Mapping[str, Reason] = {
    **{wording: reason for reason, wording in STANDARD_CATEGORY.items()},
    **_DEFAULT_REASON_FOR_CATEGORY,
}


def reason_from_standard(wording: str, field: str = "reason") -> Reason:
    """The project's 異動事由 for a category of the standard (import from another system).

    Categories with several project codes give the general one (``職権修正`` → 45,
    ``職権記載（帰化等）`` → 15, ``国外転入等`` → 12). Categories the project does not
    record (改製, 再製, 異動の取消し, 軽微な修正, 個人番号・住民票コード, 旧氏の変更) are
    refused with ``reason.standard_unmapped``; other words with ``reason.standard_unknown``.
    """
    wording = (wording or "").strip()
    if wording in REASON_FOR_STANDARD_CATEGORY:
        return REASON_FOR_STANDARD_CATEGORY[wording]
    if any(wording in words for words in STANDARD_CATEGORIES.values()):
        raise RuleViolation(
            f"{field}.standard_unmapped",
            f"異動事由「{wording}」には対応する事由コードがありません。",
            f"The standard reason {wording!r} has no reason code in Jichi.",
            field,
        )
    raise RuleViolation(
        f"{field}.standard_unknown",
        f"「{wording}」は標準仕様の異動事由ではありません。",
        f"{wording!r} is not a reason category of the standard.",
        field,
    )


# --- Foreign residents ---------------------------------------------------------------


class Article30_45(TextChoices):
    """法30条の45 区分 (the project's codes, in the order of the article)."""

    MEDIUM_LONG_TERM = "1", "中長期在留者"
    SPECIAL_PERMANENT = "2", "特別永住者"
    TEMPORARY_REFUGE = "3", "一時庇護許可者"
    PROVISIONAL_STAY = "4", "仮滞在許可者"
    TRANSITIONAL_BY_BIRTH = "5", "出生による経過滞在者"
    TRANSITIONAL_BY_NATIONALITY_LOSS = "6", "国籍喪失による経過滞在者"


# Items each 区分 must record (§2.4, §1.7). As in the standard's layout (在留期間等,
# 在留カード等番号), one field holds each kind of item whatever the 区分: 特別永住者証明書の番号
# is kept with the 在留カード番号, and the 上陸期間 of an 一時庇護許可者 and the 仮滞在期間
# of a 仮滞在許可者 are kept as the period and its end date (``residence_period``,
# ``residence_expiry``).
REQUIRED_ITEMS_BY_ARTICLE: Mapping[Article30_45, tuple[str, ...]] = {
    Article30_45.MEDIUM_LONG_TERM: (
        "residence_status",
        "residence_period",
        "residence_expiry",
        "residence_card_no",
    ),
    Article30_45.SPECIAL_PERMANENT: ("residence_card_no",),
    Article30_45.TEMPORARY_REFUGE: ("residence_period", "residence_expiry"),
    Article30_45.PROVISIONAL_STAY: ("residence_period", "residence_expiry"),
    Article30_45.TRANSITIONAL_BY_BIRTH: (),
    Article30_45.TRANSITIONAL_BY_NATIONALITY_LOSS: (),
}

ITEM_LABELS: Mapping[str, tuple[str, str]] = {
    "residence_status": ("在留資格", "status of residence"),
    "residence_period": ("在留期間", "period of stay"),
    "residence_expiry": ("在留期間の満了の日", "expiry date of the period of stay"),
    "residence_card_no": ("在留カード等番号", "residence card (or certificate) number"),
}

# What the period items are called for the 区分 that have no 在留期間 of their own.
_PERIOD_LABELS: Mapping[Article30_45, Mapping[str, tuple[str, str]]] = {
    Article30_45.TEMPORARY_REFUGE: {
        "residence_period": ("上陸期間", "landing period"),
        "residence_expiry": ("上陸期間の満了の日", "end date of the landing period"),
    },
    Article30_45.PROVISIONAL_STAY: {
        "residence_period": ("仮滞在期間", "provisional stay period"),
        "residence_expiry": ("仮滞在期間の満了の日", "end date of the provisional stay period"),
    },
}


def item_label(article: Article30_45 | str, item: str) -> tuple[str, str]:
    """The (ja, en) name of a foreign-resident item for the 区分 ``article``."""
    try:
        labels = _PERIOD_LABELS.get(Article30_45(article), {})
    except ValueError:
        labels = {}
    return labels.get(item) or ITEM_LABELS[item]


class ResidenceStatus(TextChoices):
    """在留資格: the **project's** list and codes, from 入管法 別表第一・第二 (§2.5, inferred).

    Each 号 of 高度専門職, 特定技能 and 技能実習 is a value of its own. 育成就労, which is to
    replace 技能実習, is not in the list yet.
    """

    # 別表第一
    DIPLOMAT = "diplomat", "外交"
    OFFICIAL = "official", "公用"
    PROFESSOR = "professor", "教授"
    ARTIST = "artist", "芸術"
    RELIGIOUS_ACTIVITIES = "religious", "宗教"
    JOURNALIST = "journalist", "報道"
    HIGHLY_SKILLED_1A = "hsp_1a", "高度専門職1号イ"
    HIGHLY_SKILLED_1B = "hsp_1b", "高度専門職1号ロ"
    HIGHLY_SKILLED_1C = "hsp_1c", "高度専門職1号ハ"
    HIGHLY_SKILLED_2 = "hsp_2", "高度専門職2号"
    BUSINESS_MANAGER = "business_manager", "経営・管理"
    LEGAL_ACCOUNTING = "legal_accounting", "法律・会計業務"
    MEDICAL_SERVICES = "medical", "医療"
    RESEARCHER = "researcher", "研究"
    INSTRUCTOR = "instructor", "教育"
    ENGINEER_HUMANITIES = "engineer_humanities", "技術・人文知識・国際業務"
    INTRA_COMPANY_TRANSFEREE = "intra_company", "企業内転勤"
    NURSING_CARE = "nursing_care", "介護"
    ENTERTAINER = "entertainer", "興行"
    SKILLED_LABOR = "skilled_labor", "技能"
    SPECIFIED_SKILLED_1 = "ssw_1", "特定技能1号"
    SPECIFIED_SKILLED_2 = "ssw_2", "特定技能2号"
    TECHNICAL_INTERN_1A = "titp_1a", "技能実習1号イ"
    TECHNICAL_INTERN_1B = "titp_1b", "技能実習1号ロ"
    TECHNICAL_INTERN_2A = "titp_2a", "技能実習2号イ"
    TECHNICAL_INTERN_2B = "titp_2b", "技能実習2号ロ"
    TECHNICAL_INTERN_3A = "titp_3a", "技能実習3号イ"
    TECHNICAL_INTERN_3B = "titp_3b", "技能実習3号ロ"
    CULTURAL_ACTIVITIES = "cultural", "文化活動"
    TEMPORARY_VISITOR = "temporary_visitor", "短期滞在"
    STUDENT = "student", "留学"
    TRAINEE = "trainee", "研修"
    DEPENDENT = "dependent", "家族滞在"
    DESIGNATED_ACTIVITIES = "designated", "特定活動"
    # 別表第二
    PERMANENT_RESIDENT = "permanent", "永住者"
    SPOUSE_OF_JAPANESE = "spouse_japanese", "日本人の配偶者等"
    SPOUSE_OF_PERMANENT = "spouse_permanent", "永住者の配偶者等"
    LONG_TERM_RESIDENT = "long_term", "定住者"


# Statuses whose holders are not 中長期在留者 (入管法19条の3), so never 外国人住民 as such.
NOT_MEDIUM_LONG_TERM: frozenset[ResidenceStatus] = frozenset(
    {ResidenceStatus.DIPLOMAT, ResidenceStatus.OFFICIAL, ResidenceStatus.TEMPORARY_VISITOR}
)
# Statuses without a period of stay (無期限, 入管法施行規則 別表第二): no 満了日 to record.
WITHOUT_EXPIRY: frozenset[ResidenceStatus] = frozenset(
    {ResidenceStatus.PERMANENT_RESIDENT, ResidenceStatus.HIGHLY_SKILLED_2}
)

# 在留カード番号 and 特別永住者証明書番号: 2 letters, 8 digits, 2 letters (入管 practice, inferred).
RESIDENCE_CARD_NO_RE = re.compile(r"[A-Z]{2}[0-9]{8}[A-Z]{2}")


def normalize_residence_card_no(text: str) -> str:
    """Full-width → ASCII, upper case, spaces and hyphens dropped (``ab 1234-5678 cd``)."""
    text = unicodedata.normalize("NFKC", text or "")
    return "".join(ch for ch in text if not ch.isspace() and ch != "-").upper()


def validate_foreign_items(
    article: Article30_45 | str, items: dict, field_prefix: str = ""
) -> None:
    """Refuse the foreign-resident items that the 法30条の45 区分 `article` cannot stand.

    Reports every problem at once: each item required for the 区分 that is blank
    (``<item>.required``); for 中長期在留者 an unknown 在留資格
    (``residence_status.invalid``) or one whose holders are not 中長期在留者
    (``residence_status.not_medium_long_term``: 外交, 公用, 短期滞在); a 満了日 that is not a
    date (``residence_expiry.invalid``); a 在留カード等番号 that is not 2 letters + 8 digits
    + 2 letters (``residence_card_no.format``; pass it through
    :func:`normalize_residence_card_no` first). 永住者 and 高度専門職2号 have no period end,
    so their 満了日 is not required. Items the 区分 does not need are not refused.

    Codes never carry `field_prefix`; the fields do (``foreign.residence_status``).
    """
    article = _parse_article(article, field_prefix)
    errors = ErrorCollector()
    required = set(REQUIRED_ITEMS_BY_ARTICLE[article])
    status = items.get("residence_status")
    if article == Article30_45.MEDIUM_LONG_TERM and _present(status):
        if _check_status(str(status).strip(), field_prefix, errors) in WITHOUT_EXPIRY:
            required.discard("residence_expiry")
    for item in REQUIRED_ITEMS_BY_ARTICLE[article]:
        if item in required and not _present(items.get(item)):
            label_ja, label_en = item_label(article, item)
            errors.add(
                f"{item}.required",
                f"{article.label}は{label_ja}が必要です。",
                f"A {_ARTICLE_EN[article]} needs the {label_en}.",
                f"{field_prefix}{item}",
            )
    _check_expiry(article, items.get("residence_expiry"), field_prefix, errors)
    _check_card_no(items.get("residence_card_no"), field_prefix, errors)
    errors.raise_if_any()


_ARTICLE_EN = {
    Article30_45.MEDIUM_LONG_TERM: "mid- to long-term resident",
    Article30_45.SPECIAL_PERMANENT: "special permanent resident",
    Article30_45.TEMPORARY_REFUGE: "person with permission for temporary refuge",
    Article30_45.PROVISIONAL_STAY: "person with permission for provisional stay",
    Article30_45.TRANSITIONAL_BY_BIRTH: "transitional stayer by birth",
    Article30_45.TRANSITIONAL_BY_NATIONALITY_LOSS: "transitional stayer by loss of nationality",
}


def _parse_article(article: Article30_45 | str, field_prefix: str) -> Article30_45:
    field = f"{field_prefix}article_30_45"
    if not _present(article):
        raise RuleViolation(
            "article_30_45.required",
            "法30条の45の区分を選んでください。",
            "The category under Article 30-45 is required.",
            field,
        )
    try:
        return Article30_45(article)
    except ValueError:
        raise RuleViolation(
            "article_30_45.invalid",
            f"法30条の45の区分「{article}」はありません（1〜6）。",
            f"There is no Article 30-45 category {article!r} (1 to 6).",
            field,
        ) from None


def _check_status(value: str, field_prefix: str, errors: ErrorCollector) -> ResidenceStatus | None:
    field = f"{field_prefix}residence_status"
    try:
        status = ResidenceStatus(value)
    except ValueError:
        errors.add(
            "residence_status.invalid",
            f"在留資格「{value}」はありません。",
            f"There is no status of residence {value!r}.",
            field,
        )
        return None
    if status in NOT_MEDIUM_LONG_TERM:
        errors.add(
            "residence_status.not_medium_long_term",
            f"在留資格「{status.label}」の人は中長期在留者ではありません。",
            f"Holders of {status.label} are not mid- to long-term residents.",
            field,
        )
    return status


def _check_expiry(
    article: Article30_45, value: object, field_prefix: str, errors: ErrorCollector
) -> None:
    if not _present(value) or isinstance(value, datetime.date):
        return
    try:
        datetime.date.fromisoformat(str(value))
    except ValueError:
        label_ja, label_en = item_label(article, "residence_expiry")
        errors.add(
            "residence_expiry.invalid",
            f"{label_ja}は西暦の日付で入力してください（例: 2027-03-31）。",
            f"The {label_en} must be a date (e.g. 2027-03-31).",
            f"{field_prefix}residence_expiry",
        )


def _check_card_no(value: object, field_prefix: str, errors: ErrorCollector) -> None:
    if not _present(value) or RESIDENCE_CARD_NO_RE.fullmatch(str(value)):
        return
    errors.add(
        "residence_card_no.format",
        "在留カード等番号は英字2文字・数字8桁・英字2文字です（例: AB12345678CD）。",
        "The card number is 2 letters, 8 digits and 2 letters (e.g. AB12345678CD).",
        f"{field_prefix}residence_card_no",
    )


def _present(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())
