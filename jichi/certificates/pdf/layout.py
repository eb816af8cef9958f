"""The pages of a certificate, as drawing operations (no PDF library here).

Every page (A4 portrait) carries, top to bottom: the 交付番号, the title, the day the
content is certified as of (when it is not the issue date), the 住所 / 世帯主 table;
then the person blocks; and at the bottom the QR code to the verify page with the
certificate id and the URL beside it, and ``x / y``. A block stays on one page when it
fits on one; a longer block continues on the next page row by row. After the last
block come 「以下余白」 and the certification: the statement (認証文), the issue date in
和暦, the mayor's title and name with the official seal over its end, the fee and the
requester category in small print.
"""

from __future__ import annotations

from dataclasses import dataclass

from jichi.certificates.pdf import blocks
from jichi.certificates.pdf.content import CertificateContent, default_statement
from jichi.certificates.pdf.ops import PT, Op, Text, text_width
from jichi.certificates.pdf.qr import qr_ops
from jichi.certificates.pdf.seal import seal_ops
from jichi.certificates.pdf.table import MeasuredRow, measure, row_ops, wrap
from jichi.common.wareki import format_wareki

PAGE_W, PAGE_H = 210.0, 297.0
X0 = 14.0
WIDTH = PAGE_W - 2 * X0
TITLE_SIZE = 20.0
SMALL = 7.0
BLOCK_GAP = 3.0
BODY_BOTTOM = 258.0  # the footer (QR code, page number) lies below
QR_SIDE = 20.0
SEAL_SIDE = 21.0
STATEMENT_SIZE = 11.0
MAYOR_SIZE = 14.0


@dataclass
class Pages:
    """The laid-out certificate: one list of operations per page."""

    pages: list[list[Op]]

    def __len__(self) -> int:
        return len(self.pages)


def layout(content: CertificateContent) -> Pages:
    """All pages of `content` (which :func:`glyphs.check_drawable` has accepted)."""
    header = [measure(row, X0, WIDTH) for row in blocks.header_rows(content)]
    top = _header_bottom(content, header)
    persons = [
        [measure(row, X0, WIDTH) for row in blocks.person_rows(p, content.kind)]
        for p in content.persons
    ]
    bodies: list[list[Op]] = [[]]
    y = top
    for block in persons:
        y = _place_block(block, bodies, y, top)
    y = _place_closing(content, bodies, y, top)
    total = len(bodies)
    pages = [
        _header_ops(content, header) + body + _footer_ops(content, number, total)
        for number, body in enumerate(bodies, start=1)
    ]
    return Pages(pages)


def _place_block(block: list[MeasuredRow], bodies: list[list[Op]], y: float, top: float) -> float:
    height = sum(r.height for r in block)
    if y + height > BODY_BOTTOM and height <= BODY_BOTTOM - top and y > top:
        bodies.append([])
        y = top
    for row in block:
        if y + row.height > BODY_BOTTOM and y > top:
            bodies.append([])
            y = top
        bodies[-1] += row_ops(row, y)
        y += row.height
    return y + BLOCK_GAP


def _place_closing(
    content: CertificateContent, bodies: list[list[Op]], y: float, top: float
) -> float:
    bodies[-1].append(_right(X0 + WIDTH, y + 2.5, "以下余白", 8.0))
    y += 6.0
    ops, height = _certification(content, y)
    if y + height > BODY_BOTTOM:
        bodies.append([])
        y = top
        ops, height = _certification(content, y)
    bodies[-1] += ops
    return y + height


def statement_of(content: CertificateContent) -> str:
    if content.statement:
        return content.statement
    as_of = None
    if content.as_of is not None and content.as_of != content.issued_on:
        as_of = format_wareki(content.as_of)
    return default_statement(content.kind, whole_household=content.whole_household, as_of=as_of)


