"""The production server as a child process, for benchmarks over HTTP.

``jichi serve`` (gunicorn, ``DEBUG`` off, static files collected) on a free
port of 127.0.0.1, against one of the run's throw-away databases, with the
run's data directory and secret key. It is always stopped when the ``with``
block ends, also on an error: SIGTERM (gunicorn stops its workers), then
SIGKILL to its process group after 30 s.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from bench import harness

READY_SECONDS = 120


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url(workspace, database) -> str:
    """The URL of ``database`` for a child process (SQLite file or PostgreSQL)."""
    if workspace.postgres_url is None:
        return f"sqlite:///{database.name}"
    return urlunparse(urlparse(workspace.postgres_url)._replace(path=f"/{database.name}"))


@contextmanager
def worker(workspace, database, log: Path, **env_extra: str):
    """``jichi worker`` (the background tasks) on ``database``, stopped at the end."""
    env = {**os.environ, "JICHI_DATABASE_URL": database_url(workspace, database), **env_extra}
    command = [str(Path(sys.executable).with_name("jichi")), "worker"]
    with log.open("wb") as output:
        process = _start(command, env, output)
        try:
            yield process
        finally:
            _stop(process)


def _start(command: list[str], env: dict, output) -> subprocess.Popen:
    """``command`` in a session of its own (so its children are stopped with it)."""
    return subprocess.Popen(
        command, env=env, cwd=harness.ROOT, stdout=output, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip


@contextmanager
def gunicorn(workspace, database, workers: int, log: Path):
    """Serve ``database`` with ``workers`` gunicorn workers; yields the base URL."""
    port = free_port()
    env = {**os.environ, "JICHI_DATABASE_URL": database_url(workspace, database)}
    command = [
        str(Path(sys.executable).with_name("jichi")),
        "serve",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
    ]
    with log.open("wb") as output:
        process = _start(command, env, output)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_ready(url, process, log)
            yield url
        finally:
            _stop(process)


def _wait_ready(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped at start:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the server was not ready in {READY_SECONDS} s:\n{log.read_text()[-2000:]}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
    try:  # whatever is left of its own session (gunicorn's workers), by the group's id
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()
