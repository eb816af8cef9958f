"""The planner: who lives in household ``h`` of a seed, and what happened to them."""

from __future__ import annotations

import random
from datetime import date

from faker import Faker

from jichi.registry.codes import Reason, ResidentKind, ResidentStatus
from jichi.registry.demo.household import Draft, Member, Plan, later
from jichi.registry.demo.people import Identities, Places
from jichi.registry.demo.tables import (
    HISTORY_YEARS,
    P_CHILD_LEFT,
    P_FOREIGN,
    P_GONE,
    P_MIXED,
    P_PARENT_DIED,
    P_SPOUSE_LATER,
    P_WIDOWED,
    RECENT_DAYS,
    REGISTER_OF_FOREIGNERS,
    TABLES,
    Table,
)
from jichi.registry.relationships import HEAD, LODGER
from jichi.registry.selectors import years_before

OTHER_SEX = {"1": "2", "2": "1"}
SPOUSE_OF = {"1": "夫", "2": "妻"}  # the 続柄 of a spouse of this sex


def _moving_out(on: int, destination: str) -> dict:
    return {
        "status": ResidentStatus.MOVED_OUT,
        "destination_address": destination,
        "planned_move_out_on": date.fromordinal(on),
    }


class Planner:
    """Draws household ``h`` of a seed: the same people whatever the municipality."""

    def __init__(self, code: str, seed: int, today: date) -> None:
        self.seed, self.today = seed, today
        self.now = today.toordinal()
        self.last = self.now - RECENT_DAYS
        self.first = years_before(today, HISTORY_YEARS).toordinal()
        self.fake = Faker("ja_JP")
        self.places = Places(code, seed)
        self.identities = Identities(self.places, now=self.now, last=self.last)
        self.tables = {name: Table(items) for name, items in TABLES.items()}

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

    def partner_birth(self, rng: random.Random, of: Member) -> int:
        """A spouse's birthday: husbands about two years older than their wives."""
        gap = min(10.0, max(-6.0, rng.gauss(2.2, 3.0)))
        birth = later(of.birth, gap if of.sex == "1" else -gap) + rng.randint(-180, 180)
        return self.adult(rng, birth)

    def adult(self, rng: random.Random, birth: int) -> int:
        """``birth``, or a birthday of a 20-year-old if that would be younger."""
        youngest = years_before(self.today, 20).toordinal()
        return birth if birth <= youngest else youngest - rng.randint(0, 364)

    def found(self, draft: Draft, head: Member, floor: int = 0) -> int:
        """The day the household moved in: recent moves are the most frequent."""
        age = (self.now - head.birth) / 365.25
        low, high = max(later(head.birth, 18), self.first, floor), self.last - 1
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

    def household(self, index: int) -> Plan:
        key = f"jichi-demo:{self.seed}:{index}"
        self.fake.seed_instance(key)
        draft = Draft(key, self.fake.random, random.Random(key + ":places"))
        if draft.rng.random() < P_FOREIGN:
            self._foreign(draft)
        else:
            self._japanese(draft)
        self._origins(draft)
        end = self._gone_on(draft)
        address = self._relocations(draft, end)
        if end is not None:
            self._leave_all(draft, end)
        return Plan(key, draft.members, draft.events, address)

    def _japanese(self, draft: Draft) -> None:
        shape = self.pick(draft.rng, "shapes")
        getattr(self, f"_shape_{shape}")(draft, newcomer=False, floor=0)
        self._arrival_days(draft)
        self.identities.dress_japanese(draft)
        spouse = next((m for m in draft.members if m.role == "spouse" and m.resident), None)
        if spouse is not None and draft.members[0].resident and draft.rng.random() < P_MIXED:
            self.identities.dress_foreign_spouse(draft, spouse)

    def _foreign(self, draft: Draft) -> None:
        rng = draft.rng
        nationality = self.pick(rng, "nationalities")
        special = nationality == "韓国" and rng.random() < 0.35  # 特別永住者
        shape = self.pick(rng, "shapes" if special else "foreign_shapes")
        getattr(self, f"_shape_{shape}")(draft, newcomer=not special, floor=REGISTER_OF_FOREIGNERS)
        self._arrival_days(draft)
        self.identities.dress_foreign(draft, nationality, special)

    # --- shapes (members, head first; ages; who left or died)

    def _head(self, draft: Draft, table: str, sex: str) -> Member:
        return draft.add("head", sex, self.birth(draft.rng, table), HEAD, head=True)

    def _spouse(self, draft: Draft, of: Member, role="spouse", relationship="") -> Member:
        sex = OTHER_SEX[of.sex]
        birth = self.partner_birth(draft.rng, of)
        return draft.add(role, sex, birth, relationship or SPOUSE_OF[sex])

    def _shape_single(self, draft: Draft, newcomer: bool, floor: int) -> None:
        rng = draft.rng
        birth = self.birth(rng, "foreign_single" if newcomer else "single")
        old = (self.now - birth) / 365.25 >= 60
        head = draft.add(
            "head", "1" if rng.random() < (0.32 if old else 0.58) else "2", birth, HEAD, True
        )
        self.found(draft, head, floor)
        if not newcomer and (self.now - birth) / 365.25 >= 70 and rng.random() < P_WIDOWED:
            self._widowed(draft, head)

    def _widowed(self, draft: Draft, survivor: Member) -> None:
        """The survivor's spouse died here; a widow became 世帯主 when her husband died."""
        died = draft.day(draft.founded + 365, self.last)
        if died is None:
            return
        partner = Member(
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

    def _shape_couple(self, draft: Draft, newcomer: bool, floor: int) -> None:
        rng = draft.rng
        head = self._head(
            draft, "foreign_family" if newcomer else "couple", "1" if rng.random() < 0.88 else "2"
        )
        spouse = self._spouse(draft, head)
        founded = self.found(draft, head, floor)
        if rng.random() < P_SPOUSE_LATER:  # married later, moved in then
            spouse.arrival = draft.day(max(founded + 365, later(spouse.birth, 20)), self.last) or 0

    def _shape_family(self, draft: Draft, newcomer: bool, floor: int, single: bool = False) -> None:
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

    def _shape_single_parent(self, draft: Draft, newcomer: bool, floor: int) -> None:
        self._shape_family(draft, newcomer, floor, single=True)

    def _children(
        self, draft: Draft, parents: list[Member], role: str, relationship: str
    ) -> list[Member]:
        """1–4 children born when each parent was 20 to 45 (mothers around 30 at the first)."""
        rng = draft.rng
        low = later(max(p.birth for p in parents), 20)
        high = min(later(min(p.birth for p in parents), 45), self.last)
        if low > high:
            return []
        mother = next((p for p in parents if p.sex == "2"), parents[0])
        birth = max(later(mother.birth, rng.uniform(24, 36)), low)
        if birth > high:  # a young mother: the first child came earlier than most
            birth = rng.randint(low, high)
        children = []
        for _ in range(self.pick(rng, "children")):
            if birth > high:
                break
            children.append(draft.add(role, rng.choice("12"), birth, relationship))
            birth = later(birth, rng.uniform(1, 5))
        return children

    def _child_left(self, draft: Draft, parents: list[Member]) -> None:
        """An elder child who grew up here and moved out (転出)."""
        rng = draft.rng
        children = [m for m in draft.members if m.role == "child"]
        birth = later(
            children[0].birth if children else later(parents[0].birth, 30), -rng.uniform(1, 4)
        )
        if birth < later(max(p.birth for p in parents), 20):
            return
        arrival = max(birth, draft.founded)
        left = draft.day(max(later(birth, 18), arrival + 60), self.last)
        if left is None:
            return
        child = draft.add("child", rng.choice("12"), birth, "子")
        child.leaves = left
        destination = self.places.elsewhere_address(draft.places_rng)
        draft.event(
            left, Reason.MOVE_OUT, (len(draft.members) - 1,), _moving_out(left, destination)
        )

    def _shape_extended(self, draft: Draft, newcomer: bool, floor: int) -> None:
        variant = self.pick(draft.rng, "extended")
        getattr(self, f"_extended_{variant}")(draft, floor)

    def _extended_parents(self, draft: Draft, floor: int) -> None:
        """A middle-aged couple (and children) with the head's father and/or mother."""
        rng = draft.rng
        head = self._head(draft, "middle_aged", "1" if rng.random() < 0.85 else "2")
        parents = [head, self._spouse(draft, head)] if rng.random() < 0.8 else [head]
        founded = self.found(draft, head, floor)
        if rng.random() < 0.6:
            self._children(draft, parents, "child", "子")
        father_birth = later(head.birth, -rng.uniform(22, 40))
        oldest = years_before(self.today, 99).toordinal()  # nobody over 99 here
        if father_birth < oldest:
            father_birth = oldest + rng.randint(0, 364)
        mother_birth = min(later(father_birth, rng.uniform(0, 5)), later(head.birth, -20))
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

    def _extended_grandchildren(self, draft: Draft, floor: int) -> None:
        """An elderly head with a son, his wife (who married in) and their children."""
        rng = draft.rng
        head = self._head(draft, "elderly", "1" if rng.random() < 0.75 else "2")
        parents = (
            [head, self._spouse(draft, head)] if head.sex == "1" and rng.random() < 0.75 else [head]
        )
        founded = self.found(draft, head, floor)
        son_birth = later(max(p.birth for p in parents), rng.uniform(25, 38))
        if son_birth > years_before(self.today, 22).toordinal():
            return
        son = draft.add("child", "1", son_birth, "子")
        wife = self._spouse(draft, son, role="child_spouse", relationship="子の妻")
        grandchildren = self._children(draft, [son, wife], "grandchild", "子の子")
        if rng.random() < 0.6:  # she married in
            high = min([g.birth for g in grandchildren] + [self.last + 200]) - 200
            wife.arrival = draft.day(max(founded + 30, later(wife.birth, 20)), high) or 0

    def _extended_siblings(self, draft: Draft, floor: int) -> None:
        rng = draft.rng
        head = self._head(draft, "siblings", rng.choice("12"))
        for _ in range(1 if rng.random() < 0.8 else 2):
            birth = later(head.birth, rng.choice((-1, 1)) * rng.uniform(1, 10))
            birth = self.adult(rng, birth)
            sex = rng.choice("12")
            words = ("兄", "姉") if birth < head.birth else ("弟", "妹")
            draft.add("sibling", sex, birth, words[int(sex) - 1])
        self.found(draft, head, floor)

    def _extended_lodger(self, draft: Draft, floor: int) -> None:
        rng = draft.rng
        head = self._head(draft, "single", rng.choice("12"))
        draft.add("lodger", rng.choice("12"), self.birth_at(rng, rng.randint(20, 60)), LODGER)
        self.found(draft, head, floor)

    # --- arrivals, departures, moves

    def _arrival_days(self, draft: Draft) -> None:
        """Members born after the household moved in arrive by 出生, the others with it."""
        for member in draft.members:
            if member.arrival:
                continue
            if member.birth >= draft.founded:
                member.arrival, member.reason = member.birth, Reason.BIRTH
                draft.taken.add(member.birth)
            else:
                member.arrival = draft.founded

    def _origins(self, draft: Draft) -> None:
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

    def _elsewhere(self, draft: Draft) -> str:
        return self.places.elsewhere_address(draft.places_rng)

    def _gone_on(self, draft: Draft) -> int | None:
        """The day the whole household left (or its last member died), for a few."""
        if draft.rng.random() >= P_GONE:
            return None
        busy = [m.arrival for m in draft.members] + [e.on for e in draft.events]
        return draft.day(max(max(busy) + 60, self.last - 3650), self.last)

    def _leave_all(self, draft: Draft, on: int) -> None:
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

    def _relocations(self, draft: Draft, end: int | None) -> dict:
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
