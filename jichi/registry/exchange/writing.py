"""Pass 2's batches written to the database, each in one transaction, committed in order.

On PostgreSQL the batches are written by ``threads`` writer threads, each with its own
connection, while the importing thread reads the file and builds the next batches: the
server inserts one batch while the client prepares another, and the server's work on two
batches overlaps. Commits stay in batch order: a writer inserts its batch, then waits
for the previous batch's commit before committing its own. So a batch may refer to a
movement or a household that an earlier batch inserted (the foreign keys are checked at
commit, deferred), and what a killed run leaves committed is always the first batches,
which the next run skips (:mod:`.loading`). The writers' transactions do not wait for
the WAL flush at commit (``synchronous_commit = off``): see :func:`_asynchronous_commit`.

``threads=0`` writes each batch in the importing thread (SQLite; or a caller already
inside a transaction, whose uncommitted rows no other connection would see).
"""

from __future__ import annotations

import copy
import queue
import threading
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.utils import load_backend

from jichi.common.bulk import Inserter, insert_rows
from jichi.tenancy.context import tenant_scope


@dataclass
class Batch:
    index: int  # 0, 1, 2 … in file order
    tables: list[tuple[Inserter, list[tuple]]] = field(default_factory=list)


class _Stopped(Exception):
    """Another writer failed, or the run was stopped: roll back, write nothing more."""


class Writers:
    """Writes submitted batches; a context manager that waits for them all at its end."""

    def __init__(self, code: str, threads: int) -> None:
        self.code = code
        self.threads: list[threading.Thread] = []
        self.committed = -1  # index of the last committed batch
        self.error: BaseException | None = None
        self.turn = threading.Condition()
        self.queue: queue.Queue[Batch | None] = queue.Queue(maxsize=max(threads, 1))
        settings = copy.deepcopy(connection.settings_dict)
        for n in range(threads):
            thread = threading.Thread(
                target=self._work, args=(settings,), name=f"import-writer-{n}", daemon=True
            )
            self.threads.append(thread)

    def __enter__(self) -> Writers:
        for thread in self.threads:
            thread.start()
        return self

    def submit(self, batch: Batch) -> None:
        if not self.threads:
            with tenant_scope(self.code, "register import"), transaction.atomic():
                write(batch)
            self.committed = batch.index
            return
        self._put(batch)

    def __exit__(self, exc_type, exc, traceback) -> None:
        if exc_type is not None:
            self._fail(_Stopped("the import stopped"))
        for _ in self.threads:
            self._put(None, stopping=True)
        for thread in self.threads:
            thread.join()
        if exc_type is None and self.error is not None:
            raise self.error

    def _put(self, item: Batch | None, stopping: bool = False) -> None:
        while True:
            if self.error is not None and not stopping:
                raise self.error
            if self.error is not None and not any(t.is_alive() for t in self.threads):
                return
            try:
                self.queue.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def _work(self, settings: dict) -> None:
        connections[DEFAULT_DB_ALIAS] = load_backend(settings["ENGINE"]).DatabaseWrapper(
            settings, DEFAULT_DB_ALIAS
        )
        try:
            while (batch := self.queue.get()) is not None:
                if self.error is not None:
                    continue  # drain: the run is stopping
                with tenant_scope(self.code, "register import"):  # the transaction (PostgreSQL)
                    _asynchronous_commit()
                    write(batch)
                    self._wait_turn(batch.index)
                with self.turn:
                    self.committed = batch.index
                    self.turn.notify_all()
        except BaseException as exc:
            self._fail(exc)
        finally:
            connection.close()

    def _wait_turn(self, index: int) -> None:
        with self.turn:
            while self.committed != index - 1:
                if self.error is not None:
                    raise _Stopped("another writer failed")
                self.turn.wait()

    def _fail(self, exc: BaseException) -> None:
        with self.turn:
            first = self.error is None
            if first or (isinstance(self.error, _Stopped) and not isinstance(exc, _Stopped)):
                self.error = exc  # the cause, not another writer's reaction to it
            self.turn.notify_all()


def _asynchronous_commit() -> None:
    """The commit does not wait for the WAL to reach the disk: commits are taken in
    batch order, so each wait would delay the next batch. A server crash may lose the
    last batches reported committed; the next run imports them (the run is idempotent,
    and what survives is still the first batches: the WAL is written in order)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")


def write(batch: Batch) -> None:
    """The batch's rows, in the caller's transaction."""
    insert_rows(batch.tables)
