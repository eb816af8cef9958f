"""地域・年齢別人口 (自治体標準オープンデータセット A-04) from the register, suppressed.

One row per 町字 and a first row for the whole municipality (地域コード
``000000``), in the current standard's 46 columns; the register's bands from 85
up are one band, 85歳以上, as the standard has it. Counts under the threshold, and
the counts that would give them away, are ``None`` (:mod:`jichi.opendata.suppression`).
"""

from __future__ import annotations

from datetime import date

from jichi.opendata.suppression import suppress, table_groups
from jichi.registry import selectors as registry
from jichi.registry.codes import Sex

TOP = 85  # 85歳以上
BANDS = [f"{low}-{low + 4}歳" for low in range(0, TOP, 5)] + [f"{TOP}歳以上"]
SEXES = (("男性", Sex.MALE), ("女性", Sex.FEMALE))
LABEL = {sex: label for label, sex in SEXES}
BAND_COLUMNS = [f"{band}の{sex}" for band in BANDS for sex, _ in SEXES]
COLUMNS = [
    "全国地方公共団体コード",
    "地域コード",
    "地方公共団体名",
    "調査年月日",
    "地域名",
    "総人口",
    "男性",
    "女性",
    *BAND_COLUMNS,
    "世帯数",
    "備考",
]
COUNTS = ["総人口", "男性", "女性", *BAND_COLUMNS, "世帯数"]
WHOLE = "000000"  # 地域コード of the municipality's own row
NOTE = "空欄は秘匿（3未満の数と、それを差し引きで明かす数）"


def _band(register_band: str) -> str:
    low = int(register_band.rstrip("+").split("-")[0])
    return BANDS[-1] if low >= TOP else f"{low}-{low + 4}歳"


def counts(on: date) -> tuple[dict[str, str], dict[tuple[str, str], int]]:
    """(area code → area name, (area code, column) → count) on ``on``, the whole
    municipality as area :data:`WHOLE`."""
    stats = registry.population(on)
    names: dict[str, str] = {}
    cells: dict[tuple[str, str], int] = {}
    for (town, name, band, sex), n in stats["cells"].items():
        if band == "unborn":
            continue
        names[town] = name
        label = LABEL[sex]
        for area in (town, WHOLE):
            for column in (f"{_band(band)}の{label}", label, "総人口"):
                cells[(area, column)] = cells.get((area, column), 0) + n
    for town, n in stats["households"].items():
        if town in names:
            cells[(town, "世帯数")] = n
            cells[(WHOLE, "世帯数")] = cells.get((WHOLE, "世帯数"), 0) + n
    for area in [WHOLE, *names]:
        for column in COUNTS:
            cells.setdefault((area, column), 0)
    return names, cells


def groups(areas: list[str]):
    """Each area's bands add up to its 男性 and 女性, those to its 総人口; each column of
    the 町字 adds up to the municipality's row."""
    found = []
    for label, _ in SEXES:
        found += table_groups(
            areas,
            [f"{band}の{label}" for band in BANDS],
            row_total=label,
            total_row=WHOLE,
        )
    found += table_groups(areas, ["男性", "女性"], row_total="総人口", total_row=WHOLE)
    found += table_groups(areas, [], row_total="世帯数", total_row=WHOLE)
    return found


def rows(code: str, municipality_name: str, on: date) -> list[dict]:
    """The dataset's rows on ``on``: the municipality first, then its 町字 by code."""
    names, cells = counts(on)
    areas = [WHOLE, *sorted(names)]
    hidden = suppress(cells, groups(areas))
    found = []
    for area in areas:
        row = {
            "全国地方公共団体コード": code,
            "地域コード": area,
            "地方公共団体名": municipality_name,
            "調査年月日": on.isoformat(),
            "地域名": municipality_name if area == WHOLE else names[area],
        }
        row.update({c: None if (area, c) in hidden else cells[(area, c)] for c in COUNTS})
        row["備考"] = NOTE if any((area, c) in hidden for c in COUNTS) else ""
        found.append({c: row[c] for c in COLUMNS})
    return found
