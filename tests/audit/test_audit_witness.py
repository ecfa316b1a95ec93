"""Witness cosigning: consistency with the last cosigned checkpoint, rollback and fork refusal."""

from __future__ import annotations

from pathlib import Path

import pytest
from audit_helpers import approval

from vaspguard.audit import (
    AuditLog,
    Checkpoint,
    ForkError,
    RollbackError,
    SignatureError,
    SignedCheckpoint,
    SigningKey,
)
from vaspguard.audit._note import COSIGNATURE_V1, ED25519
from vaspguard.audit._witness import cosign
from vaspguard.errors import InvalidRequest


@pytest.fixture
def witness() -> SigningKey:
    return SigningKey.generate("auditor.example", COSIGNATURE_V1)


def test_cosign_chain(audit: AuditLog, witness: SigningKey, tmp_path: Path) -> None:
    state = tmp_path / "w.state"
    audit.append_many([approval(actor=f"a{i}") for i in range(3)])
    first = audit.cosign(witness, state_file=state)
    assert first.first_use and first.size == 3
    audit.append_many([approval(actor=f"b{i}") for i in range(9)])
    second = audit.cosign(witness, state_file=state)
    assert not second.first_use and second.size == 12
    latest = audit.latest_checkpoint()
    assert latest is not None
    assert latest.verify(audit.public_key, witnesses=[witness.verifier], quorum=1)[0].key.name == witness.name
    assert SignedCheckpoint.parse(state.read_text()).size == 12
    with pytest.raises(InvalidRequest, match="already cosigned"):
        audit.add_cosignature(12, second.line, witness.verifier)


def test_witness_refuses_rollback_fork_and_unknown_log(
    audit: AuditLog, witness: SigningKey, tmp_path: Path
) -> None:
    state = tmp_path / "w.state"
    receipts = audit.append_many([approval(actor=f"a{i}") for i in range(8)])
    cosign(witness, audit.public_key, receipts[0].checkpoint, state_file=state)
    before = state.read_text()
    assert audit.signer is not None
    older = SignedCheckpoint.sign(Checkpoint(audit.origin, 5, audit.root(5)), audit.signer)
    with pytest.raises(RollbackError):
        cosign(witness, audit.public_key, older, state_file=state)
    # A larger tree signed by the log that does not extend what the witness saw (a split view).
    split = SignedCheckpoint.sign(Checkpoint(audit.origin, 9, b"\x11" * 32), audit.signer)
    with pytest.raises(ForkError) as exc:
        cosign(witness, audit.public_key, split, state_file=state, proof=[b"\x22" * 32] * 4)
    assert split.note in exc.value.evidence
    same_size = SignedCheckpoint.sign(Checkpoint(audit.origin, 8, b"\x11" * 32), audit.signer)
    with pytest.raises(ForkError):
        cosign(witness, audit.public_key, same_size, state_file=state)
    stranger = SigningKey.generate(audit.origin, ED25519)
    with pytest.raises(SignatureError):
        cosign(
            witness,
            audit.public_key,
            SignedCheckpoint.sign(Checkpoint(audit.origin, 9, b"\x11" * 32), stranger),
            state_file=state,
        )
    assert state.read_text() == before  # nothing was accepted
    with pytest.raises(InvalidRequest, match="cosignature/v1"):
        cosign(stranger, audit.public_key, receipts[0].checkpoint, state_file=tmp_path / "other")


def test_forged_cosignature_is_not_stored(audit: AuditLog, witness: SigningKey) -> None:
    audit.append(approval())
    other = SigningKey.generate("auditor.example", COSIGNATURE_V1)
    body = Checkpoint(audit.origin, 1, audit.root()).body
    with pytest.raises(SignatureError):
        audit.add_cosignature(1, other.signature_line(body), witness.verifier)
    with pytest.raises(SignatureError):  # a cosignature of another checkpoint
        audit.add_cosignature(1, witness.signature_line(body.replace("\n1\n", "\n2\n")), witness.verifier)
