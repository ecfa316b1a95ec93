"""Witnesses (split-view defence): an external holder cosigns a checkpoint only after checking that it is
signed by the log and consistent with the last checkpoint that witness cosigned (C2SP ``tlog-witness`` rules).

The witness keeps its own state (the last cosigned checkpoint note) in a file next to its key, never in the
log's database, so the log operator cannot roll it back. On first use the witness trusts the checkpoint it is
shown (trust on first use) and says so.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from vaspguard.audit._merkle import verify_consistency
from vaspguard.audit._note import COSIGNATURE_V1, SignedCheckpoint, SignedNote, SigningKey, VerifierKey
from vaspguard.errors import ForkError, InvalidRequest, ProofError, RollbackError


@dataclass(frozen=True)
class Cosignature:
    size: int
    witness: str
    line: str
    first_use: bool


def check_extends(
    previous: SignedCheckpoint, new: SignedCheckpoint, proof: Sequence[bytes], *, who: str = "the witness"
) -> None:
    """Raise ``RollbackError`` / ``ForkError`` unless ``new`` provably extends ``previous``."""
    if new.size < previous.size:
        raise RollbackError(f"checkpoint of size {new.size} is older than size {previous.size} seen by {who}")
    try:
        verify_consistency(previous.size, new.size, previous.root, new.root, proof)
    except ProofError as exc:
        raise ForkError(
            f"checkpoint of size {new.size} does not extend size {previous.size} seen by {who}: {exc}",
            evidence=(previous.note, new.note),
        ) from None


def cosign(
    witness: SigningKey,
    log_key: VerifierKey,
    new: SignedCheckpoint,
    *,
    state_file: Path,
    proof: Sequence[bytes] = (),
    timestamp: int | None = None,
) -> Cosignature:
    """Cosign ``new`` with ``witness`` after checking the log signature and consistency with the state file.

    ``proof`` is PROOF(previous.size, new.size) from the log. The state file is replaced atomically only after
    the checks pass.
    """
    if witness.key_type != COSIGNATURE_V1:
        raise InvalidRequest(
            "key", "a witness key must be a cosignature/v1 key (vaspguard audit keygen --witness)"
        )
    new.verify(log_key)
    first_use = not state_file.exists()
    if not first_use:
        previous = SignedCheckpoint.parse(state_file.read_text())
        if previous.checkpoint.origin != new.checkpoint.origin:
            raise InvalidRequest("checkpoint", f"this witness state is for {previous.checkpoint.origin!r}")
        check_extends(previous, new, proof, who=f"witness {witness.name}")
    line = witness.signature_line(new.checkpoint.body, timestamp=timestamp)
    state_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = state_file.with_name(state_file.name + ".tmp")
    tmp.write_text(new.checkpoint.body + "\n" + "".join(_log_lines(new, log_key)))
    os.replace(tmp, state_file)
    return Cosignature(new.size, witness.name, line, first_use)


def _log_lines(checkpoint: SignedCheckpoint, log_key: VerifierKey) -> list[str]:
    note = SignedNote.parse(checkpoint.note)
    return [s.line for s in note.signatures if (s.name, s.key_id) == (log_key.name, log_key.key_id)]
