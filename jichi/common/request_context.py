"""The request id of the work in progress, for logs and the audit trail.

Set by the web middleware for requests and by commands and jobs for their
own work; read anywhere without passing the request around.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from contextvars import ContextVar

_request_id: ContextVar[str] = ContextVar("jichi_request_id", default="")


def current_request_id() -> str:
    return _request_id.get()


@contextmanager
def request_id_scope(request_id: str | None = None):
    token = _request_id.set(request_id or uuid.uuid4().hex)
    try:
        yield _request_id.get()
    finally:
        _request_id.reset(token)
