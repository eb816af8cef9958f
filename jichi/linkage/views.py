"""Counter pages of the hand-over: the persons announced by other municipalities, and the
転入 recorded from one of them without typing them again."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jichi.audit.services import record_read
from jichi.common.errors import RuleViolation
from jichi.linkage import handover, selectors
from jichi.linkage.models import Transfer, TransferDirection, TransferStatus
from jichi.registry.schemas import AddressIn
from jichi.tenancy.pages import date_input, staff_page


@staff_page("registry:read")
def incoming(request, municipality):
    transfers = Transfer.objects.filter(direction=TransferDirection.INCOMING).order_by(
        "status", "-created_at"
    )[:200]
    return render(request, "linkage/transfers.html", {"transfers": transfers})


@staff_page("registry:write")
@require_http_methods(["GET", "POST"])
def accept(request, municipality, transfer_id: str):
    """The persons come from the hand-over; the clerk gives the new address and the day."""
    transfer = selectors.transfer(transfer_id, TransferDirection.INCOMING)
    document = handover.document_of(transfer)
    error = None
    form = {"effective_on": "", "notified_on": timezone.localdate().isoformat(), "town": "",
            "block": "", "building": ""}  # fmt: skip
    if request.method == "POST":
        form.update({k: request.POST.get(k, "").strip() for k in form})
        try:
            effective_on = date_input(form["effective_on"])
            if effective_on is None:
                raise RuleViolation(
                    "effective_on.required",
                    "異動日を日付で入力してください。",
                    "Give the day of moving in as a date.",
                    "effective_on",
                )
            handover.accept_transfer(
                municipality=municipality, actor=request.principal.actor, transfer=transfer,
                address=AddressIn(town=form["town"], block=form["block"],
                                  building=form["building"]),
                effective_on=effective_on, notified_on=date_input(form["notified_on"]),
            )  # fmt: skip
        except RuleViolation as exc:
            error = exc.message(get_language())
        else:
            messages.success(request, _("The move-in was recorded from the hand-over."))
            return redirect("transfers:incoming")
    else:
        record_read(request.principal.actor, object_type="transfer",
                    object_id=str(transfer.transfer_id), purpose="転入届の受付")  # fmt: skip
    return render(request, "linkage/accept.html", {
        "transfer": transfer, "document": document, "persons": document["persons"],
        "form": form, "error": error, "used": transfer.status != TransferStatus.RECEIVED,
    })  # fmt: skip
