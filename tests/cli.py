"""Running the ``jichi`` command in a child process, on a database file of its own."""

from __future__ import annotations

import os
import subprocess
import sys
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
        **extra,
    )
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
