"""Standard layouts: exports that check clean, every kind of violation named, the command."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from jichi.benefits.elections import services as elections
from jichi.linkage.layouts import LAYOUTS, check_file
from jichi.registry.exchange import export_register
from jichi.tenancy.context import tenant_scope
from tests.cli import ROOT
from tests.factories import SYSTEM
from tests.registry.people import days_ago, family, today

GOOD = (
    "\ufeff全国地方公共団体コード,宛名番号,投票区番号,性別,登録年月日,名簿状態,転出表示年月日\r\n"
)


def _write(tmp_path, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / "file.csv"
    path.write_bytes(text.encode(encoding))
    return str(path)


def _electors_file(yokohama, tmp_path) -> str:
    family(yokohama, effective_on=days_ago(400), notified_on=days_ago(399))
    with tenant_scope(yokohama.code):
        elections.register(
            municipality=yokohama, actor=SYSTEM, reference_date=today(), kind="election"
        )
    path = tmp_path / "electors.csv"
    call_command(
        "export-layout",
        "--layout",
        "electors",
        "--municipality",
        yokohama.code,
        "--output",
        str(path),
        stdout=io.StringIO(),
    )
    return str(path)


def test_an_electors_export_checks_clean(yokohama, tmp_path):
    report = check_file(_electors_file(yokohama, tmp_path), "electors")
    assert report.ok and report.rows == 2  # the parents; the child is not 18


def test_the_register_export_checks_clean_and_a_bad_cell_is_named(yokohama, tmp_path):
    family(yokohama)
    stream = io.StringIO()
    with tenant_scope(yokohama.code):
        export_register(yokohama.code, stream)
    path = tmp_path / "register.csv"
    path.write_text(stream.getvalue(), encoding="utf-8")
    assert check_file(path, "register").ok
    broken = stream.getvalue().replace("1980-04-01", "1980-13-01", 1)
    path.write_text(broken, encoding="utf-8")
    [violation] = check_file(path, "register").violations
    assert (violation.line, violation.column, violation.rule) == (2, "生年月日", "invalid")


def test_every_violation_is_reported_with_line_column_and_rule(tmp_path):
    rows = [
        "141003,0000000019,01,1,2026-03-01,registered,",  # fine (check digit 9)
        "141003,0000000018,01,3,2026-02-30,gone,",  # check digit, sex, date, status
        "141003,0000000019,01,1,2026-03-01,registered,",  # same 宛名番号 as line 2
        "141003,0000000027,01,1",  # too short
        ",0000000027,01,2,2026-03-01,displayed,2026-04-01",  # code blank
    ]
    report = check_file(_write(tmp_path, GOOD + "\r\n".join(rows) + "\r\n"), "electors")
    found = {(v.line, v.column, v.rule) for v in report.violations}
    assert found == {
        (3, "宛名番号", "check_digit"),
        (3, "性別", "choice"),
        (3, "登録年月日", "date"),
        (3, "名簿状態", "choice"),
        (4, "宛名番号", "unique"),
        (5, "", "row.length"),
        (6, "全国地方公共団体コード", "required"),
    }
    assert all(v.message_ja and v.message_en for v in report.violations)


def test_header_problems_are_named(tmp_path):
    text = "宛名番号,宛名番号,性別,色\r\n0000000019,0000000019,1,赤\r\n"
    found = {(v.column, v.rule) for v in check_file(_write(tmp_path, text), "electors").violations}
    assert {
        ("宛名番号", "header.duplicate"),
        ("色", "header.unknown"),
        ("全国地方公共団体コード", "header.missing"),
        ("登録年月日", "header.missing"),
    } <= found


def test_a_shift_jis_file_is_read(tmp_path):
    text = GOOD.lstrip("\ufeff") + "141003,0000000019,01,1,2026-03-01,registered,\r\n"
    assert check_file(_write(tmp_path, text, "cp932"), "electors").ok


def test_an_unreadable_file_is_one_violation(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"\xff\xfe\x00\x81")
    [violation] = check_file(path, "electors").violations
    assert violation.rule == "encoding"


def test_the_command_prints_each_violation_and_exits_1(tmp_path, capsys):
    path = _write(tmp_path, GOOD + "141003,0000000018,01,1,2026-03-01,registered,\r\n")
    with pytest.raises(SystemExit) as exited:
        call_command("check-layout", path, "--layout", "electors", "--language", "en")
    assert exited.value.code == 1
    out = capsys.readouterr()
    assert "line 2, 宛名番号: [check_digit]" in out.out and "1 violations" in out.err


def test_the_allowance_and_notice_exports_check_clean(yokohama, tmp_path):
    from jichi.benefits.allowance import services as allowance

    _, people = family(yokohama)
    with tenant_scope(yokohama.code):
        allowance.certify(
            municipality=yokohama,
            actor=SYSTEM,
            claimant=people[0].number,
            children=[people[2].number],
            claimed_on=today(),
        )
    for name in ("allowance", "school-notices"):
        path = tmp_path / f"{name}.csv"
        call_command(
            "export-layout",
            "--layout",
            name,
            "--municipality",
            yokohama.code,
            "--output",
            str(path),
            stdout=io.StringIO(),
        )
        assert check_file(path, name).ok, name
    assert check_file(tmp_path / "allowance.csv", "allowance").rows == 1


def test_the_layouts_document_lists_every_column():
    text = (ROOT / "docs" / "layouts.md").read_text(encoding="utf-8")
    for spec in LAYOUTS.values():
        assert f"## `{spec.name}`" in text
        for column in spec.columns:
            assert f"`{column.name}`" in text, (spec.name, column.name)


# --- importing into an empty business ---------------------------------------------------


def _move_roll(yokohama, tmp_path):
    """Export the roll, then empty the business, as the new vendor's system would be."""
    from jichi.benefits.elections.models import ElectorEntry, Registration

    path = _electors_file(yokohama, tmp_path)
    with tenant_scope(yokohama.code):
        ElectorEntry.objects.all().delete()
        Registration.objects.all().delete()
    return path


