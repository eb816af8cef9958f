"""Who may have which certificate about whom: the checks made before anything is written.

:func:`assess` reads the register and either refuses the request with the
rule it breaks or says what the certificate will show and whether a second
member of staff must approve it first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from jichi.certificates.models import (
    OPTION_DEFAULTS,
    CertificateKind,
    Channel,
    RequesterCategory,
)
from jichi.certificates.schemas import CertificateIn, RequesterIn
from jichi.common.errors import RuleViolation
from jichi.registry import selectors, timeline
from jichi.registry.codes import Reason, ResidentStatus
from jichi.registry.models import Household, Person, PersonVersion

# Persons' numbers: only for the person or their household (住基法12条5項, 番号法).
RESTRICTED_OPTIONS = ("my_number", "resident_code")
MIN_REASON_LENGTH = 10


@dataclass
class Row:
    """One person on the certificate: the record shown and, for 除票 and 転出, how it ended."""

    version: PersonVersion
    ended_on: date | None = None
    ended_reason: str = ""  # label of the 消除 reason
    destination: str = ""  # 転出先


@dataclass
class Assessment:
    kind: CertificateKind
    person: Person
    as_of: date
    rows: list[Row]
    household: Household | None
    options: dict[str, bool]
    requester_person: Person | None
    approval_reasons: list[str] = field(default_factory=list)


def refuse(code: str, ja: str, en: str, field_name: str, status: int = 409) -> RuleViolation:
    return RuleViolation(code, ja, en, field_name, status=status)


def assess(request: CertificateIn, *, channel: Channel = Channel.COUNTER) -> Assessment:
    """What the certificate will show, or the rule the request breaks."""
    person = selectors.person(request.person, "person")
    kind = CertificateKind(request.kind)
    as_of = _as_of(request)
    rows, household = _rows(kind, person, as_of, request.household)
    requester_person = _requester(request.requester, person, as_of)
    options = _options(request)
    assessment = Assessment(kind, person, as_of, rows, household, options, requester_person)
    _check_protection(assessment, request.requester, channel)
    if request.requester.category == RequesterCategory.THIRD_PARTY:
        if kind == CertificateKind.MOVE_OUT:
            raise refuse(
                "kind.not_for_third_party",
                "転出証明書は本人、同一世帯の人または代理人にだけ交付します。",
                "A 転出証明書 is issued only to the person, their household or their agent.",
                "kind",
                403,
            )
        assessment.approval_reasons.append("third_party")
    return assessment


def _as_of(request: CertificateIn) -> date:
    today = timezone.localdate()
    if request.as_of is None:
        return today
    if request.kind != CertificateKind.ENTRY_CERTIFICATE:
        raise refuse(
            "as_of.not_allowed",
            "過去の日付での証明は住民票記載事項証明書だけです。",
            "Only a 住民票記載事項証明書 can certify the record as of a past date.",
            "as_of",
            400,
        )
    if request.as_of > today:
        raise refuse(
            "as_of.future",
            "未来の日付は指定できません。",
            "The date cannot be in the future.",
            "as_of",
            400,
        )
    return request.as_of


# --- what is shown ------------------------------------------------------------------


def _rows(
    kind: CertificateKind, person: Person, as_of: date, household_wide: bool
) -> tuple[list[Row], Household | None]:
    if kind in (CertificateKind.RESIDENT_COPY, CertificateKind.ENTRY_CERTIFICATE):
        return _resident_rows(kind, person, as_of, household_wide)
    if kind == CertificateKind.REMOVED_COPY:
        if household_wide:
            raise refuse(
                "household.not_for_removed",
                "除票の写しは一人ずつ請求してください。",
                "A 除票の写し is issued for one person at a time.",
                "household",
                400,
            )
        return [_removed_row(person)], None
    return _move_out_rows(person, household_wide)


def _resident_rows(
    kind: CertificateKind, person: Person, as_of: date, household_wide: bool
) -> tuple[list[Row], Household | None]:
    # A person who left or died is certified by the 除票 only, even for a past date.
    latest_status = timeline.latest(person).status
    if kind == CertificateKind.ENTRY_CERTIFICATE and latest_status != ResidentStatus.RESIDENT:
        raise refuse(
            "person.not_resident",
            "住民ではないため住民票記載事項証明書は交付できません。除票の写しを請求してください。",
            "The person is no longer a resident: request a 除票の写し instead.",
            "person",
        )
    version = selectors.person_on(person, as_of)
    if version.status != ResidentStatus.RESIDENT:
        if kind == CertificateKind.RESIDENT_COPY:
            raise refuse(
                "person.not_resident",
                "住民ではないため住民票の写しは交付できません。除票の写しを請求してください。",
                "The person is no longer a resident: request a 除票の写し instead.",
                "person",
            )
        raise refuse(
            "person.not_resident_on_date",
            "その日付には住民ではありませんでした。",
            "The person was not a resident on that date.",
            "as_of",
        )
    if not household_wide:
        return [Row(version)], None
    members = selectors.household_members(version.household, as_of)
    return [Row(member) for member in members], version.household


def _removed_row(person: Person) -> Row:
    last = timeline.latest(person)
    if last.status == ResidentStatus.RESIDENT:
        raise refuse(
            "person.still_resident",
            "住民のため除票はありません。住民票の写しを請求してください。",
            "The person is a resident: there is no 除票; request a 住民票の写し.",
            "person",
        )
    shown = selectors.person_on(person, last.valid_from - timedelta(days=1))
    return Row(shown, last.valid_from, last.get_reason_display(), last.destination_address)


def _move_out_rows(person: Person, household_wide: bool) -> tuple[list[Row], Household | None]:
    last = timeline.latest(person)
    if last.reason != Reason.MOVE_OUT:
        raise refuse(
            "person.no_move_out",
            "転出の届出がないため転出証明書は交付できません。",
            "No 転出 (move to another municipality) is recorded for this person.",
            "person",
        )
    movers = [last]
    if household_wide:
        movers = [
            timeline.latest(subject.person)
            for subject in last.movement.subjects.select_related("person").order_by("person_id")
        ]
    rows = []
    for moved in movers:
        before = selectors.person_on(moved.person, moved.valid_from - timedelta(days=1))
        rows.append(
            Row(before, moved.valid_from, moved.get_reason_display(), moved.destination_address)
        )
    household = rows[0].version.household if household_wide else None
    return rows, household


# --- who asks -----------------------------------------------------------------------


def _requester(requester: RequesterIn, person: Person, on: date) -> Person | None:
    category = RequesterCategory(requester.category)
    if category == RequesterCategory.SELF:
        if requester.person and selectors.person(requester.person, "requester.person") != person:
            raise refuse(
                "requester.not_self",
                "本人請求の請求者が証明の対象者と一致しません。",
                "For a request by the person, the requester must be that person.",
                "requester.person",
                403,
            )
        return person
    if category == RequesterCategory.HOUSEHOLD:
        return _household_requester(requester, person)
    if not requester.name.strip():
        raise refuse(
            "name.required",
            "請求者の氏名を入力してください。",
            "The requester's name is required.",
            "requester.name",
            400,
        )
    if category == RequesterCategory.AGENT and not requester.power_of_attorney.strip():
        raise refuse(
            "power_of_attorney.required",
            "代理人による請求には委任状が必要です。委任状の内容を記録してください。",
            "A request by an agent needs a power of attorney (委任状): record it.",
            "requester.power_of_attorney",
            400,
        )
    if category == RequesterCategory.THIRD_PARTY and (
        len(requester.reason.strip()) < MIN_REASON_LENGTH
    ):
        raise refuse(
            "reason.required",
            f"第三者請求には正当な理由を{MIN_REASON_LENGTH}文字以上で具体的に記入してください。",
            f"A third party must state a legitimate reason (at least {MIN_REASON_LENGTH} "
            "characters).",
            "requester.reason",
            400,
        )
    return None


def _household_requester(requester: RequesterIn, person: Person) -> Person:
    if not requester.person:
        raise refuse(
            "person.required",
            "同一世帯の請求者の宛名番号を入力してください。",
            "The requester's resident number is required for a request by the household.",
            "requester.person",
            400,
        )
    found = selectors.person(requester.person, "requester.person")
    theirs = timeline.latest(found)
    subject = timeline.latest(person)
    if subject.status != ResidentStatus.RESIDENT:
        subject = selectors.person_on(person, subject.valid_from - timedelta(days=1))
    same = (
        theirs.status == ResidentStatus.RESIDENT
        and theirs.household_id is not None
        and theirs.household_id == subject.household_id
    )
    if not same:
        raise refuse(
            "requester.not_same_household",
            "請求者は対象者と同一の世帯に属していません。",
            "The requester does not belong to the person's household.",
            "requester.person",
            403,
        )
    return found


def _options(request: CertificateIn) -> dict[str, bool]:
    chosen = {k: v for k, v in request.options.model_dump().items() if v is not None}
    options = {**OPTION_DEFAULTS, **chosen}
    own = request.requester.category in (RequesterCategory.SELF, RequesterCategory.HOUSEHOLD)
    for name in RESTRICTED_OPTIONS:
        if options[name] and not own:
            raise refuse(
                f"{name}.not_permitted",
                "個人番号と住民票コードは本人または同一世帯の者の請求でだけ記載できます。",
                "The individual number and resident code are printed only for the person "
                "or their household.",
                f"options.{name}",
                403,
            )
    return options


# --- 支援措置 --------------------------------------------------------------------------


def _check_protection(assessment: Assessment, requester: RequesterIn, channel: Channel) -> None:
    protected = selectors.protected_person_ids() & {r.version.person_id for r in assessment.rows}
    if not protected:
        return
    name, birth = requester.name, requester.birth_date
    if assessment.requester_person is not None and not name:
        own = timeline.latest(assessment.requester_person)
        name, birth = own.full_name, own.birth_date
    hidden = selectors.hidden_from(name, birth, assessment.requester_person)
    if protected & hidden:
        raise refuse(
            "protection.offender",
            "支援措置の対象者について、加害者として登録された者からの請求には交付できません。",
            "No certificate about a person under DV support measures is issued to a listed "
            "offender.",
            "requester",
            403,
        )
    own_card = (
        channel == Channel.SELF_SERVICE and {assessment.requester_person.id} >= protected
        if assessment.requester_person is not None
        else False
    )
    if not own_card:
        assessment.approval_reasons.append("protection")
