"""The protections file of the migration CSV: DV等支援措置 and their listed offenders."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from jichi.common.checkdigits import make_resident_number
from jichi.common.errors import RuleViolation
from jichi.registry import selectors, services
from jichi.registry.exchange import (
    PROTECTION_COLUMNS,
    PROTECTION_HEADER,
    ImportInterrupted,
    export_register,
    import_register,
)
from jichi.registry.models import Person, Protection, ProtectionOffender
from jichi.registry.schemas import OffenderIn, ProtectionIn
from jichi.tenancy.context import tenant_scope
from tests.cli import ROOT
from tests.factories import SYSTEM
from tests.registry.people import days_ago
from tests.registry.test_exchange import (
    audit_entries,
    build_register,
    counts,
    read_rows,
    report_rows,
    snapshot,
    write_rows,
)

OUTSIDER = "鈴木 一郎"  # an offender who is not in the register


def protect(municipality, number: str, offenders: list[OffenderIn], **extra) -> Protection:
    with tenant_scope(municipality.code):
        return services.start_protection(
            municipality=municipality,
            actor=SYSTEM,
            request=ProtectionIn(
                person=number, starts_on=days_ago(3), offenders=offenders, **extra
            ),
        )


@pytest.fixture
def protected(yokohama):
    """The register of ``build_register`` with two protections: the spouse's against the
    head (in the register) and an outsider; the child's, provisional, lifted early."""
    numbers = build_register(yokohama)
    protect(
        yokohama,
        numbers["spouse"],
        [
            OffenderIn(name="山田 太郎", name_kana="ヤマダ タロウ", person=numbers["head"]),
            OffenderIn(name=OUTSIDER, name_kana="すずき いちろう", birth_date="1975-05-05"),
        ],
    )
    lifted = protect(yokohama, numbers["child"], [OffenderIn(name="田中 三郎")], provisional=True)
    with tenant_scope(yokohama.code):
        services.end_protection(actor=SYSTEM, protection=lifted, note="申出の取下げ")
    return yokohama, numbers


def export_files(municipality, directory: Path, encoding="utf-8") -> tuple[Path, Path]:
    register, protections = io.BytesIO(), io.BytesIO()
    export_register(municipality.code, register, protections=protections, encoding=encoding)
    paths = directory / "r.csv", directory / "r.protections.csv"
    paths[0].write_bytes(register.getvalue())
    paths[1].write_bytes(protections.getvalue())
    return paths


def load(target, paths: tuple[Path, Path], **options):
    options.setdefault("progress", False)
    options.setdefault("allow_other_code", True)
    return import_register(target.code, paths[0], protections_path=paths[1], **options)


def protections_of(municipality) -> list[tuple]:
    """Every protection with its offenders, without row ids."""
    with tenant_scope(municipality.code):
        return [
            (
                p.person.number,
                p.starts_on,
                p.ends_on,
                p.provisional,
                p.created_at,
                p.ended_at,
                [
                    (o.name, o.name_key, o.kana_key, o.birth_date, o.person and o.person.number)
                    for o in p.offenders.order_by("id")
                ],
            )
            for p in Protection.objects.order_by("person__number", "created_at")
        ]


def test_the_document_describes_every_protection_column():
    text = (ROOT / "docs" / "registry-csv.md").read_text(encoding="utf-8")
    for name in PROTECTION_HEADER:
        assert f"| {name} |" in text, name


def test_the_protections_file_has_one_row_per_offender(protected, tmp_path):
    yokohama, numbers = protected
    _, path = export_files(yokohama, tmp_path)
    rows = [dict(zip(PROTECTION_HEADER, r, strict=True)) for r in read_rows(path)[1:]]
    assert [(r["宛名番号"], r["加害者氏名"]) for r in rows] == [
        (numbers["spouse"], "山田 太郎"),
        (numbers["spouse"], OUTSIDER),
        (numbers["child"], "田中 三郎"),
    ]
    assert rows[0]["加害者宛名番号"] == numbers["head"] and rows[1]["加害者宛名番号"] == ""
    assert rows[1]["加害者フリガナ"] == "スズキイチロウ"  # kept as its search form
    assert rows[1]["加害者生年月日"] == "1975-05-05"
    assert rows[2]["仮支援措置フラグ"] == "1" and rows[2]["支援措置解除日時"].endswith("+09:00")
    assert rows[0]["支援措置ID"] == rows[1]["支援措置ID"] != rows[2]["支援措置ID"]


