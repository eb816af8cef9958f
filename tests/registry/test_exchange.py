"""The migration CSV: export, import into an empty register, refusals, resumption."""

from __future__ import annotations

import csv
import io
import signal
import sqlite3
import subprocess
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from jichi.audit.models import AuditEntry
from jichi.common.checkdigits import (
    make_household_number,
    make_resident_number,
    my_number_check_digit,
    resident_record_code_check_digit,
)
from jichi.common.errors import RuleViolation
from jichi.common.secrets import open_my_number
from jichi.registry import selectors, services
from jichi.registry.exchange import (
    COLUMNS,
    HEADER,
    PROTECTION_HEADER,
    ImportInterrupted,
    detect_encoding,
    export_register,
    import_register,
)
from jichi.registry.models import (
    Household,
    Movement,
    MovementSubject,
    NumberSequence,
    Person,
    PersonVersion,
)
from jichi.registry.schemas import (
    AddressIn,
    AliasIn,
    CorrectionIn,
    DeathIn,
    DepartureIn,
    FormerSurnameIn,
    RelocationIn,
)
from jichi.tenancy.context import tenant_scope
from tests.cli import JICHI, ROOT, cli_env, jichi, needs_script
from tests.registry.people import arrival, days_ago, family, foreigner, person, record


def my_number(base: str) -> str:
    return base + my_number_check_digit(base)


def resident_code(base: str) -> str:
    return base + resident_record_code_check_digit(base)


def build_register(municipality) -> dict[str, str]:
    """A small register written through the services: a family that moves, a single
    person with an unknown birth date who dies, a foreigner who moves out, a correction
    of the past, a former surname and an alias. Returns role → 宛名番号."""
    _, people = family(municipality, effective_on=days_ago(60), notified_on=days_ago(58))
    head, spouse, child = (p.number for p in people)
    single = arrival(
        person(
            family_name="佐藤",
            given_name="次郎",
            family_name_kana="サトウ",
            given_name_kana="ジロウ",
            birth_date="年月日不詳",
            my_number=my_number("12345678901"),
            resident_code=resident_code("1234567890"),
        ),
        effective_on=days_ago(50),
        notified_on=days_ago(45),
        note="転入届（本人）",
    )
    movement = record(municipality, services.record_move_in, single)
    alone = _subjects(municipality, movement)[0]
    abroad = arrival(
        foreigner(my_number=my_number("98765432109")),
        effective_on=days_ago(40),
        notified_on=days_ago(40),
        town="西区みなとみらい",
    )
    stranger = _subjects(
        municipality, record(municipality, services.record_move_in_from_abroad, abroad)
    )[0]
    record(
        municipality,
        services.record_relocation,
        RelocationIn(
            effective_on=days_ago(30),
            notified_on=days_ago(29),
            persons=[head, spouse, child],
            address=AddressIn(town="中区山下町", block="2番1号", building="山下ハイツ305"),
        ),
    )
    record(
        municipality,
        services.record_former_surname,
        FormerSurnameIn(
            effective_on=days_ago(25),
            person=spouse,
            former_surname="鈴木",
            former_surname_kana="スズキ",
        ),
    )
    record(
        municipality,
        services.record_alias,
        AliasIn(effective_on=days_ago(20), person=stranger, alias="山本", alias_kana="ヤマモト"),
    )
    record(
        municipality,
        services.record_correction,
        CorrectionIn(
            person=child,
            valid_from=days_ago(60),
            changes={"given_name": "一朗", "given_name_kana": "イチロウ"},
            note="出生届の記載と違っていたため",
        ),
    )
    record(
        municipality,
        services.record_death,
        DeathIn(effective_on=days_ago(10), notified_on=days_ago(9), person=alone),
    )
    record(
        municipality,
        services.record_move_out,
        DepartureIn(
            effective_on=days_ago(5),
            persons=[stranger],
            destination_address="東京都新宿区西新宿2丁目8番1号",
        ),
    )
    return {"head": head, "spouse": spouse, "child": child, "single": alone, "foreigner": stranger}


