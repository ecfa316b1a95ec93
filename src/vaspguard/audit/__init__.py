"""The tamper-evident audit log: RFC 9162 Merkle tree, C2SP signed checkpoints, witnesses, receipts.

Every capability logs what matters here (list imports, dispositions, policy versions, lawful-request
actions)::

    log = AuditLog.open(store)
    receipt = log.append(Event(type="requests.approve", actor="alice", actor_role="legal", actor_region="EU",
                               subjects=("request:R1",), policy_version="sha256:...", payload={...}))
    log.verify_receipt(receipt)

Leaves hold no personal data: only a salted commitment to the payload, which is kept (erasable) beside them.
This package imports nothing of vaspguard but ``store``, ``errors``, ``settings`` and the canonical JSON of
``vaspguard._json``. Its RFC 9162 hashes (``leaf_hash``, ``node_hash``, ``merkle_root``, proofs) are the
project's one implementation: lawful-request disclosure manifests use them too.

Names are imported on first use (PEP 562), so the verifier's worker processes, which need only the entry
checks, start without the database layer.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vaspguard.audit._bundle import ExportInfo, VerifyCode, VerifyReport, export_bundle, verify_bundle
    from vaspguard.audit._config import AuditSettings
    from vaspguard.audit._event import Entry, Event
    from vaspguard.audit._gate import require_receipts
    from vaspguard.audit._log import AuditLog, LoggedEvent, Receipt, verify_receipt_offline
    from vaspguard.audit._merkle import (
        leaf_hash,
        merkle_root,
        node_hash,
        verify_consistency,
        verify_inclusion,
    )
    from vaspguard.audit._note import (
        COSIGNATURE_V1,
        ED25519,
        Checkpoint,
        SignedCheckpoint,
        SignedNote,
        SigningKey,
        VerifierKey,
    )
    from vaspguard.audit._witness import Cosignature, check_extends
    from vaspguard.errors import (
        ForkError,
        NoteFormatError,
        ProofError,
        QuorumError,
        RollbackError,
        SignatureError,
    )

__all__ = [
    "COSIGNATURE_V1",
    "ED25519",
    "AuditLog",
    "AuditSettings",
    "Checkpoint",
    "Cosignature",
    "Entry",
    "Event",
    "ExportInfo",
    "ForkError",
    "LoggedEvent",
    "NoteFormatError",
    "ProofError",
    "QuorumError",
    "Receipt",
    "RollbackError",
    "SignatureError",
    "SignedCheckpoint",
    "SignedNote",
    "SigningKey",
    "VerifierKey",
    "VerifyCode",
    "VerifyReport",
    "check_extends",
    "export_bundle",
    "leaf_hash",
    "merkle_root",
    "node_hash",
    "require_receipts",
    "verify_bundle",
    "verify_consistency",
    "verify_inclusion",
    "verify_receipt_offline",
]

_WHERE = {
    "COSIGNATURE_V1": "vaspguard.audit._note",
    "ED25519": "vaspguard.audit._note",
    "ExportInfo": "vaspguard.audit._bundle",
    "VerifyCode": "vaspguard.audit._bundle",
    "VerifyReport": "vaspguard.audit._bundle",
    "export_bundle": "vaspguard.audit._bundle",
    "verify_bundle": "vaspguard.audit._bundle",
    "AuditSettings": "vaspguard.audit._config",
    "Entry": "vaspguard.audit._event",
    "Event": "vaspguard.audit._event",
    "require_receipts": "vaspguard.audit._gate",
    "AuditLog": "vaspguard.audit._log",
    "LoggedEvent": "vaspguard.audit._log",
    "Receipt": "vaspguard.audit._log",
    "verify_receipt_offline": "vaspguard.audit._log",
    "leaf_hash": "vaspguard.audit._merkle",
    "merkle_root": "vaspguard.audit._merkle",
    "node_hash": "vaspguard.audit._merkle",
    "verify_consistency": "vaspguard.audit._merkle",
    "verify_inclusion": "vaspguard.audit._merkle",
    "Checkpoint": "vaspguard.audit._note",
    "SignedCheckpoint": "vaspguard.audit._note",
    "SignedNote": "vaspguard.audit._note",
    "SigningKey": "vaspguard.audit._note",
    "VerifierKey": "vaspguard.audit._note",
    "Cosignature": "vaspguard.audit._witness",
    "check_extends": "vaspguard.audit._witness",
    "ForkError": "vaspguard.errors",
    "NoteFormatError": "vaspguard.errors",
    "ProofError": "vaspguard.errors",
    "QuorumError": "vaspguard.errors",
    "RollbackError": "vaspguard.errors",
    "SignatureError": "vaspguard.errors",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'vaspguard.audit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
