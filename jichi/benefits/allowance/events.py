"""What 児童手当 follows of other apps' events, inside their transactions.

- 転出 or death of a recipient: the entitlement ends with that month (a change to
  confirm); of a paid child: the child's payments end with that month;
- a birth, or a move-in of a household with a child under 18: a change to handle,
  the 認定請求 (or 額改定請求) being due within 15 days;
- an approved 認定請求 (procedure ``jidou_teate_nintei``): the claimant is
  certified for the children the application names — a claim that cannot be
  certified (a child paid to someone else already, a claimant who says the
  spouse earns more …) stops the approval with that rule's error.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone

from jichi.benefits.allowance import rules
from jichi.benefits.allowance.models import AllowanceChild, Change, ChangeKind, EndReason, Recipient
from jichi.common.errors import RuleViolation
from jichi.registry import selectors as registry
from jichi.registry.codes import Reason
from jichi.tenancy.principals import Actor

REMOVED = "jp.jichi.registry.person.removed"
REGISTERED = "jp.jichi.registry.person.registered"
APPROVED = "jp.jichi.procedures.application.approved"
CLAIM = "jidou_teate_nintei"
ACTOR = Actor.system("allowance")
ENDING = {
    Reason.MOVE_OUT: EndReason.MOVED_OUT,
    Reason.MOVE_OUT_ABROAD: EndReason.MOVED_OUT,
    Reason.DEATH: EndReason.DECEASED,
}
ARRIVING = {Reason.MOVE_IN, Reason.MOVE_IN_FROM_ABROAD}


def connect() -> None:
    from jichi.linkage.outbox import events_published

    events_published.connect(on_events, dispatch_uid="jichi.benefits.allowance.on_events")


def on_events(sender, *, events, **kwargs) -> None:
    households_told = set()
    removed = [e.data for e in events if e.type == REMOVED and e.data.get("reason") in ENDING]
    if removed:
        _ended(events[0].municipality_id, removed)
    arriving = [e.data for e in events if e.type == REGISTERED and e.data.get("reason") in ARRIVING]
    paid = _paid_children(arriving)
    for event in events:
        data = event.data
        if event.type == REGISTERED and data.get("reason") == Reason.BIRTH:
            _change(event.municipality_id, ChangeKind.BIRTH, data)
        elif event.type == REGISTERED and data.get("reason") in ARRIVING:
            key = (data["movement"], data.get("household_after"))
            if key not in households_told and data["person"] in paid:
                households_told.add(key)
                _change(event.municipality_id, ChangeKind.MOVE_IN, data)
        elif event.type == APPROVED and data.get("procedure") == CLAIM:
            _certify_claim(event.municipality_id, data["id"])


def _active(month: date):
    return Q(end_month__isnull=True) | Q(end_month__gte=month)


def _ended(code: str, removed: list[dict]) -> None:
    """The recipients and paid children among the persons ``removed`` (the events' data)
    end with the month they left (two queries whatever their number)."""
    month_of = {d["resident_number"]: rules.month_of(_on(d)) for d in removed}
    data_of = {d["resident_number"]: d for d in removed}
    first = min(month_of.values())
    for recipient in Recipient.objects.filter(_active(first), number__in=list(data_of)):
        month, data = month_of[recipient.number], data_of[recipient.number]
        if recipient.end_month is not None and recipient.end_month < month:
            continue
        recipient.end_month, recipient.end_reason = month, ENDING[data["reason"]]
        recipient.save(update_fields=["end_month", "end_reason"])
        Change.objects.create(
            municipality_id=code,
            kind=ChangeKind.ENDED,
            number=recipient.number,
            on=_on(data),
            recipient=recipient,
        )
    children = AllowanceChild.objects.filter(
        Q(to_month__isnull=True) | Q(to_month__gte=first),
        number__in=list(data_of),
        recipient__in=Recipient.objects.filter(_active(first)),
    ).select_related("recipient")
    for child in children:
        month, ending = month_of[child.number], child.recipient.end_month
        if (child.to_month is not None and child.to_month < month) or (
            ending is not None and ending < month
        ):
            continue
        child.to_month = month
        child.save(update_fields=["to_month"])
        Change.objects.create(
            municipality_id=code,
            kind=ChangeKind.CHILD_LEFT,
            number=child.number,
            on=_on(data_of[child.number]),
            recipient=child.recipient,
        )


def _on(data: dict) -> date:
    return date.fromisoformat(data["effective_on"])


def _paid_children(arriving: list[dict]) -> set[str]:
    """The ids of the persons among ``arriving`` (the events' data) of an age to be paid
    for in the month they arrived (one query)."""
    if not arriving:
        return set()
    on = {d["person"]: _on(d) for d in arriving}
    versions = registry.versions_on(max(on.values())).filter(person_id__in=list(on))
    return {
        str(person_id)
        for person_id, birth_date in versions.values_list("person_id", "birth_date")
        if rules.paid_in(birth_date, rules.month_of(on[str(person_id)]))
    }


def _change(code: str, kind: str, data: dict) -> None:
    on = date.fromisoformat(data["effective_on"])
    household = data.get("household_after") or ""
    recipient = None
    if household:
        members = registry.household_members(registry.household(household), on)
        numbers = [m.person.number for m in members]
        recipient = Recipient.objects.filter(
            _active(rules.month_of(on)), number__in=numbers
        ).first()
    Change.objects.create(
        municipality_id=code,
        kind=kind,
        number=data["resident_number"],
        household=household,
        on=on,
        deadline=on + timedelta(days=rules.GRACE_DAYS),
        recipient=recipient,
    )


def _certify_claim(code: str, application_id: str) -> None:
    from jichi.benefits.allowance.services import certify
    from jichi.procedures import selectors as procedures
    from jichi.tenancy.models import Municipality

    application = procedures.application(application_id)
    if application.person is None:
        return
    if application.answers.get("higher_income") is False:
        # 請求者 is the parent who mainly supports the child (the higher income).
        raise RuleViolation(
            "claimant.lower_income",
            "所得の高い方の親が請求者になります（配偶者から請求してください）。",
            "The claimant is the parent with the higher income: the spouse should claim.",
            "higher_income",
            status=422,
        )
    submitted = timezone.localtime(application.submitted_at or application.created_at).date()
    certify(
        municipality=Municipality.objects.get(code=code),
        actor=ACTOR,
        claimant=application.person.number,
        children=list(application.answers.get("children", [])),
        claimed_on=submitted,
        application_id=application.id,
    )
