"""Synthetic residents for the demo: ``jichi demo --residents N --seed S``.

A generator of demo data, **not a business action**. It writes households, persons,
their bitemporal versions, movements and movement subjects with ``bulk_create``,
bypassing :mod:`jichi.registry.services`: running millions of notices through the
services (one transaction, one audit entry and several outbox events each) would take
hours and flood the audit chain and the event feed with fiction. What it writes has the
shape the services would have produced (see "History" below), so every selector, page
and export reads it like real data. In exchange:

- **one** audit entry for the whole run (``registry.demo.generated``, counts and seed,
  no personal data), written when the run ends; no entry per movement;
- **no outbox events**: subscribers learn nothing of the demo population;
- the movements' actor is ``system/demo``.

Determinism and idempotence
    Household ``h`` of seed ``S`` is drawn from ``Faker("ja_JP")`` reseeded with
    ``"jichi-demo:S:h"`` (its ``random`` drives every draw), so the same seed gives the
    same names, sexes, birth dates, shapes and history dates; addresses come from a
    second stream of their own, so another municipality with the same seed gets the same
    people at its own 町字. Numbers (宛名番号, 世帯番号, 個人番号, 住民票コード) follow
    the municipality's ``NumberSequence``: equal in two fresh municipalities, and later
    services number on after the demo. Dates are relative to a *reference day* (today
    on the first run, kept for top-ups): the same seed on another day shifts them.
    Faker's own name lists may change between Faker releases.

    Progress is kept in ``NumberSequence`` rows ``demo:residents``,
    ``demo:next-household``, ``demo:seed`` and ``demo:reference-day``, updated in the
    transaction of each batch (about ``batch_size`` residents, whole households only).
    Running again with the same N does nothing; a larger N tops up (households
    ``next-household`` onwards); an interrupted run resumes where its last batch
    committed. Another seed on a populated municipality is refused. N counts the
    *residents* (住民, status 1) on the reference day; the 除票 (転出 and 死亡, about
    3 %) come on top. The last household is cut to reach N exactly (head first): a
    top-up continues after it, so N₁ then N₂ equals a fresh N₂ except that one household.

Content (the tables below say where the numbers come from)
    Household shapes and head ages after the 2020 census (単独 38 %, 夫婦のみ 20 %,
    夫婦と子 25 %, ひとり親と子 9 %, その他 8 %); 続柄 of the standard (世帯主, 妻, 夫, 子,
    父, 母, 子の妻, 子の子, 兄/姉/弟/妹, 同居人); mothers 20–45 years older than their
    children; Japanese names with readings from Faker ja_JP (its 50 surnames, weighted
    by frequency, plus 50 more, and given names of each sex from Faker and by era);
    the municipality's real 町字 with a 番地 or 住居表示; 本籍 and 筆頭者 after the 戸籍;
    about 2.5 % foreign residents (中国, ベトナム, 韓国, フィリピン, ブラジル, ネパール,
    米国) with 在留資格, 在留期間, a future 満了日 and a card number, some 特別永住者 with a
    通称; valid 個人番号 (sealed with :func:`~jichi.common.secrets.seal_my_number`) and
    住民票コード, unique in the municipality (an affine permutation of the 宛名番号 serial).

History
    Every person starts with a 転入 (国外転入 for newcomers from abroad) or, when born
    after the household moved in, a 出生; later 転居 of the household, 氏名変更 (a
    divorced mother and her children), 在留期間更新 and the 在留資格 of a child born
    here (在留資格等変更), 転出 of a grown child or of a whole household, 死亡 with the
    surviving spouse becoming 世帯主 in the same movement. One :class:`Movement` per
    household event. A change at M of a version [F, ∞) recorded at T1 is written as
    :func:`jichi.registry.timeline.rewrite` leaves it: the old row superseded at T2,
    a restated [F, M) and the new [M, ∞), both recorded at T2. Simplifications: the
    個人番号 and 住民票コード are on every version (their 2015 and 2002 職権記載 are not
    modelled; persons removed before those dates have none); a foreign resident's
    earlier renewals are not modelled, only the last one.

This module is longer than the usual 500 lines because the tables of a plausible
population belong together with the code that draws from them.
"""

from __future__ import annotations

