"""Template filters of the register: dates as the standard displays them."""

from __future__ import annotations

from datetime import date

from django import template

from jichi.common.errors import RuleViolation
from jichi.common.wareki import format_wareki

register = template.Library()


@register.filter
def resident_date(value: date | None, kind: str = "1") -> str:
    """和暦 for Japanese residents, 西暦 for foreign residents (registry-standard §4.3)."""
    if not value:
        return ""
    if kind == "2":
        return f"{value.year}年{value.month}月{value.day}日"
    try:
        return format_wareki(value)
    except RuleViolation:  # before 明治: the Gregorian date
        return value.isoformat()
