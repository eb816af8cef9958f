"""The one-stop counter's confirmation sheet (確認書): every procedure of the visit with its
answers on A4, what the register answered marked as such, and a line to sign.

The visitor checks the sheet and signs it; the clerk then submits every procedure at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fpdf import FPDF

from jichi.common.fonts import GOTHIC, font_path
from jichi.common.wareki import format_wareki

MARGIN = 15  # mm


@dataclass(frozen=True)
class Entry:
    label: str
    value: str
    from_register: bool


@dataclass(frozen=True)
class Section:
    title: str
    entries: list[Entry]


def confirmation_sheet(
    *, municipality: str, visitor: str, number: str, on: date, sections: list[Section]
) -> bytes:
    """The sheet as PDF bytes (IPAex Gothic embedded)."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=MARGIN + 10)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.add_font("gothic", fname=str(font_path(GOTHIC)))
    pdf.set_title("申請内容確認書")
    pdf.add_page()
    pdf.set_font("gothic", size=16)
    pdf.cell(0, 10, "申請内容確認書", new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font("gothic", size=10)
    pdf.cell(0, 6, f"{municipality}　{format_wareki(on)}", new_x="LMARGIN", new_y="NEXT", align="R")
    pdf.cell(0, 6, f"申請者: {visitor}（宛名番号 {number}）", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(
        0,
        5,
        "以下の内容で申請します。「住民記録」と記した項目は、住民記録の内容を職員が転記したものです。"
        "内容をご確認のうえ、署名してください。",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    width = pdf.w - 2 * MARGIN
    for i, section in enumerate(sections, start=1):
        pdf.ln(3)
        pdf.set_font("gothic", size=12)
        pdf.cell(0, 8, f"{i}. {section.title}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("gothic", size=9)
        for entry in section.entries:
            label = entry.label + ("（住民記録）" if entry.from_register else "")
            y = pdf.get_y()
            pdf.multi_cell(width * 0.38, 5.5, label, border="B", new_x="RIGHT", new_y="TOP")
            pdf.multi_cell(width * 0.62, 5.5, entry.value or "—", border="B")
            pdf.set_y(max(pdf.get_y(), y + 5.5))
    pdf.ln(10)
    pdf.set_font("gothic", size=11)
    pdf.cell(0, 8, "上記の内容に相違ありません。", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 12, "署名　＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("gothic", size=8)
    pdf.cell(0, 5, f"{len(sections)} 件の手続", align="R")
    return bytes(pdf.output())
