"""C2SP signed notes (``signed-note``), checkpoints (``tlog-checkpoint``) and cosignatures
(``tlog-cosignature``), with Ed25519 from ``cryptography``.

Key strings follow the Go ``golang.org/x/mod/sumdb/note`` encoding, so other tooling can read them:

- verifier key: ``<name>+<key id, 8 hex>+<base64(type || public key)>``
- signer key:   ``PRIVATE+KEY+<name>+<key id>+<base64(type || private seed)>``

Key types: ``0x01`` Ed25519 (the log's checkpoint key); ``0x04`` ``cosignature/v1`` (witnesses: the signed
message is ``cosignature/v1\\ntime <t>\\n`` followed by the checkpoint body, and the signature carries the
8-byte timestamp). Key ID = ``SHA-256(name || 0x0A || type || public key)[:4]``.

Verifier rules (signed-note): signatures by unknown keys are ignored; a known key whose signature fails
rejects the whole note; a note with no verified known signature is rejected.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from vaspguard.errors import InvalidRequest, NoteFormatError, QuorumError, SignatureError

ED25519 = 0x01
COSIGNATURE_V1 = 0x04
KeyType = Literal[1, 4]
_DASH = "\u2014"
_NAME = re.compile(r"[^\s+\u2014]+\Z")
_SIG_LINE = re.compile(r"\u2014 ([^\s+]+) ([A-Za-z0-9+/=]+)\Z")
_DECIMAL = re.compile(r"(0|[1-9][0-9]{0,19})\Z")
MAX_SIGNATURES = 100


def key_id(name: str, key_type: int, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([key_type]) + public).digest()[:4]


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _check_name(name: str) -> None:
    if not _NAME.match(name):
        raise InvalidRequest("name", f"key name {name!r} must be non-empty, without spaces, '+' or dashes")


@dataclass(frozen=True)
class VerifierKey:
    """A public key with its name, type and key ID (the ``vkey`` string is its shareable form)."""

    name: str
    key_type: int
    public: Ed25519PublicKey

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.key_type, _raw_public(self.public))

    @property
    def vkey(self) -> str:
        blob = base64.b64encode(bytes([self.key_type]) + _raw_public(self.public)).decode()
        return f"{self.name}+{self.key_id.hex()}+{blob}"

    @classmethod
    def parse(cls, vkey: str) -> VerifierKey:
        parts = vkey.strip().split("+", 2)  # base64 may itself contain '+'
        if len(parts) != 3:
            raise InvalidRequest("key", "a verifier key is NAME+KEYID+BASE64")
        name, hex_id, blob = parts
        _check_name(name)
        raw = _key_material(blob)
        key = cls(name, raw[0], Ed25519PublicKey.from_public_bytes(raw[1:]))
        if key.key_id.hex() != hex_id.lower():
            raise InvalidRequest(
                "key", f"key ID {hex_id} does not match the key (expected {key.key_id.hex()})"
            )
        return key


def _key_material(blob: str) -> bytes:
    """The type byte and 32 key bytes in the base64 of a verifier or signing key, checked."""
    try:
        raw = base64.b64decode(blob, validate=True)
    except binascii.Error:
        raise InvalidRequest("key", "key material is not base64") from None
    if len(raw) != 33 or raw[0] not in (ED25519, COSIGNATURE_V1):
        raise InvalidRequest("key", "only Ed25519 (0x01) and cosignature/v1 (0x04) keys are supported")
    return raw


@dataclass(frozen=True)
class SigningKey:
    """A private key with its name and type."""

    name: str
    key_type: int
    private: Ed25519PrivateKey

    @classmethod
    def generate(cls, name: str, key_type: int = ED25519) -> SigningKey:
        _check_name(name)
        return cls(name, key_type, Ed25519PrivateKey.generate())

    @property
    def verifier(self) -> VerifierKey:
        return VerifierKey(self.name, self.key_type, self.private.public_key())

    @property
    def skey(self) -> str:
        seed = self.private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        blob = base64.b64encode(bytes([self.key_type]) + seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier.key_id.hex()}+{blob}"

    @classmethod
    def parse(cls, skey: str) -> SigningKey:
        parts = skey.strip().split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise InvalidRequest("key", "a signing key is PRIVATE+KEY+NAME+KEYID+BASE64")
        name, hex_id, blob = parts[2:]
        _check_name(name)
        raw = _key_material(blob)
        key = cls(name, raw[0], Ed25519PrivateKey.from_private_bytes(raw[1:]))
        if key.verifier.key_id.hex() != hex_id.lower():
            raise InvalidRequest("key", "key ID does not match the private key")
        return key

    def signature_line(self, body: str, *, timestamp: int | None = None) -> str:
        """The note signature line (with its trailing newline) over ``body``."""
        kid = self.verifier.key_id
        if self.key_type == COSIGNATURE_V1:
            ts = int(time.time()) if timestamp is None else timestamp
            sig = self.private.sign(_cosigned_message(body, ts))
            raw = kid + struct.pack(">Q", ts) + sig
        else:
            raw = kid + self.private.sign(body.encode("utf-8"))
        return f"{_DASH} {self.name} {base64.b64encode(raw).decode()}\n"


def _cosigned_message(body: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n".encode() + body.encode("utf-8")


@dataclass(frozen=True)
class NoteSignature:
    name: str
    key_id: bytes
    raw: bytes  # after the key ID
    line: str


@dataclass(frozen=True)
class SignedNote:
    """A parsed (not yet verified) signed note."""

    body: str
    signatures: tuple[NoteSignature, ...]

    @property
    def text(self) -> str:
        return self.body + "\n" + "".join(s.line for s in self.signatures)

    @classmethod
    def parse(cls, text: str) -> SignedNote:
        """Strict parse: UTF-8, LF only, ending in LF; the last blank line separates body and signatures."""
        if not text.endswith("\n"):
            raise NoteFormatError("a signed note must end with a newline")
        if any((ord(c) < 0x20 and c != "\n") or ord(c) == 0x7F for c in text):
            raise NoteFormatError("a signed note may contain no control characters other than newline")
        cut = text.rfind("\n\n")
        if cut < 0:
            raise NoteFormatError("no blank line between the note body and its signatures")
        body, sig_text = text[: cut + 1], text[cut + 2 :]
        lines = sig_text.split("\n")[:-1]
        if not lines:
            raise NoteFormatError("a signed note needs at least one signature line")
        if len(lines) > MAX_SIGNATURES:
            raise NoteFormatError(f"more than {MAX_SIGNATURES} signatures")
        sigs = []
        for line in lines:
            match = _SIG_LINE.match(line)
            if not match:
                raise NoteFormatError(f"malformed signature line {line[:60]!r}")
            try:
                raw = base64.b64decode(match[2], validate=True)
            except binascii.Error:
                raise NoteFormatError("signature is not base64") from None
            if len(raw) < 5:
                raise NoteFormatError("signature too short")
            sigs.append(NoteSignature(match[1], raw[:4], raw[4:], line + "\n"))
        return cls(body, tuple(sigs))

    def verify(self, known: list[VerifierKey]) -> list[VerifiedSignature]:
        """The signatures made by ``known`` keys, each verified; unknown keys are ignored.

        Raises ``SignatureError`` if a known key's signature fails or if none of ``known`` signed.
        """
        by_id = {(k.name, k.key_id): k for k in known}
        verified: list[VerifiedSignature] = []
        for sig in self.signatures:
            key = by_id.get((sig.name, sig.key_id))
            if key is None:
                continue
            timestamp = None
            try:
                if key.key_type == COSIGNATURE_V1:
                    if len(sig.raw) != 8 + 64:
                        raise InvalidSignature
                    (timestamp,) = struct.unpack(">Q", sig.raw[:8])
                    key.public.verify(sig.raw[8:], _cosigned_message(self.body, timestamp))
                else:
                    key.public.verify(sig.raw, self.body.encode("utf-8"))
            except InvalidSignature:
                raise SignatureError(
                    f"signature by {key.name} ({key.key_id.hex()}) does not verify"
                ) from None
            verified.append(VerifiedSignature(key, timestamp))
        if not verified:
            names = ", ".join(sorted({s.name for s in self.signatures}))
            raise SignatureError(f"no signature by a trusted key (note is signed by: {names})")
        return verified

    def with_signature(self, line: str) -> SignedNote:
        """This note with one more signature line (replacing an earlier one by the same key)."""
        extra = SignedNote.parse(self.body + "\n" + line).signatures[0]
        kept = tuple(s for s in self.signatures if (s.name, s.key_id) != (extra.name, extra.key_id))
        return SignedNote(self.body, (*kept, extra))


@dataclass(frozen=True)
class VerifiedSignature:
    key: VerifierKey
    timestamp: int | None  # cosignatures carry the witness's time


@dataclass(frozen=True)
class Checkpoint:
    """A C2SP ``tlog-checkpoint`` body: origin, tree size, root hash."""

    origin: str
    size: int
    root: bytes

    @property
    def body(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"

    @classmethod
    def parse_body(cls, body: str) -> Checkpoint:
        lines = body.split("\n")
        if len(lines) < 4 or lines[-1] != "":
            raise NoteFormatError("a checkpoint body has at least three lines: origin, size, root")
        origin, size, root = lines[0], lines[1], lines[2]
        if not origin:
            raise NoteFormatError("empty checkpoint origin")
        if not _DECIMAL.match(size):
            raise NoteFormatError(f"checkpoint size {size!r} is not a decimal without leading zeros")
        try:
            raw = base64.b64decode(root, validate=True)
        except binascii.Error:
            raise NoteFormatError("checkpoint root is not base64") from None
        if len(raw) != 32:
            raise NoteFormatError("checkpoint root is not 32 bytes")
        if len(lines) > 4:
            raise NoteFormatError("checkpoint extension lines are not accepted (they are not auditable)")
        return cls(origin, int(size), raw)


@dataclass(frozen=True)
class SignedCheckpoint:
    """A checkpoint with its signed-note text (log signature, and any witness cosignatures)."""

    checkpoint: Checkpoint
    note: str

    @property
    def size(self) -> int:
        return self.checkpoint.size

    @property
    def root(self) -> bytes:
        return self.checkpoint.root

    @classmethod
    def parse(cls, note: str) -> SignedCheckpoint:
        parsed = SignedNote.parse(note)
        return cls(Checkpoint.parse_body(parsed.body), note)

    @classmethod
    def sign(cls, checkpoint: Checkpoint, key: SigningKey) -> SignedCheckpoint:
        body = checkpoint.body
        return cls(checkpoint, body + "\n" + key.signature_line(body))

    def verify(
        self,
        log_key: VerifierKey,
        *,
        origin: str | None = None,
        witnesses: Sequence[VerifierKey] = (),
        quorum: int = 0,
    ) -> list[VerifiedSignature]:
        """Check the log's signature, then that at least ``quorum`` of ``witnesses`` cosigned.

        Returns the verified witness cosignatures. Raises ``SignatureError`` on any failure.
        """
        note = SignedNote.parse(self.note)
        if origin is not None and self.checkpoint.origin != origin:
            raise SignatureError(f"checkpoint origin {self.checkpoint.origin!r} is not {origin!r}")
        note.verify([log_key])
        if quorum <= 0:
            return []
        try:
            cosigned = note.verify([w for w in witnesses if w.key_type == COSIGNATURE_V1])
        except SignatureError as exc:
            if "no signature by a trusted key" in str(exc):
                raise QuorumError(f"0 of {quorum} required witness cosignatures") from None
            raise
        if len(cosigned) < quorum:
            raise QuorumError(f"{len(cosigned)} of {quorum} required witness cosignatures")
        return cosigned
