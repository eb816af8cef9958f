"""Writes of counter operations: one business action = one function = one transaction.

- :mod:`.setup`: counters and reservation slots (admins)
- :mod:`.reservations`: book, cancel, remind, check in (residents and clerks)
- :mod:`.queue`: issue tickets, call, recall, start, complete, no-show (kiosk and clerks)
- :mod:`.rollup`: the dashboards' roll-up of closed visits (kept by :mod:`.queue`, rebuilt)
"""

from jichi.counter.services.queue import (
    call_next,
    cancel_ticket,
    complete,
    issue_ticket,
    mark_no_show,
    recall,
    start,
)
from jichi.counter.services.reservations import (
    book,
    cancel_reservation,
    check_in,
    mark_reminded,
    send_reminders,
)
from jichi.counter.services.rollup import rebuild_rollup
from jichi.counter.services.setup import create_counter, create_slots

__all__ = [
    "book",
    "call_next",
    "cancel_reservation",
    "cancel_ticket",
    "check_in",
    "complete",
    "create_counter",
    "create_slots",
    "issue_ticket",
    "mark_no_show",
    "mark_reminded",
    "rebuild_rollup",
    "recall",
    "send_reminders",
    "start",
]