def _certification(content: CertificateContent, y: float) -> tuple[list[Op], float]:
    """認証文, 交付日, 市長名 with the seal, small print; and the height it takes."""
    ops: list[Op] = []
    start, line = y, STATEMENT_SIZE * PT * 1.6
    lines = wrap(statement_of(content), WIDTH - 10, STATEMENT_SIZE)
    y += 3.0
    for text in lines:
        y += line
        ops.append(Text(X0 + 5, y, text, STATEMENT_SIZE))
    y += line * 1.4
    ops.append(Text(X0 + 20, y, format_wareki(content.issued_on), STATEMENT_SIZE))
    y += 13.0
    ops += _mayor(content, y)
    y += 10.0
    for text in _small_print(content):
        y += SMALL * PT * 1.5
        ops.append(Text(X0, y, text, SMALL))
    return ops, y - start + 2.0


def _mayor(content: CertificateContent, baseline: float) -> list[Op]:
    issuer = content.issuer
    text = f"{issuer.mayor_title}　{issuer.mayor_name}"
    right = X0 + WIDTH - SEAL_SIDE + 2.5
    name = _right(right, baseline, text, MAYOR_SIZE, spacing=1.0)
    seal_x = right - 2.5  # the seal overlaps the end of the name, as stamped
    seal_y = baseline - MAYOR_SIZE * PT * 0.4 - SEAL_SIDE / 2
    return [name, *seal_ops(issuer.seal_words, issuer.code, seal_x, seal_y, SEAL_SIDE)]


def _small_print(content: CertificateContent) -> list[str]:
    parts = []
    if content.fee is not None:
        parts.append("手数料　無料" if content.fee == 0 else f"手数料　{content.fee:,}円")
    if content.requester:
        parts.append(f"請求者　{content.requester}")
    first = ["　／　".join(parts)] if parts else []
    return first + list(content.footnotes)


def _header_bottom(content: CertificateContent, header: list[MeasuredRow]) -> float:
    return _header_table_top(content) + sum(r.height for r in header) + 4.0


def _header_table_top(content: CertificateContent) -> float:
    return 34.0 if _as_of_line(content) else 30.0


def _as_of_line(content: CertificateContent) -> str:
    if content.as_of is None or content.as_of == content.issued_on:
        return ""
    return f"{format_wareki(content.as_of)}現在"


def _header_ops(content: CertificateContent, header: list[MeasuredRow]) -> list[Op]:
    ops: list[Op] = [_right(X0 + WIDTH, 12.0, f"交付番号　{content.serial}", 8.0)]
    spacing = 6.0
    title_w = text_width(content.title, TITLE_SIZE, spacing=spacing) - spacing * PT
    ops.append(Text((PAGE_W - title_w) / 2, 22.0, content.title, TITLE_SIZE, spacing=spacing))
    if as_of := _as_of_line(content):
        ops.append(_right(X0 + WIDTH, 29.0, as_of, 9.0))
    y = _header_table_top(content)
    for row in header:
        ops += row_ops(row, y)
        y += row.height
    return ops


def _footer_ops(content: CertificateContent, number: int, total: int) -> list[Op]:
    y = BODY_BOTTOM + 5.0
    ops: list[Op] = qr_ops(content.verify_url, X0, y, QR_SIDE)
    tx = X0 + QR_SIDE + 4.0
    lines = (
        f"証明書ID　{content.certificate_id}",
        content.verify_url,
        "このQRコード又は上記URLで、交付の事実と文書のハッシュ値（SHA-256）を確認できます。",
        "この証明書は電子署名付きPDFです。署名の検証で改ざんの有無を確認できます。",
    )
    for i, text in enumerate(lines):
        ops.append(Text(tx, y + 4.0 + i * 3.8, text, SMALL))
    ops.append(_right(X0 + WIDTH, y + QR_SIDE - 1.0, f"{number} / {total}", 10.0))
    return ops


def _right(right: float, baseline: float, text: str, size: float, spacing: float = 0.0) -> Text:
    width = text_width(text, size, spacing=spacing) - spacing * PT
    return Text(right - width, baseline, text, size, spacing=spacing)
