"""The 就学通知書 as a PDF (A4, IPAex Gothic embedded)."""

from __future__ import annotations

from datetime import date

from django.http import HttpResponse
from fpdf import FPDF

from jichi.audit.services import record_read
from jichi.benefits.schooling.models import EntryNotice
from jichi.common.fonts import GOTHIC, font_path
from jichi.common.wareki import format_wareki

MARGIN = 20  # mm


def notice_pdf(notice: EntryNotice, issuer: str) -> bytes:
    """The notice to the guardian: the school and the day of entry (学校教育法施行令第5条)."""
    pdf = FPDF(format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.add_font("gothic", fname=str(font_path(GOTHIC)))
    pdf.set_title("就学通知書")
    pdf.add_page()
    pdf.set_font("gothic", size=10)
    pdf.cell(0, 6, format_wareki(notice.issued_at.date()), new_x="LMARGIN", new_y="NEXT", align="R")
    pdf.ln(4)
    pdf.set_font("gothic", size=12)
    pdf.cell(0, 8, f"保護者　{notice.guardian_name}　様", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("gothic", size=11)
    pdf.cell(0, 8, f"{issuer}教育委員会", new_x="LMARGIN", new_y="NEXT", align="R")
    pdf.ln(6)
    pdf.set_font("gothic", size=18)
    pdf.cell(0, 12, "就学通知書", new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.ln(4)
    pdf.set_font("gothic", size=11)
    pdf.multi_cell(
        0,
        6,
        "学校教育法施行令第5条第1項の規定により、下記のとおり入学期日及び入学すべき学校を"
        "通知します。",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)
    pdf.cell(0, 8, "記", new_x="LMARGIN", new_y="NEXT", align="C")
    rows = [
        ("児童氏名", notice.child_name),
        ("生年月日", format_wareki(notice.birth_date)),
        ("住所", notice.address),
        ("入学期日", format_wareki(date(notice.entry_year, 4, 1))),
        ("入学すべき学校", notice.school.name),
        ("学校の所在地", notice.school.address or "—"),
    ]
    for label, value in rows:
        pdf.cell(45, 10, label, border=1)
        pdf.multi_cell(0, 10, value, border=1, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("gothic", size=9)
    pdf.multi_cell(
        0,
        5,
        "入学の際は、この通知書を学校へお持ちください。転居・転出の予定がある場合は、"
        "教育委員会へご連絡ください。",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())


def notice_response(notice: EntryNotice, municipality, actor) -> HttpResponse:
    """The notice's PDF as an answer; printing it is a read of personal data (audited)."""
    record_read(actor, object_type="entry_notice", object_id=str(notice.id),
                purpose="就学通知書の出力")  # fmt: skip
    response = HttpResponse(notice_pdf(notice, municipality.display_name),
                            content_type="application/pdf")  # fmt: skip
    response["Content-Disposition"] = f'inline; filename="shugaku-{notice.number}.pdf"'
    return response