import hashlib
import random
import time
import unicodedata
import zlib
from bisect import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from faker import Faker
from faker.providers.address.ja_JP import Provider as JapaneseAddresses
from faker.providers.person.ja_JP import Provider as JapaneseNames

from jichi.audit.services import record as audit
from jichi.common.checkdigits import (
    make_household_number,
    make_resident_number,
    my_number_check_digit,
    resident_record_code_check_digit,
)
from jichi.common.ids import new_id
from jichi.common.secrets import seal_my_number
from jichi.registry.codes import (
    Article30_45,
    Reason,
    ResidenceStatus,
    ResidentKind,
    ResidentStatus,
    category_of,
)
from jichi.registry.models import (
    Household,
    Movement,
    MovementSubject,
    NumberSequence,
    Person,
    PersonVersion,
)
from jichi.registry.relationships import HEAD, LODGER
from jichi.registry.selectors import years_before
from jichi.registry.timeline import name_keys
from jichi.registry.towns import Town, towns_of
from jichi.tenancy.context import tenant_scope
from jichi.tenancy.national import Kind, national_index, national_list
from jichi.tenancy.principals import Actor

__all__ = ["ACTOR", "DemoError", "DemoResult", "demo_state", "generate_population"]

ACTOR = Actor.system("demo")
BATCH_RESIDENTS = 5_000
MY_NUMBER_AUTO_LIMIT = 100_000  # above this, 個人番号 only when asked (sealing costs time)
MARK_RESIDENTS = "demo:residents"
MARK_NEXT = "demo:next-household"
MARK_SEED = "demo:seed"
MARK_DAY = "demo:reference-day"

HISTORY_YEARS = 50  # the oldest movement
RECENT_DAYS = 30  # no movement in the last 30 days (all notified and recorded by today)
REGISTER_OF_FOREIGNERS = date(2012, 7, 9).toordinal()  # foreign residents in the register
MY_NUMBER_SINCE = date(2015, 10, 5).toordinal()
RESIDENT_CODE_SINCE = date(2002, 8, 5).toordinal()

# --- probabilities (per household unless said) ---------------------------------------

SHAPES = (("single", 38), ("couple", 20), ("family", 25), ("single_parent", 9), ("extended", 8))
P_FOREIGN = 0.033  # a foreign household (→ about 2.5 % of residents with the mixed ones)
P_MIXED = 0.025  # a couple or family with a foreign spouse
P_GONE = 0.016  # the whole household has left (転出, 国外転出) or died out (死亡)
P_WIDOWED = 0.15  # an elderly single whose spouse died here
P_CHILD_LEFT = 0.12  # a grown child moved out (転出)
P_PARENT_DIED = 0.3  # one of the head's parents died here
P_SPOUSE_LATER = 0.3  # the spouse moved in later (marriage)
P_NAME_CHANGE = 0.3  # a single mother and her children changed their surname
RELOCATIONS = ((0, 80), (1, 16), (2, 4))  # 転居 within the municipality
P_BUILDING = 0.4  # lives in a flat (方書)
P_LATE = 0.03  # a notice after the legal period
CHILDREN = ((1, 45), (2, 42), (3, 11), (4, 2))

