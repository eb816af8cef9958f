"""The audit trail is a hash chain; every kind of tampering is detected."""

import itertools

import pytest
from django.core.management import call_command
from django.db import IntegrityError, InternalError, connection, transaction
from django.db.utils import DatabaseError

from jichi.audit.chain import entry_hash
from jichi.audit.models import AuditCheckpoint, AuditEntry
from jichi.audit.selectors import verify_chain
from jichi.audit.services import checkpoint, record
from jichi.tenancy.context import platform_scope, tenant_scope
from tests.factories import SYSTEM

TABLE = "audit_auditentry"


@pytest.fixture
def chain(yokohama):
    """Yokohama's chain with 6 entries (its activation and five more)."""
    with tenant_scope(yokohama.code):
        for n in range(5):
            record(SYSTEM, "test.action", object_type="thing", object_id=str(n))
    return yokohama.code


def tamper(sql, params=()):
    """Change the table behind the application's back, as an attacker with SQL would."""
    with platform_scope("tampering test"), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
            cursor.execute("ALTER TABLE audit_auditcheckpoint DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")
            cursor.execute("ALTER TABLE audit_auditcheckpoint ENABLE TRIGGER USER")


def problem(code):
    report = verify_chain(code)
    assert not report.ok
    return report.problem.kind, report.problem.seq


def test_entries_link_to_their_predecessor(chain):
    with tenant_scope(chain):
        entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, 7))
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.entry_hash
        assert after.entry_hash == entry_hash(after)


def test_untouched_chain_verifies(chain):
    checkpoint(chain)
    report = verify_chain(chain)
    assert report.ok and report.entries == 6 and report.checkpoints == 1


def test_edited_entry_is_detected(chain):
    tamper(
        f"UPDATE {TABLE} SET action = 'innocent' WHERE municipality_code = %s AND seq = 3", [chain]
    )
    assert problem(chain) == ("content", 3)


def test_edited_time_is_detected(chain):
    tamper(
        f"UPDATE {TABLE} SET actor_label = 'someone else' WHERE municipality_code = %s AND seq = 4",
        [chain],
    )
    assert problem(chain) == ("content", 4)


def test_deleted_entry_is_detected(chain):
    tamper(f"DELETE FROM {TABLE} WHERE municipality_code = %s AND seq = 3", [chain])
    assert problem(chain) == ("sequence", 4)


def test_deleted_entry_with_renumbering_is_detected(chain):
    tamper(f"DELETE FROM {TABLE} WHERE municipality_code = %s AND seq = 3", [chain])
    for seq in (4, 5, 6):
        tamper(
            f"UPDATE {TABLE} SET seq = seq - 1 WHERE municipality_code = %s AND seq = %s",
            [chain, seq],
        )
    assert problem(chain) == ("link", 3)


def test_inserted_entry_is_detected(chain):
    for seq in (6, 5, 4):
        tamper(
            f"UPDATE {TABLE} SET seq = seq + 1 WHERE municipality_code = %s AND seq = %s",
            [chain, seq],
        )
    with tenant_scope(chain):
        before = AuditEntry.objects.get(seq=3)
    forged = AuditEntry(
        municipality_id=chain,
        seq=4,
        occurred_at=before.occurred_at,
        actor_kind="staff",
        actor_id="x",
        actor_label="x",
        action="forged",
        prev_hash=before.entry_hash,
        details={},
    )
    forged.entry_hash = entry_hash(forged)
    with tenant_scope(chain):
        forged.save(force_insert=True)
    assert problem(chain) == ("link", 5)


def test_reordered_entries_are_detected(chain):
    tamper(f"UPDATE {TABLE} SET seq = 1000 WHERE municipality_code = %s AND seq = 3", [chain])
    tamper(f"UPDATE {TABLE} SET seq = 3 WHERE municipality_code = %s AND seq = 4", [chain])
    tamper(f"UPDATE {TABLE} SET seq = 4 WHERE municipality_code = %s AND seq = 1000", [chain])
    assert problem(chain) == ("link", 3)


def test_cut_tail_is_detected_by_the_signed_checkpoint(chain):
    checkpoint(chain)
    tamper(f"DELETE FROM {TABLE} WHERE municipality_code = %s AND seq >= 5", [chain])
    assert problem(chain) == ("truncated", 5)


