"""Audit configuration (environment, prefix ``VASPGUARD_AUDIT_``) and the witness trust file.

``key_dir`` (default ``<data_dir>/audit``) holds the log's signing key ``log.key`` (mode 0600), its public
key ``log.pub`` (give it to auditors and witnesses), ``last-signed.note`` (the last checkpoint this key
signed, the signer's own memory) and ``witnesses``: one witness verifier key per line (``#`` comments).
``key_file`` (``VASPGUARD_AUDIT_KEY_FILE``) reads the signing key from that file instead (a mounted secret,
read-only; never generated there); ``last-signed.note`` and ``witnesses`` stay in ``key_dir``, which must then
be writable. ``quorum`` is how many of those witnesses must cosign a checkpoint before actions that need
receipts proceed and before ``audit verify`` accepts a bundle (0: no witness required).
"""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from vaspguard.audit._note import VerifierKey
from vaspguard.errors import InvalidFile, InvalidRequest
from vaspguard.settings import Settings

DEFAULT_ORIGIN = "vaspguard.local/audit/v1"


class AuditSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VASPGUARD_AUDIT_", extra="ignore")

    origin: str = DEFAULT_ORIGIN
    key_dir: Path | None = None
    key_file: Path | None = None
    quorum: int = 0

    def directory(self) -> Path:
        return self.key_dir or Settings().data_dir / "audit"

    def key_path(self) -> Path:
        """Where the log's signing key is: ``key_file``, else ``log.key`` in the key directory."""
        return self.key_file or self.directory() / "log.key"

    def witnesses(self) -> list[VerifierKey]:
        return read_witnesses(self.directory() / "witnesses")


def read_witnesses(path: Path) -> list[VerifierKey]:
    """The witness keys listed in ``path`` (none if the file does not exist)."""
    if not path.exists():
        return []
    keys = []
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            keys.append(VerifierKey.parse(line))
        except InvalidRequest as exc:
            raise InvalidFile(path, f"line {number}: {exc.reason}") from None
    return keys
