"""API bodies and answers of the procedures app."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from jichi.common.api import StrictSchema


class ApplicantIn(StrictSchema):
    kind: Literal["resident", "agent", "business"] = "resident"
    person: str = Field("", description="宛名番号 of the resident the application concerns")
    agent_name: str = Field("", max_length=100, description="代理人の氏名 (kind=agent)")
    agent_relation: str = Field("", max_length=60, description="本人との関係 (kind=agent)")
    business_member: uuid.UUID | None = Field(None, description="GビズID-like member id")
    identity: Literal["none", "login", "card_signature"] = Field(
        "login", description="the identity check the calling system performed"
    )


class ApplicationIn(StrictSchema):
    procedure: str = Field(examples=["jidou_teate_nintei"])
    applicant: ApplicantIn
    channel: Literal["online", "counter", "api"] = "api"
    answers: dict = Field(default_factory=dict)
    submit: bool = Field(True, description="false keeps it as a draft")


class AnswersIn(StrictSchema):
    answers: dict


class AttachmentIn(StrictSchema):
    field: str
    filename: str = Field(max_length=200)
    content_type: str
    content_base64: str


class ReasonIn(StrictSchema):
    reason: str = Field("", max_length=2000)


class QuestionIn(StrictSchema):
    question: str = Field(max_length=2000)


class AnswerInformationIn(StrictSchema):
    answer: str = Field(max_length=2000)
    answers: dict = Field(default_factory=dict, description="corrected answers, if any")


class AssignIn(StrictSchema):
    assignee: str | None = Field(None, description="staff user id; empty string unassigns")
    department: str | None = None


class BulkAssignIn(AssignIn):
    applications: list[uuid.UUID] = Field(min_length=1, max_length=500)


class SettingIn(StrictSchema):
    enabled: bool | None = None
    fee: int | None = None
    reset_fee: bool = False
    texts: dict[str, dict[str, str]] | None = None
    department: str | None = None


class TransitionOut(Schema):
    seq: int
    action: str
    from_state: str
    to_state: str
    actor_kind: str
    actor_label: str
    at: datetime
    reason: str
    details: dict


class ApplicationOut(Schema):
    id: str
    procedure: str
    procedure_version: int
    procedure_name: str
    applicant_kind: str
    person: str | None
    channel: str
    state: str
    state_label: str
    assignee: str
    department: str
    fee: int
    answers: dict
    prefilled: dict
    flags: list
    created_at: datetime
    submitted_at: datetime | None
    due_on: date | None
    breached: bool
    decided_at: datetime | None
    closed_at: datetime | None
    question: str
    decision_reason: str
    effect_result: dict
    actions: list[str]
    history: list[TransitionOut] | None = None


class FieldOut(Schema):
    name: str
    type: str
    label: dict
    required: bool
    rules: dict
    prefill: str | None
    choices: list[dict]


class ProcedureOut(Schema):
    id: str
    version: int
    name: dict
    description: dict | None
    legal_basis: str
    applicants: list[str]
    identity: str
    department: str
    service_days: int
    fee: int
    enabled: bool
    effect: str
    workflow: dict
    lookups: list[str]
    prefill_changes: str
    keywords: list[str]
    fields: list[FieldOut] | None = None


class PrefillOut(Schema):
    procedure: str
    values: dict
    remaining: list[str]


class ApplicableOut(Schema):
    procedure: str
    name: dict
    status: str
    reasons: list[dict]
    question: dict | None


class LifeEventOut(Schema):
    event: str
    name: dict
    on: date
    procedures: list[ApplicableOut]
