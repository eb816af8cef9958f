"""Who the residents are and where they live: Japanese and foreign names with
readings, the municipality's 町字 and other municipalities, 本籍 and 筆頭者, nationality
and 在留資格."""

from __future__ import annotations

import random
import unicodedata
import zlib
from bisect import bisect
from datetime import date

from faker import Faker
from faker.providers.address.ja_JP import Provider as JapaneseAddresses
from faker.providers.person.ja_JP import Provider as JapaneseNames

from jichi.registry.codes import Article30_45, Reason, ResidenceStatus, ResidentKind
from jichi.registry.demo.errors import DemoError
from jichi.registry.demo.household import Draft, Member, later
from jichi.registry.demo.tables import (
    ERA_STARTS,
    FAKER_LOCALE,
    FAMILY_STATUSES,
    FOREIGN_NAMES,
    GIVEN_NAMES,
    KEEPS_OWN_SURNAME,
    MIXED_NATIONALITIES,
    MORE_SURNAMES,
    NEWCOMER_STATUSES,
    P_BUILDING,
    P_FAKER_GIVEN,
    P_NAME_CHANGE,
    PERIODS,
    STATUSES,
    Table,
    word_pairs,
)
from jichi.registry.towns import Town, towns_of
from jichi.tenancy.national import Kind, national_index, national_list

LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def _ascii_upper(text: str) -> str:
    """``Nguyễn Đức`` → ``NGUYEN DUC``: what a residence card's Latin name looks like."""
    text = text.replace("Đ", "D").replace("đ", "d")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.upper().replace("_", " ").split())


class Names:
    """Japanese family and given names with readings, from Faker ja_JP and by era."""

    def __init__(self) -> None:
        pairs = [((k, kana), w) for (k, kana, _r), w in JapaneseNames.last_name_pairs.items()]
        more = word_pairs(MORE_SURNAMES)
        pairs += [(pair, 54_000 - 480 * i) for i, pair in enumerate(more)]
        self.surnames = Table([(pair, weight) for pair, weight in pairs])
        faker = {
            "1": [(k, kana) for k, kana, _r in JapaneseNames.first_name_male_pairs],
            "2": [(k, kana) for k, kana, _r in JapaneseNames.first_name_female_pairs],
        }
        self.faker = faker
        self.eras = {key: word_pairs(text) for key, text in GIVEN_NAMES.items()}

    def surname(self, rng: random.Random) -> tuple[str, str]:
        return self.surnames.pick(rng)

    def given(self, rng: random.Random, sex: str, birth: int) -> tuple[str, str]:
        year = date.fromordinal(birth).year
        era = bisect(ERA_STARTS, year)
        pool = self.faker[sex] if rng.random() < P_FAKER_GIVEN[era] else self.eras[(sex, era)]
        return rng.choice(pool)


class Places:
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


class Identities:
    """Who the members of a household are: names, 本籍 and 筆頭者, nationality, 在留資格."""

    def __init__(self, places: Places, *, now: int, last: int) -> None:
        self.places, self.now, self.last = places, now, last
        self.names = Names()
        self.fakers: dict[str, Faker] = {}
        self.mixed_nationalities = Table(MIXED_NATIONALITIES)
        self.statuses = {nat: Table(items) for nat, items in STATUSES.items()}
        self.foreign_names = {key: word_pairs(text) for key, text in FOREIGN_NAMES.items()}

    def dress_japanese(self, draft: Draft) -> None:
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

    def _koseki(self, draft: Draft, family: str, full: list[str]) -> list[tuple[str, str]]:
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
            keeper = man(later(head.birth, -30))  # still in the parents' 戸籍
        else:
            keeper = full[0]
        fathers = [i for i, m in enumerate(members) if m.role == "parent" and m.sex == "1"]
        elders_home = home if rng.random() < 0.5 else self.places.domicile(prng)
        elders = (elders_home, full[fathers[0]] if fathers else man(later(head.birth, -30)))
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

    def _name_change(self, draft: Draft, given: list) -> tuple | None:
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

    def _foreign_name(self, draft: Draft, nationality: str, part: str) -> tuple[str, str]:
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

    def _faker(self, draft: Draft, locale: str) -> Faker:
        fake = self.fakers.get(locale)
        if fake is None:
            fake = self.fakers[locale] = Faker(locale)
        if draft.seeded != locale:
            fake.seed_instance(f"{draft.key}:{locale}")
            draft.seeded = locale
        return fake

    def _foreign_items(self, draft: Draft, member: Member, nationality: str, family: tuple) -> dict:
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

    def dress_foreign(self, draft: Draft, nationality: str, special: bool) -> None:
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

    def dress_foreign_spouse(self, draft: Draft, spouse: Member) -> None:
        """A Japanese household whose head married a foreign national."""
        rng = draft.rng
        nationality = self.mixed_nationalities.pick(rng)
        family = self._foreign_name(draft, nationality, "family")
        old_name = spouse.items["family_name"] + spouse.items["given_name"]
        spouse.items = self._foreign_items(draft, spouse, nationality, family)
        head = draft.members[0]
        for m in draft.members:  # the Japanese spouse keeps the 戸籍 (筆頭者)
            if m.items.get("domicile_head") == old_name:
                m.items["domicile_head"] = head.items["family_name"] + head.items["given_name"]
        status = (
            ResidenceStatus.SPOUSE_OF_JAPANESE
            if rng.random() < 0.6
            else ResidenceStatus.PERMANENT_RESIDENT
        )
        spouse.items.update(self._status_items(draft, draft.members.index(spouse), status))

    def _head_status(self, draft: Draft, nationality: str) -> ResidenceStatus:
        table = self.statuses[nationality]
        for _ in range(10):
            status = table.pick(draft.rng)
            if len(draft.members) == 1 or status in FAMILY_STATUSES:
                return status
        return ResidenceStatus.PERMANENT_RESIDENT

    def _status_items(self, draft: Draft, index: int, status: ResidenceStatus) -> dict:
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

    def _status_from_birth(self, draft: Draft, index: int, items: dict) -> None:
        """A child born here is 出生による経過滞在者 until its status is granted (43)."""
        member = draft.members[index]
        if member.reason != Reason.BIRTH:
            member.items.update(items)
            return
        member.items["article_30_45"] = Article30_45.TRANSITIONAL_BY_BIRTH
        on = draft.day(member.birth + 30, min(member.birth + 55, self.last))
        if on is not None:
            draft.event(on, Reason.RESIDENCE_STATUS_CHANGE, (index,), items)


def _card(rng: random.Random) -> str:
    """在留カード等番号: 2 letters, 8 digits, 2 letters."""
    letters = rng.choices(LETTERS, k=4)
    return f"{letters[0]}{letters[1]}{rng.randrange(10**8):08d}{letters[2]}{letters[3]}"


def _dependent(status: ResidenceStatus, member: Member, rng: random.Random) -> ResidenceStatus:
    """The 在留資格 of a family member of a holder of ``status``."""
    if status == ResidenceStatus.PERMANENT_RESIDENT:
        if member.role == "spouse" and rng.random() < 0.4:
            return ResidenceStatus.SPOUSE_OF_PERMANENT
        return ResidenceStatus.PERMANENT_RESIDENT
    if status == ResidenceStatus.LONG_TERM_RESIDENT:
        return ResidenceStatus.LONG_TERM_RESIDENT
    return ResidenceStatus.DEPENDENT
