"""The certificate renderer: what the PDF says, on how many pages, with which fonts."""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import replace

import pytest
from pypdf import PdfReader

from jichi.certificates.pdf import Kind, Movement, PersonRow, Removal, render
from jichi.certificates.pdf.testing import sample_content, sample_persons


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def text_of(pdf: bytes) -> str:
    return "\n".join(pages_text(pdf))


def fonts_of(pdf: bytes) -> dict[str, dict]:
    """BaseFont → descendant font descriptor, for every font of every page."""
    found = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            found[str(font["/BaseFont"])] = descendant["/FontDescriptor"].get_object()
    return found


def test_household_copy_prints_title_head_address_persons_and_statement():
    text = text_of(render(sample_content()))
    for expected in (
        "住民票の写し",
        "住所 神奈川県横浜市中区港町一丁目1番地",
        "世帯主 横浜　一郎",
        "横浜　花子",
        "ヨコハマ　ハナコ",
        "続柄 妻",
        "本籍 神奈川県横浜市中区日本大通1番地",
        "この写しは、世帯全員の住民票の原本と相違ないことを証明する。",
        "横浜市長　山中　竹春",
        "交付番号　141003-2025-000123",
        "以下余白",
    ):
        assert expected in text, expected


def test_dates_are_wareki_for_japanese_and_gregorian_for_foreign_residents():
    text = text_of(render(sample_content()))
    assert "生年月日 昭和55年5月12日" in text
    assert "令和7年4月1日" in text  # the issue date under the statement
    assert "生年月日 1990年2月28日" in text  # the foreign resident
    assert "在留期間等 3年 満了の日 2026年9月30日" in text
    assert "平成27年4月1日　転入　平成27年4月3日届出" in text  # 記事


def test_every_page_carries_page_x_of_y_serial_and_certificate_id():
    pages = pages_text(render(sample_content()))
    assert len(pages) == 2
    for number, page in enumerate(pages, start=1):
        assert f"{number} / 2" in page
        assert "交付番号　141003-2025-000123" in page
        assert "証明書ID　0193b1f2-7c4e-7a51-9b2e-3f1c2d4e5f60" in page
        assert "https://jichi.example.jp/verify/0193b1f2-7c4e-7a51-9b2e-3f1c2d4e5f60" in page
        assert "世帯主 横浜　一郎" in page  # the header repeats


def test_fee_and_requester_in_small_print():
    assert "手数料　300円　／　請求者　本人" in text_of(render(sample_content()))
    free = text_of(render(sample_content(fee=0, requester="代理人")))
    assert "手数料　無料　／　請求者　代理人" in free


def test_omitted_items_are_not_printed():
    persons = tuple(
        replace(p, relationship=None, domicile=None, domicile_head=None, previous_address=None)
        for p in sample_persons()[:1]
    )
    text = text_of(render(sample_content(persons=persons, household_head=None)))
    for omitted in ("続柄", "本籍", "筆頭者", "前住所", "世帯主", "個人番号", "住民票コード"):
        assert omitted not in text, omitted
    assert "横浜　一郎" in text


def test_my_number_and_resident_code_print_only_when_given():
    person = replace(sample_persons()[0], my_number="123456789018", resident_code="12345678901")
    text = text_of(render(sample_content(persons=(person,))))
    assert "個人番号 123456789018" in text
    assert "住民票コード 12345678901" in text


@pytest.mark.parametrize(
    ("kind", "statement"),
    [
        (Kind.REMOVED_COPY, "この写しは、除票の原本と相違ないことを証明する。"),
        (Kind.MOVE_OUT, "上記の者は、転出の届出をしたことを証明する。"),
        (
            Kind.ENTRY_CERTIFICATE,
            "上記の事項は、住民票に記載されている事項と相違ないことを証明する。",
        ),
    ],
)
def test_each_kind_has_its_title_and_statement(kind, statement):
    text = text_of(render(sample_content(kind=kind, persons=1, whole_household=False)))
    assert statement in text
    assert {
        "removed_copy": "除票の写し",
        "move_out": "転出証明書",
        "entry_certificate": "住民票記載事項証明書",
    }[kind] in text


def test_single_person_copy_says_so():
    text = text_of(render(sample_content(persons=1, whole_household=False)))
    assert "この写しは、住民票の原本と相違ないことを証明する。" in text
    assert "世帯全員" not in text


