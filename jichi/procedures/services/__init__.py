"""Writes of the procedures app: one function per business action, each one
transaction with its history row, audit entry and event."""

from jichi.procedures.services.applications import (
    add_attachment,
    apply,
    check_submission,
    save_draft,
    submit,
    update_draft,
)
from jichi.procedures.services.decisions import approve, complete, reject
from jichi.procedures.services.review import (
    answer_information,
    assign,
    bulk_assign,
    request_information,
    start_review,
    withdraw,
)
from jichi.procedures.services.settings import update_setting

__all__ = [
    "add_attachment",
    "answer_information",
    "apply",
    "approve",
    "assign",
    "bulk_assign",
    "check_submission",
    "complete",
    "reject",
    "request_information",
    "save_draft",
    "start_review",
    "submit",
    "update_draft",
    "update_setting",
    "withdraw",
]
