"""Request id for every request: in the logs, the audit trail and the answer."""

from __future__ import annotations

import re

from jichi.common.request_context import request_id_scope

_VALID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        with request_id_scope(given if _VALID.match(given) else None) as request_id:
            request.request_id = request_id
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            return response
