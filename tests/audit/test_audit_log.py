"""The stored log on both backends: appends, receipts, reads, proofs, erasure, append-only triggers."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from audit_helpers import approval, drop_triggers
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from vaspguard.audit import (
    AuditLog,
    Event,
    SignatureError,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)
from vaspguard.audit._merkle import Frontier, mth
from vaspguard.errors import IntegrityViolation, InvalidRequest, NotFound
from vaspguard.store import Store


def test_append_returns_a_verifiable_receipt(audit: AuditLog) -> None:
    receipt = audit.append(approval())
    assert receipt.index == 0
    assert receipt.checkpoint.size == 1
    assert receipt.leaf_hash == leaf_hash(receipt.entry)
    entry = audit.verify_receipt(receipt)
    assert (entry.type, entry.actor, entry.actor_region, entry.subjects) == (
        "requests.approve",
        "alice",
        "EU",
        ("request:R1",),
    )


def test_batches_keep_one_tree(audit: AuditLog) -> None:
    first = audit.append_many([approval(actor=f"a{i}") for i in range(5)])
    second = audit.append_many([approval(actor=f"b{i}") for i in range(37)])
    assert [r.index for r in first + second] == list(range(42))
    assert audit.size == 42
    leaves = [leaf_hash(audit.entry(i)) for i in range(42)]
    assert audit.root() == mth(leaves) == second[0].checkpoint.root
    for r in first + second:
        audit.verify_receipt(r)
    for m in range(1, 43):
        verify_consistency(m, 42, mth(leaves[:m]), mth(leaves), audit.consistency_proof(m))
        verify_inclusion(leaves[m - 1], m - 1, 42, audit.inclusion_proof(m - 1), mth(leaves))


def test_old_receipts_stay_valid_and_refresh(audit: AuditLog) -> None:
    old = audit.append(approval())
    audit.append_many([approval(actor=f"x{i}") for i in range(20)])
    audit.verify_receipt(old)
    fresh = audit.receipt(0)
    assert fresh.checkpoint.size == 21
    audit.verify_receipt(fresh)


def test_forged_receipts_are_refused(audit: AuditLog) -> None:
    receipt = audit.append_many([approval(), approval(actor="bob")])[1]
    other_key = AuditLog(audit.store, signer=Ed25519PrivateKey.generate(), origin="test.example/audit")
    with pytest.raises(SignatureError):  # signed by another (unknown) key
        other_key.verify_receipt(receipt)
    forged_entry = receipt.entry.replace(b'"bob"', b'"eve"')
    with pytest.raises(IntegrityViolation):
        audit.verify_receipt(dataclasses.replace(receipt, entry=forged_entry))
    with pytest.raises(IntegrityViolation):
        audit.verify_receipt(
            dataclasses.replace(receipt, entry=forged_entry, leaf_hash=leaf_hash(forged_entry))
        )
    with pytest.raises(IntegrityViolation):
        audit.verify_receipt(dataclasses.replace(receipt, inclusion_proof=receipt.inclusion_proof[:-1]))
    with pytest.raises(IntegrityViolation):
        audit.verify_receipt(dataclasses.replace(receipt, index=0))
    forged_note = receipt.checkpoint.note.replace("\n2\n", "\n3\n")
    from vaspguard.audit import SignedCheckpoint

    with pytest.raises(SignatureError):
        audit.verify_receipt(dataclasses.replace(receipt, checkpoint=SignedCheckpoint.parse(forged_note)))


def test_events_read_back_with_payloads(audit: AuditLog) -> None:
    audit.append(approval(request="R1", note="first"))
    audit.append(Event(type="lists.import", actor="ops", subjects=("snapshot:ofac-1",), payload={"n": 3}))
    audit.append(Event(type="requests_x.other", actor="ops"))
    audit.append(approval(actor="bob", request="R2", note="second"))
    got = audit.events("requests")
    assert [(e.index, e.actor, e.payload) for e in got] == [
        (0, "alice", {"note": "first"}),
        (3, "bob", {"note": "second"}),
    ]
    assert [e.index for e in audit.events(subject="request:R2")] == [3]
    assert [e.index for e in audit.events("lists.import", subject="snapshot:ofac-1")] == [1]
    assert audit.events("nothing") == []


def test_bad_events_are_refused_and_nothing_is_written(audit: AuditLog) -> None:
    for bad, field in [
        (Event(type="Bad Type", actor="a"), "type"),
        (Event(type="x.y", actor=" "), "actor"),
        (Event(type="x.y", actor="a\nb"), "actor"),
        (Event(type="x.y", actor="a", actor_region="E\x00U"), "actor_region"),
        (Event(type="x.y", actor="a", subjects="request:R1"), "subjects"),  # type: ignore[arg-type]
        (Event(type="x.y", actor="a", subjects=("r", "r")), "subjects"),
        (Event(type="x.y", actor="a", payload={"amount": float("nan")}), "payload"),
        (Event(type="x.y", actor="a", payload={"when": object()}), "payload"),
    ]:
        with pytest.raises(InvalidRequest) as exc:
            audit.append_many([approval(), bad])
        assert exc.value.field == field
    assert audit.size == 0


def test_no_personal_data_in_leaves_and_erasure_keeps_the_log_verifiable(audit: AuditLog) -> None:
    receipt = audit.append(approval(subject_name="Ivan Petrov", passport="AB123456"))
    assert b"Ivan" not in receipt.entry and b"AB123456" not in receipt.entry
    assert audit.events()[0].payload == {"subject_name": "Ivan Petrov", "passport": "AB123456"}
    erasure = audit.erase(0, actor="dpo", reason="GDPR art. 17 request E-1")
    assert audit.events()[0].erased
    assert audit.events("audit.erase")[0].subjects == ("audit:0",)
    audit.verify_receipt(receipt)
    audit.verify_receipt(erasure)
    with pytest.raises(NotFound):
        audit.erase(0, actor="dpo", reason="again")
    with pytest.raises(InvalidRequest):
        audit.erase(1, actor="dpo", reason=" ")
    assert audit.size == 2


def test_tampered_payload_is_detected_on_read(audit: AuditLog) -> None:
    audit.append(approval(note="original"))
    with audit.store.connect() as conn:
        conn.execute(text('UPDATE audit_payloads SET payload = \'{"note":"changed"}\''))
    with pytest.raises(IntegrityViolation, match="commitment"):
        audit.events()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_leaves SET type = 'x'",
        "DELETE FROM audit_leaves",
        "UPDATE audit_nodes SET hash = leaf_hash",
        "DELETE FROM audit_nodes",
        "DELETE FROM audit_checkpoints",
        "UPDATE audit_checkpoints SET note = 'x'",
        "DELETE FROM audit_subjects",
        "DELETE FROM audit_state",
        "UPDATE audit_state SET size = 0",
    ],
)
def test_triggers_refuse_rewriting_history(audit: AuditLog, statement: str) -> None:
    audit.append_many([approval(actor=f"a{i}") for i in range(4)])
    statement = statement.replace("hash = leaf_hash", "hash = hash")
    with pytest.raises(DBAPIError, match="append-only"), audit.store.connect() as conn:
        conn.execute(text(statement))
    assert audit.size == 4


def test_truncate_is_refused_on_postgresql(pg_store: Store) -> None:
    audit = AuditLog(pg_store, signer=Ed25519PrivateKey.generate())
    audit.append(approval())
    with pytest.raises(DBAPIError, match="append-only"), pg_store.connect() as conn:
        conn.execute(text("TRUNCATE audit_leaves CASCADE"))


def test_log_refuses_to_sign_after_history_was_rewritten(audit: AuditLog, store: Store) -> None:
    audit.append_many([approval(actor=f"a{i}") for i in range(3)])
    drop_triggers(store)
    with store.connect() as conn:  # an attacker rewinds the tree to an earlier, different state
        conn.execute(
            text("UPDATE audit_state SET frontier = (SELECT leaf_hash FROM audit_leaves WHERE idx = 1)")
        )
        conn.execute(text("UPDATE audit_state SET size = 1"))
        for table in ("audit_leaves", "audit_payloads", "audit_subjects"):
            conn.execute(text(f"DELETE FROM {table} WHERE idx > 0"))
        conn.execute(text("DELETE FROM audit_nodes"))
    with pytest.raises(IntegrityViolation, match="refusing to sign"):
        audit.append(approval(actor="mallory"))


def test_signer_remembers_what_it_signed_and_refuses_a_restored_database(
    store: Store, tmp_path: Path
) -> None:
    """The database is put back to an older state (a restored backup, or an attacker covering tracks):
    the key's own memory beside it (``last-signed.note``) refuses to sign a tree that forgets entries."""
    audit = AuditLog.open(store, key_dir=tmp_path / "keys")
    audit.append_many([approval(actor=f"a{i}") for i in range(5)])
    frontier_at_5 = Frontier()
    for i in range(5):
        frontier_at_5.append(leaf_hash(audit.entry(i)))
    audit.append_many([approval(actor=f"b{i}") for i in range(5)])
    drop_triggers(store)
    with store.connect() as conn:  # the database as it was at size 5, consistent with itself
        for table in ("audit_leaves", "audit_payloads", "audit_subjects"):
            conn.execute(text(f"DELETE FROM {table} WHERE idx >= 5"))
        conn.execute(text("DELETE FROM audit_nodes"))
        conn.execute(text("DELETE FROM audit_checkpoints WHERE size > 5"))
        conn.execute(
            text("UPDATE audit_state SET size = 5, frontier = :f, checkpoint_size = 5, checkpoint_root = :r"),
            {"f": frontier_at_5.to_bytes(), "r": frontier_at_5.root()},
        )
    reopened = AuditLog.open(store, key_dir=tmp_path / "keys")
    with pytest.raises(IntegrityViolation, match="rollback"):
        reopened.append(approval(actor="mallory"))
    # Without the signer's memory the database alone would have let this through.
    assert (tmp_path / "keys" / "last-signed.note").exists()


def test_one_key_refuses_a_second_log_and_says_what_to_do(
    store: Store, second_store: Store, tmp_path: Path
) -> None:
    """A key that signed one log refuses to sign another database's shorter tree (that would be two
    inconsistent checkpoints under one key), and the refusal tells an operator how to start a new log."""
    AuditLog.open(store, key_dir=tmp_path / "keys").append_many([approval(actor=f"a{i}") for i in range(3)])
    other = AuditLog.open(second_store, key_dir=tmp_path / "keys")
    with pytest.raises(IntegrityViolation, match=r"rollback.*VASPGUARD_DATA_DIR"):
        other.append(approval(actor="b"))
    # With its own key directory the new database is a new log and signs.
    assert AuditLog.open(second_store, key_dir=tmp_path / "keys2").append(approval(actor="b")).index == 0
