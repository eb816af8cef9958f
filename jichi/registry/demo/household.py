"""A household as planned: its members and events, and the draft it is drawn in."""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass(slots=True)
class Member:
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
class Event:
    on: int
    reason: str
    members: tuple[int, ...]  # () = every member present on the day
    changes: dict
    successor: int | None = None  # becomes 世帯主 in the same movement


@dataclass
class Plan:
    key: str  # the seed of the household's random streams
    members: list[Member]
    events: list[Event]
    address: dict

    @property
    def residents(self) -> int:
        return sum(m.resident for m in self.members)

    def cut(self, residents: int) -> Plan:
        """The first members (head first) that hold ``residents`` residents."""
        kept, count = [], 0
        for member in self.members:
            if count == residents:
                break
            kept.append(member)
            count += member.resident
        return Plan(self.key, kept, self.events, self.address)


class Draft:
    """A household being drawn: its random streams, members, events and taken days."""

    def __init__(self, key: str, rng: random.Random, places_rng: random.Random) -> None:
        self.key = key
        self.rng = rng
        self.places_rng = places_rng
        self.foreign = ""  # the nationality of a foreign household
        self.from_abroad = ""  # the country it came from (国外転入)
        self.seeded = ""  # the Faker locale seeded for it
        self.members: list[Member] = []
        self.events: list[Event] = []
        self.taken: set[int] = set()
        self.founded = 0

    def add(self, role: str, sex: str, birth: int, relationship: str, head: bool = False):
        member = Member(role, sex, birth, relationship, head)
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
        self.events.append(Event(on, reason, tuple(members), changes or {}, successor))


def later(ordinal: int, years: float) -> int:
    """The day ``years`` (a fraction, negative for earlier) after day ``ordinal``."""
    return ordinal + int(years * 365.25)
