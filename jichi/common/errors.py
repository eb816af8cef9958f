"""The one error type of the project.

Every rule that refuses input raises :class:`RuleViolation` with a stable
machine code, the field it concerns, and a message in Japanese and English.
The API and the pages turn it into a 4xx answer carrying both messages
(see ``architecture.md``, "Errors").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldError:
    """One broken rule on one field."""

    code: str
    message_ja: str
    message_en: str
    field: str | None = None

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message_en, "message_ja": self.message_ja}

    def message(self, language: str | None = None) -> str:
        """The message in ``language`` (Japanese unless English is asked for)."""
        return self.message_en if (language or "ja").startswith("en") else self.message_ja


class RuleViolation(Exception):
    """A business or input rule was broken; nothing was changed.

    ``status`` is the HTTP status the edges use (400 bad input, 403 refused,
    404 not found, 409 conflict with the current state, 422 a rule of the
    domain). Several field errors may be carried at once (``errors``).
    """

    def __init__(
        self,
        code: str,
        message_ja: str,
        message_en: str,
        field: str | None = None,
        *,
        status: int = 400,
        errors: Iterable[FieldError] = (),
    ) -> None:
        if field and "." in field and code.startswith(field + "."):
            # Helpers name codes after the field they were given; a code never carries
            # the path of a nested field ("persons.1.relationship.vocabulary" is
            # "relationship.vocabulary" on the field "persons.1.relationship").
            code = field.rsplit(".", 1)[-1] + code[len(field) :]
        self.code = code
        self.message_ja = message_ja
        self.message_en = message_en
        self.field = field
        self.status = status
        self.errors: list[FieldError] = list(errors)
        if field and not self.errors:
            self.errors = [FieldError(code, message_ja, message_en, field)]
        super().__init__(f"{code}: {message_en}")

    @classmethod
    def collect(cls, errors: Iterable[FieldError], *, status: int = 400) -> RuleViolation:
        """One violation carrying several field errors (the first one leads)."""
        errors = list(errors)
        first = errors[0]
        return cls(
            first.code,
            first.message_ja,
            first.message_en,
            first.field,
            status=status,
            errors=errors,
        )

    def message(self, language: str | None = None) -> str:
        """The message in ``language`` (Japanese unless English is asked for)."""
        return self.message_en if (language or "ja").startswith("en") else self.message_ja

    def as_text(self) -> str:
        """One line for a terminal: ``field: English / 日本語`` for each error."""
        errors = self.errors or [
            FieldError(self.code, self.message_ja, self.message_en, self.field)
        ]
        return "; ".join(f"{e.field or e.code}: {e.message_en} / {e.message_ja}" for e in errors)

    def as_dict(self) -> dict:
        """The body of the error answer: ``{"error": {...}}``."""
        fields: dict[str, list[dict]] = {}
        for error in self.errors:
            fields.setdefault(error.field or "__all__", []).append(error.as_dict())
        return {
            "error": {
                "code": self.code,
                "message": self.message_en,
                "message_ja": self.message_ja,
                "fields": fields,
            }
        }


@dataclass
class ErrorCollector:
    """Gather field errors and raise them together (forms with many fields)."""

    errors: list[FieldError] = field(default_factory=list)

    def add(self, code: str, message_ja: str, message_en: str, field: str) -> None:
        self.errors.append(FieldError(code, message_ja, message_en, field))

    def check(self, violation: RuleViolation) -> None:
        self.errors.extend(
            violation.errors
            or [
                FieldError(
                    violation.code, violation.message_ja, violation.message_en, violation.field
                )
            ]
        )

    def raise_if_any(self, *, status: int = 400) -> None:
        if self.errors:
            raise RuleViolation.collect(self.errors, status=status)


def not_found(what_en: str = "resource", what_ja: str = "対象") -> RuleViolation:
    """A 404 that says nothing about whether the thing exists elsewhere."""
    return RuleViolation(
        "not_found", f"{what_ja}が見つかりません。", f"The {what_en} was not found.", status=404
    )
