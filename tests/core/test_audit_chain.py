"""The audit log's hash chain: verify finds an edited, inserted or deleted entry even when the
database's append-only triggers have been dropped, and concurrent writers keep the chain whole."""

import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from roret.core import audit, audit_chain
from roret.core.models import GENESIS_HASH, AuditChainHead, AuditEntry


def write(n, actor=None, start=0):
    return [audit.record(actor, "view", citizen=1000 + i, summary=f"Borgerjournal vist {i}", channel="cli",
                         after={"i": i, "tuple": (1, 2), 3: "int key"})
            for i in range(start, start + n)]


def drop_triggers():
    """What someone with the database's owner rights can do: the append-only triggers are gone."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER IF EXISTS audit_append_only ON core_auditentry")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS audit_no_delete")


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def verify_fails() -> str:
    with pytest.raises(CommandError) as failed:
        call_command("audit", "verify", verbosity=0)
    return str(failed.value)


def test_each_entry_is_chained_to_the_one_before(db):
    entries = write(3)
    head = AuditChainHead.objects.get(pk=1)
    stored = list(AuditEntry.objects.order_by("pk"))
    assert stored[0].prev_hash == GENESIS_HASH
    for before, after in zip(stored, stored[1:], strict=False):
        assert after.prev_hash == before.row_hash and len(after.row_hash) == 64
    assert (head.last_id, head.last_hash) == (entries[-1].pk, entries[-1].row_hash)
    result = audit_chain.verify()
    assert result.ok and result.checked == len(stored)
    call_command("audit", "verify", verbosity=0)


def test_verify_finds_an_entry_edited_with_the_triggers_dropped(db):
    entries = write(5)
    drop_triggers()
    raw("UPDATE core_auditentry SET summary = %s WHERE id = %s", ["Intet at se her", entries[2].pk])
    assert AuditEntry.objects.get(pk=entries[2].pk).summary == "Intet at se her"
    message = verify_fails()
    assert f"entry #{entries[2].pk} does not match its hash" in message
    result = audit_chain.verify()
    assert [(p.entry_id, p.kind) for p in result.problems] == [(entries[2].pk, "edited")]


def test_an_edit_with_a_recomputed_hash_but_without_the_key_is_found(db):
    entries = write(4)
    drop_triggers()
    victim = AuditEntry.objects.filter(pk=entries[1].pk).values(*audit_chain.HASHED_FIELDS, "prev_hash").get()
    victim["actor_name"] = "someone_else"
    forged = audit_chain.entry_hash(victim, victim["prev_hash"], key=b"a guess at the key" * 2)
    raw("UPDATE core_auditentry SET actor_name = %s, row_hash = %s WHERE id = %s",
        ["someone_else", forged, entries[1].pk])
    result = audit_chain.verify()
    assert result.first_problem.entry_id == entries[1].pk and result.first_problem.kind == "edited"


def test_verify_finds_a_deleted_entry(db):
    entries = write(5)
    drop_triggers()
    raw("DELETE FROM core_auditentry WHERE id = %s", [entries[2].pk])
    message = verify_fails()
    assert f"entry #{entries[3].pk} does not follow #{entries[1].pk}" in message
    assert audit_chain.verify().first_problem.kind == "broken"


def test_verify_finds_entries_deleted_from_the_end(db):
    entries = write(4)
    drop_triggers()
    raw("DELETE FROM core_auditentry WHERE id >= %s", [entries[2].pk])
    message = verify_fails()
    assert f"head names entry #{entries[-1].pk}" in message


def test_verify_finds_an_inserted_entry(db):
    entries = write(3)
    drop_triggers()
    # A copy of a genuine entry, its hashes and all, slipped in after the last one ...
    raw("""INSERT INTO core_auditentry (at, actor_name, actor_role, action, citizen_id, object_type, object_id,
                                        summary, channel, reason, prev_hash, row_hash)
           SELECT at, actor_name, actor_role, action, citizen_id, object_type, object_id, summary, channel,
                  reason, prev_hash, row_hash FROM core_auditentry WHERE id = %s""", [entries[0].pk])
    result = audit_chain.verify()
    assert not result.ok
    inserted = AuditEntry.objects.order_by("-pk").first()
    assert {(p.entry_id, p.kind) for p in result.problems} >= {(inserted.pk, "broken")}


def test_an_anchor_kept_outside_finds_a_chain_rewritten_with_the_key(db):
    entries = write(4)
    out = __import__("io").StringIO()
    call_command("audit", "head", stdout=out)
    kept = out.getvalue().strip()
    assert kept == f"{entries[-1].pk}:{entries[-1].row_hash}"
    # An insider with the key edits entry 2 and rewrites every hash after it, and the head.
    drop_triggers()
    raw("UPDATE core_auditentry SET summary = %s WHERE id = %s", ["omskrevet", entries[1].pk])
    prev = AuditEntry.objects.get(pk=entries[0].pk).row_hash
    for pk in [e.pk for e in entries[1:]]:
        values = AuditEntry.objects.filter(pk=pk).values(*audit_chain.HASHED_FIELDS).get()
        new = audit_chain.entry_hash(values, prev)
        raw("UPDATE core_auditentry SET prev_hash = %s, row_hash = %s WHERE id = %s", [prev, new, pk])
        prev = new
    AuditChainHead.objects.filter(pk=1).update(last_hash=prev)
    assert audit_chain.verify().ok  # the chain alone cannot tell ...
    with pytest.raises(CommandError, match="has not the hash kept outside roret"):
        call_command("audit", "verify", "--anchor", kept, verbosity=0)  # ... the anchor can


def test_bulk_created_entries_are_chained_in_order(db):
    write(1)
    AuditEntry.objects.bulk_create([AuditEntry(actor_name="system", action="create", citizen_id=i,
                                               object_type="citizens.citizen", summary=f"demo {i}")
                                    for i in range(50)], batch_size=20)
    result = audit_chain.verify()
    assert result.ok, result.problems
    assert AuditChainHead.objects.get(pk=1).last_id == AuditEntry.objects.order_by("-pk").first().pk


def test_a_wrong_chain_key_is_told_apart_from_a_tampered_entry(db, settings):
    entries = write(3)
    assert audit_chain.key_matches_recent() is True
    original = settings.AUDIT_CHAIN_KEY
    settings.AUDIT_CHAIN_KEY = "x" * 64
    assert audit_chain.key_matches_recent() is False
    settings.AUDIT_CHAIN_KEY = original
    drop_triggers()
    raw("UPDATE core_auditentry SET summary = 'x' WHERE id = %s", [entries[-1].pk])
    assert audit_chain.key_matches_recent() is True  # the entries before it still match the key


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_unbroken_chain():
    """Four connections append at once; each append locks the chain's head, so none is lost or
    chained to the same predecessor as another."""
    errors = []
    barrier = threading.Barrier(4)

    def writer(n):
        try:
            barrier.wait()
            write(15, start=n * 100)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    result = audit_chain.verify()
    assert result.ok, result.problems
    assert AuditEntry.objects.filter(channel="cli").count() == 60
    prevs = list(AuditEntry.objects.values_list("prev_hash", flat=True))
    assert len(prevs) == len(set(prevs))
