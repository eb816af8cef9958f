"""誤記修正: a wrong record is corrected by a new recording; what was known stays readable."""

from datetime import date, timedelta
from itertools import pairwise

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jichi.registry import selectors, services
from jichi.registry.codes import Reason
from jichi.registry.models import Movement, MovementSubject, PersonVersion
from jichi.registry.schemas import AddressIn, CorrectionIn, NameChangeIn, RelocationIn
from jichi.tenancy.context import tenant_scope
from tests.registry.people import arrival, days_ago, family, person, record, refusal, today


def correction(who, changes, valid_from=None, valid_to=None, note="届書の誤記") -> CorrectionIn:
    return CorrectionIn(
        person=who.number,
        valid_from=valid_from or days_ago(30),
        valid_to=valid_to,
        changes=changes,
        note=note,
    )


def relocation(people, town, effective_on) -> RelocationIn:
    return RelocationIn(
        effective_on=effective_on,
        persons=[p.number for p in people],
        address=AddressIn(town=town, block="1番"),
    )


def on(municipality, who, day, recorded_at=None):
    with tenant_scope(municipality.code):
        return selectors.person_on(who, on=day, recorded_at=recorded_at)


def periods(municipality, who, recorded_at=None) -> list[tuple[date, date | None]]:
    with tenant_scope(municipality.code):
        return [(v.valid_from, v.valid_to) for v in selectors.timeline(who, recorded_at)]


def assert_gapless(spans: list[tuple[date, date | None]], first: date) -> None:
    assert spans[0][0] == first
    for (_, end), (start, _) in pairwise(spans):
        assert end == start
    assert all(end is None or start < end for start, end in spans)
    assert spans[-1][1] is None


def test_correction_over_the_whole_period_keeps_what_was_known_before(yokohama):
    move_in, (head, _wife, _child) = family(yokohama)
    known_before = move_in.recorded_at

    movement = record(
        yokohama, services.record_correction, correction(head, {"given_name": "太朗"})
    )

    assert movement.reason == Reason.CLERICAL_CORRECTION
    assert movement.effective_on == days_ago(30) and movement.note == "届書の誤記"
    assert on(yokohama, head, today()).given_name == "太朗"
    assert on(yokohama, head, days_ago(30)).given_name == "太朗"
    assert on(yokohama, head, today(), recorded_at=known_before).given_name == "太郎"
    assert on(yokohama, head, days_ago(30), recorded_at=known_before).given_name == "太郎"
    with tenant_scope(yokohama.code):
        history = selectors.history(head)
    assert [(v.given_name, v.superseded_at is not None) for v in history] == [
        ("太郎", True),
        ("太朗", False),
    ]
    assert history[0].superseded_at == movement.recorded_at
    assert history[1].kanji_key != history[0].kanji_key  # the key follows the name


def test_correction_of_a_period_in_the_middle_changes_only_that_period(yokohama):
    _, people = family(yokohama)
    head = people[0]
    record(yokohama, services.record_relocation, relocation(people, "中区山下町", days_ago(20)))
    record(
        yokohama, services.record_relocation, relocation(people, "西区みなとみらい", days_ago(10))
    )

    record(
        yokohama,
        services.record_correction,
        correction(head, {"given_name": "太朗"}, valid_from=days_ago(25), valid_to=days_ago(15)),
    )

    expected = {
        30: ("太郎", "中区元町"),
        26: ("太郎", "中区元町"),
        25: ("太朗", "中区元町"),
        20: ("太朗", "中区山下町"),
        16: ("太朗", "中区山下町"),
        15: ("太郎", "中区山下町"),
        10: ("太郎", "西区みなとみらい"),
        0: ("太郎", "西区みなとみらい"),
    }
    for ago, values in expected.items():
        version = on(yokohama, head, days_ago(ago))
        assert (version.given_name, version.town_name) == values, ago
    assert periods(yokohama, head) == [
        (days_ago(30), days_ago(25)),
        (days_ago(25), days_ago(20)),
        (days_ago(20), days_ago(15)),
        (days_ago(15), days_ago(10)),
        (days_ago(10), None),
    ]
    assert on(yokohama, people[1], days_ago(20)).given_name == "花子"


def test_correction_starting_before_the_first_record_is_refused(yokohama):
    _, (head, _wife, _child) = family(yokohama)

    error = refusal(
        yokohama,
        services.record_correction,
        correction(head, {"given_name": "太朗"}, valid_from=days_ago(31)),
    )

    assert (error.code, error.field) == ("valid_from.before_record", "valid_from")


@pytest.mark.parametrize("length", [0, -1])
def test_correction_ending_on_or_before_its_start_is_refused(yokohama, length):
    _, (head, _wife, _child) = family(yokohama)

    error = refusal(
        yokohama,
        services.record_correction,
        correction(
            head,
            {"given_name": "太朗"},
            valid_from=days_ago(20),
            valid_to=days_ago(20) + timedelta(days=length),
        ),
    )

    assert (error.code, error.field) == ("valid_to.order", "valid_to")