def test_round_trip_keeps_protections_and_hides_the_person_from_offenders(
    protected, kawasaki, tmp_path
):
    yokohama, numbers = protected
    result = load(kawasaki, export_files(yokohama, tmp_path), batch_rows=2)
    assert result.ok, report_rows(result)
    assert (result.protections, result.offenders) == (2, 3)
    assert protections_of(kawasaki) == protections_of(yokohama)
    assert snapshot(kawasaki) == snapshot(yokohama)
    with tenant_scope(kawasaki.code):
        spouse = Person.objects.get(number=numbers["spouse"])
        head = Person.objects.get(number=numbers["head"])
        query = selectors.SearchQuery(name="ヤマダ")
        found = selectors.search(query, municipality_code=kawasaki.code)
        assert spouse.id in {v.person_id for v in found}  # staff see the person
        for hidden in (
            selectors.hidden_from(OUTSIDER),
            selectors.hidden_from("スズキ イチロウ", requester_birth=date(1975, 5, 5)),
            selectors.hidden_from(requester=head),
        ):
            assert hidden == {spouse.id}
            shown = selectors.search(query, municipality_code=kawasaki.code, hidden=hidden)
            assert spouse.id not in {v.person_id for v in shown}
        assert selectors.active_protection(spouse) is not None
    entry = audit_entries(kawasaki, "registry.import")[-1]
    assert entry.details["protections"] == 2 and OUTSIDER not in str(entry.details)


def test_a_cp932_protections_file_imports(protected, kawasaki, tmp_path):
    yokohama, _ = protected
    paths = export_files(yokohama, tmp_path, encoding="cp932")
    assert load(kawasaki, paths).ok
    assert protections_of(kawasaki) == protections_of(yokohama)


def test_a_name_cp932_lacks_stops_the_cp932_export(protected):
    yokohama, numbers = protected
    protect(yokohama, numbers["head"], [OffenderIn(name="𠮷田 一")])
    with pytest.raises(RuleViolation) as caught:
        export_register(yokohama.code, io.BytesIO(), protections=io.BytesIO(), encoding="cp932")
    assert caught.value.code == "export.not_encodable"
    assert "加害者氏名" in caught.value.message_ja and numbers["head"] in caught.value.message_ja


def _cell(path: Path, row: int, column: str, value: str) -> int:
    """Set one cell of the protections file's data row ``row`` (0-based); its line."""
    rows = read_rows(path)
    rows[row + 1][PROTECTION_HEADER.index(column)] = value
    write_rows(path, rows)
    return row + 2


@pytest.mark.parametrize(
    ("row", "column", "value", "code"),
    [
        (0, "支援措置終了年月日", "2000-01-01", "ends_on.order"),
        (0, "宛名番号", make_resident_number(999), "person.unknown"),
        (1, "加害者宛名番号", make_resident_number(998), "offender_person.unknown"),
        (0, "加害者宛名番号", "wrong check digit", "resident_number.check_digit"),
        (2, "支援措置ID", "not-a-uuid", "id.invalid"),
        (2, "仮支援措置フラグ", "2", "provisional.invalid"),
        (1, "加害者氏名", "", "offender_name.required"),
        (1, "支援措置開始年月日", "2020-01-01", "protection.inconsistent"),
        (2, "全国地方公共団体コード", "131016", "municipality_code.mixed"),
        (2, "登録日時", "2026-01-01", "created_at.invalid"),
    ],
)
def test_one_invalid_protection_row_refuses_both_files(
    protected, kawasaki, tmp_path, row, column, value, code
):
    yokohama, _ = protected
    paths = export_files(yokohama, tmp_path)
    if value == "wrong check digit":
        good = read_rows(paths[1])[row + 1][PROTECTION_HEADER.index(column)]
        value = good[:-1] + str((int(good[-1]) + 1) % 10)
    line = _cell(paths[1], row, column, value)
    result = load(kawasaki, paths)
    assert not result.ok
    assert counts(kawasaki) == dict.fromkeys(counts(kawasaki), 0)
    with tenant_scope(kawasaki.code):
        assert not Protection.objects.exists()
    problems = [(p["file"], p["line"], p["column"], p["code"]) for p in report_rows(result)]
    assert ("r.protections.csv", str(line), column, code) in problems, problems
    assert [e.outcome for e in audit_entries(kawasaki, "registry.import")] == ["denied"]