# Ages of the head (or the single person) by shape: (low, high, weight).
SINGLE_AGES = (
    (18, 19, 3), (20, 24, 12), (25, 29, 11), (30, 34, 7), (35, 39, 6), (40, 44, 6),
    (45, 49, 7), (50, 54, 7), (55, 59, 6), (60, 64, 6), (65, 69, 7), (70, 74, 8),
    (75, 79, 7), (80, 84, 6), (85, 89, 4), (90, 94, 2), (95, 99, 1),
)  # fmt: skip
COUPLE_AGES = (
    (22, 24, 1), (25, 29, 3), (30, 34, 4), (35, 39, 3), (40, 44, 3), (45, 49, 3),
    (50, 54, 5), (55, 59, 7), (60, 64, 10), (65, 69, 14), (70, 74, 17), (75, 79, 13),
    (80, 84, 9), (85, 89, 5), (90, 94, 2),
)  # fmt: skip
FAMILY_AGES = (
    (25, 29, 2), (30, 34, 7), (35, 39, 12), (40, 44, 15), (45, 49, 17), (50, 54, 15),
    (55, 59, 11), (60, 64, 8), (65, 69, 6), (70, 74, 4), (75, 79, 2), (80, 84, 1),
)  # fmt: skip
SINGLE_PARENT_AGES = (
    (25, 29, 2), (30, 34, 5), (35, 39, 8), (40, 44, 11), (45, 49, 13), (50, 54, 13),
    (55, 59, 10), (60, 64, 8), (65, 69, 8), (70, 74, 8), (75, 79, 7), (80, 84, 5), (85, 89, 2),
)  # fmt: skip
MIDDLE_AGED = ((35, 39, 10), (40, 44, 18), (45, 49, 20), (50, 54, 20), (55, 59, 17), (60, 64, 10))
ELDERLY = ((65, 69, 25), (70, 74, 30), (75, 79, 25), (80, 84, 15), (85, 89, 5))
SIBLING_AGES = ((30, 39, 10), (40, 49, 20), (50, 59, 25), (60, 69, 25), (70, 79, 20))
EXTENDED = (("parents", 50), ("grandchildren", 25), ("siblings", 15), ("lodger", 10))
FOREIGN_SINGLE_AGES = (
    (18, 19, 4), (20, 24, 30), (25, 29, 26), (30, 34, 14), (35, 39, 9), (40, 49, 9),
    (50, 64, 5), (65, 85, 3),
)  # fmt: skip
FOREIGN_FAMILY_AGES = (
    (25, 29, 10), (30, 34, 22), (35, 39, 24), (40, 44, 18), (45, 54, 16), (55, 69, 7), (70, 85, 3)
)  # fmt: skip
FOREIGN_SHAPES = (("single", 55), ("couple", 18), ("family", 22), ("single_parent", 5))

# --- names ----------------------------------------------------------------------------

# Surnames 51–100 by frequency (Faker ja_JP has the first 50), weighted below its 50th.
MORE_SURNAMES = (
    "中野:ナカノ 原田:ハラダ 小野:オノ 田村:タムラ 竹内:タケウチ 金子:カネコ 和田:ワダ "
    "中山:ナカヤマ 石田:イシダ 上田:ウエダ 森田:モリタ 原:ハラ 柴田:シバタ 酒井:サカイ "
    "工藤:クドウ 横山:ヨコヤマ 宮崎:ミヤザキ 宮本:ミヤモト 内田:ウチダ 高木:タカギ "
    "安藤:アンドウ 谷口:タニグチ 大野:オオノ 丸山:マルヤマ 今井:イマイ 高田:タカダ "
    "河野:コウノ 藤本:フジモト 村田:ムラタ 武田:タケダ 上野:ウエノ 杉山:スギヤマ "
    "増田:マスダ 平野:ヒラノ 大塚:オオツカ 千葉:チバ 久保:クボ 松井:マツイ 小島:コジマ "
    "岩崎:イワサキ 桜井:サクライ 野口:ノグチ 松尾:マツオ 野村:ノムラ 木下:キノシタ "
    "菊地:キクチ 佐野:サノ 大西:オオニシ 杉本:スギモト 新井:アライ"
)
# Given names by the year of birth (before 1951, 1951–75, 1976–99, 2000 on), mixed
# with Faker's own lists, which fit the middle generations.
GIVEN_NAMES = {
    ("1", 0): "清:キヨシ 茂:シゲル 勇:イサム 進:ススム 博:ヒロシ 実:ミノル 正:タダシ 武:タケシ "
    "勝:マサル 三郎:サブロウ 正雄:マサオ 昭:アキラ 隆:タカシ 和夫:カズオ 義雄:ヨシオ",
    ("2", 0): "幸子:サチコ 和子:カズコ 節子:セツコ 洋子:ヨウコ 恵子:ケイコ 京子:キョウコ "
    "美智子:ミチコ 久子:ヒサコ 文子:フミコ 静子:シズコ 照子:テルコ 信子:ノブコ 敏子:トシコ "
    "悦子:エツコ ふみ:フミ",
    ("1", 1): "誠:マコト 浩二:コウジ 哲也:テツヤ 修:オサム 健二:ケンジ 秀樹:ヒデキ 達也:タツヤ "
    "剛:ツヨシ 孝:タカシ 敏夫:トシオ 和彦:カズヒコ 博之:ヒロユキ",
    ("2", 1): "由美子:ユミコ 真由美:マユミ 智子:トモコ 久美子:クミコ 裕子:ユウコ 直美:ナオミ "
    "純子:ジュンコ 恵美:エミ 典子:ノリコ 雅子:マサコ めぐみ:メグミ 美香:ミカ",
    ("1", 2): "大輔:ダイスケ 拓也:タクヤ 健太:ケンタ 翔太:ショウタ 大樹:ダイキ 翔:ショウ "
    "亮:リョウ 雄太:ユウタ 駿:シュン 誠也:セイヤ 祐介:ユウスケ 海斗:カイト",
    ("2", 2): "愛:アイ 彩:アヤ 美穂:ミホ 麻衣:マイ 恵:メグミ 沙織:サオリ 綾香:アヤカ "
    "美咲:ミサキ 千尋:チヒロ 早紀:サキ 未来:ミライ 遥:ハルカ",
    ("1", 3): "蓮:レン 陽翔:ハルト 大翔:ヒロト 湊:ミナト 悠真:ユウマ 蒼:アオイ 樹:イツキ "
    "悠人:ユウト 颯太:ソウタ 陽向:ヒナタ 朝陽:アサヒ 律:リツ",
    ("2", 3): "陽葵:ヒマリ 結菜:ユイナ 凛:リン 葵:アオイ 芽依:メイ 紬:ツムギ 澪:ミオ "
    "さくら:サクラ 結愛:ユア 咲良:サクラ 莉子:リコ 美桜:ミオ",
}
ERA_STARTS = (1951, 1976, 2000)
P_FAKER_GIVEN = (0.15, 0.45, 0.45, 0.2)  # by era: Faker's list, else the era's

