"""Fixtures of the register's tests."""

import pytest

from jichi.tenancy.roles import Role
from tests import factories


@pytest.fixture
def clerk(client, yokohama):
    """A counter clerk of 横浜市, logged in."""
    user = factories.staff(yokohama, Role.COUNTER_CLERK)
    client.force_login(user)
    return user
