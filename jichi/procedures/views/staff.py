"""The staff inbox: queues per procedure and department, assignment one by one or in bulk,
review, requests for information, decisions with reasons, service-level dates and
breaches, and each application's full history. Every step goes through the services
(history row, audit entry, event); decisions need ``procedures:decide``."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jichi.audit.services import record_read
from jichi.common.errors import RuleViolation, not_found
from jichi.common.ids import parse_id
from jichi.common.pagination import paginate
from jichi.procedures import selectors, services, workflow
from jichi.procedures.models import Attachment, State
from jichi.procedures.services.settings import TEXT_KEYS
from jichi.procedures.staff import reviewers
from jichi.procedures.views import forms
from jichi.procedures.views.shared import history_rows, state_label
from jichi.registry import selectors as registry
from jichi.tenancy.access import require
from jichi.tenancy.pages import staff_page

PAGE_SIZE = 50
DECISIONS = {"approve", "reject", "complete"}


def _query(params) -> selectors.InboxQuery:
    return selectors.InboxQuery(
        state=params.get("state", ""),
        procedure=params.get("procedure", ""),
        department=params.get("department", ""),
        assignee=params.get("assignee", ""),
        breached=params.get("breached") == "on",
    )


@staff_page("procedures:review")
def inbox(request, municipality):
    language = get_language()
    query = _query(request.GET)
    page = paginate(
        selectors.inbox(query).select_related("person"),
        key="id",
        cursor=request.GET.get("cursor") or None,
        limit=PAGE_SIZE,
        descending=True,
    )
    today = timezone.localdate()
    people = dict(reviewers(municipality.code))
    rows = [
        {
            "application": a,
            "name": forms.text(selectors.procedure(a.procedure_id).name, language),
            "state": state_label(a.state),
            "assignee": people.get(a.assignee, a.assignee),
            "breached": selectors.is_breached(a, today),
        }
        for a in page.items
    ]
    next_url = None
    if page.next_cursor:
        params = request.GET.copy()
        params["cursor"] = page.next_cursor
        next_url = f"?{params.urlencode()}"
    catalog = selectors.offered_catalog(include_disabled=True)
    return render(
        request,
        "procedures/staff/inbox.html",
        {
            "query": query,
            "rows": rows,
            "next_url": next_url,
            "states": [(s.value, state_label(s.value)) for s in State if s != State.DRAFT],
            "procedures": [(o.procedure.id, o.text("name", language[:2])) for o in catalog],
            "departments": sorted({o.department for o in catalog}),
            "reviewers": list(people.items()),
            "breaches": selectors.breaches().count(),
        },
    )


@staff_page("procedures:review")
@require_POST
def bulk_assign(request, municipality):
    ids = request.POST.getlist("application")
    try:
        done = services.bulk_assign(
            actor=request.principal.actor,
            application_ids=ids,
            assignee=request.POST.get("assignee") or None,
            department=request.POST.get("department") or None,
        )
    except RuleViolation as exc:
        messages.error(request, exc.message(get_language()))
    else:
        messages.success(request, _("%(count)s applications assigned.") % {"count": len(done)})
    return HttpResponseRedirect(reverse("procedures:inbox") + "?" + request.POST.get("back", ""))


@staff_page("procedures:review")
@require_http_methods(["GET", "POST"])
def application(request, municipality, application_id: str):
    language = get_language()
    found = selectors.application(application_id)
    procedure = selectors.procedure(found.procedure_id)
    error, status = None, 200
    if request.method == "POST":
        try:
            _step(request, found, request.POST.get("action", ""))
        except RuleViolation as exc:
            error, status = exc.message(language), exc.status
        else:
            return HttpResponseRedirect(reverse("procedures:application", args=[found.id]))
        found = selectors.application(application_id)
    record_read(
        request.principal.actor,
        object_type="application",
        object_id=str(found.id),
        purpose="申請の審査",
    )
    may_decide = request.principal.has_perm(municipality.code, "procedures:decide")
    actions = [
        a
        for a in workflow.actions_from(procedure, found.state)
        if a not in ("submit", "answer_information", "withdraw")
        and (may_decide or a not in DECISIONS)
    ]
    people = reviewers(municipality.code)
    return render(
        request,
        "procedures/staff/application.html",
        {
            **_context(found, procedure, language),
            **{
                "actions": actions,
                "reviewers": people,
                "assignee": dict(people).get(found.assignee, found.assignee),
                "error": error,
            },
        },
        status=status,
    )


# What the office reads itself instead of an attachment (once-only), and where.
LOOKUPS = {
    "lookup:resident_certificate": ("住民票（住民記録）", "Resident record (register)", "person"),
    "lookup:household_certificate": ("世帯全員の住民票", "Household (register)", "household"),
    "lookup:tax_certificate": ("課税・所得証明（税務システム照会）", "Tax record (tax system)", ""),
    "lookup:koseki": ("戸籍（戸籍情報連携）", "Family register (koseki link)", ""),
    "lookup:insurance_status": ("国保・介護の資格（照会）", "Insurance status (lookup)", ""),
}


def _lookups(found, procedure, language) -> list[tuple[str, str]]:
    """(label, link) of each document the office looks up for this application."""
    rows = []
    version = None
    if found.person_id:
        version = registry.versions_on().filter(person_id=found.person_id).first()
    for lookup in procedure.lookups:
        ja, en, where = LOOKUPS[lookup]
        link = ""
        if where == "person" and found.person_id:
            link = reverse("registry:person", args=[found.person.number])
        elif where == "household" and version is not None and version.household_id:
            link = reverse("registry:household", args=[version.household.number])
        rows.append((en if (language or "ja").startswith("en") else ja, link))
    return rows


def _context(found, procedure, language) -> dict:
    return {
        "application": found,
        "name": forms.text(procedure.name, language),
        "state": state_label(found.state),
        "answers": forms.questions(procedure, {}, found.answers, {}, language),
        "flags": found.flags,
        "attachments": Attachment.objects.filter(application=found).defer("data"),
        "history": history_rows(found),
        "lookups": _lookups(found, procedure, language),
    }


def _step(request, found, action: str) -> None:
    actor, post = request.principal.actor, request.POST
    if action in DECISIONS:
        require(request, "procedures:decide")
    if action == "assign":
        services.assign(
            actor=actor,
            application=found,
            assignee=post.get("assignee", ""),
            department=post.get("department") or None,
        )
    elif action == "start_review":
        services.start_review(actor=actor, application=found)
    elif action == "request_information":
        services.request_information(
            actor=actor, application=found, question=post.get("question", "")
        )
    elif action == "approve":
        services.approve(actor=actor, application=found, reason=post.get("reason", ""))
    elif action == "reject":
        services.reject(actor=actor, application=found, reason=post.get("reason", ""))
    elif action == "complete":
        services.complete(actor=actor, application=found, note=post.get("reason", ""))
    else:
        raise RuleViolation(
            "action.unknown", "この操作はできません。", "This action is not available.", "action"
        )


@staff_page("procedures:review")
def attachment(request, municipality, application_id: str, attachment_id: str):
    """A file given with an application (an audited read)."""
    found = selectors.application(application_id)
    key = parse_id(attachment_id, "attachment", "添付ファイル")
    file = Attachment.objects.filter(application=found, id=key).first()
    if file is None:
        raise not_found("attachment", "添付ファイル")
    record_read(
        request.principal.actor,
        object_type="attachment",
        object_id=str(file.id),
        purpose="申請の審査（添付ファイル）",
    )
    response = HttpResponse(bytes(file.data), content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.id}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_page("procedures:manage")
@require_http_methods(["GET", "POST"])
def catalog_settings(request, municipality):
    """The administrator's catalog: which procedures are open here, their fee and queue."""
    language = get_language()
    errors: dict[str, str] = {}
    if request.method == "POST":
        procedure_id = request.POST.get("procedure", "")
        fee = request.POST.get("fee", "").strip()
        try:
            services.update_setting(
                municipality=municipality,
                actor=request.principal.actor,
                procedure_id=procedure_id,
                enabled=request.POST.get("enabled") == "on",
                fee=int(fee) if fee.isdigit() else None,
                reset_fee=fee == "",
                department=request.POST.get("department", ""),
            )
        except RuleViolation as exc:
            errors[procedure_id] = exc.message(language)
        else:
            messages.success(request, _("The procedure's settings are saved."))
            return HttpResponseRedirect(reverse("procedures:settings"))
    rows = [
        {
            "id": o.procedure.id,
            "name": o.text("name", language[:2]),
            "enabled": o.enabled,
            "fee": o.fee,
            "catalog_fee": o.procedure.fee,
            "department": o.department,
            "error": errors.get(o.procedure.id, ""),
        }
        for o in selectors.offered_catalog(include_disabled=True)
    ]
    return render(
        request,
        "procedures/staff/settings.html",
        {"rows": rows},
        status=400 if errors else 200,
    )


