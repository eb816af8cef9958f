"""Fixtures of the linkage tests: a subscription and the reference receiver."""

from __future__ import annotations

import pytest

from jichi.linkage import outbox, services
from jichi.linkage.receiver import Receiver
from jichi.tenancy.context import tenant_scope
from jichi.tenancy.roles import ALL_PERMISSIONS
from tests.factories import SYSTEM


def subscribe(municipality, url: str, **options):
    """A subscription of ``municipality`` to ``url`` and its secret (all permissions)."""
    values = {"name": "児童手当システム", "types": [], "batch_size": 100, "start": "beginning"}
    values.update(options)
    with tenant_scope(municipality.code):
        return services.create_subscription(
            municipality=municipality,
            actor=SYSTEM,
            url=url,
            may=lambda permission: permission in ALL_PERMISSIONS,
            **values,
        )


def publish(municipality, count: int, *, subjects: int = 3, kind="counter.visit.completed"):
    """``count`` events (data ``{"n": i}``) about ``subjects`` subjects, a transaction each."""
    with tenant_scope(municipality.code):
        for i in range(count):
            outbox.publish(kind, {"n": i}, subject=f"visit/{i % subjects}")


def refresh(subscription):
    with tenant_scope(subscription.municipality_id):
        subscription.refresh_from_db()
    return subscription


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running
