"""What the benchmarks share: throw-away databases, timing, percentiles, output.

A run never touches the developer's database or keys: :func:`setup_django`
points ``JICHI_DATA_DIR`` at a temporary directory (the SQLite files and the
platform key live there) or, with ``--postgres``, creates its own databases
and drops them at the end. Settings are the production ones (``DEBUG`` off,
a random secret key): the whole middleware stack, the audit trail and, on
PostgreSQL, row-level security stay on.

A :class:`Workspace` can hold several databases, each with its own open
connection, and swap which one is the default connection without
reconnecting. A benchmark can so compare two data sets in finely interleaved
batches of one run: a burst of background load on the machine then weighs on
both sides alike.
"""

from __future__ import annotations

import copy
import cProfile
import json
import math
import os
import platform
import pstats
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "var" / "bench" / "results.jsonl"
DEFAULT_POSTGRES_URL = "postgres://jichi_test@127.0.0.1:5432/jichi_bench"
HOST = "localhost"  # in the production ALLOWED_HOSTS; the test client's "testserver" is not


# --- set-up ---------------------------------------------------------------------


@dataclass
class Database:
    label: str
    name: str  # SQLite file path or PostgreSQL database name
    wrapper: object = None  # its own Django connection (DatabaseWrapper), made on first use


@dataclass
class Workspace:
    """The temporary directory and the throw-away databases of one run."""

    directory: Path
    postgres_url: str | None
    keep: bool = False
    databases: list[Database] = field(default_factory=list)

    @property
    def vendor(self) -> str:
        return "postgresql" if self.postgres_url else "sqlite"

    def _prefix(self) -> str:
        from urllib.parse import urlparse

        return urlparse(self.postgres_url).path.lstrip("/") or "jichi_bench"

    def _admin(self):
        import psycopg
        from psycopg.conninfo import make_conninfo

        return psycopg.connect(make_conninfo(self.postgres_url, dbname="postgres"), autocommit=True)

    def fresh(self, label: str) -> Database:
        """An empty, migrated database, made the default connection's."""
        from django.core.management import call_command

        if self.postgres_url:
            db = Database(label, f"{self._prefix()}_{label}")
            with self._admin() as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{db.name}"')
                admin.execute(f'CREATE DATABASE "{db.name}"')
        else:
            db = Database(label, str(self.directory / f"{label}.sqlite3"))
        self.databases.append(db)
        self.use(db)
        call_command("migrate", verbosity=0, interactive=False)
        return db

    def copy(self, source: Database, label: str) -> Database:
        """A copy of ``source`` (same rows, same token secrets), made the default."""
        if source.wrapper is not None:
            source.wrapper.close()
        if self.postgres_url:
            db = Database(label, f"{self._prefix()}_{label}")
            with self._admin() as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{db.name}"')
                admin.execute(f'CREATE DATABASE "{db.name}" TEMPLATE "{source.name}"')
        else:
            db = Database(label, str(self.directory / f"{label}.sqlite3"))
            src, dst = sqlite3.connect(source.name), sqlite3.connect(db.name)
            try:
                src.backup(dst)  # consistent even with a WAL file beside it
            finally:
                src.close()
                dst.close()
        self.databases.append(db)
        self.use(db)
        return db

    def use(self, db: Database) -> None:
        """Make ``db``'s own connection the default one (no reconnection)."""
        from django.db import connections
        from django.db.utils import load_backend

        if db.wrapper is None:
            settings_dict = copy.deepcopy(connections.settings["default"])
            settings_dict["NAME"] = db.name
            backend = load_backend(settings_dict["ENGINE"])
            db.wrapper = backend.DatabaseWrapper(settings_dict, "default")
        connections["default"] = db.wrapper

    def analyze(self) -> None:
        """Refresh the planner's statistics after a bulk load (autovacuum's job in
        production, which a benchmark cannot wait for). SQLite is left as an
        embedded deployment runs it: Django never analyzes it."""
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    def server_version(self) -> str:
        from django.db import connection

        if connection.vendor == "sqlite":
            return f"SQLite {sqlite3.sqlite_version}"
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"

    def cleanup(self) -> None:
        from django.db import connections

        connections.close_all()
        for db in self.databases:
            if db.wrapper is not None:
                db.wrapper.close()
        if self.keep:
            print(
                f"kept the bench databases in {self.directory}"
                + (f" and {[d.name for d in self.databases]}" if self.postgres_url else "")
            )
            return
        if self.postgres_url:
            with self._admin() as admin:
                for db in self.databases:
                    admin.execute(f'DROP DATABASE IF EXISTS "{db.name}"')
        shutil.rmtree(self.directory, ignore_errors=True)


