"""Every error vaspguard raises on purpose, in one hierarchy.

::

    VaspguardError                  base; ``str(err)`` is one line a user can act on
    ├── InputError                  the user's input is wrong (bad file, bad field, bad argument)
    │   ├── InvalidRow              (path, row, field, reason): one record of an import file
    │   ├── InvalidFile             (path, reason): a file as a whole (format, truncation, count)
    │   ├── InvalidRequest          (field, reason): an API or CLI request field
    │   └── InvalidFields           (origin, problems): every bad field of one submitted record
    │   ├── NotFound                (kind, key): a record that does not exist (an unknown id)
    │   └── AlreadyExists           (kind, key, reason): a repeat of a record (a request filed twice)
    ├── StoreError                  the database is unreachable, unmigrated or refused the operation
    ├── IntegrityViolation          a protected invariant was broken (tampered log, bad signature, ...)
    │   ├── ProofError              an RFC 9162 inclusion or consistency proof does not verify
    │   ├── NoteFormatError         text that is not a well-formed C2SP signed note or checkpoint
    │   ├── SignatureError          a note's signature fails, or none is by a trusted key
    │   │   └── QuorumError         fewer witness cosignatures than the quorum
    │   ├── RollbackError           a checkpoint older than one already seen
    │   └── ForkError               (message, evidence): two signed checkpoints that cannot both be true
    ├── Refused                     a safeguard refused an action (quorum, missing receipts, ...)
    │   └── QuorumRefused           (request_id, reason): a lawful-request approval or disclosure refused
    ├── FetchFailed                 (url, reason): a list download failed (network, HTTP status, size)
    └── PartialFailure              (done, failed): a batch ran to its end with some rows failed (exit 3)

The CLI turns any ``VaspguardError`` into one line on stderr and a non-zero exit, never a traceback.
Capabilities add their own subclasses below the matching branch.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class VaspguardError(Exception):
    """Base class. ``exit_code`` is what the CLI exits with."""

    exit_code: int = 1


class InputError(VaspguardError):
    exit_code = 2


@dataclass
class InvalidRow(InputError):
    path: Path | str
    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: row {self.row}: field {self.field!r}: {self.reason}"


@dataclass
class InvalidFile(InputError):
    path: Path | str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass
class InvalidRequest(InputError):
    field: str
    reason: str

    def __str__(self) -> str:
        return f"field {self.field!r}: {self.reason}"


@dataclass
class NotFound(InputError):
    """An unknown id is the user's input error (exit 2), like any other."""

    kind: str
    key: str

    def __str__(self) -> str:
        return f"{self.kind} {self.key!r} not found"


@dataclass
class AlreadyExists(InputError):
    """A submission that repeats one already recorded (the same request filed twice): exit 2, HTTP 409."""

    kind: str
    key: str
    reason: str

    def __str__(self) -> str:
        return f"{self.kind} already recorded as {self.key}: {self.reason}"


@dataclass
class PartialFailure(VaspguardError):
    """A batch ran to its end, but some rows failed with an internal error (each reported with its id and the
    error's class); every other row was done. Exit 3: not a bad input file (2), not a crash (70)."""

    done: int
    failed: tuple[str, ...]
    unit: str = "rows"  # what the batch counts: rows of a file, customers of a run
    exit_code = 3

    def __str__(self) -> str:
        shown = ", ".join(self.failed[:10]) + (" ..." if len(self.failed) > 10 else "")
        total = self.done + len(self.failed)
        return f"{len(self.failed)} of {total} {self.unit} failed with an internal error: {shown}"


class StoreError(VaspguardError):
    exit_code = 4


class IntegrityViolation(VaspguardError):
    exit_code = 5


class Refused(VaspguardError):
    exit_code = 6


@dataclass
class InvalidFields(InputError):
    """Every problem of one submitted record (a lawful request, an agency, ...), each naming its field."""

    origin: str | None
    problems: tuple[InvalidRequest, ...]

    def __str__(self) -> str:
        where = f"{self.origin}: " if self.origin else ""
        return where + "; ".join(str(p) for p in self.problems)


@dataclass
class QuorumRefused(Refused):
    request_id: str
    reason: str

    def __str__(self) -> str:
        return f"request {self.request_id}: refused: {self.reason}"


@dataclass
class FetchFailed(VaspguardError):
    """A sanctions-list download failed; nothing was imported."""

    url: str
    reason: str
    exit_code = 7

    def __str__(self) -> str:
        return f"{self.url}: {self.reason}"


class ProofError(IntegrityViolation):
    """An RFC 9162 proof did not verify (§2.1.3.2 inclusion / §2.1.4.2 consistency)."""


class NoteFormatError(IntegrityViolation):
    """Text that is not a well-formed C2SP signed note or checkpoint."""


class SignatureError(IntegrityViolation):
    """A note's signatures do not verify, or it carries none by a trusted key."""


class QuorumError(SignatureError):
    """Fewer witnesses cosigned a checkpoint than the quorum requires."""


class RollbackError(IntegrityViolation):
    """A checkpoint older than one already seen (the log was rolled back, or shows a stale view)."""


class ForkError(IntegrityViolation):
    """Two checkpoints signed by the log that cannot both be true: a split view. ``evidence`` keeps both."""

    def __init__(self, message: str, *, evidence: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.evidence = evidence