def test_entry_certificate_of_a_past_day_names_that_day():
    content = sample_content(
        kind=Kind.ENTRY_CERTIFICATE, persons=1, as_of=datetime.date(2024, 3, 31)
    )
    text = text_of(render(content))
    assert "令和6年3月31日現在" in text
    assert "上記の事項は、令和6年3月31日現在、住民票に記載されている事項と相違ない" in text


def test_removed_copy_prints_the_removal_and_destination():
    person = replace(
        sample_persons()[0],
        removal=Removal(
            "転出",
            datetime.date(2025, 3, 1),
            datetime.date(2025, 2, 20),
            "東京都千代田区丸の内一丁目1番1号",
        ),
    )
    text = text_of(render(sample_content(kind=Kind.REMOVED_COPY, persons=(person,))))
    assert "消除 令和7年3月1日　転出　令和7年2月20日届出" in text
    assert "転出先 東京都千代田区丸の内一丁目1番1号" in text


def test_move_out_certificate_prints_the_planned_day_and_destination():
    person = replace(
        sample_persons()[0],
        removal=Removal(
            "転出",
            datetime.date(2025, 4, 20),
            destination="大阪府大阪市北区梅田一丁目1番",
            planned=True,
        ),
    )
    text = text_of(render(sample_content(kind=Kind.MOVE_OUT, persons=(person,))))
    assert "転出予定年月日 令和7年4月20日" in text
    assert "転出先 大阪府大阪市北区梅田一丁目1番" in text


def test_uncertain_birth_date_prints_its_note():
    from jichi.registry.dates import UncertainDate

    person = replace(
        sample_persons()[3], birth_date=UncertainDate(datetime.date(1990, 1, 1), "year", "")
    )
    assert "1990年 月日不詳" in text_of(render(sample_content(persons=(person,))))


def test_long_values_wrap_and_nothing_is_cut_off():
    address = "北海道札幌市中央区北一条西二丁目" + "一二三四五六七八九十" * 12 + "番地"
    person = replace(sample_persons()[0], previous_address=address)
    text = text_of(render(sample_content(persons=(person,)))).replace("\n", "")
    assert address in text


def test_many_movements_continue_on_the_next_page_with_every_line():
    movements = tuple(
        Movement("転居", datetime.date(2000, 1, 1) + datetime.timedelta(days=40 * i))
        for i in range(60)
    )
    person = replace(sample_persons()[0], movements=movements)
    pdf = render(sample_content(persons=(person,)))
    pages = pages_text(pdf)
    assert len(pages) >= 2
    assert all(f"{n} / {len(pages)}" in page for n, page in enumerate(pages, start=1))
    assert "".join(pages).count("転居") == 60


def test_a_household_of_ten_takes_several_pages_and_keeps_each_block_whole():
    names = [f"横浜　{given}" for given in "春夏秋冬月星空海山川"]
    persons = tuple(replace(sample_persons()[1], name=name) for name in names)
    pages = pages_text(render(sample_content(persons=persons)))
    assert len(pages) >= 3
    for name in names:
        holding = [p for p in pages if name in p]
        assert len(holding) == 1
        assert "本籍" in holding[0].split(name, 1)[1]  # its rows follow on the same page


def test_japanese_font_is_embedded_as_a_subset():
    fonts = fonts_of(render(sample_content()))
    assert any("IPAexMincho" in name for name in fonts)
    for descriptor in fonts.values():
        assert "/FontFile2" in descriptor  # embedded TrueType
    assert all(re.match(r"/[A-Z]{6}\+", name) for name in fonts)  # subset tag ABCDEF+Name


def test_metadata_holds_no_personal_data():
    reader = PdfReader(io.BytesIO(render(sample_content())))
    meta = " ".join(str(v) for v in reader.metadata.values())
    assert "住民票の写し" in meta
    assert "横浜　一郎" not in meta
    assert "港町" not in meta


def test_same_content_renders_to_the_same_bytes():
    assert render(sample_content()) == render(sample_content())


def test_pdf_is_a4():
    page = PdfReader(io.BytesIO(render(sample_content(persons=1)))).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


def test_person_without_optional_rows_renders():
    person = PersonRow(name="横浜　次郎")
    text = text_of(render(sample_content(persons=(person,))))
    assert "横浜　次郎" in text