@staff_page("procedures:manage")
@require_http_methods(["GET", "POST"])
def procedure_texts(request, municipality, procedure_id: str):
    """The texts one municipality shows for a procedure: its name, description and the
    notification of each state, in Japanese and English (empty: the catalog's)."""
    offered = selectors.offered(procedure_id)
    error, status = None, 200
    if request.method == "POST":
        texts = {}
        for key in TEXT_KEYS:
            given = {lang: request.POST.get(f"{key}.{lang}", "").strip() for lang in ("ja", "en")}
            if any(given.values()):
                texts[key] = {lang: value for lang, value in given.items() if value}
        try:
            services.update_setting(
                municipality=municipality,
                actor=request.principal.actor,
                procedure_id=procedure_id,
                texts=texts,
            )
        except RuleViolation as exc:
            error, status = exc.message(get_language()), exc.status
        else:
            messages.success(request, _("The procedure's settings are saved."))
            return HttpResponseRedirect(reverse("procedures:texts", args=[procedure_id]))
    rows = [
        {
            "key": key,
            "ja": offered.texts.get(key, {}).get("ja", ""),
            "en": offered.texts.get(key, {}).get("en", ""),
            "catalog_ja": _catalog_text(offered.procedure, key, "ja"),
            "catalog_en": _catalog_text(offered.procedure, key, "en"),
        }
        for key in TEXT_KEYS
    ]
    return render(
        request,
        "procedures/staff/texts.html",
        {
            "procedure": offered.procedure,
            "name": offered.text("name"),
            "rows": rows,
            "error": error,
        },
        status=status,
    )


def _catalog_text(procedure, key: str, language: str) -> str:
    """What the catalog itself says for ``key`` (what an empty override shows)."""
    if key == "name":
        return getattr(procedure.name, language)
    if key == "description":
        return getattr(procedure.description, language) if procedure.description else ""
    text = procedure.notifications.get(key.removeprefix("notifications."))
    return getattr(text, language) if text else ""
