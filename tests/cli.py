"""Running the ``jichi`` command in a child process, on a database file of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
JICHI = Path(sys.executable).with_name("jichi")

needs_script = pytest.mark.skipif(not JICHI.exists(), reason="the jichi script is missing")


def cli_env(tmp_path: Path, **extra: str) -> dict:
    """The environment of a child ``jichi``: its own SQLite file, data folder and key."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        JICHI_DATABASE_URL=f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        JICHI_DEBUG="1",
        JICHI_DATA_DIR=str(tmp_path / "data"),
    )
    env.update(extra)
    env.pop("JICHI_DATA_KEY_B64", None)
    env.pop("JICHI_DATA_KEY", None)
    return env


def jichi(*args, env, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(JICHI), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )


def jichi_process(*args, env, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([str(JICHI), *args], env=env, cwd=ROOT, **kwargs)


def database_url(settings: dict, name: str | None = None) -> str:
    """A URL of the PostgreSQL server of ``settings`` (a Django DATABASES entry)."""
    from urllib.parse import quote

    user = quote(settings["USER"] or "")
    if settings.get("PASSWORD"):
        user += ":" + quote(settings["PASSWORD"])
    host = settings["HOST"] or "127.0.0.1"
    return f"postgres://{user}@{host}:{settings['PORT'] or 5432}/{name or settings['NAME']}"


@contextmanager
def scratch_database(tmp_path: Path, label: str) -> Iterator[str]:
    """The URL of an empty database of the suite's kind for a child process: a SQLite
    file on the SQLite pass, a PostgreSQL database (dropped afterwards) on the other."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / (label + '.sqlite3')}"
        return
    import psycopg

    settings = connection.settings_dict
    name = f"{connection.settings_dict['NAME']}_{label}"
    admin_url = database_url(settings, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url(settings, name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
