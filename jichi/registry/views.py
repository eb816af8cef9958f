"""Staff pages of the register: search, person, household, movement forms.

Reading a person or a household asks the staff for a purpose first, and the
read is audited with it; a protected person's pages carry the 支援措置 banner.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from pydantic import ValidationError

from jichi.common.errors import RuleViolation
from jichi.common.validation_messages import field_errors
from jichi.registry import reading, selectors
from jichi.registry.api import MOVEMENTS, summary
from jichi.registry.dates import UncertainDate, parse_birth_date
from jichi.registry.forms import FORMS, check_input, names_persons, unflatten
from jichi.tenancy.pages import staff_page

PAGE_SIZE = 50
PURPOSES = [
    "窓口での届出受付",
    "証明書の交付",
    "他課・他機関からの照会への回答",
    "記録の確認・修正",
]


def _purpose(request) -> str:
    return (request.GET.get("purpose") or "").strip()


def _requester(params) -> reading.Requester:
    """Whom the search is for, from the form's 'on behalf of' inputs."""
    birth = (params.get("requester_birth_date") or "").strip()
    born = parse_birth_date(birth, "requester_birth_date").value if birth else None
    return reading.Requester(
        name=params.get("requester_name", "").strip(),
        birth_date=born,
        number=params.get("requester_number", "").strip(),
    )


@staff_page("registry:read")
def search(request, municipality):
    params = request.GET
    query = selectors.SearchQuery(
        name=params.get("name", ""),
        birth_date=params.get("birth_date", ""),
        town=params.get("town", ""),
        number=params.get("number", ""),
        include_removed=params.get("include_removed") == "on",
    )
    results, error, next_cursor = [], None, None
    given = any(getattr(query, k) for k in reading.SEARCH_CRITERIA)
    if given:
        if not _purpose(request):
            error = _("State the purpose of the search.")
        else:
            try:
                found = reading.search(
                    request.principal.actor,
                    query,
                    municipality_code=municipality.code,
                    purpose=_purpose(request),
                    requester=_requester(params),
                    cursor=params.get("cursor") or None,
                    limit=PAGE_SIZE,
                    channel="page",
                )
            except RuleViolation as exc:
                error = exc.message(get_language())
            else:
                results = [summary(municipality, v, found.protected) for v in found.page.items]
                next_cursor = found.page.next_cursor
    context = {
        "query": query,
        "results": results,
        "error": error,
        "searched": given,
        "purposes": PURPOSES,
        "purpose": _purpose(request),
        "requester": {k: params.get(k, "") for k in REQUESTER_INPUTS},
        "next_url": _next_page(request, next_cursor),
    }
    template = "registry/_results.html" if request.htmx else "registry/search.html"
    return render(request, template, context)


REQUESTER_INPUTS = ("requester_name", "requester_birth_date", "requester_number")


