"""``python -m bench [name ...]``: run all benchmarks, or the ones named.

Options common to all benchmarks are defined here; a benchmark module may
add its own with ``add_arguments(parser)``. ``--list`` names them.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from bench import BENCHMARKS, harness


def _modules():
    return [importlib.import_module(f"bench.{name}") for name in BENCHMARKS]


def _parser(modules) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Jichi benchmarks: figures and ratios measured in one run (not tests).",
    )
    parser.add_argument(
        "names", nargs="*", metavar="name", help="benchmarks to run (default: all; see --list)"
    )
    parser.add_argument("--list", action="store_true", help="name the benchmarks and stop")
    parser.add_argument(
        "--postgres",
        nargs="?",
        const=harness.DEFAULT_POSTGRES_URL,
        metavar="URL",
        help="run on PostgreSQL (default URL %(const)s; the bench creates "
        "and drops <dbname>_<label> databases, connecting to 'postgres')",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run: fewer requests and less data (figures not comparable)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also run each measured request under cProfile and print the top",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the throw-away databases for inspection"
    )
    for module in modules:
        if hasattr(module, "add_arguments"):
            module.add_arguments(parser.add_argument_group(module.NAME))
    return parser


def main(argv: list[str] | None = None) -> int:
    modules = _modules()
    args = _parser(modules).parse_args(argv)
    by_name = {m.NAME: m for m in modules}
    if args.list:
        for module in modules:
            print(f"{module.NAME:24}  {module.DESCRIPTION}")
        return 0
    unknown = [n for n in args.names if n not in by_name]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)} (see --list)", file=sys.stderr)
        return 2
    selected = [by_name[n] for n in args.names] if args.names else modules
    workspace = harness.setup_django(postgres_url=args.postgres, keep=args.keep)
    from jichi.common.errors import RuleViolation

    try:
        for module in selected:
            print(f"== {module.NAME}: {module.DESCRIPTION}")
            args.workspace = workspace
            figures = module.run(args)
            path = harness.append_result(module.NAME, workspace, figures)
            print(f"(appended to {path.relative_to(harness.ROOT)})\n")
    except RuleViolation as exc:  # bad input, e.g. an unknown --code
        print(f"\nerror: {exc.as_text()}", file=sys.stderr)
        return 2
    finally:
        workspace.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
