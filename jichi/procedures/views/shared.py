"""What the resident, staff and counter pages of procedures show alike: states and steps in
the reader's language, an application's history."""

from __future__ import annotations

from django.utils.translation import get_language

from jichi.procedures import selectors
from jichi.procedures.models import Application, State

STATE_EN = {
    State.DRAFT: "Draft",
    State.SUBMITTED: "Received",
    State.IN_REVIEW: "In review",
    State.INFO_REQUESTED: "More information requested",
    State.APPROVED: "Approved",
    State.REJECTED: "Rejected",
    State.COMPLETED: "Completed",
    State.WITHDRAWN: "Withdrawn",
}
ACTIONS = {  # history step -> (ja, en)
    "save_draft": ("下書き保存", "Draft saved"),
    "attach": ("ファイル添付", "File attached"),
    "submit": ("提出", "Submitted"),
    "assign": ("担当の割当て", "Assigned"),
    "start_review": ("審査開始", "Review started"),
    "request_information": ("補正依頼", "More information requested"),
    "answer_information": ("補正への回答", "Information given"),
    "approve": ("承認", "Approved"),
    "reject": ("却下", "Rejected"),
    "complete": ("完了", "Completed"),
    "withdraw": ("取下げ", "Withdrawn"),
}


def _english() -> bool:
    return (get_language() or "ja").startswith("en")


def state_label(state: str) -> str:
    return STATE_EN.get(state, state) if _english() else State(state).label


def action_label(action: str) -> str:
    ja, en = ACTIONS.get(action, (action, action))
    return en if _english() else ja


def history_rows(application: Application) -> list[dict]:
    """The application's steps, oldest first, for a page (who: the actor's label)."""
    return [
        {
            "at": t.at,
            "action": action_label(t.action),
            "state": state_label(t.to_state),
            "actor": t.actor_label,
            "reason": t.reason,
        }
        for t in selectors.history(application)
    ]