def test_an_exported_roll_imports_into_an_empty_business(yokohama, tmp_path):
    from jichi.benefits.elections.models import ElectorEntry

    path = _move_roll(yokohama, tmp_path)
    out = io.StringIO()
    call_command("import-layout", path, "--layout", "electors", "--municipality",
                 yokohama.code, stdout=out)  # fmt: skip
    assert "imported 2 rows" in out.getvalue()
    with tenant_scope(yokohama.code):
        assert ElectorEntry.objects.filter(status="registered").count() == 2
    with pytest.raises(Exception, match=r"import\.not_empty"):
        call_command("import-layout", path, "--layout", "electors", "--municipality",
                     yokohama.code, stdout=io.StringIO())  # fmt: skip


def test_a_file_naming_unknown_persons_imports_nothing(yokohama, tmp_path, capsys):
    from jichi.benefits.elections.models import ElectorEntry

    path = _move_roll(yokohama, tmp_path)
    text = open(path, encoding="utf-8-sig").read()
    from jichi.common.checkdigits import make_resident_number

    nobody = make_resident_number(99_999)  # a valid number nobody has
    text += f"141003,{nobody},01,1,2026-03-01,registered,\r\n"
    open(path, "w", encoding="utf-8-sig").write(text)
    with pytest.raises(SystemExit):
        call_command("import-layout", path, "--layout", "electors", "--municipality",
                     yokohama.code)  # fmt: skip
    assert "line 4, 宛名番号: [register.unknown]" in capsys.readouterr().out
    with tenant_scope(yokohama.code):
        assert not ElectorEntry.objects.exists()


def test_an_allowance_file_moves_with_its_children(yokohama, tmp_path):
    from jichi.benefits.allowance import services as allowance
    from jichi.benefits.allowance.models import Recipient

    _, people = family(yokohama)
    with tenant_scope(yokohama.code):
        allowance.certify(municipality=yokohama, actor=SYSTEM, claimant=people[0].number,
                          children=[people[2].number], claimed_on=today())  # fmt: skip
    path = tmp_path / "allowance.csv"
    call_command("export-layout", "--layout", "allowance", "--municipality", yokohama.code,
                 "--output", str(path), stdout=io.StringIO())  # fmt: skip
    with tenant_scope(yokohama.code):
        before = [(r.number, r.start_month, [c.number for c in r.children.all()])
                  for r in Recipient.objects.all()]  # fmt: skip
        Recipient.objects.all().delete()
    call_command("import-layout", str(path), "--layout", "allowance", "--municipality",
                 yokohama.code, stdout=io.StringIO())  # fmt: skip
    with tenant_scope(yokohama.code):
        after = [(r.number, r.start_month, [c.number for c in r.children.all()])
                 for r in Recipient.objects.all()]  # fmt: skip
    assert after == before
