"""The tamper-evident audit log: RFC 9162 Merkle tree, C2SP signed checkpoints, witnesses, receipts.

Every capability logs what matters here (list imports, dispositions, policy versions, lawful-request
actions)::

    log = AuditLog.open(store)
    receipt = log.append(Event(type="requests.approve", actor="alice", actor_role="legal", actor_region="EU",
                               subjects=("request:R1",), policy_version="sha256:...", payload={...}))
    log.verify_receipt(receipt)

Leaves hold no personal data: only a salted commitment to the payload, which is kept (erasable) beside them.
This package imports nothing of vaspguard but ``store``, ``errors`` and ``settings``.
"""

from vaspguard.audit._bundle import ExportInfo, VerifyCode, VerifyReport, export_bundle, verify_bundle
from vaspguard.audit._config import AuditSettings
from vaspguard.audit._event import Entry, Event
from vaspguard.audit._gate import require_receipts
from vaspguard.audit._log import AuditLog, LoggedEvent, Receipt, verify_receipt_offline
from vaspguard.audit._merkle import leaf_hash, node_hash, verify_consistency, verify_inclusion
from vaspguard.audit._note import (
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
    "node_hash",
    "require_receipts",
    "verify_bundle",
    "verify_consistency",
    "verify_inclusion",
    "verify_receipt_offline",
]
