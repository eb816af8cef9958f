"""The businesses derived from the register, one Django app each.

Each reads the register only through :mod:`jichi.registry.selectors` (the
``resident_rows`` stream and the person reads) and follows it through the
register's events; none touches the register's tables.

- :mod:`jichi.benefits.elections` — 選挙人名簿 (electoral roll);
- :mod:`jichi.benefits.schooling` — 学齢簿 and 就学通知;
- :mod:`jichi.benefits.allowance` — 児童手当 (child allowance).
"""