# Foreign residents: nationality (国籍・地域) weights after the 在留外国人統計.
NATIONALITIES = (
    ("中国", 30), ("ベトナム", 19), ("韓国", 15), ("フィリピン", 11), ("ブラジル", 8),
    ("ネパール", 7), ("米国", 4),
)  # fmt: skip
MIXED_NATIONALITIES = (("フィリピン", 35), ("中国", 35), ("韓国", 20), ("米国", 5), ("ブラジル", 5))
KEEPS_OWN_SURNAME = {"中国", "韓国", "ベトナム"}  # a wife keeps her surname
FAKER_LOCALE = {"ベトナム": "vi_VN", "ブラジル": "pt_BR", "米国": "en_US", "フィリピン": "en_US"}
# (alphabet, kanji) pairs where Faker has no romanisation paired with the written name.
FOREIGN_NAMES = {
    ("中国", "family"): "WANG:王 LI:李 ZHANG:張 LIU:劉 CHEN:陳 YANG:楊 HUANG:黄 ZHAO:趙 WU:呉 "
    "ZHOU:周 XU:徐 SUN:孫 MA:馬 ZHU:朱 HU:胡 GUO:郭 LIN:林 HE:何 GAO:高 LUO:羅",
    ("中国", "1"): "WEI:偉 QIANG:強 LEI:磊 JUN:軍 YANG:洋 YONG:勇 JIE:傑 TAO:涛 MING:明 "
    "CHAO:超 HAORAN:浩然 YUXUAN:宇軒",
    ("中国", "2"): "FANG:芳 NA:娜 XIUYING:秀英 MIN:敏 JING:静 LI:麗 YAN:艶 TING:婷 XUE:雪 "
    "HUI:慧 XINYI:欣怡 ZIHAN:梓涵",
    ("韓国", "family"): "KIM:金 LEE:李 PARK:朴 CHOI:崔 JUNG:鄭 KANG:姜 CHO:趙 YOON:尹 "
    "JANG:張 LIM:林 HAN:韓 OH:呉",
    ("韓国", "1"): "MINJUN:民俊 JIHOON:志勲 YOUNGHO:英浩 SUNGMIN:成民 DONGHYUN:東賢 "
    "JAESEOK:在石 SANGCHUL:相哲 YOUNGSOO:永洙",
    ("韓国", "2"): "SEOYEON:瑞妍 SOOJIN:秀真 JIEUN:知恩 MIYOUNG:美英 EUNJUNG:恩貞 "
    "YOUNGHEE:英姫 HYEJIN:恵真 SUNMI:善美",
    ("ネパール", "family"): "SHRESTHA GURUNG TAMANG MAGAR RAI THAPA SHARMA ADHIKARI KC "
    "POUDEL BHANDARI KARKI",
    ("ネパール", "1"): "RAM BIKASH ANIL PRAKASH SANJAY SURESH DIPENDRA KIRAN RAJESH SAGAR",
    ("ネパール", "2"): "SITA SUNITA ANITA GITA SARITA PRATIMA ASHA NIRMALA SABINA PUJA",
    ("フィリピン", "family"): "SANTOS REYES CRUZ BAUTISTA OCAMPO GARCIA MENDOZA TORRES "
    "CASTILLO FLORES VILLANUEVA RAMOS AQUINO NAVARRO MERCADO DELA_CRUZ",
}

