"""Every error vaspguard raises on purpose, in one hierarchy.

::

    VaspguardError                  base; ``str(err)`` is one line a user can act on
    ├── InputError                  the user's input is wrong (bad file, bad field, bad argument)
    │   ├── InvalidRow              (path, row, field, reason): one record of an import file
    │   ├── InvalidFile             (path, reason): a file as a whole (format, truncation, count)
    │   ├── InvalidRequest          (field, reason): an API or CLI request field
    │   └── InvalidFields           (origin, problems): every bad field of one submitted record
    ├── NotFound                    (kind, key): a record that does not exist
    ├── StoreError                  the database is unreachable, unmigrated or refused the operation
    ├── IntegrityViolation          a protected invariant was broken (tampered log, bad signature, ...)
    ├── Refused                     a safeguard refused an action (quorum, missing receipts, ...)
    │   └── QuorumRefused           (request_id, reason): a lawful-request approval or disclosure refused
    └── FetchFailed                 (url, reason): a list download failed (network, HTTP status, size)

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
class NotFound(VaspguardError):
    kind: str
    key: str
    exit_code = 3

    def __str__(self) -> str:
        return f"{self.kind} {self.key!r} not found"


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