def _next_page(request, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    params = request.GET.copy()
    params["cursor"] = cursor
    return f"{reverse('registry:search')}?{params.urlencode()}"


def _ask_purpose(request, what: str, protected: bool):
    return render(
        request,
        "registry/purpose.html",
        {"what": what, "protected": protected, "purposes": PURPOSES},
    )


@staff_page("registry:read")
def person(request, municipality, number: str):
    found = selectors.person(number)
    protected = selectors.active_protection(found) is not None
    if not _purpose(request):
        return _ask_purpose(request, number, protected)
    version = selectors.person_on(found)
    reading.read_person(request.principal.actor, found, _purpose(request), channel="page")
    periods = selectors.timeline(found)
    birth = UncertainDate(version.birth_date, version.birth_precision, version.birth_note)
    return render(
        request,
        "registry/person.html",
        {
            "person": found,
            "version": version,
            "periods": list(reversed(periods)),
            "protected": protected,
            "birth": birth.display(foreign=version.kind == "2"),
            "purpose": _purpose(request),
            "address": f"{municipality.prefecture_name}{municipality.display_name}"
            f"{version.town_name}{version.block}",
        },
    )


@staff_page("registry:read")
def household(request, municipality, number: str):
    found = selectors.household(number)
    members = selectors.household_members(found)
    protected_ids = selectors.protected_person_ids()
    protected = any(m.person_id in protected_ids for m in members)
    if not _purpose(request):
        return _ask_purpose(request, number, protected)
    reading.read_household(
        request.principal.actor, found, members, _purpose(request), channel="page"
    )
    return render(
        request,
        "registry/household.html",
        {
            "household": found,
            "protected": protected,
            "purpose": _purpose(request),
            "members": [summary(municipality, m, protected_ids) for m in members],
        },
    )


_SERVICES = {path: (service, body) for path, service, body, _label in MOVEMENTS}


def _form(kind: str):
    """The title and inputs of a movement's form (404 for a kind without one)."""
    if kind not in FORMS:
        raise RuleViolation(
            "movement.unknown_kind",
            "この異動の画面はありません。",
            "There is no page for this movement.",
            status=404,
        )
    return FORMS[kind]


@staff_page("registry:write")
@require_http_methods(["GET", "POST"])
def movement_form(request, municipality, kind: str):
    title, inputs = _form(kind)
    errors: dict[str, list[str]] = {}
    # A GET may carry values to start from (a 転入予約 confirmed at the counter).
    values = request.POST if request.method == "POST" else request.GET
    if request.method == "POST":
        service, body = _SERVICES[kind]
        try:
            payload = body(**unflatten(request.POST, inputs))
            movement = service(
                municipality=municipality, actor=request.principal.actor, notice=payload
            )
        except ValidationError as exc:
            errors = _messages(field_errors(_pydantic_errors(exc)))
        except RuleViolation as exc:
            errors = _messages(exc.errors or [exc])
        else:
            messages.success(
                request,
                _("Recorded: %(reason)s on %(date)s")
                % {"reason": movement.get_reason_display(), "date": movement.effective_on},
            )
            touched = [s.person.number for s in movement.subjects.select_related("person")]
            if selectors.protected_numbers(touched):
                messages.warning(request, PROTECTED_WARNING)
            return HttpResponseRedirect(reverse("registry:movement", args=[kind]))
    status = 400 if errors else 200
    return render(
        request,
        "registry/movement_form.html",
        {
            "kind": kind,
            "title": title,
            "inputs": inputs,
            "values": values,
            "errors": errors,
            "all_errors": [m for ms in errors.values() for m in ms],
        },
        status=status,
    )


@staff_page("registry:write")
@require_POST
def check_movement(request, municipality, kind: str):
    """Validation as you type: one out-of-band error block per input of the form."""
    _title, inputs = _form(kind)
    changed = request.headers.get("HX-Trigger-Name", "")
    results = []
    for spec in inputs:
        if changed and spec.name != changed:
            continue
        value = request.POST.get(spec.name, "")
        error = check_input(municipality.code, spec, value)
        if error is not None:
            results.append((spec.name, error.message(get_language()), "error"))
        elif names_persons(spec) and selectors.protected_numbers(value.replace(",", " ").split()):
            results.append((spec.name, PROTECTED_WARNING, "warning"))
        else:
            results.append((spec.name, "", "error"))
    return render(request, "registry/_checks.html", {"results": results})


PROTECTED_WARNING = gettext_lazy(
    "Under DV support measures (支援措置): disclose nothing of this person to listed "
    "offenders; the record is audited."
)


def _pydantic_errors(exc: ValidationError) -> list[dict]:
    return [{"loc": e["loc"], "type": e["type"], "msg": e["msg"]} for e in exc.errors()]


def _messages(field_errors_) -> dict[str, list[str]]:
    language = get_language() or "ja"
    result: dict[str, list[str]] = {}
    for error in field_errors_:
        text = error.message_en if language.startswith("en") else error.message_ja
        result.setdefault(error.field or "__all__", []).append(text)
    return result
