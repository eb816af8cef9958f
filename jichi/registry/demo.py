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
    Every person starts with a 転入 (国外転入 for newcomers from abroad; a foreign
    spouse here before 2012-07-09, when foreign residents entered the register, with a
    職権記載 on that day) or, when born after the household moved in, a 出生; later
    転居 of the household, 氏名変更 (a divorced mother and her children), 在留期間更新
    and the 在留資格 of a child born here (在留資格等変更), 転出 of a grown child or of
    a whole household, 死亡 with the surviving spouse becoming 世帯主 in the same
    movement. One :class:`Movement` per household event. A change at M of a version
    [F, ∞) recorded at T1 is written as :func:`jichi.registry.timeline.rewrite` leaves
    it: the old row superseded at T2, a restated [F, M) and the new [M, ∞), both
    recorded at T2. Simplifications: the 個人番号 and 住民票コード are on every version
    (their 2015 and 2002 職権記載 are not modelled; persons removed before those dates
    have none); of a foreign resident's renewals only the last one is. Nothing happens
    in the 30 days before the reference day, so every notice is recorded by then.

Speed and memory
    Households are drawn and written one batch at a time; nothing is kept between
    batches (with DEBUG on, Django's query log is emptied after each), so memory does not
    grow with N: about 0.5 GB, most of it the postal data behind the 町字 lists, plus a
    128 MiB SQLite page cache that keeps the indexes' pages in memory. On SQLite about
    1,000 persons a second (2 shared cores), two thirds of it in ``bulk_create``; sealing
    the 個人番号 (``with_my_number``, on by default) is a few per cent. 3,800,000
    residents: about an hour and 12 GB of SQLite. With so few names (Faker's 50 surnames
    plus 50, a few dozen given names a sex) people sharing name, birthday and sex are
    common in a big population.

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

from django.db import connection, reset_queries, transaction
from django.utils import timezone
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

__all__ = ["ACTOR", "DemoError", "DemoResult", "DemoState", "demo_state", "generate_population"]

ACTOR = Actor.system("demo")
BATCH_RESIDENTS = 5_000
SQLITE_CACHE_KIB = 131_072  # SQLite page cache of the generating connection (128 MiB)
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
P_FOREIGN = 0.025  # a foreign household (→ about 2.5 % of residents with the mixed ones)
P_MIXED = 0.025  # a couple or family with a foreign spouse
P_GONE = 0.013  # the whole household has left (転出, 国外転出) or died out (死亡)
P_WIDOWED = 0.15  # an elderly single whose spouse died here
P_CHILD_LEFT = 0.1  # a grown child moved out (転出)
P_PARENT_DIED = 0.3  # one of the head's parents died here
P_SPOUSE_LATER = 0.3  # the spouse moved in later (marriage)
P_NAME_CHANGE = 0.3  # a single mother and her children changed their surname
RELOCATIONS = ((0, 80), (1, 16), (2, 4))  # 転居 within the municipality
P_BUILDING = 0.4  # lives in a flat (方書)
P_LATE = 0.03  # a notice after the legal period
CHILDREN = ((1, 45), (2, 42), (3, 11), (4, 2))

# Ages of the head (or the single person) by shape: (low, high, weight).
SINGLE_AGES = (
    (18, 19, 2), (20, 24, 9), (25, 29, 8), (30, 34, 5), (35, 39, 5), (40, 44, 6),
    (45, 49, 7), (50, 54, 7), (55, 59, 6), (60, 64, 6), (65, 69, 7), (70, 74, 9),
    (75, 79, 9), (80, 84, 8), (85, 89, 6), (90, 94, 3), (95, 99, 1),
)  # fmt: skip
COUPLE_AGES = (
    (22, 24, 1), (25, 29, 3), (30, 34, 4), (35, 39, 3), (40, 44, 3), (45, 49, 3),
    (50, 54, 5), (55, 59, 7), (60, 64, 10), (65, 69, 16), (70, 74, 19), (75, 79, 15),
    (80, 84, 11), (85, 89, 6), (90, 94, 3),
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
    def removed(self) -> int:
        """Persons added who are 除票 (転出, 死亡) on the reference day."""
        return self.persons - (self.residents - self.residents_before)

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
        city = row.full_name.removesuffix(town.ward_name)
        return f"{row.prefecture_name}{city}{town.ward_name}{town.name}"

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
    key: str  # the seed of the household's random streams
    members: list[_Member]
    events: list[_Event]
    address: dict

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
        return _Plan(self.key, kept, self.events, self.address)


class _Draft:
    """A household being drawn: its random streams, members, events and taken days."""

    def __init__(self, key: str, rng: random.Random, places_rng: random.Random) -> None:
        self.key = key
        self.rng = rng
        self.places_rng = places_rng
        self.foreign = ""  # the nationality of a foreign household
        self.from_abroad = ""  # the country it came from (国外転入)
        self.seeded = ""  # the Faker locale seeded for it
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


# --- the planner: who lives in household h, and what happened to them -----------------

TABLES = {
    "shapes": SHAPES,
    "foreign_shapes": FOREIGN_SHAPES,
    "extended": EXTENDED,
    "children": CHILDREN,
    "relocations": RELOCATIONS,
    "nationalities": NATIONALITIES,
    "mixed_nationalities": MIXED_NATIONALITIES,
    "single": SINGLE_AGES,
    "couple": COUPLE_AGES,
    "family": FAMILY_AGES,
    "single_parent": SINGLE_PARENT_AGES,
    "middle_aged": MIDDLE_AGED,
    "elderly": ELDERLY,
    "siblings": SIBLING_AGES,
    "foreign_single": FOREIGN_SINGLE_AGES,
    "foreign_family": FOREIGN_FAMILY_AGES,
}
LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
OTHER_SEX = {"1": "2", "2": "1"}
SPOUSE_OF = {"1": "夫", "2": "妻"}  # the 続柄 of a spouse of this sex


def _moving_out(on: int, destination: str) -> dict:
    return {
        "status": ResidentStatus.MOVED_OUT,
        "destination_address": destination,
        "planned_move_out_on": date.fromordinal(on),
    }


def _card(rng: random.Random) -> str:
    """在留カード等番号: 2 letters, 8 digits, 2 letters."""
    letters = rng.choices(LETTERS, k=4)
    return f"{letters[0]}{letters[1]}{rng.randrange(10**8):08d}{letters[2]}{letters[3]}"


class _Planner:
    """Draws household ``h`` of a seed: the same people whatever the municipality."""

    def __init__(self, code: str, seed: int, today: date) -> None:
        self.seed, self.today = seed, today
        self.now = today.toordinal()
        self.last = self.now - RECENT_DAYS
        self.first = years_before(today, HISTORY_YEARS).toordinal()
        self.fake = Faker("ja_JP")
        self.fakers: dict[str, Faker] = {}
        self.names = _Names()
        self.places = _Places(code, seed)
        self.tables = {name: _Table(items) for name, items in TABLES.items()}
        self.statuses = {nat: _Table(items) for nat, items in STATUSES.items()}
        self.foreign_names = {key: _pairs(text) for key, text in FOREIGN_NAMES.items()}

    # --- draws

    def pick(self, rng: random.Random, table: str):
        return self.tables[table].pick(rng)

    def birth(self, rng: random.Random, table: str) -> int:
        """A birthday (ordinal) for an age drawn from ``table`` on the reference day."""
        low, high = self.pick(rng, table)
        return self.birth_at(rng, rng.randint(low, high))

    def birth_at(self, rng: random.Random, age: int) -> int:
        top = years_before(self.today, age).toordinal()
        span = top - years_before(self.today, age + 1).toordinal()
        return top - rng.randint(RECENT_DAYS if age == 0 else 0, span - 1)

    @staticmethod
    def later(ordinal: int, years: float) -> int:
        return ordinal + int(years * 365.25)

    def partner_birth(self, rng: random.Random, of: _Member) -> int:
        """A spouse's birthday: husbands about two years older than their wives."""
        gap = min(10.0, max(-6.0, rng.gauss(2.2, 3.0)))
        birth = self.later(of.birth, gap if of.sex == "1" else -gap) + rng.randint(-180, 180)
        return self.adult(rng, birth)

    def adult(self, rng: random.Random, birth: int) -> int:
        """``birth``, or a birthday of a 20-year-old if that would be younger."""
        youngest = years_before(self.today, 20).toordinal()
        return birth if birth <= youngest else youngest - rng.randint(0, 364)

    def found(self, draft: _Draft, head: _Member, floor: int = 0) -> int:
        """The day the household moved in: recent moves are the most frequent."""
        age = (self.now - head.birth) / 365.25
        low, high = max(self.later(head.birth, 18), self.first, floor), self.last - 1
        if low >= high:
            founded = high
        else:
            founded = high - int(draft.rng.expovariate(1 / (max(3.0, (age - 18) * 0.45) * 365.25)))
            if founded < low:
                founded = low + int(draft.rng.random() * min(high - low, 3650))
        draft.founded = founded
        draft.taken.add(founded)
        return founded

    # --- the household

    def household(self, index: int) -> _Plan:
        key = f"jichi-demo:{self.seed}:{index}"
        self.fake.seed_instance(key)
        draft = _Draft(key, self.fake.random, random.Random(key + ":places"))
        if draft.rng.random() < P_FOREIGN:
            self._foreign(draft)
        else:
            self._japanese(draft)
        self._origins(draft)
        end = self._gone_on(draft)
        address = self._relocations(draft, end)
        if end is not None:
            self._leave_all(draft, end)
        return _Plan(key, draft.members, draft.events, address)

    def _japanese(self, draft: _Draft) -> None:
        shape = self.pick(draft.rng, "shapes")
        getattr(self, f"_shape_{shape}")(draft, newcomer=False, floor=0)
        self._arrival_days(draft)
        self._dress_japanese(draft)
        spouse = next((m for m in draft.members if m.role == "spouse" and m.resident), None)
        if spouse is not None and draft.members[0].resident and draft.rng.random() < P_MIXED:
            self._dress_foreign_spouse(draft, spouse)

    def _foreign(self, draft: _Draft) -> None:
        rng = draft.rng
        nationality = self.pick(rng, "nationalities")
        special = nationality == "韓国" and rng.random() < 0.35  # 特別永住者
        shape = self.pick(rng, "shapes" if special else "foreign_shapes")
        getattr(self, f"_shape_{shape}")(draft, newcomer=not special, floor=REGISTER_OF_FOREIGNERS)
        self._arrival_days(draft)
        self._dress_foreign(draft, nationality, special)

    # --- shapes (members, head first; ages; who left or died)

    def _head(self, draft: _Draft, table: str, sex: str) -> _Member:
        return draft.add("head", sex, self.birth(draft.rng, table), HEAD, head=True)

    def _spouse(self, draft: _Draft, of: _Member, role="spouse", relationship="") -> _Member:
        sex = OTHER_SEX[of.sex]
        birth = self.partner_birth(draft.rng, of)
        return draft.add(role, sex, birth, relationship or SPOUSE_OF[sex])

    def _shape_single(self, draft: _Draft, newcomer: bool, floor: int) -> None:
        rng = draft.rng
        birth = self.birth(rng, "foreign_single" if newcomer else "single")
        old = (self.now - birth) / 365.25 >= 60
        head = draft.add(
            "head", "1" if rng.random() < (0.32 if old else 0.58) else "2", birth, HEAD, True
        )
        self.found(draft, head, floor)
        if not newcomer and (self.now - birth) / 365.25 >= 70 and rng.random() < P_WIDOWED:
            self._widowed(draft, head)

    def _widowed(self, draft: _Draft, survivor: _Member) -> None:
        """The survivor's spouse died here; a widow became 世帯主 when her husband died."""
        died = draft.day(draft.founded + 365, self.last)
        if died is None:
            return
        partner = _Member(
            "spouse", OTHER_SEX[survivor.sex], self.partner_birth(draft.rng, survivor), "", False
        )
        partner.leaves = died
        change = {"status": ResidentStatus.DECEASED}
        if survivor.sex == "2":  # the husband was the head
            partner.role, partner.relationship, partner.is_head = "head", HEAD, True
            survivor.role, survivor.relationship, survivor.is_head = "spouse", "妻", False
            draft.members.insert(0, partner)
            draft.event(died, Reason.DEATH, (0,), change, successor=1)
        else:
            partner.relationship = "妻"
            draft.members.append(partner)
            draft.event(died, Reason.DEATH, (1,), change)

    def _shape_couple(self, draft: _Draft, newcomer: bool, floor: int) -> None:
        rng = draft.rng
        head = self._head(
            draft, "foreign_family" if newcomer else "couple", "1" if rng.random() < 0.88 else "2"
        )
        spouse = self._spouse(draft, head)
        founded = self.found(draft, head, floor)
        if rng.random() < P_SPOUSE_LATER:  # married later, moved in then
            spouse.arrival = (
                draft.day(max(founded + 365, self.later(spouse.birth, 20)), self.last) or 0
            )

    def _shape_family(
        self, draft: _Draft, newcomer: bool, floor: int, single: bool = False
    ) -> None:
        rng = draft.rng
        if single:
            table, sex = "single_parent", "2" if rng.random() < 0.85 else "1"
        else:
            table, sex = "family", "1" if rng.random() < 0.92 else "2"
        head = self._head(draft, "foreign_family" if newcomer else table, sex)
        parents = [head] if single else [head, self._spouse(draft, head)]
        self.found(draft, head, floor)
        self._children(draft, parents, "child", "子")
        if rng.random() < P_CHILD_LEFT:
            self._child_left(draft, parents)

    def _shape_single_parent(self, draft: _Draft, newcomer: bool, floor: int) -> None:
        self._shape_family(draft, newcomer, floor, single=True)

    def _children(
        self, draft: _Draft, parents: list[_Member], role: str, relationship: str
    ) -> list[_Member]:
        """1–4 children born when each parent was 20 to 45 (mothers around 30 at the first)."""
        rng = draft.rng
        low = self.later(max(p.birth for p in parents), 20)
        high = min(self.later(min(p.birth for p in parents), 45), self.last)
        if low > high:
            return []
        mother = next((p for p in parents if p.sex == "2"), parents[0])
        birth = max(self.later(mother.birth, rng.uniform(24, 36)), low)
        if birth > high:  # a young mother: the first child came earlier than most
            birth = rng.randint(low, high)
        children = []
        for _ in range(self.pick(rng, "children")):
            if birth > high:
                break
            children.append(draft.add(role, rng.choice("12"), birth, relationship))
            birth = self.later(birth, rng.uniform(1, 5))
        return children

    def _child_left(self, draft: _Draft, parents: list[_Member]) -> None:
        """An elder child who grew up here and moved out (転出)."""
        rng = draft.rng
        children = [m for m in draft.members if m.role == "child"]
        birth = self.later(
            children[0].birth if children else self.later(parents[0].birth, 30), -rng.uniform(1, 4)
        )
        if birth < self.later(max(p.birth for p in parents), 20):
            return
        arrival = max(birth, draft.founded)
        left = draft.day(max(self.later(birth, 18), arrival + 60), self.last)
        if left is None:
            return
        child = draft.add("child", rng.choice("12"), birth, "子")
        child.leaves = left
        destination = self.places.elsewhere_address(draft.places_rng)
        draft.event(
            left, Reason.MOVE_OUT, (len(draft.members) - 1,), _moving_out(left, destination)
        )

    def _shape_extended(self, draft: _Draft, newcomer: bool, floor: int) -> None:
        variant = self.pick(draft.rng, "extended")
        getattr(self, f"_extended_{variant}")(draft, floor)

    def _extended_parents(self, draft: _Draft, floor: int) -> None:
        """A middle-aged couple (and children) with the head's father and/or mother."""
        rng = draft.rng
        head = self._head(draft, "middle_aged", "1" if rng.random() < 0.85 else "2")
        parents = [head, self._spouse(draft, head)] if rng.random() < 0.8 else [head]
        founded = self.found(draft, head, floor)
        if rng.random() < 0.6:
            self._children(draft, parents, "child", "子")
        father_birth = self.later(head.birth, -rng.uniform(22, 40))
        oldest = years_before(self.today, 99).toordinal()  # nobody over 99 here
        if father_birth < oldest:
            father_birth = oldest + rng.randint(0, 364)
        mother_birth = min(self.later(father_birth, rng.uniform(0, 5)), self.later(head.birth, -20))
        both = rng.random() < 0.5
        elders = []
        if both or rng.random() < 0.35:
            elders.append(draft.add("parent", "1", father_birth, "父"))
        if both or not elders:
            elders.append(draft.add("parent", "2", mother_birth, "母"))
        if rng.random() < 0.5:  # they moved in later, to be looked after
            joined = draft.day(founded + 365, self.last - 400)
            for elder in elders:
                elder.arrival = joined or 0
        if len(elders) == 2 and rng.random() < P_PARENT_DIED:
            start = max(founded, elders[0].arrival) + 365
            died = draft.day(start, self.last)
            if died is not None:
                elders[0].leaves = died
                index = draft.members.index(elders[0])
                draft.event(died, Reason.DEATH, (index,), {"status": ResidentStatus.DECEASED})

    def _extended_grandchildren(self, draft: _Draft, floor: int) -> None:
        """An elderly head with a son, his wife (who married in) and their children."""
        rng = draft.rng
        head = self._head(draft, "elderly", "1" if rng.random() < 0.75 else "2")
        parents = (
            [head, self._spouse(draft, head)] if head.sex == "1" and rng.random() < 0.75 else [head]
        )
        founded = self.found(draft, head, floor)
        son_birth = self.later(max(p.birth for p in parents), rng.uniform(25, 38))
        if son_birth > years_before(self.today, 22).toordinal():
            return
        son = draft.add("child", "1", son_birth, "子")
        wife = self._spouse(draft, son, role="child_spouse", relationship="子の妻")
        grandchildren = self._children(draft, [son, wife], "grandchild", "子の子")
        if rng.random() < 0.6:  # she married in
            high = min([g.birth for g in grandchildren] + [self.last + 200]) - 200
            wife.arrival = draft.day(max(founded + 30, self.later(wife.birth, 20)), high) or 0

    def _extended_siblings(self, draft: _Draft, floor: int) -> None:
        rng = draft.rng
        head = self._head(draft, "siblings", rng.choice("12"))
        for _ in range(1 if rng.random() < 0.8 else 2):
            birth = self.later(head.birth, rng.choice((-1, 1)) * rng.uniform(1, 10))
            birth = self.adult(rng, birth)
            sex = rng.choice("12")
            words = ("兄", "姉") if birth < head.birth else ("弟", "妹")
            draft.add("sibling", sex, birth, words[int(sex) - 1])
        self.found(draft, head, floor)

    def _extended_lodger(self, draft: _Draft, floor: int) -> None:
        rng = draft.rng
        head = self._head(draft, "single", rng.choice("12"))
        draft.add("lodger", rng.choice("12"), self.birth_at(rng, rng.randint(20, 60)), LODGER)
        self.found(draft, head, floor)

    # --- arrivals, departures, moves

    def _arrival_days(self, draft: _Draft) -> None:
        """Members born after the household moved in arrive by 出生, the others with it."""
        for member in draft.members:
            if member.arrival:
                continue
            if member.birth >= draft.founded:
                member.arrival, member.reason = member.birth, Reason.BIRTH
                draft.taken.add(member.birth)
            else:
                member.arrival = draft.founded

    def _origins(self, draft: _Draft) -> None:
        """The reason and 前住所 of every arrival that is not a birth."""
        came_from = {draft.founded: draft.from_abroad or self._elsewhere(draft)}
        for member in draft.members:
            if member.reason == Reason.BIRTH:
                continue
            if (
                member.items["kind"] == ResidentKind.FOREIGN
                and member.arrival < REGISTER_OF_FOREIGNERS
            ):
                # in the register since foreign residents were, by the office (職権記載)
                member.arrival, member.reason = REGISTER_OF_FOREIGNERS, Reason.RECORD_EX_OFFICIO
                draft.taken.add(REGISTER_OF_FOREIGNERS)
            else:
                abroad = member.arrival == draft.founded and draft.from_abroad
                member.reason = Reason.MOVE_IN_FROM_ABROAD if abroad else Reason.MOVE_IN
                if member.arrival not in came_from:  # who move in on one day come from one place
                    came_from[member.arrival] = self._elsewhere(draft)
                member.previous_address = came_from[member.arrival]

    def _elsewhere(self, draft: _Draft) -> str:
        return self.places.elsewhere_address(draft.places_rng)

    def _gone_on(self, draft: _Draft) -> int | None:
        """The day the whole household left (or its last member died), for a few."""
        if draft.rng.random() >= P_GONE:
            return None
        busy = [m.arrival for m in draft.members] + [e.on for e in draft.events]
        return draft.day(max(max(busy) + 60, self.last - 3650), self.last)

    def _leave_all(self, draft: _Draft, on: int) -> None:
        rng = draft.rng
        staying = [i for i, m in enumerate(draft.members) if m.resident]
        if not staying:
            return
        old = (on - draft.members[staying[0]].birth) / 365.25 >= 70
        if len(staying) == 1 and old and rng.random() < 0.6:
            reason, change = Reason.DEATH, {"status": ResidentStatus.DECEASED}
        elif draft.foreign and rng.random() < 0.6:
            reason, change = Reason.MOVE_OUT_ABROAD, _moving_out(on, draft.foreign)
        else:
            reason = Reason.MOVE_OUT
            change = _moving_out(on, self.places.elsewhere_address(draft.places_rng))
        for i in staying:
            draft.members[i].leaves = on
        draft.event(on, reason, (), change)

    def _relocations(self, draft: _Draft, end: int | None) -> dict:
        """The first address, and the 転居 of the household to the next ones."""
        prng = draft.places_rng
        address = self.places.address(prng)
        high = (end if end is not None else self.last) - 30
        days = [
            draft.day(draft.founded + 180, high) for _ in range(self.pick(draft.rng, "relocations"))
        ]
        for on in sorted(d for d in days if d is not None):
            moved = self.places.address(prng)
            draft.event(
                on, Reason.MOVE_WITHIN, (), {**moved, "address_since": date.fromordinal(on)}
            )
        return address

    # --- names, 戸籍, nationality

    def _dress_japanese(self, draft: _Draft) -> None:
        rng, names, members = draft.rng, self.names, draft.members
        family = names.surname(rng)
        given = [names.given(rng, m.sex, m.birth) for m in members]
        surname = [names.surname(rng) if m.role == "lodger" else family for m in members]
        full = [s[0] + g[0] for s, g in zip(surname, given, strict=True)]
        koseki = self._koseki(draft, family[0], full)
        renamed = self._name_change(draft, given)
        for i, m in enumerate(members):
            m.items = {
                "kind": ResidentKind.JAPANESE,
                "sex": m.sex,
                "birth_date": date.fromordinal(m.birth),
                "family_name": surname[i][0],
                "family_name_kana": surname[i][1],
                "given_name": given[i][0],
                "given_name_kana": given[i][1],
                "domicile": koseki[i][0],
                "domicile_head": koseki[i][1],
            }
            if renamed and m.arrival > renamed[0] and i in renamed[1]:
                m.items.update(renamed[2])  # born after the change: the new surname from birth

    def _koseki(self, draft: _Draft, family: str, full: list[str]) -> list[tuple[str, str]]:
        """本籍 and 筆頭者 of each member, after the 戸籍 they are in."""
        rng, prng, members = draft.rng, draft.places_rng, draft.members
        home = self.places.domicile(prng)

        def man(birth: int) -> str:  # a man outside the household: a father, a former husband
            return family + self.names.given(rng, "1", birth)[0]

        head, roles = members[0], {m.role for m in members}
        spouses = [i for i, m in enumerate(members) if m.role in ("head", "spouse")]
        husband = next((i for i in spouses if members[i].sex == "1"), None)
        if "spouse" in roles and husband is not None:
            keeper = full[husband]
        elif head.sex == "2" and "child" in roles:
            keeper = man(head.birth - 730)
        elif (self.now - head.birth) / 365.25 < 35 or "sibling" in roles:
            keeper = man(self.later(head.birth, -30))  # still in the parents' 戸籍
        else:
            keeper = full[0]
        fathers = [i for i, m in enumerate(members) if m.role == "parent" and m.sex == "1"]
        elders_home = home if rng.random() < 0.5 else self.places.domicile(prng)
        elders = (elders_home, full[fathers[0]] if fathers else man(self.later(head.birth, -30)))
        son = next((i for i, m in enumerate(members) if m.role == "child"), None)
        result = []
        for i, m in enumerate(members):
            if m.role == "lodger":
                result.append((self.places.domicile(prng), full[i]))
            elif m.role == "parent":
                result.append(elders)
            elif m.role in ("child_spouse", "grandchild") and son is not None:
                result.append((home, full[son]))  # the son's own 戸籍
            else:
                result.append((home, keeper))
        return result

    def _name_change(self, draft: _Draft, given: list) -> tuple | None:
        """A divorced mother takes her own surname back, with her children (氏名変更)."""
        members, rng = draft.members, draft.rng
        head = members[0]
        if head.sex != "2" or any(m.role == "spouse" for m in members):
            return None
        children = [i for i, m in enumerate(members) if m.role == "child" and m.resident]
        if not children or rng.random() >= P_NAME_CHANGE:
            return None
        on = draft.day(draft.founded + 180, self.last)
        if on is None:
            return None
        maiden = self.names.surname(rng)
        changes = {
            "family_name": maiden[0],
            "family_name_kana": maiden[1],
            "domicile": self.places.domicile(draft.places_rng),
            "domicile_head": maiden[0] + given[0][0],
        }
        subjects = (0, *children)
        draft.event(on, Reason.NAME_CHANGE, subjects, changes)
        return on, set(subjects), changes

    def _foreign_name(self, draft: _Draft, nationality: str, part: str) -> tuple[str, str]:
        """(alphabet, kanji or "") of a family name (``part="family"``) or a given name."""
        rng = draft.rng
        nationality = "韓国" if nationality == "朝鮮" else nationality
        pool = self.foreign_names.get((nationality, part))
        if pool is not None:
            alphabet, kanji = rng.choice(pool)
            return _ascii_upper(alphabet), kanji
        fake = self._faker(draft, FAKER_LOCALE[nationality])
        if part == "family":
            return _ascii_upper(fake.last_name()), ""
        first = fake.first_name_male() if part == "1" else fake.first_name_female()
        if nationality == "ベトナム":  # family, middle, given: NGUYEN VAN HUNG
            middle = ("VAN" if part == "1" else "THI") if rng.random() < 0.7 else fake.middle_name()
            first = f"{middle} {first}"
        return _ascii_upper(first), ""

    def _faker(self, draft: _Draft, locale: str) -> Faker:
        fake = self.fakers.get(locale)
        if fake is None:
            fake = self.fakers[locale] = Faker(locale)
        if draft.seeded != locale:
            fake.seed_instance(f"{draft.key}:{locale}")
            draft.seeded = locale
        return fake

    def _foreign_items(
        self, draft: _Draft, member: _Member, nationality: str, family: tuple
    ) -> dict:
        given = self._foreign_name(draft, nationality, member.sex)
        return {
            "kind": ResidentKind.FOREIGN,
            "sex": member.sex,
            "birth_date": date.fromordinal(member.birth),
            "nationality": nationality,
            "name_alphabet": f"{family[0]} {given[0]}",
            "family_name": family[1],
            "given_name": given[1] if family[1] else "",
        }

    def _dress_foreign(self, draft: _Draft, nationality: str, special: bool) -> None:
        rng, members = draft.rng, draft.members
        if special and rng.random() < 0.15:
            nationality = "朝鮮"
        names_of = "韓国" if nationality == "朝鮮" else nationality
        draft.foreign = nationality
        family = self._foreign_name(draft, names_of, "family")
        alias = self.names.surname(rng) if special and rng.random() < 0.8 else None
        status = None if special else self._head_status(draft, names_of)
        if status in NEWCOMER_STATUSES and rng.random() < 0.7:
            draft.from_abroad = nationality
        for i, m in enumerate(members):
            married_in = m.role in ("spouse", "child_spouse") and names_of in KEEPS_OWN_SURNAME
            own = married_in or m.role == "lodger"
            surname = self._foreign_name(draft, names_of, "family") if own else family
            m.items = self._foreign_items(draft, m, nationality, surname)
            if alias is not None:
                given = self.names.given(rng, m.sex, m.birth)
                m.items.update(alias=alias[0] + given[0], alias_kana=f"{alias[1]} {given[1]}")
            if special:
                items = {
                    "article_30_45": Article30_45.SPECIAL_PERMANENT,
                    "residence_card_no": _card(rng),
                }
            else:
                items = self._status_items(
                    draft, i, status if i == 0 else _dependent(status, m, rng)
                )
            self._status_from_birth(draft, i, items)

    def _dress_foreign_spouse(self, draft: _Draft, spouse: _Member) -> None:
        """A Japanese household whose head married a foreign national."""
        rng = draft.rng
        nationality = self.pick(rng, "mixed_nationalities")
        family = self._foreign_name(draft, nationality, "family")
        old_name = spouse.items["family_name"] + spouse.items["given_name"]
        spouse.items = self._foreign_items(draft, spouse, nationality, family)
        head = draft.members[0]
        for m in draft.members:  # the Japanese spouse keeps the 戸籍 (筆頭者)
            if m.items.get("domicile_head") == old_name:
                m.items["domicile_head"] = head.items["family_name"] + head.items["given_name"]
        status = S.SPOUSE_OF_JAPANESE if rng.random() < 0.6 else S.PERMANENT_RESIDENT
        spouse.items.update(self._status_items(draft, draft.members.index(spouse), status))

    def _head_status(self, draft: _Draft, nationality: str) -> ResidenceStatus:
        table = self.statuses[nationality]
        for _ in range(10):
            status = table.pick(draft.rng)
            if len(draft.members) == 1 or status in FAMILY_STATUSES:
                return status
        return S.PERMANENT_RESIDENT

    def _status_items(self, draft: _Draft, index: int, status: ResidenceStatus) -> dict:
        """在留資格, 在留期間, 満了日 (in the future) and card; the last renewal as a 43."""
        rng, member = draft.rng, draft.members[index]
        label, days = rng.choice(PERIODS[status])
        items = {
            "article_30_45": Article30_45.MEDIUM_LONG_TERM,
            "residence_status": status.value,
            "residence_period": label,
            "residence_expiry": None,
            "residence_card_no": _card(rng),
        }
        if not days:
            return items
        expiry = self.now + rng.randint(30, days)
        renewed = expiry - days - rng.randint(31, 90)
        on = draft.day(renewed - 10, renewed) if renewed > member.arrival + 60 else None
        items["residence_expiry"] = date.fromordinal(expiry)
        if on is None or on > self.last or member.reason == Reason.BIRTH:
            return items
        draft.event(on, Reason.RESIDENCE_STATUS_CHANGE, (index,), dict(items))
        return {
            **items,
            "residence_expiry": date.fromordinal(expiry - days),
            "residence_card_no": _card(rng),
        }

    def _status_from_birth(self, draft: _Draft, index: int, items: dict) -> None:
        """A child born here is 出生による経過滞在者 until its status is granted (43)."""
        member = draft.members[index]
        if member.reason != Reason.BIRTH:
            member.items.update(items)
            return
        member.items["article_30_45"] = Article30_45.TRANSITIONAL_BY_BIRTH
        on = draft.day(member.birth + 30, min(member.birth + 55, self.last))
        if on is not None:
            draft.event(on, Reason.RESIDENCE_STATUS_CHANGE, (index,), items)


def _dependent(status: ResidenceStatus, member: _Member, rng: random.Random) -> ResidenceStatus:
    """The 在留資格 of a family member of a holder of ``status``."""
    if status == S.PERMANENT_RESIDENT:
        if member.role == "spouse" and rng.random() < 0.4:
            return S.SPOUSE_OF_PERMANENT
        return S.PERMANENT_RESIDENT
    if status == S.LONG_TERM_RESIDENT:
        return S.LONG_TERM_RESIDENT
    return S.DEPENDENT


# --- rows: the plan written the way the services and the timeline would have ------------

_BLANK = {
    f.attname: (None if f.null else f.get_default())
    for f in PersonVersion._meta.concrete_fields
    if f.attname
    not in {
        "id",
        "municipality_id",
        "person_id",
        "history_no",
        "valid_from",
        "valid_to",
        "recorded_at",
        "superseded_at",
        "movement_id",
        "reason",
    }
}
_NAME_FIELDS = {"family_name", "given_name", "family_name_kana", "given_name_kana", "name_alphabet"}
_CATEGORY = {reason: category_of(reason) for reason in Reason}
# Days from the event to its notice (届出日): (least, most, legal limit or None).
_NOTICE_DAYS = {
    Reason.BIRTH: (1, 14, 14),
    Reason.MOVE_IN: (0, 14, 14),
    Reason.MOVE_IN_FROM_ABROAD: (0, 14, 14),
    Reason.MOVE_WITHIN: (0, 14, 14),
    Reason.RECORD_EX_OFFICIO: (0, 0, None),
    Reason.MOVE_OUT: (-14, 0, 14),  # notified before leaving
    Reason.MOVE_OUT_ABROAD: (-14, 0, 14),
    Reason.DEATH: (0, 7, 7),
    Reason.NAME_CHANGE: (1, 20, None),
    Reason.RESIDENCE_STATUS_CHANGE: (1, 20, None),
}
_ARRIVALS = {Reason.MOVE_IN, Reason.MOVE_IN_FROM_ABROAD, Reason.BIRTH, Reason.RECORD_EX_OFFICIO}
_DEPARTURES = {Reason.MOVE_OUT, Reason.MOVE_OUT_ABROAD, Reason.DEATH}
# Affine permutations of the 宛名番号 serial: unique 個人番号 and 住民票コード per municipality.
_MY_NUMBER_FACTOR = 7_919_792_731
_RESIDENT_CODE_FACTOR = 3_141_592_653


class _Playing:
    """One household while its events are played: who is there, where, their versions."""

    def __init__(self, plan: _Plan, household_id, rng: random.Random) -> None:
        self.plan, self.household_id, self.rng = plan, household_id, rng
        self.lines: dict[int, list[dict]] = {}  # member → versions, the open one last
        self.present: set[int] = set()
        self.address = dict(plan.address)
        self.last_recorded: datetime | None = None

    def person(self, member: int):
        return self.lines[member][0]["person_id"]


class _Rows:
    """The rows of one batch: households planned, numbered and ready for ``bulk_create``."""

    def __init__(
        self,
        code: str,
        seed: int,
        today: date,
        *,
        person_serial: int,
        household_serial: int,
        my_number: bool,
    ) -> None:
        self.code, self.today, self.my_number = code, today, my_number
        self.person_serial, self.household_serial = person_serial, household_serial
        self.my_number_offset = _stable(seed, code, "my_number") % 10**11
        self.resident_code_offset = _stable(seed, code, "resident_code") % 10**10
        self.households: list[Household] = []
        self.persons: list[Person] = []
        self.movements: list[Movement] = []
        self.versions: list[dict] = []
        self.subjects: list[MovementSubject] = []

    def add(self, plan: _Plan) -> None:
        """Play the plan's events in order: movements, subjects and versions."""
        household = Household(
            id=new_id(),
            municipality_id=self.code,
            number=make_household_number(self.household_serial),
        )
        self.household_serial += 1
        state = _Playing(plan, household.id, random.Random(plan.key + ":notices"))
        for event in _events(plan):
            if event.reason in _ARRIVALS:
                subjects = [i for i in event.members if i < len(plan.members)]
            elif event.members:
                subjects = [i for i in event.members if i in state.present]
            else:
                subjects = sorted(state.present)
            if subjects:
                self._play(state, event, subjects)
        heads = sum(state.lines[i][-1]["is_head"] for i in state.present)
        if state.present and heads != 1:
            raise RuntimeError(f"demo household {plan.key} would have {heads} heads")
        household.created_at = min(line[0]["recorded_at"] for line in state.lines.values())
        self.households.append(household)
        for line in state.lines.values():
            self.versions.extend(line)

    def _play(self, state: _Playing, event: _Event, subjects: list[int]) -> None:
        movement = self._movement(state.rng, event, state.last_recorded)
        state.last_recorded = movement.recorded_at
        household = state.household_id
        if event.reason in _ARRIVALS:
            for i in subjects:
                first = self._first(state.plan.members[i], household, movement, state.address)
                state.lines[i] = [first]
                state.present.add(i)
                self._subject(movement, first["person_id"], None, household)
            return
        if event.reason == Reason.MOVE_WITHIN:
            state.address = {k: event.changes[k] for k in state.address}
        leaving = event.reason in _DEPARTURES
        for i in subjects:
            _change(state.lines[i], movement, event.changes)
            self._subject(movement, state.person(i), household if leaving else None, None)
        if leaving:
            state.present.difference_update(subjects)
            if event.successor in state.present:  # the spouse left behind becomes 世帯主
                successor = event.successor
                _change(state.lines[successor], movement, {"is_head": True, "relationship": HEAD})
                self._subject(movement, state.person(successor), household, household)

    def _movement(
        self, rng: random.Random, event: _Event, last_recorded: datetime | None
    ) -> Movement:
        least, most, limit = _NOTICE_DAYS[event.reason]
        delay = rng.randint(least, most)
        if limit is not None and most > 0 and rng.random() < P_LATE:
            delay = rng.randint(limit + 1, limit + 60)
        notified = date.fromordinal(min(event.on + delay, self.today.toordinal() - 1))
        recorded = datetime.combine(notified, clock(8, 30), TOKYO) + timedelta(
            minutes=rng.randint(0, 510)
        )
        if last_recorded is not None and recorded <= last_recorded:
            recorded = last_recorded + timedelta(minutes=rng.randint(5, 90))
        effective = date.fromordinal(event.on)
        movement = Movement(
            id=new_id(),
            municipality_id=self.code,
            reason=event.reason,
            category=_CATEGORY[event.reason],
            effective_on=effective,
            notified_on=notified,
            recorded_at=recorded,
            actor_kind=ACTOR.kind,
            actor_id=ACTOR.id,
            actor_label=ACTOR.label,
            late=limit is not None and (notified - effective).days > limit,
        )
        self.movements.append(movement)
        return movement

    def _first(self, member: _Member, household, movement: Movement, address: dict) -> dict:
        """The first version of a person who arrives (or is born) with ``movement``."""
        serial = self.person_serial
        self.person_serial += 1
        person = Person(
            id=new_id(),
            municipality_id=self.code,
            number=make_resident_number(serial),
            created_at=movement.recorded_at,
        )
        self.persons.append(person)
        on = movement.effective_on
        row = dict(_BLANK)
        row.update(member.items)
        row.update(address)
        row.update(
            person_id=person.id,
            history_no=1,
            valid_from=on,
            valid_to=None,
            recorded_at=movement.recorded_at,
            superseded_at=None,
            movement_id=movement.id,
            reason=movement.reason,
            status=ResidentStatus.RESIDENT,
            household_id=household,
            relationship=member.relationship,
            is_head=member.is_head,
            became_resident_on=on,
            address_since=on,
            previous_address=member.previous_address,
        )
        if row["kind"] == ResidentKind.FOREIGN:
            row["became_foreign_resident_on"] = on
        row.update(name_keys(row))
        row.update(self._numbers(serial, member.leaves))
        return row

    def _numbers(self, serial: int, left: int | None) -> dict:
        """住民票コード and 個人番号 (sealed), unless the person left before they existed."""
        numbers = {}
        if left is None or left >= RESIDENT_CODE_SINCE:
            base = f"{(serial * _RESIDENT_CODE_FACTOR + self.resident_code_offset) % 10**10:010d}"
            numbers["resident_code"] = base + resident_record_code_check_digit(base)
        if self.my_number and (left is None or left >= MY_NUMBER_SINCE):
            base = f"{(serial * _MY_NUMBER_FACTOR + self.my_number_offset) % 10**11:011d}"
            cipher, index = seal_my_number(base + my_number_check_digit(base), self.code)
            numbers.update(my_number_cipher=cipher, my_number_index=index)
        return numbers

    def _subject(self, movement: Movement, person_id, before, after) -> None:
        self.subjects.append(
            MovementSubject(
                id=new_id(),
                municipality_id=self.code,
                movement_id=movement.id,
                person_id=person_id,
                household_before_id=before,
                household_after_id=after,
            )
        )

    def write(self) -> None:
        Household.objects.bulk_create(self.households, batch_size=1000)
        Person.objects.bulk_create(self.persons, batch_size=1000)
        Movement.objects.bulk_create(self.movements, batch_size=1000)
        versions = [
            PersonVersion(id=new_id(), municipality_id=self.code, **row) for row in self.versions
        ]
        PersonVersion.objects.bulk_create(versions, batch_size=500)
        MovementSubject.objects.bulk_create(self.subjects, batch_size=1000)


def _events(plan: _Plan) -> list[_Event]:
    """Arrivals (one movement per day and reason; one per birth) and the other events, in order."""
    groups: dict[tuple, list[int]] = {}
    for i, member in enumerate(plan.members):
        key = (member.arrival, member.reason, i if member.reason == Reason.BIRTH else -1)
        groups.setdefault(key, []).append(i)
    arrivals = [
        _Event(on, reason, tuple(members), {}) for (on, reason, _), members in groups.items()
    ]
    ordered = [(e.on, 0, n, e) for n, e in enumerate(arrivals)]
    ordered += [(e.on, 1, n, e) for n, e in enumerate(plan.events)]
    return [e for *_, e in sorted(ordered, key=lambda item: item[:3])]


def _change(line: list[dict], movement: Movement, changes: dict) -> None:
    """What :func:`jichi.registry.timeline.rewrite` leaves for a change from the 異動日 on."""
    current = line[-1]
    on, recorded = movement.effective_on, movement.recorded_at
    current["superseded_at"] = recorded
    if current["valid_from"] < on:  # the part before the change, restated
        line.append(
            {
                **current,
                "history_no": len(line) + 1,
                "valid_to": on,
                "recorded_at": recorded,
                "superseded_at": None,
            }
        )
    new = {**current, **changes}
    new.update(
        history_no=len(line) + 1,
        valid_from=on,
        valid_to=None,
        recorded_at=recorded,
        superseded_at=None,
        movement_id=movement.id,
        reason=movement.reason,
    )
    if _NAME_FIELDS & changes.keys():
        new.update(name_keys(new))
    line.append(new)


# --- the run ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoState:
    """How far the demo population of a municipality has got (its marker rows)."""

    seed: int
    residents: int
    next_household: int
    reference_day: date


def demo_state(code: str) -> DemoState | None:
    """The demo population's progress in municipality ``code``, or None if it has none."""
    with tenant_scope(code):
        marks = dict(
            NumberSequence.objects.filter(
                name__in=[MARK_RESIDENTS, MARK_NEXT, MARK_SEED, MARK_DAY]
            ).values_list("name", "last")
        )
    if MARK_SEED not in marks:
        return None
    return DemoState(
        seed=marks[MARK_SEED],
        residents=marks.get(MARK_RESIDENTS, 0),
        next_household=marks.get(MARK_NEXT, 0),
        reference_day=date.fromordinal(marks[MARK_DAY]),
    )


def _reserve(code: str, name: str, count: int) -> int:
    """The first of ``count`` serials taken from the municipality's sequence ``name``."""
    sequence, _ = NumberSequence.objects.select_for_update().get_or_create(
        municipality_id=code, name=name
    )
    first = sequence.last + 1
    sequence.last += count
    sequence.save(update_fields=["last"])
    return first


def _mark(code: str, values: dict[str, int]) -> None:
    for name, value in values.items():
        NumberSequence.objects.update_or_create(
            municipality_id=code, name=name, defaults={"last": value}
        )


def generate_population(
    code: str,
    residents: int,
    *,
    seed: int = 1,
    with_my_number: bool = True,
    batch_size: int = BATCH_RESIDENTS,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DemoResult:
    """Give municipality ``code`` a synthetic population of ``residents`` residents.

    Idempotent and resumable (see the module docstring): what is already there counts,
    only the missing residents are added, in transactions of about ``batch_size``
    residents each. ``with_my_number`` gives the residents a sealed 個人番号 (about 13 µs
    each, a few per cent of the run). ``today`` is the reference day of a new population (the
    local date by default). ``progress(done, total)`` is called after each batch.
    Raises :class:`DemoError` for another seed than the population's, or bad arguments.
    """
    if residents < 0 or seed < 0 or batch_size < 1:
        raise DemoError("residents and seed must be 0 or more, batch_size 1 or more.")
    started = time.perf_counter()
    state = demo_state(code)
    if state is not None and state.seed != seed:
        raise DemoError(
            f"{code} already has a demo population made with seed {state.seed}; "
            f"run with --seed {state.seed} to top it up."
        )
    if state is None:
        state = DemoState(seed, 0, 0, today or timezone.localdate())
    result = DemoResult(
        code,
        seed,
        state.reference_day,
        state.residents,
        max(residents, state.residents),
        with_my_number=with_my_number,
    )
    if residents > state.residents:
        _generate(code, residents, state, result, batch_size, progress)
        with transaction.atomic(), tenant_scope(code):
            audit(
                ACTOR,
                "registry.demo.generated",
                object_type="municipality",
                object_id=code,
                details={
                    "persons": result.persons,
                    "residents": residents,
                    "households": result.households,
                    "seed": seed,
                    "reference_day": state.reference_day.isoformat(),
                    "with_my_number": with_my_number,
                },
            )
    result.seconds = time.perf_counter() - started
    return result


def _generate(
    code: str, residents: int, state: DemoState, result: DemoResult, batch_size: int, progress
) -> None:
    planner = _Planner(code, state.seed, state.reference_day)
    if connection.vendor == "sqlite":  # index pages stay in memory while millions go in
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    done, index = state.residents, state.next_household
    if progress is not None:
        progress(done, residents)
    while done < residents:
        plans, added = [], 0
        while added < batch_size and done + added < residents:
            plan = planner.household(index)
            index += 1
            room = residents - done - added
            if plan.residents > room:
                plan = plan.cut(room)
            plans.append(plan)
            added += plan.residents
        with transaction.atomic(), tenant_scope(code):
            rows = _Rows(
                code,
                state.seed,
                state.reference_day,
                person_serial=_reserve(code, "resident", sum(len(p.members) for p in plans)),
                household_serial=_reserve(code, "household", len(plans)),
                my_number=result.with_my_number,
            )
            for plan in plans:
                rows.add(plan)
            rows.write()
            done += added
            _mark(
                code,
                {
                    MARK_SEED: state.seed,
                    MARK_RESIDENTS: done,
                    MARK_NEXT: index,
                    MARK_DAY: state.reference_day.toordinal(),
                },
            )
        reset_queries()  # with DEBUG on, Django keeps every query: not millions of rows' worth
        result.persons += len(rows.persons)
        result.households += len(rows.households)
        result.versions += len(rows.versions)
        result.movements += len(rows.movements)
        result.subjects += len(rows.subjects)
        if progress is not None:
            progress(done, residents)
