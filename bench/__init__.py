"""Benchmarks (not tests): each prints figures and ratios measured in the same run.

Run them with ``make bench`` or ``python -m bench [name ...]``; ``--list``
names them. Every benchmark is a module of this package with ``NAME``,
``DESCRIPTION`` and ``run(args) -> dict``; :mod:`bench.harness` holds what
they share (throw-away databases, timing, percentiles, the results table and
``var/bench/results.jsonl``). See ``docs/benchmarks.md``.
"""

# module names, in the order they run
BENCHMARKS = [
    "api_tenant_request",
    "registry_statistics",
    "registry_import",
    "certificates_pdf",
    "registry_api_load",
    "identity_verify",
    "counter_dashboard",
    "procedures_inbox",
    "linkage_webhooks",
    "elections_roll",
]
