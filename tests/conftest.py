"""Test set-up: real databases (SQLite, or PostgreSQL with JICHI_TEST_POSTGRES=1)."""

from __future__ import annotations

import pytest
from django.db import connection

from tests import factories


def pytest_collection_modifyitems(config, items):
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (JICHI_TEST_POSTGRES=1)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _platform_key(tmp_path_factory, settings):
    """Each test run signs with its own platform key, never the developer's."""
    # Likewise its own data key (encryption at rest), even if JICHI_DATA_KEY_B64 is set.
    from jichi.common import platform_key, secrets

    path = tmp_path_factory.getbasetemp() / "keys" / "platform-ed25519.pem"
    settings.JICHI_PLATFORM_KEY = str(path)
    settings.JICHI_DATA_KEY = str(tmp_path_factory.getbasetemp() / "keys" / "data-key")
    settings.JICHI_DATA_KEY_B64 = None
    platform_key.private_key.cache_clear()
    secrets.reset()
    yield
    platform_key.private_key.cache_clear()
    secrets.reset()


@pytest.fixture
def yokohama(db):
    return factories.municipality("141003")


@pytest.fixture
def chiyoda(db):
    return factories.municipality("131016")


@pytest.fixture
def kawasaki(db):
    return factories.municipality("141305")


@pytest.fixture
def issuing(request):
    """The municipalities a test uses are set up to issue certificates (the mayor's name
    is set); apply it with ``pytestmark = pytest.mark.usefixtures("issuing")``."""
    for name in ("yokohama", "chiyoda", "kawasaki"):
        if name in request.fixturenames:
            factories.issuer_profile(request.getfixturevalue(name))