# 在留資格 by nationality (heads of households), and their 在留期間 (label, days).
S = ResidenceStatus
STATUSES = {
    "中国": ((S.PERMANENT_RESIDENT, 35), (S.ENGINEER_HUMANITIES, 20), (S.STUDENT, 15),
             (S.BUSINESS_MANAGER, 5), (S.HIGHLY_SKILLED_1B, 4), (S.LONG_TERM_RESIDENT, 6),
             (S.TECHNICAL_INTERN_2B, 5), (S.SKILLED_LABOR, 4), (S.SPOUSE_OF_JAPANESE, 6)),
    "ベトナム": ((S.TECHNICAL_INTERN_2B, 25), (S.TECHNICAL_INTERN_1B, 10),
                 (S.SPECIFIED_SKILLED_1, 20), (S.STUDENT, 15), (S.ENGINEER_HUMANITIES, 20),
                 (S.PERMANENT_RESIDENT, 5), (S.LONG_TERM_RESIDENT, 5)),
    "韓国": ((S.PERMANENT_RESIDENT, 45), (S.ENGINEER_HUMANITIES, 25), (S.STUDENT, 10),
             (S.BUSINESS_MANAGER, 5), (S.SPOUSE_OF_JAPANESE, 10), (S.INSTRUCTOR, 5)),
    "フィリピン": ((S.PERMANENT_RESIDENT, 45), (S.LONG_TERM_RESIDENT, 20),
                   (S.SPOUSE_OF_JAPANESE, 10), (S.SPECIFIED_SKILLED_1, 10),
                   (S.TECHNICAL_INTERN_2B, 10), (S.NURSING_CARE, 5)),
    "ブラジル": ((S.PERMANENT_RESIDENT, 55), (S.LONG_TERM_RESIDENT, 40), (S.SPOUSE_OF_JAPANESE, 5)),
    "ネパール": ((S.STUDENT, 30), (S.SKILLED_LABOR, 25), (S.ENGINEER_HUMANITIES, 25),
                 (S.PERMANENT_RESIDENT, 10), (S.DESIGNATED_ACTIVITIES, 10)),
    "米国": ((S.ENGINEER_HUMANITIES, 30), (S.INSTRUCTOR, 20), (S.PERMANENT_RESIDENT, 25),
             (S.SPOUSE_OF_JAPANESE, 10), (S.PROFESSOR, 5), (S.BUSINESS_MANAGER, 10)),
}  # fmt: skip
FAMILY_STATUSES = {  # statuses whose holders may bring their family
    S.PERMANENT_RESIDENT, S.ENGINEER_HUMANITIES, S.LONG_TERM_RESIDENT, S.BUSINESS_MANAGER,
    S.HIGHLY_SKILLED_1B, S.SKILLED_LABOR, S.INSTRUCTOR, S.PROFESSOR, S.NURSING_CARE,
}  # fmt: skip
NEWCOMER_STATUSES = {  # usually came straight from abroad (国外転入)
    S.STUDENT, S.TECHNICAL_INTERN_1B, S.TECHNICAL_INTERN_2B, S.SPECIFIED_SKILLED_1,
    S.ENGINEER_HUMANITIES, S.INSTRUCTOR, S.PROFESSOR, S.HIGHLY_SKILLED_1B,
}  # fmt: skip
PERIODS = {
    S.PERMANENT_RESIDENT: (("無期限", 0),),
    S.ENGINEER_HUMANITIES: (("5年", 1826), ("3年", 1096), ("1年", 365)),
    S.STUDENT: (("2年3月", 821), ("1年3月", 456)),
    S.TECHNICAL_INTERN_1B: (("1年", 365),),
    S.TECHNICAL_INTERN_2B: (("1年", 365), ("2年", 730)),
    S.SPECIFIED_SKILLED_1: (("1年", 365), ("6月", 183)),
    S.DEPENDENT: (("3年", 1096), ("1年", 365)),
    S.SPOUSE_OF_JAPANESE: (("3年", 1096), ("1年", 365), ("5年", 1826)),
    S.SPOUSE_OF_PERMANENT: (("3年", 1096), ("1年", 365)),
    S.LONG_TERM_RESIDENT: (("5年", 1826), ("3年", 1096), ("1年", 365)),
    S.BUSINESS_MANAGER: (("1年", 365), ("3年", 1096)),
    S.HIGHLY_SKILLED_1B: (("5年", 1826),),
    S.SKILLED_LABOR: (("3年", 1096), ("1年", 365)),
    S.DESIGNATED_ACTIVITIES: (("1年", 365), ("6月", 183)),
    S.INSTRUCTOR: (("1年", 365), ("3年", 1096)),
    S.PROFESSOR: (("5年", 1826),),
    S.NURSING_CARE: (("3年", 1096), ("1年", 365)),
}
TOKYO = ZoneInfo("Asia/Tokyo")