def _subjects(municipality, movement) -> list[str]:
    with tenant_scope(municipality.code):
        return list(
            MovementSubject.objects.filter(movement=movement)
            .order_by("person__number")
            .values_list("person__number", flat=True)
        )


@pytest.fixture
def register(yokohama):
    numbers = build_register(yokohama)
    return yokohama, numbers


_SKIP = {"id", "municipality", "person", "movement", "household", "my_number_cipher"}
_SKIP |= {"my_number_index"}
_VERSION_FIELDS = [f.name for f in PersonVersion._meta.concrete_fields if f.name not in _SKIP]
_MOVEMENT_FIELDS = [
    f.name for f in Movement._meta.concrete_fields if f.name not in {"id", "municipality"}
]


def snapshot(municipality) -> list[dict]:
    """Everything the register says of every person, without row ids: both the timeline
    known now and the full history, version by version, with movement and household."""
    code = municipality.code
    people = []
    with tenant_scope(code):
        for found in Person.objects.order_by("number"):
            subjects = sorted(
                (
                    s.movement.recorded_at,
                    s.movement.reason,
                    s.household_before.number if s.household_before else None,
                    s.household_after.number if s.household_after else None,
                )
                for s in MovementSubject.objects.filter(person=found).select_related(
                    "movement", "household_before", "household_after"
                )
            )
            people.append(
                {
                    "number": found.number,
                    "timeline": [_version(v, code) for v in selectors.timeline(found)],
                    "history": [_version(v, code) for v in selectors.history(found)],
                    "subjects": subjects,
                }
            )
    return people


def _version(version: PersonVersion, code: str) -> dict:
    data = {name: getattr(version, name) for name in _VERSION_FIELDS}
    data["household"] = version.household.number if version.household_id else None
    data["my_number"] = (
        open_my_number(version.my_number_cipher, code) if version.my_number_cipher else None
    )
    data["movement"] = {name: getattr(version.movement, name) for name in _MOVEMENT_FIELDS}
    return data


def export_bytes(municipality, **options) -> bytes:
    buffer = io.BytesIO()
    export_register(municipality.code, buffer, **options)
    return buffer.getvalue()


def export_file(municipality, path: Path, **options) -> Path:
    path.write_bytes(export_bytes(municipality, **options))
    return path


def read_rows(path: Path, encoding="utf-8-sig") -> list[list[str]]:
    with open(path, encoding=encoding, newline="") as handle:
        return list(csv.reader(handle))


def write_rows(path: Path, rows: list[list[str]], encoding="utf-8-sig") -> Path:
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)
    return path


