"""Shared set-up of the procedures tests: a family in the register, applying through services."""

from __future__ import annotations

from datetime import timedelta

from jichi.procedures import services
from jichi.procedures.applicants import Applicant
from jichi.tenancy.context import tenant_scope
from jichi.tenancy.principals import Actor
from tests.registry.people import today

SYSTEM = Actor("token", "00000000-0000-0000-0000-000000000001", "portal")
CLERK = Actor("staff", "00000000-0000-0000-0000-000000000002", "clerk")


def resident(person, identity: str = "card_signature") -> Applicant:
    return Applicant.resident(person, identity)


def as_resident(person) -> Actor:
    return Actor("resident", str(person.id), "resident")


def iso(days: int = 0) -> str:
    return (today() + timedelta(days=days)).isoformat()


def genkyo_answers(children) -> dict:
    return {
        "children": [c.number for c in children],
        "living_apart": False,
        "still_raising": True,
    }


def apply(municipality, procedure_id: str, person, answers: dict, **kwargs):
    with tenant_scope(municipality.code):
        return services.apply(
            municipality=municipality,
            actor=kwargs.pop("actor", SYSTEM),
            procedure_id=procedure_id,
            applicant=kwargs.pop("applicant", None) or resident(person),
            channel=kwargs.pop("channel", "api"),
            answers=answers,
            **kwargs,
        )


def run(where, action, **kwargs):
    """A service of the app, in the scope of the municipality ``where``."""
    with tenant_scope(where.code):
        return action(**kwargs)


def neighbour(municipality):
    """Another household of one person in the same municipality."""
    from jichi.registry import services as registry_services
    from tests.registry.people import arrival, person, record

    notice = arrival(person(family_name="佐藤", family_name_kana="サトウ", birth_date="2012-01-01"))
    movement = record(municipality, registry_services.record_move_in, notice)
    with tenant_scope(municipality.code):
        return movement.subjects.get().person
