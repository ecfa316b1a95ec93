"""Log before act: ``require_receipts`` releases an action only with verified receipts for its approvals."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from audit_helpers import approval
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from vaspguard.audit import (
    AuditLog,
    Checkpoint,
    Event,
    ProofError,
    QuorumError,
    SignatureError,
    SignedCheckpoint,
    SigningKey,
    require_receipts,
)
from vaspguard.audit._note import COSIGNATURE_V1, SignedNote
from vaspguard.errors import IntegrityViolation, InvalidRequest, Refused
from vaspguard.store import Store


def _disclosure_case(audit: AuditLog) -> tuple[list, SignedCheckpoint]:  # type: ignore[type-arg]
    intent = audit.append(
        Event(type="requests.intent", actor="regional-exec", actor_region="XX", subjects=("request:R1",))
    )
    approvals = [
        audit.append(approval(actor="legal-eu", request="R1")),
        audit.append(dataclasses.replace(approval(actor="hq-compliance", request="R1"), actor_region="HQ")),
    ]
    checkpoint = audit.checkpoint()
    receipts = [audit.receipt(r.index, checkpoint) for r in [intent, *approvals]]
    return receipts, checkpoint


def test_release_with_enough_distinct_approvals(audit: AuditLog) -> None:
    receipts, checkpoint = _disclosure_case(audit)
    entries = require_receipts(
        receipts,
        checkpoint=checkpoint.note,
        public_key=audit.public_key.vkey,
        required={"requests.approve": 2},
        subject="request:R1",
        central_region="HQ",
        initiator="regional-exec",
        before=audit.size,
    )
    assert [e.actor for e in entries] == ["legal-eu", "hq-compliance"]
    # A bare Ed25519 public key works too (its name is the checkpoint's origin).
    assert audit.signer is not None
    require_receipts(
        receipts,
        checkpoint=checkpoint,
        public_key=audit.signer.private.public_key(),
        required={"requests.approve": 2},
    )


def test_refusals(audit: AuditLog) -> None:
    receipts, checkpoint = _disclosure_case(audit)
    key = audit.public_key

    def gate(rs: list, **kw: object) -> None:  # type: ignore[type-arg]
        args: dict = {"checkpoint": checkpoint, "public_key": key, "required": {"requests.approve": 2}}  # type: ignore[type-arg]
        args.update(kw)
        require_receipts(rs, **args)

    with pytest.raises(Refused, match="1 of 2"):  # one approval missing
        gate(receipts[:2])
    with pytest.raises(Refused, match="1 of 2"):  # the same person twice counts once
        gate([receipts[1], receipts[1]])
    with pytest.raises(Refused, match="central region"):
        gate([*receipts[:2], receipts[1]], central_region="HQ", required={"requests.approve": 1})
    with pytest.raises(Refused):  # approvals about another request do not count
        gate(receipts, subject="request:R2")
    with pytest.raises(Refused):  # approvals logged after the release do not count
        gate(receipts, before=receipts[2].index)
    with pytest.raises(Refused):  # the initiator cannot approve their own request
        gate(receipts, initiator="legal-eu")
    with pytest.raises(InvalidRequest):
        gate(receipts, required={})


def test_forged_receipts_and_checkpoints_are_refused(audit: AuditLog) -> None:
    receipts, checkpoint = _disclosure_case(audit)
    key = audit.public_key
    required = {"requests.approve": 2}
    forged = receipts[1].entry.replace(b'"legal-eu"', b'"legal-fr"')
    with pytest.raises(ProofError):  # the entry was changed: its leaf is not in the tree
        require_receipts(
            [dataclasses.replace(receipts[1], entry=forged), receipts[2]],
            checkpoint=checkpoint,
            public_key=key,
            required=required,
        )
    with pytest.raises(ProofError):  # truncated proof
        require_receipts(
            [dataclasses.replace(receipts[1], inclusion_proof=receipts[1].inclusion_proof[:-1]), receipts[2]],
            checkpoint=checkpoint,
            public_key=key,
            required=required,
        )
    with pytest.raises(IntegrityViolation):  # a receipt moved to another index
        require_receipts(
            [dataclasses.replace(receipts[1], index=0), receipts[2]],
            checkpoint=checkpoint,
            public_key=key,
            required=required,
        )
    stranger = AuditLog(audit.store, signer=Ed25519PrivateKey.generate(), origin=audit.origin)
    with pytest.raises(SignatureError):  # a checkpoint by an unknown key
        require_receipts(receipts, checkpoint=checkpoint, public_key=stranger.public_key, required=required)
    assert stranger.signer is not None
    fake = SignedCheckpoint.sign(Checkpoint(audit.origin, checkpoint.size, b"\x00" * 32), stranger.signer)
    with pytest.raises(SignatureError):  # a checkpoint forged by another key
        require_receipts(receipts, checkpoint=fake, public_key=key, required=required)


def test_witness_quorum_is_enforced(audit: AuditLog, tmp_path: pytest.TempPathFactory) -> None:
    receipts, _ = _disclosure_case(audit)
    w1 = SigningKey.generate("w1.example", COSIGNATURE_V1)
    w2 = SigningKey.generate("w2.example", COSIGNATURE_V1)
    audit.cosign(w1, state_file=tmp_path / "w1.state")  # type: ignore[operator]
    cosigned = audit.latest_checkpoint()
    assert cosigned is not None and len(SignedNote.parse(cosigned.note).signatures) == 2
    kw = {
        "public_key": audit.public_key,
        "required": {"requests.approve": 2},
        "witnesses": [w1.verifier, w2.verifier],
    }
    require_receipts(receipts, checkpoint=cosigned, quorum=1, **kw)  # type: ignore[arg-type]
    with pytest.raises(QuorumError):
        require_receipts(receipts, checkpoint=cosigned, quorum=2, **kw)  # type: ignore[arg-type]


def test_log_require_receipts_waits_for_the_witness_quorum(store: Store, tmp_path: Path) -> None:
    witness = SigningKey.generate("auditor.example", COSIGNATURE_V1)
    audit = AuditLog(store, signer=Ed25519PrivateKey.generate(), witnesses=[witness.verifier], quorum=1)
    first = audit.append(approval(actor="legal-eu"))
    second = audit.append(dataclasses.replace(approval(actor="hq"), actor_region="HQ"))
    required = {"requests.approve": 2}
    with pytest.raises(Refused, match="witness cosignature"):
        audit.require_receipts([first, second], required=required, central_region="HQ")
    audit.cosign(witness, state_file=tmp_path / "w.state")
    entries = audit.require_receipts([first, second], required=required, central_region="HQ")
    assert [e.actor for e in entries] == ["legal-eu", "hq"]
    late = audit.append(approval(actor="late"))  # not yet covered by a cosigned checkpoint
    with pytest.raises(Refused):
        audit.require_receipts([first, late], required=required)
    with pytest.raises(InvalidRequest):
        AuditLog(store, signer=Ed25519PrivateKey.generate(), witnesses=[], quorum=1)


def test_log_require_receipts_refuses_a_receipt_from_another_log(store: Store) -> None:
    audit = AuditLog(store, signer=Ed25519PrivateKey.generate(), origin="a.example/log")
    receipt = audit.append(approval())
    other = AuditLog(store, signer=Ed25519PrivateKey.generate(), origin="a.example/log")
    with pytest.raises(SignatureError):
        other.require_receipts([receipt], required={"requests.approve": 1})
