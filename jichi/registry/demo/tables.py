"""The tables of a plausible population: household shapes and ages, names,
nationalities, 在留資格 and their periods, and the dates and probabilities the demo draws
with (the package docstring says where the numbers come from)."""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Sequence
from datetime import date

from jichi.registry.codes import ResidenceStatus

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

# The tables the planner draws from, by name.
TABLES = {
    "shapes": SHAPES,
    "foreign_shapes": FOREIGN_SHAPES,
    "extended": EXTENDED,
    "children": CHILDREN,
    "relocations": RELOCATIONS,
    "nationalities": NATIONALITIES,
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


class Table:
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


def word_pairs(text: str) -> list[tuple[str, str]]:
    """``"原:ハラ KIM:金 RAI"`` → ``[("原", "ハラ"), ("KIM", "金"), ("RAI", "")]``."""
    return [tuple(word.split(":")) if ":" in word else (word, "") for word in text.split()]
