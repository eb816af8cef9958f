"""The standard workflow of an application and which steps a procedure allows.

::

    draft → submitted → in_review ⇄ info_requested
                      ↘ (review = false) ↘
                         approved / rejected;  approved → completed
    draft, submitted, in_review, info_requested → withdrawn (the applicant)
"""

from __future__ import annotations

from datetime import date, timedelta

from jichi.common.errors import RuleViolation
from jichi.procedures.definitions import Procedure
from jichi.procedures.models import State

_S = State
# action -> (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({_S.DRAFT}), _S.SUBMITTED),
    "start_review": (frozenset({_S.SUBMITTED}), _S.IN_REVIEW),
    "request_information": (frozenset({_S.SUBMITTED, _S.IN_REVIEW}), _S.INFO_REQUESTED),
    "answer_information": (frozenset({_S.INFO_REQUESTED}), _S.IN_REVIEW),
    "approve": (frozenset({_S.IN_REVIEW}), _S.APPROVED),
    "reject": (frozenset({_S.IN_REVIEW}), _S.REJECTED),
    "complete": (frozenset({_S.APPROVED}), _S.COMPLETED),
    "withdraw": (
        frozenset({_S.DRAFT, _S.SUBMITTED, _S.IN_REVIEW, _S.INFO_REQUESTED}),
        _S.WITHDRAWN,
    ),
}
_DECISIONS = {"approve", "reject"}


def allowed_from(procedure: Procedure, action: str) -> frozenset[str]:
    sources, _ = TRANSITIONS[action]
    if action in _DECISIONS and not procedure.workflow.review:
        return sources | {_S.SUBMITTED}
    return sources


def target(procedure: Procedure, action: str, state: str) -> str:
    """The state ``action`` leads to from ``state`` (a 409 when the workflow forbids it)."""
    if state not in allowed_from(procedure, action):
        raise RuleViolation(
            "state.transition_not_allowed",
            f"現在の状態（{State(state).label}）ではこの操作（{action}）はできません。",
            f"The action {action} is not allowed in the state {state}.",
            "state",
            status=409,
        )
    return TRANSITIONS[action][1]


def actions_from(procedure: Procedure, state: str) -> list[str]:
    """Every action the workflow allows from ``state`` (for pages and the API)."""
    return [a for a in TRANSITIONS if state in allowed_from(procedure, a)]


def due_date(submitted_on: date, service_days: int) -> date:
    """標準処理期間: calendar days from the day of submission."""
    return submitted_on + timedelta(days=service_days)
