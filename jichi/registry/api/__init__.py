"""Resident register API: persons, households, movements, protection, statistics.

Every read of a person states its purpose (``?purpose=``) and is audited with
it. A person under DV support measures is flagged in every answer about them.
"""

from jichi.registry.api import movements, persons, protection, statistics  # noqa: F401
from jichi.registry.api.common import router, summary
from jichi.registry.api.movements import MOVEMENTS

__all__ = ["MOVEMENTS", "router", "summary"]
