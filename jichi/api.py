"""The JSON API at /api/v1/: one NinjaAPI, routers from the apps, one error shape."""

from __future__ import annotations

import logging

from django.db import transaction
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer

from jichi.audit.api import router as audit_router
from jichi.benefits.allowance.api import router as allowance_router
from jichi.benefits.elections.api import router as elections_router
from jichi.benefits.schooling.api import router as schooling_router
from jichi.certificates.api import router as certificates_router
from jichi.common.errors import RuleViolation
from jichi.common.validation_messages import field_errors
from jichi.counter.api import router as counter_router
from jichi.identity.api import router as identity_router
from jichi.linkage.api import router as linkage_router
from jichi.linkage.api_transfers import router as transfers_router
from jichi.procedures.api import router as procedures_router
from jichi.procedures.api_mining import router as procedures_mining_router
from jichi.registry.api import router as registry_router
from jichi.tenancy.api import router as tenancy_router

logger = logging.getLogger("jichi.api")


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>``: the middleware resolved it already."""

    def __call__(self, request):
        principal = getattr(request, "principal", None)
        if principal is None or principal.token is None:
            return None
        return principal

    def authenticate(self, request, token):  # pragma: no cover - __call__ decides
        return None


class Utf8JSONRenderer(JSONRenderer):
    """Japanese text as UTF-8, not as \\u escapes."""

    media_type = "application/json; charset=utf-8"
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=Utf8JSONRenderer(),
    title="Jichi API",
    version="1",
    description=(
        "The JSON API of Jichi (自治). Tenant-owned resources live under "
        "`/api/v1/municipalities/{code}/` where `{code}` is the 6-digit "
        "全国地方公共団体コード. Authenticate with `Authorization: Bearer <token>`. "
        'Errors are `{"error": {"code", "message", "message_ja", "fields"}}`; '
        "lists are cursor-paginated (`?cursor=`, `?limit=`, answer `next_cursor`)."
    ),
    auth=BearerToken(),
    urls_namespace="api",
    docs_url="/docs",
)
api.add_router("", tenancy_router)
api.add_router("", audit_router)
api.add_router("", registry_router)
api.add_router("", identity_router)
api.add_router("", certificates_router)
api.add_router("", counter_router)
api.add_router("", procedures_mining_router)  # before procedures/{procedure_id}
api.add_router("", procedures_router)
api.add_router("", transfers_router)  # /transfers/arrivals before the tenant routes
api.add_router("", linkage_router)
api.add_router("", elections_router)
api.add_router("", schooling_router)
api.add_router("", allowance_router)


def _error(request, status: int, code: str, ja: str, en: str, fields=None):
    violation = RuleViolation(code, ja, en, status=status, errors=fields or [])
    return api.create_response(request, violation.as_dict(), status=status)


@api.exception_handler(RuleViolation)
def _rule_violation(request, exc: RuleViolation):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    errors = field_errors(exc.errors)
    return _error(
        request,
        400,
        "invalid_input",
        "入力内容に誤りがあります。",
        "The input is not valid.",
        errors,
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return _error(
        request,
        401,
        "auth.required",
        "認証が必要です。有効なトークンを Authorization: Bearer で送ってください。",
        "Authentication required: send a valid token as Authorization: Bearer "
        "(it may be missing, unknown, expired or revoked).",
    )


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _error(request, 404, "not_found", "見つかりません。", "Not found.")


_HTTP_ERRORS = {
    400: ("bad_request", "リクエストが正しくありません。", "The request is not valid."),
    403: ("permission.denied", "この操作の権限がありません。", "You may not do this."),
    405: ("method_not_allowed", "このメソッドは使えません。", "Method not allowed."),
}


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
        return _error(
            request,
            400,
            "body.malformed_json",
            "リクエスト本文を JSON として解析できません。",
            "The request body is not valid JSON.",
        )
    code, ja, en = _HTTP_ERRORS.get(exc.status_code, ("error", "エラーです。", str(exc)))
    return _error(request, exc.status_code, code, ja, en)


@api.exception_handler(Exception)
def _unexpected(request, exc):
    logger.exception("unexpected error in the API")
    if transaction.get_connection().in_atomic_block:
        transaction.set_rollback(True)  # nothing half-done survives a crash
    return _error(
        request,
        500,
        "internal",
        "内部エラーが発生しました。時間をおいて再度お試しください。",
        "An internal error occurred; please try again later.",
    )