def test_a_protections_file_without_a_needed_column_is_refused(protected, kawasaki, tmp_path):
    yokohama, _ = protected
    paths = export_files(yokohama, tmp_path)
    i = PROTECTION_HEADER.index("加害者氏名")
    write_rows(paths[1], [r[:i] + r[i + 1 :] for r in read_rows(paths[1])])
    result = load(kawasaki, paths)
    assert [(p["file"], p["line"], p["code"]) for p in report_rows(result)] == [
        ("r.protections.csv", "1", "header.missing")
    ]
    assert {c.name for c in PROTECTION_COLUMNS if c.needed} >= {"加害者氏名", "宛名番号"}


def test_a_protection_without_offender_round_trips(yokohama, kawasaki, tmp_path):
    numbers = build_register(yokohama)
    protection = protect(yokohama, numbers["head"], [OffenderIn(name="誰か")])
    with tenant_scope(yokohama.code):
        ProtectionOffender.objects.filter(protection=protection).delete()
    paths = export_files(yokohama, tmp_path)
    assert len(read_rows(paths[1])) == 2
    assert load(kawasaki, paths).ok
    assert protections_of(kawasaki) == protections_of(yokohama)


def test_a_protection_is_committed_with_the_last_person_it_names(protected, kawasaki, tmp_path):
    """Stopped after any batch, the register holds exactly the protections whose persons
    are all in it; the next run completes the rest."""
    yokohama, numbers = protected
    paths = export_files(yokohama, tmp_path)
    named = {numbers["spouse"]: {numbers["spouse"], numbers["head"]}}
    named[numbers["child"]] = {numbers["child"]}
    for stop in (1, 2, 3):
        with pytest.raises(ImportInterrupted):
            load(kawasaki, paths, batch_rows=1, stop_after_batches=stop)
        with tenant_scope(kawasaki.code):
            present = set(Person.objects.values_list("number", flat=True))
            protected_now = set(Protection.objects.values_list("person__number", flat=True))
        assert protected_now == {p for p, persons in named.items() if persons <= present}
    result = load(kawasaki, paths, batch_rows=1)
    assert result.ok and result.protections + result.skipped_protections == 2
    assert protections_of(kawasaki) == protections_of(yokohama)
    again = load(kawasaki, paths)
    assert (again.protections, again.skipped_protections) == (0, 2)
    assert protections_of(kawasaki) == protections_of(yokohama)


def _imported(kawasaki, paths) -> None:
    assert load(kawasaki, paths).ok
    with tenant_scope(kawasaki.code):
        assert Protection.objects.count() == 2


def test_a_changed_protection_in_the_register_stops_the_next_run(protected, kawasaki, tmp_path):
    yokohama, numbers = protected
    paths = export_files(yokohama, tmp_path)
    _imported(kawasaki, paths)
    with tenant_scope(kawasaki.code):
        changed = Protection.objects.get(person__number=numbers["spouse"])
        services.end_protection(actor=SYSTEM, protection=changed, note="誤り")
    result = load(kawasaki, paths)
    assert [(p["file"], p["code"]) for p in report_rows(result)] == [
        ("r.protections.csv", "protection.exists_different")
    ]


def test_another_protection_in_the_register_stops_the_next_run(protected, kawasaki, tmp_path):
    yokohama, numbers = protected
    paths = export_files(yokohama, tmp_path)
    _imported(kawasaki, paths)
    protect(kawasaki, numbers["head"], [OffenderIn(name="別人")])
    result = load(kawasaki, paths)
    assert [(p["line"], p["code"]) for p in report_rows(result)] == [("0", "register.not_empty")]


def test_the_export_command_writes_the_protections_beside_the_register(protected, tmp_path):
    yokohama, _ = protected
    target = tmp_path / "out.csv"
    err = io.StringIO()
    call_command("export-residents", municipality=yokohama.code, output=str(target), stderr=err)
    written = tmp_path / "out.protections.csv"
    assert len(read_rows(written)) == 4 and "2 protections" in err.getvalue()
    assert oct(written.stat().st_mode & 0o777) == "0o600"
    with open(written, encoding="utf-8-sig", newline="") as handle:
        assert next(csv.reader(handle)) == list(PROTECTION_HEADER)
