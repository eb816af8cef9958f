"""The table rows of a certificate: the household header and one block per person.

Which rows a person gets follows the items present (``None`` means omitted by the
request's options): 氏名・生年月日・性別; 旧氏 and 通称 when recorded; 続柄,
住民となった年月日, 住所を定めた年月日 (with its 届出日); 前住所; 本籍・筆頭者;
個人番号・住民票コード; the foreign-resident items; the 転出 or 消除 of the record;
and the 記事 lines (異動 with 異動日 and 届出日, then free notes).
"""

from __future__ import annotations

import datetime

from jichi.certificates.pdf.content import (
    CertificateContent,
    DateLike,
    ForeignItems,
    Kind,
    Movement,
    PersonRow,
    Removal,
)
from jichi.certificates.pdf.table import Cell, Row
from jichi.registry.dates import UncertainDate

NAME_SIZE = 13.0


def date_text(value: DateLike | None, *, foreign: bool) -> str:
    """和暦 for Japanese residents, 西暦 for foreign residents; 不詳 texts as recorded."""
    if value is None:
        return ""
    if not isinstance(value, UncertainDate):
        value = UncertainDate.exact(value)
    return value.display(foreign)


def notified_text(value: datetime.date | None, *, foreign: bool) -> str:
    return f"{date_text(value, foreign=foreign)}届出" if value else ""


def header_rows(content: CertificateContent) -> list[Row]:
    """住所 and, unless omitted, 世帯主: repeated at the top of every page."""
    rows = [Row((Cell("住所", content.address, size=11.0),))]
    if content.household_head is not None:
        rows.append(Row((Cell("世帯主", content.household_head, size=11.0),)))
    return rows


def person_rows(person: PersonRow, kind: Kind) -> list[Row]:
    """The rows of one person's block, in print order."""
    foreign = person.is_foreign
    rows = [_name_row(person)]
    for label, value in (("旧氏", person.former_surname), ("通称", person.alias)):
        if value:
            rows.append(Row((Cell(label, value),)))
    rows += _present(
        [
            Cell("続柄", person.relationship or "", 0.7)
            if person.relationship is not None
            else None,
            _date_cell("住民となった年月日", person.became_resident_on, foreign),
            _address_since_cell(person),
        ]
    )
    if person.previous_address is not None:
        rows.append(Row((Cell("前住所", person.previous_address),)))
    rows += _present(
        [
            Cell("本籍", person.domicile, 2.6) if person.domicile is not None else None,
            Cell("筆頭者", person.domicile_head) if person.domicile_head is not None else None,
        ]
    )
    rows += _present(
        [
            Cell("個人番号", person.my_number) if person.my_number is not None else None,
            Cell("住民票コード", person.resident_code)
            if person.resident_code is not None
            else None,
        ]
    )
    if person.foreign is not None:
        rows += _foreign_rows(person.foreign)
    if person.removal is not None:
        rows += _removal_rows(person.removal, kind, foreign)
    return rows + _remarks(person)


def _name_row(person: PersonRow) -> Row:
    birth = date_text(person.birth_date, foreign=person.is_foreign)
    return Row(
        (
            Cell("氏名", person.name, 2.2, NAME_SIZE, kana=person.kana),
            Cell("生年月日", birth, 1.25),
            Cell("性別", person.sex, 0.35),
        ),
        min_height=11.0,
    )


def _present(cells: list[Cell | None]) -> list[Row]:
    kept = tuple(c for c in cells if c is not None)
    return [Row(kept)] if kept else []


def _date_cell(label: str, value: DateLike | None, foreign: bool) -> Cell | None:
    return Cell(label, date_text(value, foreign=foreign)) if value is not None else None


def _address_since_cell(person: PersonRow) -> Cell | None:
    if person.address_since is None:
        return None
    foreign = person.is_foreign
    text = date_text(person.address_since, foreign=foreign)
    notified = notified_text(person.address_notified_on, foreign=foreign)
    return Cell("住所を定めた年月日", f"{text}\n{notified}" if notified else text, 1.3, 9.0)


def _foreign_rows(items: ForeignItems) -> list[Row]:
    def cell(label: str, value: str, weight: float = 1.0) -> Cell | None:
        return Cell(label, value, weight) if value else None

    expiry = date_text(items.residence_expiry, foreign=True)
    became = date_text(items.became_foreign_resident_on, foreign=True)
    return [
        *_present(
            [cell("国籍・地域", items.nationality), cell("法30条の45規定区分", items.article_30_45)]
        ),
        *_present(
            [
                cell("在留資格", items.residence_status, 1.3),
                cell("在留期間等", items.residence_period, 0.9),
                cell("満了の日", expiry),
            ]
        ),
        *_present(
            [
                cell("在留カード等番号", items.residence_card_no),
                cell("外国人住民となった年月日", became),
            ]
        ),
    ]


def _removal_rows(removal: Removal, kind: Kind, foreign: bool) -> list[Row]:
    when = date_text(removal.effective_on, foreign=foreign)
    if kind is Kind.MOVE_OUT:
        label = "転出予定年月日" if removal.planned else "転出年月日"
        cells = [Cell(label, when), Cell("転出先", removal.destination, 2.4)]
        return _present(cells)
    notified = notified_text(removal.notified_on, foreign=foreign)
    text = "　".join(t for t in (when, removal.reason, notified) if t)
    rows = [Row((Cell("消除", text),))]
    if removal.destination:
        rows.append(Row((Cell("転出先", removal.destination),)))
    return rows


def movement_text(movement: Movement, foreign: bool) -> str:
    parts = (
        date_text(movement.effective_on, foreign=foreign),
        movement.reason,
        notified_text(movement.notified_on, foreign=foreign),
        movement.note,
    )
    return "　".join(p for p in parts if p)


def _remarks(person: PersonRow) -> list[Row]:
    """記事: one row per 異動 and note, labelled on the first row only."""
    lines = [movement_text(m, person.is_foreign) for m in person.movements]
    lines += list(person.notes)
    return [Row((Cell("記事" if i == 0 else "", line),)) for i, line in enumerate(lines)]
