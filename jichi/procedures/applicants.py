"""Who applies: a resident, an agent with the resident, or a business member (ids only)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.utils import timezone

from jichi.common.errors import RuleViolation
from jichi.identity.business.models import BusinessMember
from jichi.procedures.definitions import IDENTITY_LEVELS, Procedure
from jichi.procedures.models import Application
from jichi.registry import selectors as registry
from jichi.registry.codes import ResidentStatus
from jichi.registry.models import Person, PersonVersion
from jichi.tenancy.principals import Actor


@dataclass(frozen=True)
class Applicant:
    """The applicant as the edge identified them.

    ``identity`` is the level the edge established: ``login`` (a resident
    session), ``card_signature`` (a signature checked with the card, or a
    clerk who saw the card at the counter), ``none``.
    """

    kind: str  # resident | agent | business
    person: Person | None = None  # the resident it concerns
    agent_name: str = ""
    agent_relation: str = ""
    business_member_id: uuid.UUID | None = None
    identity: str = "none"

    @classmethod
    def resident(cls, person: Person, identity: str = "login") -> Applicant:
        return cls("resident", person=person, identity=identity)


def _refuse(code: str, ja: str, en: str, field: str, status: int = 422) -> RuleViolation:
    return RuleViolation(code, ja, en, field, status=status)


def needs_person(procedure: Procedure) -> bool:
    return procedure.effect != "none" or any(f.prefill for f in procedure.fields)


def check(
    procedure: Procedure, applicant: Applicant, *, drafting: bool = False
) -> PersonVersion | None:
    """Refuse an applicant the procedure does not take; the person's current record.

    A draft (``drafting``) may be saved below the procedure's identity level: the
    level is checked when it is submitted (:func:`require_identity`)."""
    if applicant.kind not in procedure.applicants:
        raise _refuse(
            "applicant.kind_not_allowed",
            "この手続はこの申請者区分では申請できません。",
            f"This procedure takes applications from: {', '.join(procedure.applicants)}.",
            "applicant.kind",
        )
    if not drafting:
        require_identity(procedure, applicant.identity)
    if applicant.kind == "agent" and not applicant.agent_name.strip():
        raise _refuse(
            "agent_name.required",
            "代理人の氏名を入力してください。",
            "Give the agent's name.",
            "applicant.agent_name",
            400,
        )
    if applicant.kind == "business":
        _check_member(applicant.business_member_id)
    if applicant.person is None:
        if needs_person(procedure):
            raise _refuse(
                "person.required",
                "住民記録の対象者（宛名番号）を指定してください。",
                "Name the resident (resident number) this application concerns.",
                "applicant.person",
                400,
            )
        return None
    return resident_record(applicant.person)


def require_identity(procedure: Procedure, identity: str) -> None:
    """The identity the edge established must reach the procedure's level."""
    levels = IDENTITY_LEVELS
    if levels.index(identity) < levels.index(procedure.identity):
        raise _refuse(
            "identity.insufficient",
            "この手続には、より確かな本人確認（マイナンバーカードによる署名等）が必要です。",
            f"This procedure needs the identity level {procedure.identity}.",
            "applicant.identity",
            403,
        )


def resident_record(person: Person) -> PersonVersion:
    version = registry.versions_on(timezone.localdate()).filter(person=person).first()
    if version is None or version.status != ResidentStatus.RESIDENT:
        raise _refuse(
            "person.not_resident",
            "対象者は現在この団体の住民ではありません。",
            "The person is not a resident of this municipality today.",
            "applicant.person",
        )
    return version


def _check_member(member_id) -> None:
    active = BusinessMember.objects.filter(pk=member_id, is_active=True)
    if member_id is None or not active.exists():
        raise _refuse(
            "business_member.unknown",
            "事業者のメンバーが見つからないか、無効です。",
            "The business member is unknown or deactivated.",
            "applicant.business_member",
            400,
        )


def is_applicant(application: Application, actor: Actor) -> bool:
    """May ``actor`` act as the applicant (answer, withdraw)?

    The resident concerned, the business member who applied, the system that
    entered it, or staff for an application taken at the counter.
    """
    if actor.kind == "resident":
        return application.person_id is not None and actor.id == str(application.person_id)
    if actor.kind == "business_member":
        return actor.id == str(application.business_member_id or "")
    if actor.kind == "staff" and application.channel == "counter":
        return True
    return actor.kind == application.entered_by_kind and actor.id[:64] == application.entered_by


def require_applicant(application: Application, actor: Actor) -> None:
    if not is_applicant(application, actor):
        raise RuleViolation(
            "applicant.not_applicant",
            "申請者本人だけがこの操作を行えます。",
            "Only the applicant may do this.",
            "applicant",
            status=403,
        )