def test_correction_of_sex_to_an_unknown_code_is_refused(yokohama):
    _, (head, _wife, _child) = family(yokohama)

    error = refusal(yokohama, services.record_correction, correction(head, {"sex": "3"}))

    assert (error.code, error.field) == ("sex.invalid", "changes.sex")


def test_refused_corrections_change_nothing(yokohama):
    _, (head, _wife, _child) = family(yokohama)
    with tenant_scope(yokohama.code):
        before = (Movement.objects.count(), PersonVersion.objects.count())

    refusal(yokohama, services.record_correction, correction(head, {"sex": "3"}))
    refusal(
        yokohama,
        services.record_correction,
        correction(head, {"family_name_kana": "やまだ"}, valid_from=days_ago(10)),
    )

    with tenant_scope(yokohama.code):
        assert (Movement.objects.count(), PersonVersion.objects.count()) == before


def test_correction_of_the_birth_date_accepts_the_japanese_era(yokohama):
    _, (head, _wife, _child) = family(yokohama)

    record(yokohama, services.record_correction, correction(head, {"birth_date": "昭和55年4月2日"}))

    corrected = on(yokohama, head, today())
    assert (corrected.birth_date, corrected.birth_precision) == (date(1980, 4, 2), "day")
    assert on(yokohama, head, days_ago(30)).birth_date == date(1980, 4, 2)


# --- the timeline stays gapless, whatever is recorded ---------------------------------

ARRIVED = 40  # days ago
TOWNS = ["中区元町", "中区山下町", "西区みなとみらい"]
GIVEN_NAMES = [("太郎", "タロウ"), ("太朗", "タロウ"), ("健", "ケン")]


@st.composite
def histories(draw) -> list[tuple]:
    """A few movements and corrections with non-decreasing 異動日 (in days ago)."""
    steps = []
    day = ARRIVED
    for _ in range(draw(st.integers(1, 5))):
        day -= draw(st.integers(1, 6))
        kind = draw(st.sampled_from(["relocation", "name_change", "correction"]))
        if kind == "relocation":
            steps.append((kind, day, draw(st.sampled_from(TOWNS))))
        elif kind == "name_change":
            steps.append((kind, day, draw(st.sampled_from(GIVEN_NAMES))))
        else:
            start = draw(st.integers(day, ARRIVED))
            end = draw(st.none() | st.integers(day, start - 1)) if start > day else None
            changes = draw(
                st.sampled_from(
                    [{"block": f"{day}番"}, {"given_name": "太朗"}, {"building": "元町ハイツ"}]
                )
            )
            steps.append((kind, day, (start, end, changes)))
    return steps


def apply(municipality, who, kind: str, day: int, detail) -> None:
    if kind == "relocation":
        notice = relocation([who], detail, days_ago(day))
        record(municipality, services.record_relocation, notice)
    elif kind == "name_change":
        given, kana = detail
        notice = NameChangeIn(
            effective_on=days_ago(day),
            person=who.number,
            family_name="山田",
            given_name=given,
            family_name_kana="ヤマダ",
            given_name_kana=kana,
        )
        record(municipality, services.record_name_change, notice)
    else:
        start, end, changes = detail
        valid_to = None if end is None else days_ago(end)
        notice = correction(who, changes, valid_from=days_ago(start), valid_to=valid_to)
        record(municipality, services.record_correction, notice)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=histories())
def test_timeline_stays_gapless_and_without_overlaps(yokohama, steps):
    with transaction.atomic():
        movement = record(
            yokohama,
            services.record_move_in,
            arrival(person(), effective_on=days_ago(ARRIVED), notified_on=days_ago(ARRIVED)),
        )
        with tenant_scope(yokohama.code):
            who = MovementSubject.objects.select_related("person").get(movement=movement).person

        for kind, day, detail in steps:
            apply(yokohama, who, kind, day, detail)

        assert_gapless(periods(yokohama, who), days_ago(ARRIVED))
        with tenant_scope(yokohama.code):
            history = selectors.history(who)
            # What the office knew after each recording was gapless too.
            for recorded_at in sorted({v.recorded_at for v in history}):
                assert_gapless(periods(yokohama, who, recorded_at), days_ago(ARRIVED))
        assert len({v.history_no for v in history}) == len(history)
        transaction.set_rollback(True)


def test_correction_starting_in_the_future_is_refused(yokohama):
    _, (head, *_) = family(yokohama)
    error = refusal(
        yokohama,
        services.record_correction,
        correction(head, {"given_name": "太朗"}, valid_from=today() + timedelta(days=100)),
    )
    assert (error.code, error.field) == ("valid_from.future", "valid_from")
