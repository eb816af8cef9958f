"""Life events (引越し, 出生, おくやみ) declared as data: which procedures apply, and why.

Each ``life_events/*.toml`` lists procedures with an optional condition on the
register (``when``) or a question only the resident can answer (``confirm``).
:func:`compute` evaluates them for one person's record on a date.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from jichi.common.errors import RuleViolation
from jichi.procedures.definitions import Text
from jichi.procedures.loading import CatalogError, _Reader, catalog
from jichi.procedures.prefill import age_on, household_of
from jichi.registry.models import PersonVersion

EVENTS_DIR = Path(__file__).resolve().parent / "life_events"
CONDITIONS = (
    "has_children_under",  # :N   a household member other than the person, younger than N
    "has_children_between",  # :A:B  a member other than the person aged A to B
    "has_member_aged_at_least",  # :N  a member (the person included) aged N or more
    "is_household_head",
)


@dataclass(frozen=True)
class Rule:
    procedure: str
    reason: Text
    when: str = ""  # a condition, "not:" negates
    confirm: Text | None = None


@dataclass(frozen=True)
class LifeEvent:
    id: str
    name: Text
    rules: tuple[Rule, ...]


def parse(file: str, raw: bytes, known: set[str]) -> LifeEvent:
    top = _Reader(file, tomllib.loads(raw.decode("utf-8")))
    top.unknown({"id", "name", "procedures"})
    rules = []
    for i, item in enumerate(top.get("procedures", list, check=bool, rule="needs a procedure")):
        r = _Reader(file, item, f"procedures[{i}].")
        r.unknown({"procedure", "reason", "when", "confirm"})
        rule = Rule(
            procedure=r.get("procedure", str, check=known.__contains__, rule="unknown procedure"),
            reason=r.text("reason"),
            when=r.get("when", str, "", check=_valid_condition, rule="unknown condition"),
            confirm=r.text("confirm", None),
        )
        rules.append(rule)
    return LifeEvent(top.get("id", str), top.text("name"), tuple(rules))


def _valid_condition(text: str) -> bool:
    name, *args = text.removeprefix("not:").split(":")
    return name in CONDITIONS and all(a.isdigit() for a in args)


@cache
def life_events() -> dict[str, LifeEvent]:
    known = set(catalog())
    events = {}
    for path in sorted(EVENTS_DIR.glob("*.toml")):
        event = parse(path.name, path.read_bytes(), known)
        if event.id != path.stem:
            raise CatalogError(path.name, "id", f"must equal the file name ({path.stem})")
        events[event.id] = event
    return events


def life_event(event_id: str) -> LifeEvent:
    found = life_events().get(event_id)
    if found is None:
        raise RuleViolation(
            "life_event.not_found",
            f"ライフイベント「{event_id}」はありません。",
            f"There is no life event {event_id!r}.",
            "event",
            status=404,
        )
    return found


def holds(condition: str, version: PersonVersion, on: date) -> bool:
    if condition.startswith("not:"):
        return not holds(condition[4:], version, on)
    name, *args = condition.split(":")
    numbers = [int(a) for a in args]
    members = household_of(version, on)
    others = [m for m in members if m.person_id != version.person_id]
    if name == "has_children_under":
        return any(age_on(m.birth_date, on) < numbers[0] for m in others)
    if name == "has_children_between":
        return any(numbers[0] <= age_on(m.birth_date, on) <= numbers[1] for m in others)
    if name == "has_member_aged_at_least":
        return any(age_on(m.birth_date, on) >= numbers[0] for m in members)
    return version.is_head


@dataclass(frozen=True)
class Applicable:
    procedure: str
    status: str  # applies | to_confirm
    reasons: list[Text]
    question: Text | None = None


def compute(event_id: str, version: PersonVersion, on: date) -> list[Applicable]:
    """The procedures of ``event_id`` that apply to this person on ``on``, with the reasons.

    A rule whose ``when`` fails is left out; a rule with ``confirm`` is listed as
    ``to_confirm`` with its question. A procedure listed twice is merged.
    """
    found: dict[str, Applicable] = {}
    for rule in life_event(event_id).rules:
        if rule.when and not holds(rule.when, version, on):
            continue
        status = "to_confirm" if rule.confirm else "applies"
        before = found.get(rule.procedure)
        if before is not None:
            status = "applies" if "applies" in (status, before.status) else status
            reasons = [*before.reasons, rule.reason]
        else:
            reasons = [rule.reason]
        found[rule.procedure] = Applicable(rule.procedure, status, reasons, rule.confirm)
    return list(found.values())
