"""``field__prefix=value``: a prefix match that PostgreSQL serves from an index even
under row-level security.

Django's ``startswith`` becomes ``LIKE 'value%'``. PostgreSQL's ``LIKE`` operator is
not *leakproof*, so under a row-level security policy the planner must check the
policy before it, row by row: a name search read the whole table. ``starts_with``
(the ``^@`` operator) is leakproof, and PostgreSQL turns it into the range
conditions of a ``varchar_pattern_ops`` index as it does for ``LIKE``. Other
databases keep ``LIKE``.
"""

from __future__ import annotations

from django.db.models import CharField, TextField
from django.db.models.lookups import StartsWith


class Prefix(StartsWith):
    lookup_name = "prefix"

    def as_sql(self, compiler, connection):
        return StartsWith(self.lhs, self.rhs).as_sql(compiler, connection)

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} ^@ %s", [*lhs_params, self.rhs]


def register() -> None:
    CharField.register_lookup(Prefix)
    TextField.register_lookup(Prefix)