class DemoError(Exception):
    """The demo population cannot be generated as asked (message says why)."""


@dataclass
class DemoResult:
    """What one run did (counts of rows it added) and where the population stands."""

    municipality: str
    seed: int
    reference_day: date
    residents_before: int
    residents: int  # residents of the demo population after the run
    persons: int = 0
    households: int = 0
    versions: int = 0
    movements: int = 0
    subjects: int = 0
    with_my_number: bool = True
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return self.persons + self.households + self.versions + self.movements + self.subjects

    @property
    def persons_per_second(self) -> float:
        return self.persons / self.seconds if self.seconds else 0.0

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


# --- small helpers ---------------------------------------------------------------------


class _Table:
    """A weighted choice, drawn with one ``random()``."""

    def __init__(self, items: Sequence[tuple]):
        self.values = [item[:-1] if len(item) > 2 else item[0] for item in items]
        self.cum: list[float] = []
        total = 0.0
        for item in items:
            total += item[-1]
            self.cum.append(total)
        self.total = total

    def pick(self, rng: random.Random):
        return self.values[bisect(self.cum, rng.random() * self.total)]


def _pairs(text: str) -> list[tuple[str, str]]:
    return [tuple(word.split(":")) if ":" in word else (word, "") for word in text.split()]


def _ascii_upper(text: str) -> str:
    """``Nguyễn Đức`` → ``NGUYEN DUC``: what a residence card's Latin name looks like."""
    text = text.replace("Đ", "D").replace("đ", "d")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.upper().replace("_", " ").split())


def _stable(*parts: object) -> int:
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big")


class _Names:
    """Japanese family and given names with readings, from Faker ja_JP and by era."""

    def __init__(self) -> None:
        pairs = [((k, kana), w) for (k, kana, _r), w in JapaneseNames.last_name_pairs.items()]
        more = _pairs(MORE_SURNAMES)
        pairs += [(pair, 54_000 - 480 * i) for i, pair in enumerate(more)]
        self.surnames = _Table([(pair, weight) for pair, weight in pairs])
        faker = {
            "1": [(k, kana) for k, kana, _r in JapaneseNames.first_name_male_pairs],
            "2": [(k, kana) for k, kana, _r in JapaneseNames.first_name_female_pairs],
        }
        self.faker = faker
        self.eras = {key: _pairs(text) for key, text in GIVEN_NAMES.items()}

    def surname(self, rng: random.Random) -> tuple[str, str]:
        return self.surnames.pick(rng)

    def given(self, rng: random.Random, sex: str, birth: int) -> tuple[str, str]:
        year = date.fromordinal(birth).year
        era = bisect(ERA_STARTS, year)
        pool = self.faker[sex] if rng.random() < P_FAKER_GIVEN[era] else self.eras[(sex, era)]
        return rng.choice(pool)


