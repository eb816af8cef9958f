"""The catalog of event types: every type a service may publish, and what its data holds.

The catalog is a contract with the receiving systems: a type is never renamed
and its data fields are only ever added to. :func:`jichi.linkage.outbox.publish`
refuses a type that is not listed here, so the catalog and the code cannot drift
apart; ``docs/events.md`` is written from it (a test compares the two).

Event data carries identifiers and codes, never names, addresses or numbers
that a receiver could not already read from the pull API with its own
permission. A receiver that needs the person's facts reads them with its token
(and that read is audited).
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

from jichi.common.errors import RuleViolation

PREFIX = "jp.jichi."

_MOVEMENT = {
    "person": "the person's id (UUID)",
    "resident_number": "宛名番号",
    "movement": "the movement's id",
    "reason": "異動事由 (the standard code)",
    "effective_on": "異動日 (ISO date)",
    "household_before": "世帯番号 before (null on 記載)",
    "household_after": "世帯番号 after (null on 消除)",
}


@dataclass(frozen=True)
class EventType:
    name: str  # without the prefix
    ja: str
    en: str
    subject: str  # what the CloudEvents subject names
    data: dict[str, str]
    permission: str  # what a subscriber must hold to receive it

    @property
    def type(self) -> str:
        return PREFIX + self.name


def _application(state: str, ja: str) -> EventType:
    return EventType(
        f"procedures.application.{state}",
        f"申請が{ja}になった",
        f"An application became {state.replace('_', ' ')}",
        "the application's id",
        {
            "id": "the application's id",
            "procedure": "the procedure's id in the catalog",
            "version": "the procedure's version",
            "action": "what was done (submit, assign, approve, …)",
            "from": "the state before",
            "state": "the state after",
            "channel": "online | counter | api",
            "notification": "optional: the text for the applicant, {ja, en}",
        },
        "procedures:review",
    )


TYPES: tuple[EventType, ...] = (
    EventType(
        "registry.person.registered",
        "住民となった（転入・出生・職権記載など）",
        "A person became a resident (move-in, birth, entry ex officio…)",
        "person/<id>",
        _MOVEMENT,
        "registry:read",
    ),
    EventType(
        "registry.person.moved",
        "市区町村内で住所が変わった（転居）",
        "A person's address changed within the municipality (転居)",
        "person/<id>",
        _MOVEMENT,
        "registry:read",
    ),
    EventType(
        "registry.person.changed",
        "記載事項が変わった（氏名・続柄・本籍・在留資格・誤記修正など）",
        "A person's recorded facts changed (name, relationship, domicile, status, correction…)",
        "person/<id>",
        _MOVEMENT,
        "registry:read",
    ),
    EventType(
        "registry.person.removed",
        "住民でなくなった（転出・死亡・職権消除など）",
        "A person stopped being a resident (move-out, death, removal ex officio…)",
        "person/<id>",
        _MOVEMENT,
        "registry:read",
    ),
    EventType(
        "registry.household.changed",
        "世帯の構成が変わった",
        "A household's members changed",
        "household/<id>",
        {"household": "世帯番号", "movement": "the movement's id"},
        "registry:read",
    ),
    EventType(
        "certificate.issued",
        "証明書を交付した",
        "A certificate was issued",
        "the certificate's id",
        {"id": "the certificate's id", "kind": "the certificate kind", "serial": "交付番号"},
        "certificates:read",
    ),
    EventType(
        "certificate.revoked",
        "交付した証明書を失効させた",
        "An issued certificate was revoked",
        "the certificate's id",
        {"id": "the certificate's id", "kind": "the certificate kind", "serial": "交付番号"},
        "certificates:read",
    ),
    EventType(
        "counter.reservation.booked",
        "来庁予約を受け付けた",
        "A visit was reserved",
        "the reservation's id",
        {
            "reservation": "the reservation's id",
            "procedure_id": "the procedure",
            "starts_at": "the slot's start (ISO time)",
            "application_id": "the online application it prepares, or empty",
        },
        "counter:operate",
    ),
    EventType(
        "counter.reservation.cancelled",
        "来庁予約が取り消された",
        "A reservation was cancelled",
        "the reservation's id",
        {"reservation": "the reservation's id", "procedure_id": "the procedure"},
        "counter:operate",
    ),
    EventType(
        "counter.visit.completed",
        "窓口の用件が終わった",
        "A visit at the counter was completed",
        "the visit's id",
        {
            "visit": "the visit's id",
            "procedure_id": "the procedure",
            "wait_seconds": "waiting time",
            "process_seconds": "processing time",
            "reservation": "the reservation's id, or null",
        },
        "counter:dashboard",
    ),
    EventType(
        "linkage.transfer.received",
        "他団体から転出証明書情報を受領した（転入届の準備ができた）",
        "A hand-over (転出証明書情報) arrived from another municipality",
        "transfer/<id>",
        {
            "transfer": "the hand-over's id",
            "from": "the municipality left (code)",
            "persons": "how many persons it carries",
            "effective_on": "転出（予定）日",
        },
        "registry:read",
    ),
    _application("draft", "下書き"),
    _application("submitted", "受付"),
    _application("assigned", "担当者決定"),
    _application("in_review", "審査中"),
    _application("info_requested", "補正依頼中"),
    _application("approved", "承認"),
    _application("rejected", "却下"),
    _application("completed", "完了"),
    _application("withdrawn", "取下げ"),
)

BY_NAME: dict[str, EventType] = {t.name: t for t in TYPES}
BY_TYPE: dict[str, EventType] = {t.type: t for t in TYPES}


def known(name: str) -> EventType:
    """The catalog entry of ``name`` (without the prefix); a programming error if absent."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise ValueError(f"event type {name!r} is not in jichi.linkage.catalog") from None


def expand(patterns: list[str], field: str = "types") -> list[str]:
    """The full type names that ``patterns`` select (``*`` wildcards allowed; ``[]`` is all).

    A pattern matching no type is an error: a subscriber who misspells a type
    would otherwise wait forever for events that never come.
    """
    if not patterns:
        return sorted(BY_TYPE)
    chosen: set[str] = set()
    for pattern in patterns:
        full = pattern if pattern.startswith(PREFIX) else PREFIX + pattern
        matched = {t for t in BY_TYPE if fnmatchcase(t, full)}
        if not matched:
            raise RuleViolation(
                "types.unknown",
                f"イベント種別「{pattern}」はカタログにありません。",
                f"The event type {pattern!r} matches nothing in the catalog.",
                field,
            )
        chosen |= matched
    return sorted(chosen)
