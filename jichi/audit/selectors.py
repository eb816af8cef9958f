"""Reading and verifying the audit trail."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from jichi.audit.chain import GENESIS, checkpoint_message, entry_hash
from jichi.audit.models import AuditCheckpoint, AuditEntry
from jichi.common import platform_key
from jichi.tenancy.context import platform_scope, tenant_scope


def entries() -> QuerySet[AuditEntry]:
    """Entries of the municipality in scope."""
    return AuditEntry.objects.all()


@dataclass(frozen=True)
class Problem:
    """The first thing wrong with a chain."""

    seq: int
    kind: str  # sequence | link | content | checkpoint | signature | truncated
    message: str


@dataclass(frozen=True)
class ChainReport:
    municipality_code: str
    entries: int
    checkpoints: int
    problem: Problem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def check_entry(entry, expected_seq: int, prev: str, hash_of=None) -> Problem | None:
    """The first thing wrong with a chain's entry at its place, or None.

    ``hash_of`` computes an entry's hash (the municipalities' chain by default);
    another chain built the same way passes its own.
    """
    if entry.seq != expected_seq:
        return Problem(
            entry.seq,
            "sequence",
            f"expected entry #{expected_seq} but found #{entry.seq}: "
            "entries were deleted or inserted",
        )
    if entry.prev_hash != prev:
        return Problem(
            entry.seq,
            "link",
            f"entry #{entry.seq} does not follow entry #{entry.seq - 1}: an entry "
            "before it was deleted, inserted, reordered or rewritten",
        )
    if (hash_of or entry_hash)(entry) != entry.entry_hash:
        return Problem(entry.seq, "content", f"entry #{entry.seq} was edited after it was written")
    return None


def verify_chain(code: str, *, public_key=None) -> ChainReport:
    """Walk one municipality's chain from the start; stop at the first problem."""
    with tenant_scope(code, "audit verification"):
        checkpoints = list(AuditCheckpoint.objects.order_by("seq"))
        by_seq = {cp.seq: cp for cp in checkpoints}
        for cp in checkpoints:
            if not platform_key.verify(checkpoint_message(cp), cp.signature, public_key):
                return ChainReport(
                    code,
                    0,
                    len(checkpoints),
                    Problem(
                        cp.seq,
                        "signature",
                        f"the checkpoint at entry #{cp.seq} is not validly signed",
                    ),
                )
        count, prev = 0, GENESIS
        for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=5000):
            problem = check_entry(entry, count + 1, prev)
            cp = by_seq.get(entry.seq)
            if problem is None and cp is not None and cp.entry_hash != entry.entry_hash:
                problem = Problem(
                    entry.seq,
                    "checkpoint",
                    f"entry #{entry.seq} differs from the signed checkpoint",
                )
            if problem is not None:
                return ChainReport(code, count, len(checkpoints), problem)
            count, prev = count + 1, entry.entry_hash
        beyond = [cp for cp in checkpoints if cp.seq > count]
        if beyond:
            return ChainReport(
                code,
                count,
                len(checkpoints),
                Problem(
                    count + 1,
                    "truncated",
                    f"the chain ends at #{count} but a signed checkpoint vouches for "
                    f"#{beyond[0].seq}: its tail was removed",
                ),
            )
        return ChainReport(code, count, len(checkpoints), None)


def chains() -> list[str]:
    """Every municipality with an audit chain or checkpoints."""
    with platform_scope("audit verification"):
        codes = set(AuditEntry.objects.values_list("municipality_id", flat=True).distinct())
        codes |= set(AuditCheckpoint.objects.values_list("municipality_id", flat=True).distinct())
    return sorted(codes)
