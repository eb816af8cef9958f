"""render(content) -> bytes: the certificate as an unsigned A4 PDF (fpdf2).

Steps: refuse undrawable text (:func:`glyphs.check_drawable`), lay the pages out
(:mod:`layout`), cut each face down to the characters the pages use
(:meth:`faces.Face.subset`), and draw. The output depends only on the content: the
PDF's creation date is the issue date (00:00 JST), so the same content renders to
the same bytes. The document metadata holds the title, the issuer and the serial,
never a name or an address.
"""

from __future__ import annotations

import datetime
import io
import logging
from collections import defaultdict
from itertools import groupby

from fpdf import FPDF
from fpdf.enums import RenderStyle, TextMode
from fpdf.fonts import TTFFont

from jichi.certificates.pdf import faces
from jichi.certificates.pdf.content import CertificateContent
from jichi.certificates.pdf.glyphs import check_drawable
from jichi.certificates.pdf.layout import Pages, layout
from jichi.certificates.pdf.ops import PT, Box, Op, Text

JST = datetime.timezone(datetime.timedelta(hours=9), "JST")
# fontTools logs every step of fpdf2's subsetting at INFO: a dozen lines per certificate.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)


def render(content: CertificateContent) -> bytes:
    """The certificate as PDF bytes; a RuleViolation (422) names any undrawable text."""
    check_drawable(content)
    pages = layout(content)
    pdf = _document(content)
    _embed_fonts(pdf, pages)
    for page in pages.pages:
        pdf.add_page()
        _draw(pdf, page)
    return bytes(pdf.output())


def _document(content: CertificateContent) -> FPDF:
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.set_lang("ja-JP")
    pdf.set_title(content.title)
    pdf.set_author(f"{content.issuer.prefecture}{content.issuer.name}")
    pdf.set_subject(f"{content.title} 交付番号 {content.serial}")
    pdf.set_keywords(f"certificate-id:{content.certificate_id}")
    pdf.set_creator("Jichi")
    issued = datetime.datetime.combine(content.issued_on, datetime.time(), JST)
    pdf.set_creation_date(issued)
    return pdf


def _embed_fonts(pdf: FPDF, pages: Pages) -> None:
    """One small subset font per face the pages use (fpdf2 embeds and re-subsets it)."""
    used: dict[str, set[int]] = defaultdict(set)
    by_key = {}
    for page in pages.pages:
        for op in page:
            if isinstance(op, Text):
                for ch in op.text:
                    face = faces.face_for(ord(ch))
                    used[face.key].add(ord(ch))
                    by_key[face.key] = face
    for key, codepoints in used.items():
        font = TTFFont(pdf, io.BytesIO(by_key[key].subset(codepoints)), key, "")
        font.ttfont.recalcBBoxes = False  # glyphs are copied as they are
        pdf.fonts[key] = font


def _draw(pdf: FPDF, ops: list[Op]) -> None:
    for opacity, group in groupby(ops, key=lambda op: getattr(op, "opacity", 1.0)):
        if opacity < 1.0:
            with pdf.local_context(fill_opacity=opacity, stroke_opacity=opacity):
                _draw_all(pdf, group)
        else:
            _draw_all(pdf, group)


def _draw_all(pdf: FPDF, ops) -> None:
    pen = _Pen(pdf)
    for op in ops:
        if isinstance(op, Box):
            pen.box(op)
        else:
            _text(pdf, op)
            pen.forget()  # an outlined text changes the line width and colour


def _text(pdf: FPDF, op: Text) -> None:
    """Draw `op` in runs, each in the face that has its characters."""
    pdf.set_text_color(*op.color)
    if pdf.font_stretching != op.stretch:
        pdf.set_stretching(op.stretch)
    if pdf.char_spacing != op.spacing:
        pdf.set_char_spacing(op.spacing)
    if op.outline:
        pdf.set_line_width(op.outline)
        pdf.set_draw_color(*op.color)
        pdf.text_mode = TextMode.FILL_STROKE
    x = op.x
    for face, run in groupby(op.text, key=lambda ch: faces.face_for(ord(ch))):
        chars = "".join(run)
        pdf.set_font(face.key, size=op.size)
        pdf.text(x, op.y, chars)
        x += face.width(chars, op.size) * op.stretch / 100 + op.spacing * PT * len(chars)
    if op.outline:
        pdf.text_mode = TextMode.FILL


class _Pen:
    """Sets line width and colours only when they change (a QR code is ~300 boxes)."""

    def __init__(self, pdf: FPDF) -> None:
        self.pdf = pdf
        self.forget()

    def forget(self) -> None:
        self.fill = self.stroke = self.line = None

    def box(self, op: Box) -> None:
        pdf = self.pdf
        if op.stroke and (op.stroke, op.line) != (self.stroke, self.line):
            pdf.set_line_width(op.line)
            pdf.set_draw_color(*op.stroke)
            self.stroke, self.line = op.stroke, op.line
        if op.fill and op.fill != self.fill:
            pdf.set_fill_color(*op.fill)
            self.fill = op.fill
        style = _STYLES[(bool(op.stroke), bool(op.fill))]
        pdf.rect(op.x, op.y, op.w, op.h, style=style)


_STYLES = {
    (True, False): RenderStyle.D,
    (False, True): RenderStyle.F,
    (True, True): RenderStyle.DF,
}