def postgres_only(workspace: Workspace) -> dict | None:
    """``None`` on PostgreSQL; elsewhere say so and give the figures of a skipped run."""
    if workspace.vendor == "postgresql":
        return None
    print("  skipped: this benchmark runs on PostgreSQL (python -m bench --postgres)")
    return {"skipped": "needs PostgreSQL"}


def setup_django(*, postgres_url: str | None = None, keep: bool = False) -> Workspace:
    """Configure Django for a throw-away run; call before importing ``jichi`` models."""
    directory = Path(tempfile.mkdtemp(prefix="jichi-bench-"))
    (directory / "static").mkdir()  # STATIC_ROOT, so WhiteNoise does not warn
    for name in ("JICHI_DEBUG", "JICHI_TESTING", "PYTEST_VERSION", "JICHI_PLATFORM_KEY"):
        os.environ.pop(name, None)
    os.environ["JICHI_DATA_DIR"] = str(directory)
    os.environ["JICHI_SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["JICHI_DATABASE_URL"] = postgres_url or f"sqlite:///{directory / 'setup.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "jichi.settings"
    import django

    django.setup()
    return Workspace(directory=directory, postgres_url=postgres_url, keep=keep)


# --- timing ---------------------------------------------------------------------


def time_requests(client, path: str, n: int, *, expect: int = 200) -> list[int]:
    """Nanoseconds of ``n`` GET requests of ``path``; every answer must be ``expect``."""
    samples = []
    for _ in range(n):
        start = time.perf_counter_ns()
        response = client.get(path)
        samples.append(time.perf_counter_ns() - start)
        if response.status_code != expect:
            raise RuntimeError(
                f"GET {path} answered {response.status_code}, not {expect}: "
                f"{response.content[:300]!r}"
            )
    return samples


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        raise ValueError("no values")
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def summarize(samples_ns: Iterable[int]) -> dict:
    """n, p50/p95/p99/mean in milliseconds, and sequential requests per second."""
    values = sorted(samples_ns)
    total_s = sum(values) / 1e9
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 50) / 1e6, 3),
        "p95_ms": round(percentile(values, 95) / 1e6, 3),
        "p99_ms": round(percentile(values, 99) / 1e6, 3),
        "mean_ms": round(total_s * 1e3 / len(values), 3),
        "rps": round(len(values) / total_s, 1),
    }


def profile(call: Callable[[], object], n: int, *, top: int = 30) -> None:
    """Run ``call`` ``n`` times under cProfile; print the top functions by own and total time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        call()
    profiler.disable()
    own = pstats.Stats(profiler, stream=sys.stdout)
    own.sort_stats("cumulative").print_stats(r"/jichi/", top)  # the project's functions
    stats = pstats.Stats(profiler, stream=sys.stdout).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    stats.print_callers(5)  # who calls the five costliest functions
    stats.sort_stats("cumulative").print_stats(top)


class Stopwatch:
    """``with Stopwatch("what"):`` prints how long the set-up step took."""

    def __init__(self, what: str) -> None:
        self.what = what

    def __enter__(self) -> Stopwatch:
        print(f"  {self.what} ...", end="", flush=True)
        self.start = time.perf_counter()
        return self

    def __exit__(self, exc_type, *exc) -> None:
        self.seconds = time.perf_counter() - self.start
        print(" failed" if exc_type else f" {self.seconds:.1f} s", flush=True)


# --- output ---------------------------------------------------------------------


def print_table(rows: list[dict], columns: list[tuple[str, str]]) -> None:
    """A plain-text table: ``columns`` are (key, heading); numbers align right."""
    cells = [[_cell(row.get(key)) for key, _ in columns] for row in rows]
    headings = [heading for _, heading in columns]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headings)]
    numeric = [all(isinstance(row.get(key), int | float) for row in rows) for key, _ in columns]

    def line(values):
        return "  ".join(
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ).rstrip()

    print(line(headings))
    print(line(["-" * w for w in widths]))
    for c in cells:
        print(line(c))


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}" if value < 100 else f"{value:.0f}"
    return str(value)


def machine(workspace: Workspace) -> dict:
    import django

    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "database": workspace.server_version(),
        "commit": _git_commit(),
    }


def _git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        )
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def append_result(benchmark: str, workspace: Workspace, figures: dict) -> Path:
    """Append one JSON line for this run to ``var/bench/results.jsonl``."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "benchmark": benchmark,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(workspace),
        **figures,
    }
    with RESULTS.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return RESULTS
