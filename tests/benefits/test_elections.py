"""選挙人名簿: who is registered on which date, marks and removals, districts, API."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from jichi.audit.models import AuditEntry
from jichi.benefits.elections import selectors, services
from jichi.benefits.elections.models import ElectorEntry, EntryStatus, RemovalReason
from jichi.benefits.elections.rules import add_months
from jichi.common.ages import anniversary
from jichi.common.errors import RuleViolation
from jichi.registry import services as registry
from jichi.registry.schemas import AddressIn, DeathIn, DepartureIn, RelocationIn
from jichi.tenancy.context import tenant_scope
from tests import factories
from tests.factories import SYSTEM, bearer
from tests.registry.people import arrival, days_ago, foreigner, person, record, today

MOTOMACHI, YAMASHITA = "14104001001", None  # 中区元町 (code looked up below)


def _town(name: str) -> str:
    from jichi.registry.towns import find_town

    return find_town("141003", name).code


def _resident(municipality, *, born: date, since: date, **items):
    notice = arrival(
        person(birth_date=born.isoformat(), **items),
        effective_on=since,
        notified_on=min(today(), since + timedelta(days=10)),
    )
    movement = record(municipality, registry.record_move_in, notice)
    from jichi.registry.selectors import persons_of

    with tenant_scope(municipality.code):
        return persons_of(movement)[0]


def _register(municipality, on=None, kind="election"):
    with tenant_scope(municipality.code):
        return services.register(
            municipality=municipality, actor=SYSTEM, reference_date=on or today(), kind=kind
        )


def _entry(municipality, resident):
    with tenant_scope(municipality.code):
        return ElectorEntry.objects.filter(number=resident.number).first()


def _eighteen_on(on: date) -> date:
    """The birth date of someone who attains 18 exactly on ``on``."""
    return anniversary(on + timedelta(days=1), -18)


def test_eighteen_on_the_reference_date_is_registered_a_day_short_is_not(yokohama):
    long_ago = days_ago(400)
    just = _resident(yokohama, born=_eighteen_on(today()), since=long_ago)
    short = _resident(
        yokohama,
        born=_eighteen_on(today()) + timedelta(days=1),
        since=long_ago,
        given_name="次郎",
        given_name_kana="ジロウ",
    )
    registration = _register(yokohama)
    assert registration.added == 1
    assert _entry(yokohama, just) is not None and _entry(yokohama, short) is None


def test_three_months_of_residence_count_to_the_day(yokohama):
    born = date(1980, 5, 5)
    enough = _resident(yokohama, born=born, since=add_months(today(), -3))
    short = _resident(
        yokohama,
        born=born,
        since=add_months(today(), -3) + timedelta(days=1),
        given_name="次郎",
        given_name_kana="ジロウ",
    )
    _register(yokohama)
    assert _entry(yokohama, enough) is not None
    assert _entry(yokohama, short) is None  # moved in 3 months minus one day before


def test_foreign_residents_are_not_registered(yokohama):
    record(
        yokohama,
        registry.record_move_in,
        arrival(foreigner(), effective_on=days_ago(400), notified_on=days_ago(399)),
    )
    assert _register(yokohama).added == 0


def test_a_registration_is_made_once_and_periodic_ones_on_their_days(yokohama):
    _register(yokohama)
    with pytest.raises(RuleViolation) as again:
        _register(yokohama)
    assert again.value.code == "registration.exists" and again.value.status == 409
    with pytest.raises(RuleViolation) as wrong_day:
        _register(yokohama, on=date(2026, 3, 2), kind="periodic")
    assert wrong_day.value.code == "reference_date.periodic"
    with pytest.raises(RuleViolation) as future:
        _register(yokohama, on=today() + timedelta(days=1))
    assert future.value.code == "reference_date.future"
    last_periodic = max(
        date(y, m, 1)
        for y in (today().year - 1, today().year)
        for m in (3, 6, 9, 12)
        if date(y, m, 1) <= today()
    )
    assert _register(yokohama, on=last_periodic, kind="periodic").kind == "periodic"


def test_moving_out_marks_the_elector_and_four_months_later_removes_them(yokohama):
    elector = _resident(yokohama, born=date(1970, 1, 1), since=days_ago(800))
    _register(yokohama, on=days_ago(200))
    moved_on = days_ago(130)
    record(
        yokohama,
        registry.record_move_out,
        DepartureIn(persons=[elector.number], effective_on=moved_on, notified_on=moved_on),
    )
    entry = _entry(yokohama, elector)
    assert (entry.status, entry.displayed_on) == (EntryStatus.DISPLAYED, moved_on)
    before = add_months(moved_on, 4) - timedelta(days=1)
    _register(yokohama, on=before)
    assert _entry(yokohama, elector).status == EntryStatus.DISPLAYED  # 4 months less a day
    _register(yokohama, on=add_months(moved_on, 4))
    removed = _entry(yokohama, elector)
    assert (removed.status, removed.removal_reason) == (
        EntryStatus.REMOVED,
        RemovalReason.MOVED_OUT,
    )


def test_a_death_removes_the_elector_at_once(yokohama):
    elector = _resident(yokohama, born=date(1950, 1, 1), since=days_ago(800))
    _register(yokohama, on=days_ago(10))
    record(
        yokohama, registry.record_death, DeathIn(person=elector.number, effective_on=days_ago(2))
    )
    entry = _entry(yokohama, elector)
    assert (entry.status, entry.removal_reason, entry.removed_on) == (
        EntryStatus.REMOVED,
        RemovalReason.DECEASED,
        days_ago(2),
    )


def test_districts_map_towns_and_the_counts_follow_moves(yokohama):
    motomachi, yamashita = _town("中区元町"), _town("中区山下町")
    with tenant_scope(yokohama.code):
        services.set_districts(
            municipality=yokohama,
            actor=SYSTEM,
            districts=[
                {
                    "code": "01",
                    "name": "第1投票区",
                    "polling_place": "元町小学校",
                    "towns": [motomachi],
                },
                {"code": "02", "name": "第2投票区", "towns": [yamashita]},
            ],
        )
    man = _resident(yokohama, born=date(1980, 1, 1), since=days_ago(400))
    _resident(
        yokohama,
        born=date(1981, 1, 1),
        since=days_ago(400),
        sex="2",
        given_name="花子",
        given_name_kana="ハナコ",
    )
    _register(yokohama)
    with tenant_scope(yokohama.code):
        counts = selectors.counts()
    assert [(c["district"], c["men"], c["women"]) for c in counts] == [("01", 1, 1)]
    record(
        yokohama,
        registry.record_relocation,
        RelocationIn(
            persons=[man.number],
            effective_on=days_ago(1),
            notified_on=today(),
            address=AddressIn(town="中区山下町", block="1番地"),
            new_head=man.number,
            relationships={man.number: "世帯主"},
        ),
    )
    assert _entry(yokohama, man).district == "02"


@pytest.mark.parametrize(
    "district, code",
    [
        ({"code": "01", "name": "第1", "towns": ["99999999999"]}, "towns.unknown"),
        ({"code": "x1", "name": "第1", "towns": []}, "code.invalid"),
        ({"code": "01", "name": " ", "towns": []}, "name.required"),
    ],
)
def test_bad_districts_are_refused_naming_the_field(yokohama, district, code):
    with tenant_scope(yokohama.code), pytest.raises(RuleViolation) as refused:
        services.set_districts(municipality=yokohama, actor=SYSTEM, districts=[district])
    assert refused.value.code == code and refused.value.field.startswith("districts.0.")


def test_a_town_in_two_districts_is_refused(yokohama):
    town = _town("中区元町")
    with tenant_scope(yokohama.code), pytest.raises(RuleViolation) as refused:
        services.set_districts(
            municipality=yokohama,
            actor=SYSTEM,
            districts=[
                {"code": "01", "name": "一", "towns": [town]},
                {"code": "02", "name": "二", "towns": [town]},
            ],
        )
    assert refused.value.code == "towns.twice"


def test_the_api_registers_counts_and_shows_the_roll_with_an_audited_purpose(client, yokohama):
    _resident(yokohama, born=date(1980, 1, 1), since=days_ago(400))
    _, secret = factories.token(yokohama)
    base = "/api/v1/municipalities/141003/elections"
    made = client.post(
        base + "/registrations",
        {"reference_date": today().isoformat(), "kind": "election", "election": "市長選挙"},
        content_type="application/json",
        **bearer(secret),
    )
    assert made.status_code == 201 and made.json()["added"] == 1
    assert client.get(base + "/counts", **bearer(secret)).json()[0]["total"] == 1
    assert client.get(base + "/roll", **bearer(secret)).status_code == 400  # no purpose
    roll = client.get(base + "/roll", {"purpose": "名簿の調製"}, **bearer(secret)).json()
    assert [(r["name"], r["status"]) for r in roll] == [("山田 太郎", "registered")]
    with tenant_scope(yokohama.code):
        assert AuditEntry.objects.filter(action="electoral_roll.read").count() == 1
    _, reader = factories.token(yokohama, ["elections:read"])
    refused = client.post(
        base + "/registrations",
        {"reference_date": today().isoformat()},
        content_type="application/json",
        **bearer(reader),
    )
    assert refused.status_code == 403


def test_the_pages_show_counts_and_the_roll(client, yokohama):
    from jichi.tenancy.roles import Role

    _resident(yokohama, born=date(1980, 1, 1), since=days_ago(400))
    client.force_login(factories.staff(yokohama, Role.MUNICIPAL_ADMIN))
    saved = client.post(
        "/elections/districts", {"districts": f"01, 第1投票区, 元町小学校, {_town('中区元町')}"}
    )
    assert saved.status_code == 302
    answer = client.post(
        "/elections/register", {"reference_date": today().isoformat(), "kind": "election"}
    )
    assert answer.status_code == 302
    page = client.get("/elections/").content.decode()
    assert "選挙人名簿" in page and "第1投票区" in page
    assert "山田 太郎" not in client.get("/elections/roll/01").content.decode()  # no purpose yet
    roll = client.get("/elections/roll/01", {"purpose": "確認"}).content.decode()
    assert "山田 太郎" in roll and "1人" in roll


@pytest.mark.parametrize(
    "on, cutoff",
    [
        (date(2026, 6, 30), date(2026, 3, 31)),  # 31 March + 3 months ends on 30 June
        (date(2026, 5, 31), date(2026, 2, 28)),
        (date(2026, 3, 1), date(2025, 12, 1)),
    ],
)
def test_the_residence_cutoff_agrees_with_the_month_rule(on, cutoff):
    from jichi.benefits.elections.rules import resident_long_enough, resident_since_cutoff

    assert resident_since_cutoff(on) == cutoff
    assert resident_long_enough(cutoff, on) and not resident_long_enough(
        cutoff + timedelta(days=1), on
    )


def test_the_page_asks_for_a_reference_date_and_registers_nothing(client, yokohama):
    from jichi.benefits.elections.models import Registration
    from jichi.tenancy.roles import Role

    client.force_login(factories.staff(yokohama, Role.MUNICIPAL_ADMIN))
    answer = client.post("/elections/register", {"reference_date": "3月1日"}, follow=True)
    assert "基準日を日付で入力してください。" in answer.content.decode()
    with tenant_scope(yokohama.code):
        assert not Registration.objects.exists()


def test_the_roll_reads_only_its_electors_in_any_number_of_queries(yokohama, monkeypatch):
    from jichi.registry import selectors as registry_selectors

    for name, kana in (("太郎", "タロウ"), ("次郎", "ジロウ"), ("三郎", "サブロウ")):
        _resident(yokohama, born=date(1980, 1, 1), since=days_ago(400),
                  given_name=name, given_name_kana=kana)  # fmt: skip
    young = _resident(yokohama, born=date(2015, 1, 1), since=days_ago(400),
                      given_name="四郎", given_name_kana="シロウ")  # fmt: skip
    _register(yokohama)
    monkeypatch.setattr(registry_selectors, "NUMBERS_A_QUERY", 2)  # three electors, two reads
    with tenant_scope(yokohama.code):
        lines = selectors.roll()
        numbers = [row.number for _, row in lines]
    assert len(numbers) == 3 and young.number not in numbers
    assert [row.given_name for _, row in lines] == ["太郎", "次郎", "三郎"]