class _Places:
    """The municipality's 町字 (addresses) and other municipalities (本籍, 前住所, 転出先)."""

    def __init__(self, code: str, seed: int) -> None:
        self.row = national_index()[code]
        self.towns = towns_of(code)
        if not self.towns:
            raise DemoError(f"{code} has no 町字 in the postal data: no demo addresses.")
        rng = random.Random(f"jichi-demo-places:{seed}")
        kinds = {Kind.CITY, Kind.TOWN, Kind.VILLAGE, Kind.SPECIAL_WARD, Kind.DESIGNATED_CITY}
        rows = [r for r in national_list() if r.kind in kinds and r.code != code]
        near = [r for r in rows if r.prefecture_code == self.row.prefecture_code]
        picked = rng.sample(near, min(10, len(near))) + rng.sample(rows, 30)
        self.elsewhere = [(r, t) for r in picked if (t := towns_of(r.code))]

    @staticmethod
    def _block(rng: random.Random, town: Town) -> str:
        style = zlib.crc32(town.code.encode())
        if town.name.endswith("丁目"):
            return f"{rng.randint(1, 30)}番{rng.randint(1, 25)}号"
        if style % 10 < 6:  # 住居表示
            chome = rng.randint(1, 1 + style % 5)
            return f"{chome}丁目{rng.randint(1, 30)}番{rng.randint(1, 25)}号"
        lot = int(rng.paretovariate(1.2) * 40) % 3000 + 1
        return f"{lot}番地" if rng.random() < 0.6 else f"{lot}番地{rng.randint(1, 20)}"

    def address(self, rng: random.Random) -> dict:
        """The version fields of an address in this municipality."""
        town = rng.choice(self.towns)
        building = ""
        if rng.random() < P_BUILDING:
            word = rng.choice(JapaneseAddresses.building_names)
            building = f"{word}{town.name[:4]} {rng.randint(1, 12)}{rng.randint(1, 12):02d}号室"
        return {
            "town_code": town.code,
            "town_name": f"{town.ward_name}{town.name}",
            "block": self._block(rng, town),
            "building": building,
            "postal_code": town.postal_code,
        }

    @staticmethod
    def _written(row, town: Town) -> str:
        return f"{row.prefecture_name}{row.full_name.removesuffix(town.ward_name)}{town.ward_name}{town.name}"

    def elsewhere_address(self, rng: random.Random) -> str:
        """An address in another municipality (前住所, 転出先)."""
        row, towns = rng.choice(self.elsewhere)
        town = rng.choice(towns)
        return self._written(row, town) + self._block(rng, town)

    def domicile(self, rng: random.Random) -> str:
        """A 本籍: here for a third of the families, else in another municipality."""
        if rng.random() < 0.33:
            row, town = self.row, rng.choice(self.towns)
        else:
            row, towns = rng.choice(self.elsewhere)
            town = rng.choice(towns)
        return f"{self._written(row, town)}{int(rng.paretovariate(1.2) * 30) % 3000 + 1}番地"


# --- a household as planned ----------------------------------------------------------


@dataclass(slots=True)
class _Member:
    role: str  # head spouse child parent child_spouse grandchild sibling lodger
    sex: str
    birth: int  # ordinal
    relationship: str
    is_head: bool
    arrival: int = 0
    reason: str = ""
    previous_address: str = ""
    leaves: int | None = None  # ordinal of the 転出 or 死亡 (before the reference day)
    items: dict = field(default_factory=dict)

    @property
    def resident(self) -> bool:
        return self.leaves is None


@dataclass(slots=True)
class _Event:
    on: int
    reason: str
    members: tuple[int, ...]  # () = every member present on the day
    changes: dict
    successor: int | None = None  # becomes 世帯主 in the same movement


@dataclass
class _Plan:
    members: list[_Member]
    events: list[_Event]
    address: dict
    foreign: bool = False

    @property
    def residents(self) -> int:
        return sum(m.resident for m in self.members)

    def cut(self, residents: int) -> _Plan:
        """The first members (head first) that hold ``residents`` residents."""
        kept, count = [], 0
        for member in self.members:
            if count == residents:
                break
            kept.append(member)
            count += member.resident
        return _Plan(kept, self.events, self.address, self.foreign)


class _Draft:
    """A household being drawn: its random streams, members, events and taken days."""

    def __init__(self, rng: random.Random, places_rng: random.Random) -> None:
        self.rng = rng
        self.places_rng = places_rng
        self.members: list[_Member] = []
        self.events: list[_Event] = []
        self.taken: set[int] = set()
        self.founded = 0

    def add(self, role: str, sex: str, birth: int, relationship: str, head: bool = False):
        member = _Member(role, sex, birth, relationship, head)
        self.members.append(member)
        return member

    def day(self, low: int, high: int) -> int | None:
        """A day in [low, high] with no other event of the household, or None."""
        for _ in range(8):
            if low > high:
                return None
            on = self.rng.randint(low, high)
            if on not in self.taken:
                self.taken.add(on)
                return on
        return None

    def event(self, on: int, reason: str, members=(), changes=None, successor=None) -> None:
        self.events.append(_Event(on, reason, tuple(members), changes or {}, successor))