def report_rows(result) -> list[dict]:
    with open(result.report_path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def counts(municipality) -> dict:
    with tenant_scope(municipality.code):
        return {
            model.__name__: model.objects.count()
            for model in (Person, PersonVersion, Movement, Household, MovementSubject)
        }


def audit_entries(municipality, action: str) -> list[AuditEntry]:
    with tenant_scope(municipality.code):
        return list(AuditEntry.objects.filter(action=action).order_by("seq"))


def load(target, path: Path, **options):
    options.setdefault("progress", False)
    return import_register(target.code, path, **options)


# --- the layout ---------------------------------------------------------------------


def test_the_layout_covers_every_stored_item():
    derived = {"id", "municipality", "person", "household", "movement"}
    derived |= {"name_key", "kanji_key", "my_number_cipher", "my_number_index"}
    attrs = {c.attr for c in COLUMNS if c.source == "version"}
    missing = {f.name for f in PersonVersion._meta.concrete_fields} - derived - attrs
    assert not missing, f"PersonVersion fields without a column: {missing}"
    attrs = {c.attr for c in COLUMNS if c.source == "movement"}
    # 異動事由コード is the version's reason and its movement's (always the same); the
    # category follows from it.
    missing = {f.name for f in Movement._meta.concrete_fields} - {"municipality", "category"}
    missing -= {"reason"}
    assert not missing - attrs, f"Movement fields without a column: {missing - attrs}"
    assert len(set(HEADER)) == len(HEADER)


def test_the_import_writes_every_column_of_its_tables():
    from jichi.registry.exchange import inserting

    for inserter in inserting.TABLES:
        columns = {f.attname for f in inserter.model._meta.concrete_fields}
        assert sorted(inserter.attnames) == sorted(columns), inserter.model.__name__


def test_the_document_describes_every_column():
    text = (ROOT / "docs" / "registry-csv.md").read_text(encoding="utf-8")
    for name in HEADER:
        assert f"| {name} |" in text, name


# --- export -----------------------------------------------------------------------


def test_export_writes_utf8_with_bom_one_row_per_version_in_order(register):
    yokohama, numbers = register
    data = export_bytes(yokohama)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == list(HEADER)
    body = [dict(zip(HEADER, row, strict=True)) for row in rows[1:]]
    with tenant_scope(yokohama.code):
        assert len(body) == PersonVersion.objects.count()
    keys = [(r["宛名番号"], int(r["履歴番号"])) for r in body]
    assert keys == sorted(keys)
    single = [r for r in body if r["宛名番号"] == numbers["single"]]
    assert single[0]["個人番号"] == my_number("12345678901")
    assert single[0]["生年月日不詳区分"] == "unknown"
    assert single[0]["生年月日不詳表記"] == "年月日不詳"
    assert single[-1]["住民状態"] == "3" and single[-1]["異動事由コード"] == "23"
    assert single[0]["異動事由分類"] == "国内転入"
    assert single[0]["処理日時"].endswith("+09:00") and "T" in single[0]["処理日時"]
    assert single[0]["留意事項"] == "転入届（本人）"
    child = [r for r in body if r["宛名番号"] == numbers["child"]]
    assert any(r["履歴終了日時"] for r in child) and any(r["名"] == "一朗" for r in child)


def test_export_can_leave_out_the_my_number_and_write_cp932(register):
    yokohama, _ = register
    data = export_bytes(yokohama, omit_my_number=True, encoding="cp932")
    assert not data.startswith(b"\xef\xbb\xbf")
    text = data.decode("cp932")
    assert "個人番号" not in text.splitlines()[0]
    assert my_number("12345678901") not in text
    entry = audit_entries(yokohama, "registry.export")[-1]
    assert entry.details["omit_my_number"] is True and entry.details["rows"] > 0
    assert "山田" not in str(entry.details)


def test_export_command_writes_a_private_file(register, tmp_path):
    yokohama, _ = register
    target = tmp_path / "register.csv"
    call_command("export-residents", municipality=yokohama.code, output=str(target))
    assert read_rows(target)[0] == list(HEADER)
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    assert not (tmp_path / "register.csv.partial").exists()
    protections = tmp_path / "register.protections.csv"
    assert read_rows(protections) == [list(PROTECTION_HEADER)]  # none in this register
    assert oct(protections.stat().st_mode & 0o777) == "0o600"


# --- round trip ------------------------------------------------------------------------


def test_round_trip_into_an_empty_municipality_keeps_everything(register, kawasaki, tmp_path):
    yokohama, _ = register
    path = export_file(yokohama, tmp_path / "yokohama.csv")
    result = load(kawasaki, path, allow_other_code=True, batch_rows=3)
    assert result.ok, report_rows(result)
    assert result.report_path is None
    before, after = snapshot(yokohama), snapshot(kawasaki)
    assert len(after) == 5
    for mine, theirs in zip(before, after, strict=True):
        assert mine["number"] == theirs["number"]
        assert mine["timeline"] == theirs["timeline"], mine["number"]
        assert mine["history"] == theirs["history"], mine["number"]
        assert mine["subjects"] == theirs["subjects"], mine["number"]
    assert counts(yokohama) == counts(kawasaki)
    assert (result.imported_persons, result.skipped_persons) == (5, 0)
    with tenant_scope(yokohama.code):
        sequences = dict(NumberSequence.objects.values_list("name", "last"))
    with tenant_scope(kawasaki.code):
        assert dict(NumberSequence.objects.values_list("name", "last")) == sequences
    # Exported again, the file is the same but for the municipality and the 異動ID.
    again = export_bytes(kawasaki).decode("utf-8-sig")
    original = path.read_bytes().decode("utf-8-sig")
    ignored = {HEADER.index("全国地方公共団体コード"), HEADER.index("異動ID")}

    def strip(text):
        return [
            [cell for i, cell in enumerate(row) if i not in ignored]
            for row in csv.reader(io.StringIO(text))
        ]

    assert strip(again) == strip(original)


def test_imported_register_goes_on_numbering_and_working(register, kawasaki, tmp_path):
    yokohama, numbers = register
    load(kawasaki, export_file(yokohama, tmp_path / "f.csv"), allow_other_code=True)
    movement = record(
        kawasaki,
        services.record_move_out,
        DepartureIn(
            effective_on=days_ago(1),
            persons=[numbers["head"], numbers["spouse"], numbers["child"]],
            destination_address="東京都千代田区千代田1番1号",
        ),
    )
    with tenant_scope(kawasaki.code):
        assert movement.subjects.count() == 3
    _, newcomers = family(kawasaki, town="川崎区駅前本町")
    assert [int(p.number[:9]) for p in newcomers] == [6, 7, 8]  # after the five imported


def test_a_cp932_file_imports(register, kawasaki, tmp_path):
    yokohama, _ = register
    path = tmp_path / "sjis.csv"
    path.write_bytes(export_bytes(yokohama, encoding="cp932"))
    assert detect_encoding(path) == "cp932"
    result = load(kawasaki, path, allow_other_code=True)
    assert result.ok and result.encoding == "cp932"
    assert snapshot(kawasaki) == snapshot(yokohama)


def test_utf8_without_bom_is_detected(register, kawasaki, tmp_path):
    yokohama, _ = register
    path = tmp_path / "plain.csv"
    path.write_bytes(export_bytes(yokohama).removeprefix(b"\xef\xbb\xbf"))
    assert detect_encoding(path) == "utf-8"
    assert load(kawasaki, path, allow_other_code=True).ok


def test_a_file_without_my_numbers_imports_without_them(register, kawasaki, tmp_path):
    yokohama, _ = register
    path = export_file(yokohama, tmp_path / "f.csv", omit_my_number=True)
    assert load(kawasaki, path, allow_other_code=True).ok
    with tenant_scope(kawasaki.code):
        assert not PersonVersion.objects.filter(my_number_cipher__isnull=False).exists()


# --- refusals -----------------------------------------------------------------------------


def _edit(path: Path, number: str, column: str, value: str, history_no: str = "1") -> int:
    """Set one cell of the row of 宛名番号 ``number`` / 履歴番号; returns its line."""
    rows = read_rows(path)
    i = HEADER.index(column)
    for line, row in enumerate(rows[1:], 2):
        if row[HEADER.index("宛名番号")] == number and row[HEADER.index("履歴番号")] == history_no:
            row[i] = value
            write_rows(path, rows)
            return line
    raise AssertionError("no such row")


def _wrong_check_digit(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


@pytest.mark.parametrize(
    ("role", "column", "value", "code"),
    [
        ("head", "宛名番号", "wrong check digit", "resident_number.check_digit"),
        ("head", "世帯番号", "wrong check digit", "household_number.check_digit"),
        ("spouse", "名フリガナ", "ハナ子", "given_name_kana.katakana_only"),
        ("child", "続柄", "孫", "relationship.vocabulary"),
        ("single", "個人番号", "wrong check digit", "my_number.check_digit"),
        ("single", "住民票コード", "wrong check digit", "resident_code.check_digit"),
        ("head", "生年月日", "昭和55年4月1日", "birth_date.invalid"),
        ("head", "処理日時", "2026-01-01T09:00:00", "recorded_at.invalid"),
        ("head", "性別", "3", "sex.invalid"),
        ("head", "異動事由コード", "99", "reason.invalid"),
        ("head", "住所コード", "1410400009", "town_code.format"),
        ("head", "町字", "", "town_name.required"),
        ("head", "氏", "山" * 101, "family_name.too_long"),
        ("head", "世帯主フラグ", "0", "is_head.mismatch"),
        ("head", "有効終了日", "1900-01-01", "valid_to.order"),
        ("foreigner", "在留資格", "temporary_visitor", "residence_status.not_medium_long_term"),
    ],
)
def test_one_invalid_row_refuses_the_whole_file(
    register, kawasaki, tmp_path, role, column, value, code
):
    yokohama, numbers = register
    path = export_file(yokohama, tmp_path / "f.csv")
    rows = read_rows(path)
    cell = next(
        r[HEADER.index(column)]
        for r in rows[1:]
        if r[HEADER.index("宛名番号")] == numbers[role] and r[HEADER.index("履歴番号")] == "1"
    )
    if value == "wrong check digit":
        value = _wrong_check_digit(cell)
    line = _edit(path, numbers[role], column, value)
    result = load(kawasaki, path, allow_other_code=True)
    assert not result.ok
    assert counts(kawasaki) == dict.fromkeys(counts(kawasaki), 0)
    problems = report_rows(result)
    assert {"line": str(line), "column": column, "code": code} in [
        {k: p[k] for k in ("line", "column", "code")} for p in problems
    ], problems
    assert all(p["message_ja"] and p["message_en"] for p in problems)
    assert [e.outcome for e in audit_entries(kawasaki, "registry.import")] == ["denied"]


def test_a_missing_required_column_refuses_the_file(register, kawasaki, tmp_path):
    yokohama, _ = register
    rows = read_rows(export_file(yokohama, tmp_path / "f.csv"))
    i = HEADER.index("生年月日")
    path = write_rows(tmp_path / "g.csv", [r[:i] + r[i + 1 :] for r in rows])
    result = load(kawasaki, path, allow_other_code=True)
    assert not result.ok and counts(kawasaki)["Person"] == 0
    assert [(p["line"], p["column"], p["code"]) for p in report_rows(result)] == [
        ("1", "生年月日", "header.missing")
    ]


def test_unknown_columns_and_ragged_rows_are_reported(register, kawasaki, tmp_path):
    yokohama, _ = register
    rows = read_rows(export_file(yokohama, tmp_path / "f.csv"))
    rows[0].append("備考")
    for row in rows[1:]:
        row.append("")
    path = write_rows(tmp_path / "g.csv", rows)
    assert [p["code"] for p in report_rows(load(kawasaki, path, allow_other_code=True))] == [
        "header.unknown"
    ]
    rows = read_rows(export_file(yokohama, tmp_path / "f.csv"))
    rows[3] = rows[3][:-1]
    path = write_rows(tmp_path / "h.csv", rows)
    problems = report_rows(load(kawasaki, path, allow_other_code=True))
    assert [(p["line"], p["code"]) for p in problems] == [("4", "row.columns")]


def test_a_character_cp932_lacks_stops_the_cp932_export(register):
    yokohama, _ = register
    record(
        yokohama,
        services.record_move_in,
        arrival(
            person(family_name="𠮷田", given_name="花", given_name_kana="ハナ"),
            town="中区本町",
        ),
    )
    with pytest.raises(RuleViolation) as caught:
        export_bytes(yokohama, encoding="cp932")
    assert caught.value.code == "export.not_encodable"
    assert "氏" in caught.value.message_ja and "履歴番号 1" in caught.value.message_ja


def test_a_file_that_stops_decoding_is_refused(register, kawasaki, tmp_path):
    yokohama, _ = register
    data = export_bytes(yokohama)
    cut = data.index(b"\r\n", len(data) // 2) + 2
    path = tmp_path / "broken.csv"
    path.write_bytes(data[:cut] + b"\xff\xfe" + data[cut:])
    line = data[:cut].count(b"\n") + 1
    result = load(kawasaki, path, allow_other_code=True, encoding="utf-8")
    assert not result.ok and counts(kawasaki)["Person"] == 0
    assert [(p["line"], p["code"]) for p in report_rows(result)] == [(str(line), "file.encoding")]


def test_progress_bars_do_not_get_in_the_way(register, kawasaki, tmp_path, capsys):
    yokohama, _ = register
    path = export_file(yokohama, tmp_path / "f.csv")
    assert load(kawasaki, path, allow_other_code=True, progress=True).ok
    assert "validating" in capsys.readouterr().out


def test_a_file_of_another_municipality_needs_permission(register, kawasaki, tmp_path):
    yokohama, _ = register
    path = export_file(yokohama, tmp_path / "f.csv")
    result = load(kawasaki, path)
    assert not result.ok
    assert {p["code"] for p in report_rows(result)} == {"municipality_code.other"}
    assert result.refused_rows == result.rows


def test_rows_of_a_person_must_be_together_and_numbered_in_order(register, kawasaki, tmp_path):
    yokohama, numbers = register
    rows = read_rows(export_file(yokohama, tmp_path / "f.csv"))
    number = HEADER.index("宛名番号")
    mine = [r for r in rows[1:] if r[number] == numbers["head"]]
    others = [r for r in rows[1:] if r[number] != numbers["head"]]
    path = write_rows(tmp_path / "g.csv", [rows[0], mine[0], *others, *mine[1:]])
    result = load(kawasaki, path, allow_other_code=True)
    assert "person.not_grouped" in {p["code"] for p in report_rows(result)}
    path = write_rows(tmp_path / "h.csv", [rows[0], mine[1], mine[0], *mine[2:], *others])
    result = load(kawasaki, path, allow_other_code=True)
    assert [(p["line"], p["code"]) for p in report_rows(result)] == [("2", "history_no.sequence")]


def test_a_gap_in_the_current_timeline_is_refused(register, kawasaki, tmp_path):
    yokohama, numbers = register
    path = export_file(yokohama, tmp_path / "f.csv")
    rows = read_rows(path)
    row = next(
        r
        for r in rows[1:]
        if r[HEADER.index("宛名番号")] == numbers["single"]
        and r[HEADER.index("有効終了日")]
        and not r[HEADER.index("履歴終了日時")]
    )
    end = row[HEADER.index("有効終了日")]
    row[HEADER.index("有効終了日")] = (date.fromisoformat(end) - timedelta(days=1)).isoformat()
    result = load(kawasaki, write_rows(path, rows), allow_other_code=True)
    assert {p["code"] for p in report_rows(result)} == {"timeline.gap"}


def test_a_movement_told_two_ways_is_refused(register, kawasaki, tmp_path):
    yokohama, numbers = register
    path = export_file(yokohama, tmp_path / "f.csv")
    line = _edit(path, numbers["spouse"], "留意事項", "別の内容")
    problems = report_rows(load(kawasaki, path, allow_other_code=True))
    assert [(p["line"], p["code"]) for p in problems] == [(str(line), "movement.inconsistent")]


def test_a_register_with_other_persons_is_not_a_target(register, kawasaki, tmp_path):
    yokohama, _ = register
    family(kawasaki, town="川崎区駅前本町")  # 宛名番号 1 to 3, as in the file
    path = export_file(yokohama, tmp_path / "f.csv")
    result = load(kawasaki, path, allow_other_code=True)
    problems = [(p["column"], p["code"]) for p in report_rows(result)]
    assert problems == [("宛名番号", "person.exists_different")] * 3
    path = generated_file(tmp_path / "g.csv", 5, start=10, code=kawasaki.code)
    result = load(kawasaki, path)
    assert [(p["line"], p["code"]) for p in report_rows(result)] == [("0", "register.not_empty")]
    assert counts(kawasaki)["Person"] == 3


def test_the_import_command_exits_non_zero_with_the_report(register, kawasaki, tmp_path):
    yokohama, numbers = register
    path = export_file(yokohama, tmp_path / "f.csv")
    _edit(path, numbers["child"], "続柄", "孫")
    report = tmp_path / "problems.csv"
    with pytest.raises(CommandError) as caught:
        call_command(
            "import-residents",
            str(path),
            municipality=kawasaki.code,
            report=str(report),
            allow_other_code=True,
            no_progress=True,
            without_protections=True,
        )
    assert caught.value.returncode == 1
    assert "1 invalid rows" in str(caught.value) and str(report) in str(caught.value)
    assert oct(report.stat().st_mode & 0o777) == "0o600"


def test_the_import_command_imports_what_the_export_command_wrote(register, kawasaki, tmp_path):
    yokohama, _ = register
    path = tmp_path / "f.csv"
    call_command("export-residents", municipality=yokohama.code, output=str(path))
    out = io.StringIO()
    call_command(
        "import-residents",
        str(path),
        municipality=kawasaki.code,
        allow_other_code=True,
        no_progress=True,
        stdout=out,
    )
    assert "imported 5 persons" in out.getvalue()
    assert "0 protections" in out.getvalue()


def test_the_import_command_wants_the_protections_file(register, kawasaki, tmp_path):
    yokohama, _ = register
    path = export_file(yokohama, tmp_path / "f.csv")
    with pytest.raises(CommandError) as caught:
        call_command(
            "import-residents", str(path), municipality=kawasaki.code, allow_other_code=True
        )
    message = str(caught.value)
    assert "f.protections.csv" in message and "--without-protections" in message
    assert counts(kawasaki)["Person"] == 0


# --- resumption ---------------------------------------------------------------------------


def test_an_interrupted_import_finishes_on_the_next_run(register, kawasaki, tmp_path):
    yokohama, _ = register
    path = export_file(yokohama, tmp_path / "f.csv")
    with pytest.raises(ImportInterrupted):
        load(kawasaki, path, allow_other_code=True, batch_rows=4, stop_after_batches=2)
    partial = counts(kawasaki)
    assert 0 < partial["Person"] < 5
    result = load(kawasaki, path, allow_other_code=True, batch_rows=4)
    assert result.ok and result.skipped_persons == partial["Person"]
    assert result.imported_persons == 5 - partial["Person"]
    assert counts(kawasaki) == counts(yokohama)
    assert snapshot(kawasaki) == snapshot(yokohama)
    again = load(kawasaki, path, allow_other_code=True)
    assert (again.imported_persons, again.skipped_persons) == (0, 5)
    assert counts(kawasaki) == counts(yokohama)
    entries = audit_entries(kawasaki, "registry.import")
    assert len(entries) == 2  # the interrupted run left none
    assert entries[-1].details["skipped_persons"] == 5
    assert "山田" not in str([e.details for e in entries])


def generated_file(path: Path, persons: int, *, start: int = 1, code: str = "141003") -> Path:
    """A valid file written directly: one person per household, one movement each."""
    header = list(HEADER)
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        for i in range(start, start + persons):
            number, household = make_resident_number(i), make_household_number(i)
            values = {
                "全国地方公共団体コード": code,
                "宛名番号": number,
                "履歴番号": "1",
                "世帯番号": household,
                "住民種別": "1",
                "住民状態": "1",
                "異動事由コード": "11",
                "異動日": "2024-04-01",
                "届出日": "2024-04-03",
                "処理日時": "2024-04-03T10:00:00+09:00",
                "有効開始日": "2024-04-01",
                "氏": "山田",
                "名": f"太郎{i}",
                "氏フリガナ": "ヤマダ",
                "名フリガナ": "タロウ",
                "生年月日": "1980-04-01",
                "性別": "1",
                "住所コード": "14104000099",
                "町字": "中区元町",
                "番地": f"1丁目{i}番",
                "続柄": "世帯主",
                "世帯主フラグ": "1",
                "住民となった年月日": "2024-04-01",
                "住所を定めた年月日": "2024-04-01",
                "本籍": "神奈川県横浜市中区元町1丁目1番地",
                "筆頭者": "山田太郎",
                "個人番号": my_number(f"{i:011d}"),
                "異動ID": str(uuid.uuid4()),
                "異動処理日時": "2024-04-03T10:00:00+09:00",
                "異動後世帯番号": household,
                "操作者区分": "system",
                "操作者ID": "old-vendor",
                "操作者名": "旧システム",
                "遅延届出フラグ": "0",
            }
            writer.writerow([values.get(name, "") for name in header])
    return path


def test_a_generated_file_imports_in_batches(yokohama, tmp_path):
    path = generated_file(tmp_path / "gen.csv", 120)
    result = load(yokohama, path, batch_rows=25)
    assert result.ok and result.batches == 5 and result.imported_persons == 120
    with tenant_scope(yokohama.code):
        assert NumberSequence.objects.get(name="resident").last == 120
        assert NumberSequence.objects.get(name="household").last == 120
        version = PersonVersion.objects.get(person__number=make_resident_number(7))
        assert open_my_number(version.my_number_cipher, yokohama.code) == my_number(f"{7:011d}")
        assert version.name_key == "ヤマダタロウ"


@needs_script
def test_a_killed_import_command_finishes_on_the_next_run(tmp_path):
    env = cli_env(tmp_path)
    assert jichi("migrate", "--noinput", env=env).returncode == 0
    setup = (
        "from jichi.tenancy.services import add_local_government, activate_municipality;"
        "from jichi.tenancy.principals import Actor;"
        "m = add_local_government('141003');"
        "activate_municipality(municipality=m, actor=Actor.system('test'))"
    )
    done = jichi("shell", "-c", setup, env=env)
    assert done.returncode == 0, done.stderr
    persons = 3000
    path = generated_file(tmp_path / "big.csv", persons)
    database = tmp_path / "cli.sqlite3"
    command = [str(JICHI), "import-residents", str(path)]
    command += ["--municipality", "141003", "--batch-rows", "20", "--no-progress"]
    command += ["--without-protections"]
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    imported = 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        imported = _count(database, "registry_person")
        if imported >= 200:
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.005)
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, process.stderr.read()
    partial = _count(database, "registry_person")
    assert 0 < partial < persons
    done = jichi(*command[1:], env=env)
    assert done.returncode == 0, done.stderr
    assert f"imported {persons - partial} persons" in done.stdout
    assert f"{partial} already present" in done.stdout
    assert _count(database, "registry_person") == persons
    assert _count(database, "registry_personversion") == persons
    assert _count(database, "registry_movement") == persons
    assert _count(database, "registry_household") == persons
    assert _count(database, "registry_movementsubject") == persons
    with sqlite3.connect(database) as db:
        last = dict(db.execute("SELECT name, last FROM registry_numbersequence"))
    assert last == {"resident": persons, "household": persons}


def _count(database: Path, table: str) -> int:
    with sqlite3.connect(database, timeout=30) as db:
        try:
            return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        except sqlite3.OperationalError:
            return 0