def test_rewritten_chain_is_detected_by_the_signed_checkpoint(chain):
    checkpoint(chain)
    tamper(
        f"UPDATE {TABLE} SET action = 'innocent' WHERE municipality_code = %s AND seq = 2", [chain]
    )
    with tenant_scope(chain):  # the attacker recomputes every hash after the edit
        entries = list(AuditEntry.objects.order_by("seq"))
    prev = entries[0].entry_hash
    for entry in entries[1:]:
        entry.prev_hash = prev
        entry.entry_hash = prev = entry_hash(entry)
        tamper(
            f"UPDATE {TABLE} SET prev_hash = %s, entry_hash = %s WHERE id = %s",
            [
                entry.prev_hash,
                entry.entry_hash,
                entry.id.hex if connection.vendor == "sqlite" else str(entry.id),
            ],
        )
    assert problem(chain) == ("checkpoint", 6)


def test_forged_checkpoint_is_detected(chain):
    cp = checkpoint(chain)
    tamper(
        "UPDATE audit_auditcheckpoint SET seq = 5 WHERE id = %s",
        [cp.id.hex if connection.vendor == "sqlite" else str(cp.id)],
    )
    assert problem(chain)[0] == "signature"


def test_entry_rolls_back_with_the_change_it_records(yokohama):
    with pytest.raises(RuntimeError), tenant_scope(yokohama.code), transaction.atomic():
        record(SYSTEM, "test.doomed")
        raise RuntimeError("the change failed")
    with tenant_scope(yokohama.code):
        assert not AuditEntry.objects.filter(action="test.doomed").exists()
    assert verify_chain(yokohama.code).ok


def test_two_municipalities_have_independent_chains(chain, chiyoda):
    with tenant_scope(chiyoda.code):
        first = record(SYSTEM, "test.action")
    assert first.seq == 2  # after its own activation entry
    assert verify_chain(chain).ok and verify_chain(chiyoda.code).ok


def test_verify_audit_command_names_the_first_bad_entry(chain, capsys):
    call_command("verify-audit", municipality=chain)
    assert "ok (6 entries" in capsys.readouterr().out
    tamper(f"UPDATE {TABLE} SET purpose = 'x' WHERE municipality_code = %s AND seq = 2", [chain])
    with pytest.raises(SystemExit) as caught:
        call_command("verify-audit")
    assert caught.value.code == 1
    assert f"{chain}: BAD at entry #2 (content)" in capsys.readouterr().out


def test_checkpoint_command_signs_each_chain_once(chain, chiyoda, capsys):
    call_command("audit-checkpoint")
    call_command("audit-checkpoint")
    lines = capsys.readouterr().out.strip().splitlines()
    assert sorted(line.split()[0] for line in lines) == sorted([chain, chiyoda.code])
    with platform_scope("check"):
        assert AuditCheckpoint.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        f"UPDATE {TABLE} SET action = 'x' WHERE municipality_code = %s",
        f"DELETE FROM {TABLE} WHERE municipality_code = %s",
    ],
)
def test_postgres_refuses_update_and_delete(chain, sql):
    with (
        pytest.raises((InternalError, DatabaseError, IntegrityError), match="append-only"),
        platform_scope("attack"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [chain])
    assert verify_chain(chain).ok


@pytest.mark.django_db(transaction=True)
def test_an_append_that_waited_for_the_lock_chains_onto_the_entry_committed_meanwhile(yokohama):
    """The second writer asks for the chain's head while the first holds the lock with a
    new entry not yet committed; once the first commits, the second must chain onto it
    (reading the head with a snapshot taken before the wait would give a duplicate seq)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers with IMMEDIATE transactions")
    import threading
    import time

    from django.db import close_old_connections

    code = yokohama.code
    appended, waiting, failures = threading.Event(), threading.Event(), []

    def writer(action, before=None, inside=None):
        try:
            if before:
                before()
            with tenant_scope(code), transaction.atomic():
                if action == "test.second":
                    waiting.set()
                record(SYSTEM, action)
                if inside:
                    inside()
        except Exception as exc:  # reported by the assertion below
            failures.append(exc)
        finally:
            close_old_connections()

    def hold():
        appended.set()
        waiting.wait(5)
        time.sleep(0.5)  # the second writer is blocked on the lock by now

    threads = [
        threading.Thread(target=writer, args=("test.first",), kwargs={"inside": hold}),
        threading.Thread(
            target=writer, args=("test.second",), kwargs={"before": lambda: appended.wait(5)}
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with tenant_scope(code):
        last = list(AuditEntry.objects.order_by("-seq").values_list("action", flat=True)[:2])
    assert last == ["test.second", "test.first"]
    assert verify_chain(code).ok
