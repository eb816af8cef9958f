"""Reads: the catalog as one municipality sees it, applications, the inbox, breaches.

Residents and business members only ever see their own applications
(:func:`applications_of_resident`, :func:`applications_of_business_member`);
tenant-scoped managers keep every read inside the municipality in scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from jichi.common.errors import RuleViolation, not_found
from jichi.common.ids import parse_id
from jichi.procedures.definitions import Procedure
from jichi.procedures.loading import catalog
from jichi.procedures.models import (
    OPEN_STATES,
    Application,
    Channel,
    ProcedureSetting,
    Transition,
)


@dataclass(frozen=True)
class Offered:
    """A catalog procedure with one municipality's settings applied."""

    procedure: Procedure
    enabled: bool
    fee: int
    department: str
    texts: dict

    def text(self, key: str, language: str = "ja") -> str:
        """An overridden text (``name``, ``notifications.approved`` …) or the catalog's."""
        override = self.texts.get(key, {}).get(language)
        if override:
            return override
        if key == "name":
            return getattr(self.procedure.name, language)
        if key == "description":
            description = self.procedure.description
            return getattr(description, language) if description else ""
        if key.startswith("notifications."):
            text = self.procedure.notifications.get(key.split(".", 1)[1])
            return getattr(text, language) if text else ""
        return ""


def procedure(procedure_id: str, field: str = "procedure") -> Procedure:
    found = catalog().get(procedure_id)
    if found is None:
        raise RuleViolation(
            "procedure.not_found",
            f"手続「{procedure_id}」はありません。",
            f"There is no procedure {procedure_id!r}.",
            field,
            status=404,
        )
    return found


def _offered(proc: Procedure, setting: ProcedureSetting | None) -> Offered:
    if setting is None:
        return Offered(proc, True, proc.fee, proc.department, {})
    return Offered(
        proc,
        setting.enabled,
        proc.fee if setting.fee is None else setting.fee,
        setting.department or proc.department,
        setting.texts,
    )


def offered(procedure_id: str) -> Offered:
    """One procedure as the municipality in scope offers it."""
    proc = procedure(procedure_id)
    return _offered(proc, ProcedureSetting.objects.filter(procedure_id=proc.id).first())


def offered_catalog(*, include_disabled: bool = False, text: str = "") -> list[Offered]:
    """The municipality's catalog, by id; ``text`` matches names and keywords."""
    settings = {s.procedure_id: s for s in ProcedureSetting.objects.all()}
    procedures = sorted(catalog().values(), key=lambda p: p.id)
    items = [_offered(p, settings.get(p.id)) for p in procedures]
    if not include_disabled:
        items = [o for o in items if o.enabled]
    if text.strip():
        needle = text.strip().lower()
        items = [o for o in items if needle in _haystack(o)]
    return items


def _haystack(item: Offered) -> str:
    p = item.procedure
    return " ".join([p.id, p.name.ja, p.name.en, *p.keywords, item.text("name")]).lower()


def application(application_id, field: str = "application") -> Application:
    key = parse_id(application_id, "application", "申請")
    found = Application.objects.filter(pk=key).select_related("person").first()
    if found is None:
        raise not_found("application", "申請")
    return found


def history(found: Application) -> list[Transition]:
    return list(Transition.objects.filter(application=found).order_by("seq"))


def applications_of_resident(person_id) -> QuerySet[Application]:
    """What a resident sees: the applications concerning them, newest first."""
    return Application.objects.filter(person_id=person_id).order_by("-id")


def applications_of_business_member(member_id) -> QuerySet[Application]:
    return Application.objects.filter(business_member_id=member_id).order_by("-id")


def application_of_resident(person_id, application_id) -> Application:
    """One of the resident's own applications (404 for anyone else's)."""
    found = application(application_id)
    if found.person_id is None or str(found.person_id) != str(person_id):
        raise not_found("application", "申請")
    return found


@dataclass(frozen=True)
class InboxQuery:
    state: str = ""
    procedure: str = ""
    department: str = ""
    assignee: str = ""  # "-" for unassigned
    due_before: date | None = None
    breached: bool = False


def inbox(query: InboxQuery, today: date | None = None) -> QuerySet[Application]:
    """The staff inbox: submitted applications (never drafts) matching every criterion."""
    rows = Application.objects.exclude(state="draft")
    if query.state:
        rows = rows.filter(state=query.state)
    if query.procedure:
        rows = rows.filter(procedure_id=query.procedure)
    if query.department:
        rows = rows.filter(department=query.department)
    if query.assignee:
        rows = rows.filter(assignee="" if query.assignee == "-" else query.assignee)
    if query.due_before:
        rows = rows.filter(due_on__lte=query.due_before)
    if query.breached:
        rows = rows.filter(breach_condition(today))
    return rows


def breach_condition(today: date | None = None) -> Q:
    """Open, not waiting for the applicant, and past its due date."""
    today = today or timezone.localdate()
    return Q(state__in=[s for s in OPEN_STATES if s != "info_requested"], due_on__lt=today)


def is_breached(application: Application, today: date | None = None) -> bool:
    """:func:`breach_condition` for one application already read."""
    today = today or timezone.localdate()
    return bool(
        application.due_on
        and application.state in OPEN_STATES
        and application.state != "info_requested"
        and application.due_on < today
    )


def breaches(today: date | None = None) -> QuerySet[Application]:
    """Applications past their service-level due date, the most overdue first."""
    return Application.objects.filter(breach_condition(today)).order_by("due_on", "id")


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def submitted_per_day(start: date, end: date, procedure_id: str | None = None) -> list[dict]:
    """Applications submitted per local day and procedure from ``start`` to ``end``
    (inclusive), counted per channel: ``{"day", "procedure_id", "online", "counter",
    "api"}``, by day then procedure. Drafts are not submitted; an application withdrawn
    later still counts on its day of submission. No ids, no personal data."""
    rows = Application.objects.filter(
        submitted_at__gte=_local_midnight(start),
        submitted_at__lt=_local_midnight(end + timedelta(days=1)),
    )
    if procedure_id:
        rows = rows.filter(procedure_id=procedure_id)
    per_channel = {c.value: Count("id", filter=Q(channel=c.value)) for c in Channel}
    return list(
        rows.annotate(day=TruncDate("submitted_at"))
        .values("day", "procedure_id")
        .annotate(**per_channel)
        .order_by("day", "procedure_id")
    )
