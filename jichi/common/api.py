"""What every ninja router shares: strict schemas, the error answer, paging."""

from __future__ import annotations

from typing import Generic, TypeVar

from ninja import Schema
from pydantic import ConfigDict

T = TypeVar("T")


class StrictSchema(Schema):
    """Input schema: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class ErrorDetail(Schema):
    code: str
    message: str
    message_ja: str
    fields: dict[str, list[dict]] = {}


class ErrorOut(Schema):
    error: ErrorDetail


class PageOut(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None


# Answers every operation may give, for the OpenAPI document.
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
