"""A procedure's questions as an HTML form, and the posted form back as answers.

The catalog declares each question (``FieldSpec``); a page shows what the
register already answers as text (書かない: it is not asked) and asks only the
rest. The answers keep the JSON types the services check (text, ISO date,
boolean, a list of 宛名番号); the services report every broken rule, and
:func:`errors_by_field` puts each message next to its question.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jichi.common.errors import RuleViolation
from jichi.procedures.definitions import FieldSpec, Procedure, Text
from jichi.procedures.prefill import Prefilled

YES, NO = "yes", "no"


def text(value: Text | None, language: str | None) -> str:
    if value is None:
        return ""
    return value.en if (language or "ja").startswith("en") else value.ja


@dataclass
class Question:
    """One question as a page shows it."""

    spec: FieldSpec
    label: str
    help: str
    value: object  # what is posted or saved (a list for persons)
    given: Prefilled | None  # the register's answer, shown instead of an input
    errors: list[str] = field(default_factory=list)
    options: list[tuple[str, str, bool]] = field(default_factory=list)  # value, label, chosen
    prefix: str = ""  # several procedures on one page: inputs named "<procedure>__<field>"

    @property
    def asked(self) -> bool:
        """Is there an input? Not when the register answers (one person at most)."""
        if self.given is None:
            return True
        return self.spec.type == "persons" and len(self.given.value) > 1

    @property
    def shown(self) -> str:
        if self.given is None:
            return ""
        if isinstance(self.given.value, list):
            return "、".join(self.given.labels or self.given.value)
        return str(self.given.value)

    @property
    def input_name(self) -> str:
        return f"{self.prefix}__{self.spec.name}" if self.prefix else self.spec.name

    @property
    def input_id(self) -> str:
        return f"q-{self.prefix}-{self.spec.name}" if self.prefix else f"q-{self.spec.name}"


def questions(
    procedure: Procedure,
    known: dict[str, Prefilled],
    answers: dict,
    errors: dict[str, list[str]],
    language: str | None,
    prefix: str = "",
) -> list[Question]:
    """Every question of ``procedure`` with its value, the register's answer and errors."""
    found = []
    for spec in procedure.fields:
        value = answers.get(spec.name, "")
        question = Question(
            spec=spec,
            label=text(spec.label, language),
            help=text(spec.help, language),
            value=value,
            given=known.get(spec.name),
            errors=errors.get(spec.name, []),
            prefix=prefix,
        )
        if spec.type == "choice":
            question.options = [
                (c.value, text(c.label, language), c.value == value) for c in spec.choices
            ]
        elif spec.type == "persons" and question.given is not None:
            chosen = value if isinstance(value, list) else []
            question.options = [
                (number, label, number in chosen)
                for number, label in zip(question.given.value, question.given.labels, strict=False)
            ]
        found.append(question)
    return found


def answers_from(procedure: Procedure, post, known: dict[str, Prefilled]) -> dict:
    """The answers a posted form gives (the register's answers are left to the services,
    which fill them in; files are uploaded apart)."""
    answers: dict = {}
    for spec in procedure.fields:
        given = known.get(spec.name)
        if spec.type == "file":
            continue
        if spec.type == "persons":
            if given is not None and len(given.value) > 1:
                answers[spec.name] = post.getlist(spec.name)
            continue
        if given is not None:
            continue
        raw = post.get(spec.name, "")
        if spec.type == "boolean":
            if raw in (YES, NO):
                answers[spec.name] = raw == YES
            continue
        if raw.strip():
            answers[spec.name] = raw.strip()
    return answers


def errors_by_field(
    exc: RuleViolation, language: str | None, procedure: Procedure | None = None
) -> dict[str, list[str]]:
    """Question name → messages; ``__all__`` for the rest (the applicant, the state …)."""
    names = {f.name for f in procedure.fields} if procedure else None
    found: dict[str, list[str]] = {}
    for error in exc.errors or [exc]:
        name = (error.field or "").removeprefix("answers.")
        if not name or (names is not None and name not in names):
            name = "__all__"
        found.setdefault(name, []).append(error.message(language))
    return found
