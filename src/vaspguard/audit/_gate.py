"""Log before act: an action with outside effects proceeds only with verified receipts for its approvals.

A disclosure, a freeze or a policy change calls ``require_receipts`` with the receipts of the approvals it
relies on and a checkpoint signed by the central log key (and, if configured, cosigned by a quorum of
witnesses). The function needs no database: the exporter or disclosure service may run with its own
credentials and only the log's public key. It refuses unless

- the checkpoint is signed by the log key (and has the witness quorum),
- every receipt's entry is canonical, sits at its claimed index and is proven included in that checkpoint,
- for each required event type, enough DISTINCT actors approved (the initiator never counts for itself),
- when ``subject`` is given, every counted approval names it,
- when ``central_region`` is given, at least one counted approver acted from that region (the headquarters
  that must never "have no idea"),
- when ``before`` is given, every counted approval was logged before that index (approvals precede release).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from vaspguard.audit._event import Entry, EntryError, decode_entry
from vaspguard.audit._merkle import leaf_hash, verify_inclusion
from vaspguard.audit._note import ED25519, SignedCheckpoint, VerifierKey
from vaspguard.errors import IntegrityViolation, InvalidRequest, Refused

if TYPE_CHECKING:
    from vaspguard.audit._log import Receipt


def _log_key(public_key: VerifierKey | Ed25519PublicKey | str, checkpoint: SignedCheckpoint) -> VerifierKey:
    if isinstance(public_key, VerifierKey):
        return public_key
    if isinstance(public_key, str):
        return VerifierKey.parse(public_key)
    # A bare key: by the C2SP convention the log's key name is its origin.
    return VerifierKey(checkpoint.checkpoint.origin, ED25519, public_key)


def require_receipts(
    receipts: Sequence[Receipt],
    *,
    checkpoint: SignedCheckpoint | str,
    public_key: VerifierKey | Ed25519PublicKey | str,
    required: Mapping[str, int],
    subject: str | None = None,
    central_region: str | None = None,
    before: int | None = None,
    initiator: str | None = None,
    witnesses: Sequence[VerifierKey] = (),
    quorum: int = 0,
) -> list[Entry]:
    """Verify ``receipts`` against ``checkpoint`` and check they satisfy ``required`` (event type -> number of
    distinct approvers). Returns the counted entries; raises ``IntegrityViolation`` for a forged receipt or
    checkpoint and ``Refused`` when the approvals are not enough."""
    if not required or any(n < 1 for n in required.values()):
        raise InvalidRequest("required", "name at least one event type with a count of 1 or more")
    if isinstance(checkpoint, str):
        checkpoint = SignedCheckpoint.parse(checkpoint)
    key = _log_key(public_key, checkpoint)
    checkpoint.verify(key, witnesses=witnesses, quorum=quorum)
    counted: dict[str, dict[str, Entry]] = {t: {} for t in required}
    for receipt in receipts:
        try:
            entry = decode_entry(receipt.entry)
        except EntryError as exc:
            raise IntegrityViolation(f"receipt {receipt.index}: {exc}") from None
        if entry.idx != receipt.index:
            raise IntegrityViolation(f"receipt claims index {receipt.index} but its entry says {entry.idx}")
        verify_inclusion(
            leaf_hash(receipt.entry), receipt.index, checkpoint.size, receipt.inclusion_proof, checkpoint.root
        )
        if entry.type not in required:
            continue
        if subject is not None and subject not in entry.subjects:
            continue
        if before is not None and entry.idx >= before:
            continue
        if initiator is not None and entry.actor == initiator:
            continue
        counted[entry.type].setdefault(entry.actor, entry)
    missing = [
        f"{t}: {len(counted[t])} of {n} distinct approvers"
        for t, n in required.items()
        if len(counted[t]) < n
    ]
    entries = [e for by_actor in counted.values() for e in by_actor.values()]
    if central_region is not None and not any(e.actor_region == central_region for e in entries):
        missing.append(f"no approval from the central region {central_region!r}")
    if missing:
        what = f" for {subject}" if subject else ""
        raise Refused(f"action refused{what}: " + "; ".join(missing))
    return sorted(entries, key=lambda e: e.idx)
