"""The run: households planned and written one batch at a time, each batch in one
transaction with the marker rows that make the run resumable; its one audit entry."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db import connection, reset_queries, transaction
from django.utils import timezone

from jichi.audit.services import record as audit
from jichi.registry.demo.errors import DemoError
from jichi.registry.demo.planner import Planner
from jichi.registry.demo.rows import ACTOR, Rows
from jichi.registry.models import NumberSequence
from jichi.tenancy.context import tenant_scope

BATCH_RESIDENTS = 5_000
SQLITE_CACHE_KIB = 131_072  # SQLite page cache of the generating connection (128 MiB)
MARK_RESIDENTS = "demo:residents"
MARK_NEXT = "demo:next-household"
MARK_SEED = "demo:seed"
MARK_DAY = "demo:reference-day"


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

    Idempotent and resumable (see the package docstring): what is already there counts,
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
    planner = Planner(code, state.seed, state.reference_day)
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
            rows = Rows(
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
