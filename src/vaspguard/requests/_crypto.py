"""Canonical bytes, Ed25519 keys and signatures, and the RFC 9162 Merkle tree hash of a disclosure.

Canonical JSON: UTF-8, keys sorted, no insignificant whitespace, no NaN; what is signed is always
``DOMAIN || 0x0A || canonical JSON`` so a signature made for one purpose (an approval) can never be replayed
as another (a package manifest).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from vaspguard._json import canonical_json
from vaspguard.errors import InvalidFile

APPROVAL_DOMAIN = b"vaspguard/lawful-request/decision/v1"
MANIFEST_DOMAIN = b"vaspguard/lawful-request/disclosure-manifest/v1"
INSTRUMENT_DOMAIN = b"vaspguard/lawful-request/instrument/v1"


def canonical(value: Any, *, plain: bool = False) -> bytes:
    """Canonical JSON bytes (``vaspguard._json.canonical_json``), decimals, dates and enums converted;
    ``plain=True`` when ``value`` is already JSON-native."""
    return canonical_json(value, convert=not plain)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def signing_input(domain: bytes, value: Any, *, plain: bool = False) -> bytes:
    return domain + b"\n" + canonical(value, plain=plain)


# -- keys ---------------------------------------------------------------------------------------------------


def generate_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def public_hex(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def write_private_key(key: Ed25519PrivateKey, path: Path) -> None:
    """PEM (PKCS#8), created with mode 0600 so no other user can read it."""
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)


def read_private_key(path: Path | str) -> Ed25519PrivateKey:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InvalidFile(path, f"cannot read key: {exc.strerror}") from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise InvalidFile(path, "not an unencrypted PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidFile(path, "not an Ed25519 private key")
    return key


def read_public_key(path: Path | str) -> str:
    """An Ed25519 public key file (PEM, or 64 hex digits) as hex."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InvalidFile(path, f"cannot read key: {exc.strerror}") from None
    text = data.decode(errors="replace").strip()
    if len(text) == 64 and all(c in "0123456789abcdefABCDEF" for c in text):
        return text.lower()
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        raise InvalidFile(path, "not a PEM public key or 64 hex digits") from None
    if not isinstance(key, Ed25519PublicKey):
        raise InvalidFile(path, "not an Ed25519 public key")
    return public_hex(key)


def public_pem(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def sign(key: Ed25519PrivateKey, domain: bytes, value: Any, *, plain: bool = False) -> str:
    return key.sign(signing_input(domain, value, plain=plain)).hex()


def verify(
    public_key_hex: str, signature_hex: str, domain: bytes, value: Any, *, plain: bool = False
) -> bool:
    try:
        pub = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex))
        pub.verify(bytes.fromhex(signature_hex), signing_input(domain, value, plain=plain))
    except (InvalidSignature, ValueError):
        return False
    return True


# -- RFC 9162 §2.1.1 Merkle Tree Hash ------------------------------------------------------------------------
