"""The tables the generator draws from, built in Python from the project's own data:
the municipality's 町字, the demo's name, age, place and 在留資格 tables (weighted
samples of them), and a long tail of surnames."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

SIZES = ((1, 38), (2, 28), (3, 16), (4, 13), (5, 4), (6, 1))  # 2020 census, 6+ as 6
P_FOREIGN, P_MOVED, P_GONE = 2.5, 30, 3  # per cent of households
P_BUILDING = 40
POOL = 4096  # size of each weighted table handed to SQL
# A long tail of surnames: two parts, read one after the other (竹川 タケカワ).
_HEADS = (
    "山:ヤマ 川:カワ 石:イシ 松:マツ 竹:タケ 森:モリ 大:オオ 小:コ 中:ナカ 高:タカ 長:ナガ "
    "北:キタ 西:ニシ 東:ヒガシ 岡:オカ 吉:ヨシ 藤:フジ 福:フク 平:ヒラ 今:イマ 宮:ミヤ 原:ハラ "
    "野:ノ 菊:キク 桜:サクラ 梅:ウメ 柳:ヤナギ 黒:クロ 白:シラ 青:アオ 金:カネ 上:ウエ 下:シモ "
    "前:マエ 杉:スギ 岩:イワ 坂:サカ 村:ムラ 浜:ハマ 沖:オキ"
)
_TAILS = (
    "川:カワ 本:モト 野:ノ 原:ハラ 村:ムラ 井:イ 木:キ 沢:サワ 島:シマ 岡:オカ 崎:サキ 山:ヤマ "
    "谷:タニ 口:グチ 内:ウチ 橋:ハシ 部:ベ 塚:ツカ 浦:ウラ 江:エ 瀬:セ 尾:オ 坂:サカ 池:イケ "
    "倉:クラ"
)
TAIL_SHARE = 0.6  # of the population carries a surname outside the hundred most common


@dataclass
class Pools:
    """The tables the SQL draws from, built in Python from the project's own data."""

    code: str
    today: date
    seed: int = 1
    params: dict = field(default_factory=dict)

    def build(self) -> dict:
        from jichi.registry.demo.people import Names, Places
        from jichi.registry.demo.tables import (
            COUPLE_AGES,
            FAMILY_AGES,
            FOREIGN_FAMILY_AGES,
            FOREIGN_SINGLE_AGES,
            SINGLE_AGES,
            Table,
        )

        rng = random.Random(f"bench-population:{self.seed}")
        self._towns()
        self._names(Names(), rng)
        self._foreign(rng)
        places = Places(self.code, self.seed)
        p = self.params
        p["domiciles"] = [places.domicile(rng) for _ in range(512)]
        p["elsewhere"] = [places.elsewhere_address(rng) for _ in range(512)]
        from faker.providers.address.ja_JP import Provider as JapaneseAddresses

        p["buildings"] = list(JapaneseAddresses.building_names)
        p["sizes"] = [Table(SIZES).pick(rng) for _ in range(POOL)]
        for key, table in (
            ("age_single", SINGLE_AGES),
            ("age_couple", COUPLE_AGES),
            ("age_family", FAMILY_AGES),
            ("age_fsingle", FOREIGN_SINGLE_AGES),
            ("age_ffamily", FOREIGN_FAMILY_AGES),
        ):
            ranges = Table(table)
            p[key] = [self._days_old(ranges.pick(rng), rng) for _ in range(POOL)]
        return p

    @staticmethod
    def _days_old(years: tuple[int, int], rng: random.Random) -> int:
        low, high = years
        return int((rng.randint(low, high) + rng.random()) * 365.25)

    def _towns(self) -> None:
        from jichi.registry.towns import towns_of

        towns = towns_of(self.code)
        self.params.update(
            town_codes=[t.code for t in towns],
            town_names=[f"{t.ward_name}{t.name}" for t in towns],
            town_postal=[t.postal_code for t in towns],
        )

    def _names(self, names, rng: random.Random) -> None:
        from jichi.common.kana import search_key

        common = [names.surname(rng) for _ in range(int(POOL * (1 - TAIL_SHARE)))]
        heads, tails = ([w.split(":") for w in text.split()] for text in (_HEADS, _TAILS))
        tail = [(a + b, ak + bk) for a, ak in heads for b, bk in tails if a != b]
        surnames = common + [tail[rng.randrange(len(tail))] for _ in range(POOL - len(common))]
        given = {
            sex: sorted({pair for era in range(4) for pair in names.eras[(sex, era)]} | set(pool))
            for sex, pool in names.faker.items()
        }
        self.params.update(
            sur_kanji=[s[0] for s in surnames],
            sur_kana=[s[1] for s in surnames],
            sur_kanji_key=[search_key(s[0]) for s in surnames],
            sur_kana_key=[search_key(s[1]) for s in surnames],
        )
        for sex in ("1", "2"):
            pairs = given[sex]
            self.params.update(
                {
                    f"giv{sex}_kanji": [g[0] for g in pairs],
                    f"giv{sex}_kana": [g[1] for g in pairs],
                    f"giv{sex}_kanji_key": [search_key(g[0]) for g in pairs],
                    f"giv{sex}_kana_key": [search_key(g[1]) for g in pairs],
                }
            )
        _check_keys_concatenate(surnames, given)

    def _foreign(self, rng: random.Random) -> None:
        """Foreign families: nationality, family name, 在留資格 and period; given names by
        nationality and sex in flat arrays with offsets (SQL has no nested lists)."""
        from jichi.common.kana import search_key
        from jichi.registry.demo.tables import FOREIGN_NAMES, PERIODS, STATUSES, Table, word_pairs

        nationalities = ["中国", "韓国", "ネパール"]
        families, statuses = [], []
        for _ in range(256):
            nat = rng.randrange(len(nationalities))
            alpha, kanji = rng.choice(word_pairs(FOREIGN_NAMES[(nationalities[nat], "family")]))
            status = Table(STATUSES[nationalities[nat]]).pick(rng)
            label, days = rng.choice(PERIODS.get(status, (("1年", 365),)))
            families.append((nat, alpha, kanji))
            statuses.append((status.value, label, days))
        given_alpha, given_kanji, start, count = [], [], [], []
        for nat in nationalities:
            for sex in ("1", "2"):
                pairs = word_pairs(FOREIGN_NAMES[(nat, sex)])
                start.append(len(given_alpha) + 1)
                count.append(len(pairs))
                given_alpha += [a for a, _ in pairs]
                given_kanji += [k for _, k in pairs]
        self.params.update(
            nationalities=nationalities,
            ff_nat=[f[0] for f in families],
            ff_alpha=[f[1] for f in families],
            ff_kanji=[f[2] for f in families],
            ff_kanji_key=[search_key(f[2]) for f in families],
            ff_alpha_key=[search_key(f[1]) for f in families],
            ff_status=[s[0] for s in statuses],
            ff_period=[s[1] for s in statuses],
            ff_days=[s[2] for s in statuses],
            fg_alpha=given_alpha,
            fg_kanji=given_kanji,
            fg_alpha_key=[search_key(a) for a in given_alpha],
            fg_kanji_key=[search_key(k) for k in given_kanji],
            fg_start=start,
            fg_count=count,
        )


def _check_keys_concatenate(surnames, given) -> None:
    """The SQL joins the keys of a surname and a given name; that equals the key of the
    joined name unless NFKC would compose across the seam (a voiced mark first)."""
    import unicodedata

    from jichi.common.kana import search_key

    parts = {p for pair in surnames for p in pair}
    parts |= {p for pairs in given.values() for pair in pairs for p in pair}
    for part in parts:
        key = search_key(part)
        if key and (unicodedata.combining(key[0]) or key[0] in "\u3099\u309a\u309b\u309c"):
            raise ValueError(f"the search key of {part!r} starts with a combining mark")
