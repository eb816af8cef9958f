"""Text no installed font can draw is refused before rendering — never a blank box."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from jichi.certificates.pdf import Issuer, Movement, check_drawable, render
from jichi.certificates.pdf.faces import _remapped, faces
from jichi.certificates.pdf.testing import sample_content, sample_persons
from jichi.common.errors import RuleViolation
from jichi.common.fonts import MJ_MINCHO, find_font

MJ_ONLY = "𠮷"  # U+20BB7 (つちよし): in IPAmj明朝, not in IPAex明朝
NOWHERE = "丆"  # U+4E06: in neither font


def person_named(name: str):
    return replace(sample_persons()[0], name=name)


def refusal(content) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        render(content)
    return caught.value


def test_emoji_in_a_name_is_refused_naming_field_and_code_point():
    error = refusal(sample_content(persons=(person_named("横浜　一郎😀"),)))
    assert error.code == "name.undrawable_character"
    assert error.field == "persons.0.name"
    assert error.status == 422
    assert "U+1F600" in error.message_ja and "U+1F600" in error.message_en
    assert "😀" in error.message_ja


def test_character_in_no_font_is_refused():
    error = refusal(sample_content(persons=(person_named(f"横浜　{NOWHERE}子"),)))
    assert error.code == "name.undrawable_character"
    assert "U+4E06" in error.message_en


def test_control_character_is_refused_without_printing_it():
    error = refusal(sample_content(address="横浜市\n中区"))
    assert (error.code, error.field) == ("address.undrawable_character", "address")
    assert "U+000A" in error.message_ja
    assert "\n" not in error.message_ja and "\n" not in error.message_en


def test_private_use_character_is_refused():
    error = refusal(sample_content(household_head="横浜\ue000一郎"))
    assert (error.code, error.field) == ("household_head.undrawable_character", "household_head")


def test_variation_sequence_is_refused_rather_than_printed_in_the_base_form():
    error = refusal(sample_content(persons=(person_named("葛\U000e0100城　一郎"),)))
    assert error.code == "name.variation_sequence"
    assert "U+E0100" in error.message_en


def test_every_bad_field_is_reported_at_once():
    second = replace(
        sample_persons()[1],
        kana="ハナコ😀",
        movements=(
            Movement("転入", sample_persons()[1].movements[0].effective_on, note="備考\u0007"),
        ),
    )
    content = sample_content(persons=(person_named("一郎😀"), second))
    with pytest.raises(RuleViolation) as caught:
        check_drawable(content)
    fields = [e.field for e in caught.value.errors]
    assert fields == ["persons.0.name", "persons.1.kana", "persons.1.movements.0.note"]
    assert [e.code for e in caught.value.errors] == [
        "name.undrawable_character",
        "kana.undrawable_character",
        "note.undrawable_character",
    ]


def test_issuer_fields_are_checked_too():
    issuer = Issuer("141003", "横浜市", "神奈川県", "横浜市長", "山中😀竹春")
    error = refusal(sample_content(issuer=issuer))
    assert error.field == "issuer.mayor_name"


def test_uncertain_date_note_is_checked():
    from jichi.registry.dates import UncertainDate

    birth = UncertainDate(sample_persons()[0].birth_date, "year", "昭和55年頃😀")
    error = refusal(sample_content(persons=(replace(sample_persons()[0], birth_date=birth),)))
    assert error.field == "persons.0.birth_date.note"


def test_drawable_content_passes_the_check():
    check_drawable(sample_content())  # raises nothing


def test_mj_character_is_drawn_with_ipamj_when_installed_and_refused_otherwise():
    content = sample_content(persons=(person_named(f"{MJ_ONLY}田　一郎"),))
    if find_font(MJ_MINCHO) is None:
        assert refusal(content).code == "name.undrawable_character"
        return
    pdf = render(content)
    reader = PdfReader(io.BytesIO(pdf))
    names = {
        str(f.get_object()["/BaseFont"]) for f in reader.pages[0]["/Resources"]["/Font"].values()
    }
    assert any("IPAmjMincho" in n for n in names) and any("IPAexMincho" in n for n in names)
    assert f"{MJ_ONLY}田　一郎" in reader.pages[0].extract_text()


def test_subset_font_keeps_the_outlines_of_the_characters_it_holds():
    face = faces()[0]
    text = "住民票の写し横浜"
    subset = TTFont(io.BytesIO(face.subset({ord(c) for c in text})))
    original = TTFont(face.path)
    sub_cmap, orig_cmap = subset.getBestCmap(), original.getBestCmap()
    assert set(sub_cmap) == {ord(c) for c in text}
    for ch in text:
        new, old = subset["glyf"][sub_cmap[ord(ch)]], original["glyf"][orig_cmap[ord(ch)]]
        new.expand(subset["glyf"])
        old.expand(original["glyf"])
        assert list(new.coordinates) == list(old.coordinates)
        assert subset["hmtx"][sub_cmap[ord(ch)]][0] == original["hmtx"][orig_cmap[ord(ch)]][0]
    assert subset["maxp"].numGlyphs == len(text) + 1  # and .notdef


def test_composite_glyph_components_are_renumbered():
    # numberOfContours -1, bbox, then one component: flags (words, last), glyph 7, x, y.
    composite = bytes.fromhex("ffff 0000 0000 0010 0010") + bytes.fromhex("0001 0007 0000 0000")
    remapped = _remapped(composite, {7: 2})
    assert remapped[12:14] == b"\x00\x02"
    assert remapped[:12] == composite[:12] and remapped[14:] == composite[14:]