# --- the planner -----------------------------------------------------------------------


class _Planner:
    """Draws household ``h`` of a seed: the same people whatever the municipality."""

    def __init__(self, code: str, seed: int, today: date) -> None:
        self.code, self.seed, self.today = code, seed, today
        self.last = today.toordinal() - RECENT_DAYS
        self.first = years_before(today, HISTORY_YEARS).toordinal()
        self.fake = Faker("ja_JP")
        self.fakers: dict[str, Faker] = {}
        self.names = _Names()
        self.places = _Places(code, seed)
        self.tables = {
            name: _Table(value)
            for name, value in globals().items()
            if name.isupper() and isinstance(value, tuple) and value and _weighted(value)
        }
        self.statuses = {nat: _Table(table) for nat, table in STATUSES.items()}
        self.foreign_names = {key: _pairs(text) for key, text in FOREIGN_NAMES.items()}

    # draws

    def pick(self, rng: random.Random, table: str):
        return self.tables[table].pick(rng)

    def age(self, rng: random.Random, table: str) -> int:
        low, high = self.pick(rng, table)
        return rng.randint(low, high)

    def birth(self, rng: random.Random, age: int) -> int:
        """A birthday that makes the person ``age`` on the reference day."""
        top = years_before(self.today, age).toordinal()
        span = top - years_before(self.today, age + 1).toordinal()
        return top - rng.randint(RECENT_DAYS if age == 0 else 0, span - 1)

    def years_after(self, ordinal: int, years: float) -> int:
        return ordinal + int(years * 365.25)

    def found(self, draft: _Draft, head: _Member, floor: int = 0) -> int:
        """The day the household moved in: recent moves are the most frequent."""
        age = (self.today.toordinal() - head.birth) / 365.25
        low = max(self.years_after(head.birth, 18), self.first, floor)
        high = self.last - 1
        if low >= high:
            founded = high
        else:
            mean = max(3.0, (age - 18) * 0.45) * 365.25
            founded = high - int(draft.rng.expovariate(1 / mean))
            if founded < low:
                founded = low + int(draft.rng.random() * min(high - low, 3650))
        draft.founded = founded
        draft.taken.add(founded)
        return founded

    # the household

    def household(self, index: int) -> _Plan:
        key = f"jichi-demo:{self.seed}:{index}"
        self.fake.seed_instance(key)
        draft = _Draft(self.fake.random, random.Random(key + ":places"))
        foreign = draft.rng.random() < P_FOREIGN
        if foreign:
            self._foreign(draft)
        else:
            self._japanese(draft)
        self._arrivals(draft, foreign)
        end = self._gone_on(draft)
        address = self._relocations(draft, end)
        if end is not None:
            self._leave_all(draft, end, foreign)
        return _Plan(draft.members, draft.events, address, foreign)

    def _japanese(self, draft: _Draft) -> None:
        shape = self.pick(draft.rng, "SHAPES")
        getattr(self, f"_shape_{shape}")(draft, foreign=False)
        spouse = next((m for m in draft.members if m.role == "spouse"), None)
        self._dress_japanese(draft)
        if spouse is not None and spouse.resident and draft.rng.random() < P_MIXED:
            nationality = self.pick(draft.rng, "MIXED_NATIONALITIES")
            self._dress_foreign_spouse(draft, spouse, nationality)

    def _foreign(self, draft: _Draft) -> None:
        rng = draft.rng
        nationality = self.pick(rng, "NATIONALITIES")
        special = nationality == "韓国" and rng.random() < 0.35
        shape = self.pick(rng, "SHAPES" if special else "FOREIGN_SHAPES")
        getattr(self, f"_shape_{shape}")(draft, foreign=not special)
        self._dress_foreign(draft, nationality, special)


def _weighted(value: tuple) -> bool:
    return all(isinstance(item, tuple) and isinstance(item[-1], int | float) for item in value)
