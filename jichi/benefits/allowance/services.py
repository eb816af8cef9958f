"""Certifying recipients, following their children, computing the even months' payments."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Q

from jichi.audit.services import record as audit
from jichi.benefits.allowance import rules
from jichi.benefits.allowance.models import AllowanceChild, EndReason, Payment, Recipient
from jichi.common.ages import march_after_attaining
from jichi.common.errors import RuleViolation
from jichi.registry import selectors as registry
from jichi.registry.codes import ResidentStatus
from jichi.tenancy.models import Municipality
from jichi.tenancy.principals import Actor


def _resident(number: str, field: str, on: date):
    version = registry.person_on(registry.person(number, field), on)
    if version.status != ResidentStatus.RESIDENT:
        raise RuleViolation(
            f"{field}.not_resident",
            "住民でない人は対象になりません。",
            "Only a resident can be named here.",
            field,
            status=422,
        )
    return version


def _already_paid(number: str, month: date) -> bool:
    """The child is paid to an active recipient in ``month`` already (二重受給の防止)."""
    return AllowanceChild.objects.filter(
        Q(to_month__isnull=True) | Q(to_month__gte=month),
        Q(recipient__end_month__isnull=True) | Q(recipient__end_month__gte=month),
        number=number,
    ).exists()


@transaction.atomic
def certify(
    *,
    municipality: Municipality,
    actor: Actor,
    claimant: str,
    children: list[str],
    claimed_on: date,
    application_id=None,
) -> Recipient:
    """認定: the claimant receives the allowance for ``children`` (their 宛名番号), who
    live in the claimant's household; older children of the household up to 22 are
    counted for the birth order."""
    parent = _resident(claimant, "claimant", claimed_on)
    if not children:
        raise RuleViolation(
            "children.required",
            "対象児童を指定してください。",
            "Name at least one child.",
            "children",
        )
    births = [parent.became_resident_on]  # a move-in, and the births below
    kids = []
    for i, number in enumerate(dict.fromkeys(children)):
        child = _resident(number, f"children.{i}", claimed_on)
        if child.household_id != parent.household_id:
            raise RuleViolation(
                "household.other",
                "児童が請求者と別の世帯です（別居監護は書面で申し立ててください）。",
                "The child lives in another household than the claimant.",
                f"children.{i}",
                status=422,
            )
        if not rules.paid_in(child.birth_date, rules.month_of(claimed_on)):
            raise RuleViolation(
                "age.over",
                "児童が18歳到達後の最初の3月31日を過ぎています。",
                "The child is past the March after attaining 18.",
                f"children.{i}",
                status=422,
            )
        kids.append(child)
        births.append(child.birth_date)
    recent = [d for d in births if 0 <= (claimed_on - d).days <= rules.GRACE_DAYS]
    start = rules.start_month(claimed_on, max(recent) if recent else None)
    for i, child in enumerate(kids):
        if _already_paid(child.person.number, start):
            raise RuleViolation(
                "child.already_paid",
                "この児童には既に児童手当が支給されています。",
                "The allowance is paid for this child already.",
                f"children.{i}",
                status=409,
            )
    recipient = Recipient.objects.create(
        municipality=municipality,
        number=claimant,
        name=parent.full_name,
        application_id=application_id,
        claimed_on=claimed_on,
        start_month=start,
    )
    listed = {child.person.number for child in kids}
    counted = [
        m
        for m in registry.household_members(parent.household, claimed_on)
        if m.relationship.endswith("子")
        and m.person.number not in listed
        and m.person.number != claimant
        and not rules.paid_in(m.birth_date, rules.month_of(claimed_on))
        and march_after_attaining(m.birth_date, rules.COUNTED_UNTIL_AGE) >= claimed_on
    ]
    AllowanceChild.objects.bulk_create(
        AllowanceChild(
            municipality=municipality,
            recipient=recipient,
            number=v.person.number,
            name=v.full_name,
            birth_date=v.birth_date,
            from_month=start,
        )
        for v in [*kids, *counted]
    )
    audit(
        actor,
        "allowance.certified",
        object_type="recipient",
        object_id=str(recipient.id),
        details={"children": len(kids), "counted": len(counted), "start_month": start.isoformat()},
    )
    return recipient


@transaction.atomic
def end_recipient(*, actor: Actor, recipient: Recipient, on: date, reason: str) -> Recipient:
    """受給事由の消滅: paid up to the month of ``on``."""
    if reason not in EndReason.values:
        raise RuleViolation(
            "reason.choice",
            "消滅の理由が正しくありません。",
            "The reason is not one of the list.",
            "reason",
        )
    recipient.end_month, recipient.end_reason = rules.month_of(on), reason
    recipient.save(update_fields=["end_month", "end_reason"])
    audit(
        actor,
        "allowance.ended",
        object_type="recipient",
        object_id=str(recipient.id),
        details={"end_month": recipient.end_month.isoformat(), "reason": reason},
    )
    return recipient


@transaction.atomic
def compute_payments(*, municipality: Municipality, actor: Actor, pay_month: date) -> dict:
    """The payments of an even month, for the two months before, to every recipient then
    entitled; a recipient paid for that month already is left as it is."""
    if not rules.is_pay_month(pay_month):
        raise RuleViolation(
            "pay_month.even",
            "支払月は偶数月の1日で指定してください。",
            "The payment month is the 1st of an even month.",
            "pay_month",
        )
    months = rules.covered_months(pay_month)
    paid = set(Payment.objects.filter(pay_month=pay_month).values_list("recipient_id", flat=True))
    recipients = (
        Recipient.objects.filter(start_month__lte=months[-1])
        .filter(Q(end_month__isnull=True) | Q(end_month__gte=months[0]))
        .exclude(id__in=paid)
        .prefetch_related("children")
    )
    made = []
    for recipient in recipients:
        breakdown = _breakdown(recipient, months)
        amount = sum(sum(m["children"].values()) for m in breakdown)
        if amount:
            made.append(
                Payment(
                    municipality=municipality,
                    recipient=recipient,
                    pay_month=pay_month,
                    amount=amount,
                    months=breakdown,
                )
            )
    Payment.objects.bulk_create(made)
    total = sum(p.amount for p in made)
    audit(
        actor,
        "allowance.payments",
        object_type="payments",
        object_id=pay_month.isoformat(),
        details={"payments": len(made), "total": total, "skipped": len(paid)},
    )
    return {"payments": len(made), "total": total, "already": len(paid)}


def _breakdown(recipient: Recipient, months: list[date]) -> list[dict]:
    lines = []
    for month in months:
        if month < recipient.start_month or (recipient.end_month and month > recipient.end_month):
            continue
        births = {
            c.number: c.birth_date
            for c in recipient.children.all()
            if c.from_month <= month and (c.to_month is None or month <= c.to_month)
        }
        lines.append({"month": month.isoformat(), "children": rules.monthly_amounts(births, month)})
    return lines
