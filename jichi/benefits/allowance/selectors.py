"""Reads of 児童手当: recipients, payments, the changes to handle."""

from __future__ import annotations

from datetime import date

from jichi.benefits.allowance.models import Change, Payment, Recipient
from jichi.common.errors import not_found
from jichi.common.ids import parse_id


def recipients():
    return Recipient.objects.prefetch_related("children").order_by("-certified_at")


def recipient(recipient_id) -> Recipient:
    found = recipients().filter(id=parse_id(recipient_id, "recipient", "受給者")).first()
    if found is None:
        raise not_found("recipient", "受給者")
    return found


def payments(pay_month: date | None = None):
    found = Payment.objects.select_related("recipient").order_by("-pay_month", "recipient__number")
    return found.filter(pay_month=pay_month) if pay_month else found


def open_changes():
    return Change.objects.filter(handled_at__isnull=True).order_by("deadline", "created_at")


def change(change_id) -> Change:
    found = Change.objects.filter(id=parse_id(change_id, "change", "事由")).first()
    if found is None:
        raise not_found("change", "事由")
    return found
