"""The derived businesses of the demo municipality: districts, schools, a registration,
recipients of the child allowance, payments, 就学通知. Idempotent (only what is missing)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from jichi.benefits.allowance import rules as allowance_rules
from jichi.benefits.allowance import services as allowance
from jichi.benefits.allowance.models import Payment, Recipient
from jichi.benefits.elections import services as elections
from jichi.benefits.elections.models import Registration, VotingDistrict
from jichi.benefits.schooling import rules as schooling_rules
from jichi.benefits.schooling import services as schooling
from jichi.benefits.schooling.models import School
from jichi.common.errors import RuleViolation
from jichi.registry import selectors as registry
from jichi.registry.towns import towns_of
from jichi.tenancy.models import Municipality
from jichi.tenancy.principals import Actor

DISTRICTS, PRIMARY, JUNIOR = 6, 4, 2
RECIPIENTS = 40


@dataclass
class Businesses:
    electors: int = 0
    recipients: int = 0
    payments: int = 0
    notices: int = 0


def _split(items: list, parts: int) -> list[list]:
    size = max(1, -(-len(items) // parts))
    return [items[i : i + size] for i in range(0, len(items), size)][:parts]


def demo_businesses(municipality: Municipality, *, actor: Actor) -> Businesses:
    """In the municipality's scope."""
    today = timezone.localdate()
    towns = [t.code for t in towns_of(municipality.code)]
    if not VotingDistrict.objects.exists():
        elections.set_districts(municipality=municipality, actor=actor, districts=[
            {"code": f"{i + 1:02d}", "name": f"第{i + 1}投票区",
             "polling_place": f"第{i + 1}投票所", "towns": part}
            for i, part in enumerate(_split(towns, DISTRICTS))
        ])  # fmt: skip
    if not School.objects.exists():
        schools = [
            {
                "code": f"P{i + 1:02d}",
                "name": f"市立第{i + 1}小学校",
                "kind": "primary",
                "towns": part,
            }
            for i, part in enumerate(_split(towns, PRIMARY))
        ]
        schools += [{"code": f"J{i + 1:02d}", "name": f"市立第{i + 1}中学校", "kind": "junior",
                     "towns": part} for i, part in enumerate(_split(towns, JUNIOR))]  # fmt: skip
        schooling.set_schools(municipality=municipality, actor=actor, schools=schools)
    result = Businesses()
    if not Registration.objects.filter(reference_date=today).exists():
        result.electors = elections.register(
            municipality=municipality, actor=actor, reference_date=today, kind="election",
            election="デモ選挙",
        ).added  # fmt: skip
    if not Recipient.objects.exists():
        result.recipients = _recipients(municipality, actor, today)
    pay_month = allowance_rules.month_of(today)
    if not allowance_rules.is_pay_month(pay_month):
        pay_month = allowance_rules.add_months(pay_month, -1)
    if not Payment.objects.filter(pay_month=pay_month).exists():
        result.payments = allowance.compute_payments(
            municipality=municipality, actor=actor, pay_month=pay_month
        )["payments"]
    result.notices = schooling.issue_notices(
        municipality=municipality, actor=actor,
        entry_year=schooling_rules.next_entry_year(today), on=today,
    )["issued"]  # fmt: skip
    return result


def _recipients(municipality: Municipality, actor: Actor, today) -> int:
    """The heads of the first households with children under 18, certified a year ago."""
    claimed = today.replace(year=today.year - 1)
    by_household: dict[str, list] = {}
    for row in registry.resident_rows(claimed):
        if row.household and allowance_rules.paid_in(row.birth_date, claimed.replace(day=1)):
            by_household.setdefault(row.household, []).append(row)
    made = 0
    for household, rows in by_household.items():
        if made >= RECIPIENTS:
            break
        members = registry.household_members(registry.household(household), claimed)
        head = next((m for m in members if m.is_head), None)
        children = [r.number for r in rows if r.relationship.endswith("子")]
        if head is None or not children or head.person.number in children:
            continue
        try:
            allowance.certify(
                municipality=municipality,
                actor=actor,
                claimant=head.person.number,
                children=children,
                claimed_on=claimed,
            )
        except RuleViolation:
            continue  # a household the rules refuse (a child elsewhere …): another one
        made += 1
    return made
