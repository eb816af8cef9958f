"""The demo's applications (``jichi demo``): some residents apply for a few catalog
procedures online or at the counter, and staff move the applications along, so that
the inbox has work in every state (受付, 審査中, 補正依頼中, 承認, 完了, 却下, 取下げ).

Everything goes through :mod:`jichi.procedures.services`. Each planned
application has an ``Idempotency-Key`` (``demo-NNN``); one that exists already
is skipped, so running the demo again adds nothing, and each is made with all
its steps in one transaction (there whole or not at all). The services stamp
their steps with the present: the applications are all submitted on the day
the demo runs.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from jichi.procedures import services
from jichi.procedures.applicants import Applicant
from jichi.procedures.models import Application
from jichi.registry.codes import ResidentStatus
from jichi.registry.models import PersonVersion
from jichi.registry.selectors import versions_on
from jichi.tenancy.models import Municipality
from jichi.tenancy.principals import Actor

KEY = "demo-{:03d}"
ADULT_YEARS = 20
PHONE = "045-000-0000"  # a sample number


def _kaigo(version: PersonVersion, index: int) -> dict:
    return {
        "insured_number": f"{1400000000 + index:010d}",
        "application_kind": ("new", "renewal", "change")[index % 3],
        "doctor_name": "見本 医師",
        "clinic": "見本中央病院",
        "contact_phone": PHONE,
    }


def _kokuho(version: PersonVersion, index: int) -> dict:
    reason = ("move_in", "left_employer_insurance", "other")[index % 3]
    day = timezone.localdate() - timedelta(days=3 + index % 20)
    return {"members": [version.person.number], "reason": reason, "reason_date": day.isoformat()}


def _risai(version: PersonVersion, index: int) -> dict:
    return {
        "disaster_name": "見本台風第10号",
        "damage_date": (timezone.localdate() - timedelta(days=12)).isoformat(),
        "property_type": ("detached", "apartment")[index % 2],
        "ownership": ("own", "rent")[index % 2],
        "damage_description": "屋根瓦の一部が飛散し、雨漏りがある。",
        "phone": PHONE,
    }


def _fuzai(version: PersonVersion, index: int) -> dict:
    return {
        "election": "見本市長選挙",
        "stay_address": "東京都千代田区見本町1番1号",
        "reason": ("work", "travel", "study", "hospital")[index % 4],
        "oath": "sworn",
    }


def _sodai(version: PersonVersion, index: int) -> dict:
    return {
        "name": version.full_name,
        "address": f"{version.address} {version.building}".strip()[:200],
        "items": ("ソファー", "自転車", "本棚", "電子レンジ台")[index % 4],
        "item_count": 1 + index % 3,
        "collection_date": (timezone.localdate() + timedelta(days=7 + index % 7)).isoformat(),
        "phone": PHONE,
    }


# procedure id -> (answers, identity level of the applicant)
REVIEWED = {
    "youkaigo_nintei": (_kaigo, "login"),
    "kokuho_kanyu": (_kokuho, "login"),
    "risai_shoumei": (_risai, "login"),
    "fuzai_touhyou": (_fuzai, "card_signature"),
}
AUTO_APPROVED = {"sodai_gomi": (_sodai, "none")}  # approved at submission
# The steps after submission: ("review" = staff, "applicant" = the applicant).
PATHS = (
    (),
    (("review", "assign"),),
    (("review", "start"),),
    (("review", "start"), ("review", "ask")),
    (("review", "start"), ("review", "ask"), ("applicant", "answer")),
    (("review", "start"), ("review", "approve")),
    (("review", "start"), ("review", "approve"), ("review", "complete")),
    (("review", "start"), ("review", "reject")),
    (("applicant", "withdraw"),),
    (
        ("review", "start"),
        ("review", "ask"),
        ("applicant", "answer"),
        ("review", "approve"),
        ("review", "complete"),
    ),
)
AUTO_PATHS = ((), (("review", "complete"),))


@dataclass
class Added:
    applications: int = 0
    states: Counter = field(default_factory=Counter)


def _plans() -> list[tuple[str, tuple]]:
    """(procedure id, path) of every demo application, in a fixed order."""
    plans = []
    procedures = list(REVIEWED)
    for index in range(len(procedures) * len(PATHS)):
        plans.append((procedures[index % len(procedures)], PATHS[index % len(PATHS)]))
    for index in range(6):
        plans.append(("sodai_gomi", AUTO_PATHS[index % len(AUTO_PATHS)]))
    return plans


def _adults() -> list[PersonVersion]:
    today = timezone.localdate()
    born_by = today - timedelta(days=366 * ADULT_YEARS)
    return list(
        versions_on(today)
        .filter(status=ResidentStatus.RESIDENT, birth_date__lte=born_by)
        .select_related("person")
        .order_by("person__number")[:64]
    )


def _step(application, name: str, actor: Actor, reviewer: Actor):
    kwargs = {"actor": actor, "application": application}
    if name == "assign":
        return services.assign(**kwargs, assignee=reviewer.id)
    if name == "start":
        return services.start_review(**kwargs)
    if name == "ask":
        return services.request_information(**kwargs, question="確認書類の写しを提出してください。")
    if name == "answer":
        return services.answer_information(**kwargs, answer="本日、郵送で提出しました。")
    if name == "approve":
        return services.approve(**kwargs)
    if name == "complete":
        return services.complete(**kwargs, note="通知書を送付しました。")
    if name == "reject":
        return services.reject(**kwargs, reason="申請の要件（住所地）を満たしていません。")
    return services.withdraw(**kwargs, reason="別の方法で手続します。")


def _one(municipality, index, procedure_id, path, version, clerk, reviewer) -> Application:
    answers_of, identity = {**REVIEWED, **AUTO_APPROVED}[procedure_id]
    at_counter = index % 3 == 0 and identity != "none"
    # At the counter the clerk saw the card; online the resident logged in with it.
    applicant_actor = clerk if at_counter else Actor("resident", str(version.person_id), "demo")
    application = services.apply(
        municipality=municipality,
        actor=applicant_actor,
        procedure_id=procedure_id,
        applicant=Applicant.resident(version.person, "card_signature" if at_counter else identity),
        channel="counter" if at_counter else "online",
        answers=answers_of(version, index),
        idempotency_key=KEY.format(index),
    )
    for who, name in path:
        actor = applicant_actor if who == "applicant" else reviewer
        application = _step(application, name, actor, reviewer)
    return application


def demo_applications(municipality: Municipality, *, clerk: Actor, reviewer: Actor) -> Added:
    """The demo's applications for residents of the register (none without residents);
    ``reviewer`` is staff holding ``procedures:review`` and ``procedures:decide``."""
    added = Added()
    adults = _adults()
    if not adults:
        return added
    existing = set(
        Application.objects.filter(idempotency_key__startswith="demo-").values_list(
            "idempotency_key", flat=True
        )
    )
    for index, (procedure_id, path) in enumerate(_plans()):
        if KEY.format(index) in existing:
            continue
        with transaction.atomic():
            version = adults[index % len(adults)]
            application = _one(municipality, index, procedure_id, path, version, clerk, reviewer)
        added.applications += 1
        added.states[application.state] += 1
    return added
