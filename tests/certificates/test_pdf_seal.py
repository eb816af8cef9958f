"""The official seal (公印): its layout, and one seal per municipality, always the same."""

from __future__ import annotations

import io

from pypdf import PdfReader

from jichi.certificates.pdf import Issuer, render
from jichi.certificates.pdf.ops import Box, Text
from jichi.certificates.pdf.qr import rectangles
from jichi.certificates.pdf.seal import RED, columns, seal_ops
from jichi.certificates.pdf.testing import sample_content


def test_words_are_set_in_columns_read_from_the_right():
    assert columns("横浜市長之印") == ["横浜", "市長", "之印"]
    assert columns("港区長印") == ["港区", "長印"]
    assert columns("さいたま市長之印") == ["さいた", "ま市長", "之印"]
    assert columns("町長印") == ["町長", "印"]


def test_seal_words_default_to_the_mayors_title():
    assert Issuer("141003", "横浜市", "神奈川県", "横浜市長", "山中").seal_words == "横浜市長之印"
    custom = Issuer("131016", "千代田区", "東京都", "千代田区長", "樋口", seal_text="千代田区長印")
    assert custom.seal_words == "千代田区長印"


def test_characters_are_placed_right_to_left_top_to_bottom_in_red():
    texts = [op for op in seal_ops("横浜市長之印", "141003", 0, 0, 21) if isinstance(op, Text)]
    assert [t.text for t in texts] == list("横浜市長之印")
    assert all(t.color == RED for t in texts)
    by_char = {t.text: t for t in texts}
    assert by_char["横"].x > by_char["市"].x > by_char["之"].x  # columns from the right
    assert by_char["横"].y < by_char["浜"].y  # top to bottom


def test_the_same_municipality_always_gets_the_same_seal():
    assert seal_ops("横浜市長之印", "141003", 10, 10, 21) == seal_ops(
        "横浜市長之印", "141003", 10, 10, 21
    )


def test_another_municipality_gets_another_seal_border():
    def border(code):
        return [op for op in seal_ops("市長之印", code, 0, 0, 21) if isinstance(op, Box)]

    assert border("141003") != border("011002")


def test_seal_is_printed_on_the_certificate():
    pdf = render(sample_content(persons=1))
    text = PdfReader(io.BytesIO(pdf)).pages[-1].extract_text()
    assert "横 浜 市 長 之 印" in text or "横浜市長之印" in text


def test_qr_rectangles_cover_exactly_the_dark_modules():
    import segno

    url = "https://jichi.example.jp/verify/0193b1f2-7c4e-7a51-9b2e-3f1c2d4e5f60"
    n, rects = rectangles(url)
    covered = set()
    for r, c, w, h in rects:
        cells = {(i, j) for i in range(r, r + h) for j in range(c, c + w)}
        assert not cells & covered
        covered |= cells
    matrix = segno.make(url, error="m").matrix
    assert covered == {(i, j) for i in range(n) for j in range(n) if matrix[i][j]}
